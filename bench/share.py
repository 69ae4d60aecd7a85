"""Benchmark: PDF certificate rendering, and the verification page under load.

Run from the repository root: `python bench/share.py` (or `make bench`).
- PDF certificate (A4, credential and keys attached): the first render in a fresh
  process (cold: WeasyPrint import, fonts, templates) and the median of later ones (warm).
- Throughput with `wrk` on loopback against gunicorn (2 sync workers, the same app):
  GET /v/<token>, the certificate's QR link (full verification of a valid credential
  on every request) next to GET /api/v1/health (a trivial route), and their ratio.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.badges.services import BadgeInput  # noqa: E402
from app.badges.services import RubricLevelInput  # noqa: E402
from app.badges.services import create_badge  # noqa: E402
from app.badges.services import publish_badge  # noqa: E402
from app.credentials.keys import KeyStore  # noqa: E402
from app.extensions import db  # noqa: E402
from app.issuing.issuance import issue_credential  # noqa: E402
from app.keyring import issuing_context  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WARM_RUNS = 10
WRK_SECONDS = 10
WRK_CONNECTIONS = 8
PASSPHRASE = "bench-passphrase"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(workdir: Path, port: int) -> dict[str, str]:
    """LAUREL_* environment shared by this process and the gunicorn workers."""
    return {
        "LAUREL_ENV": "bench",
        "LAUREL_INSTANCE_PATH": str(workdir),
        "LAUREL_SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{workdir / 'laurel.db'}",
        "LAUREL_KEYS_DIR": str(workdir / "keys"),
        "LAUREL_KEY_PASSPHRASE": PASSPHRASE,
        "LAUREL_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LAUREL_STORAGE_DIR": str(workdir / "evidence"),
        "LAUREL_DEMO": "0",
    }


def _issue_one() -> tuple[str, str]:
    """A school with one badge and one credential; its id and its QR link's path."""
    instructor = User(email="teacher@school.example", name="Teacher", role=Role.INSTRUCTOR)
    student = User(email="student@school.example", name="Maya Student", role=Role.STUDENT)
    db.session.add_all([instructor, student])
    db.session.flush()
    badge = create_badge(
        BadgeInput(
            name="Vehicle Restoration",
            description="Refurbish a truck from frame to paint.",
            criteria_narrative="Document the restoration with photos and a parts budget.",
            criteria_items=("Photo log", "Budget"),
            accepted_kinds=("photo", "link"),
            rubric_levels=(RubricLevelInput("Developing"), RubricLevelInput("Proficient")),
            required_level="Proficient",
        ),
        actor=instructor,
        now=NOW,
    )
    publish_badge(badge, actor=instructor, now=NOW)
    credential = issue_credential(
        issuing_context(),
        issuing_context(),
        badge=badge,
        recipient=student,
        level_id=None,
        issued_by=instructor,
        now=NOW,
    )
    db.session.commit()
    return credential.id, f"/v/{credential.verify_token}"


def bench_pdf(credential_id: str) -> None:
    from app.share.certificate import render_certificate
    from app.verify.documents import credential_by_id

    credential = credential_by_id(credential_id)
    started = time.perf_counter()
    render_certificate(credential, ctx=issuing_context(), paper="a4", now=NOW)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        render_certificate(credential, ctx=issuing_context(), paper="a4", now=NOW)
        warm.append(time.perf_counter() - started)
    print(
        f"  PDF certificate (A4, 4 files attached): cold {cold * 1000:.0f} ms, "
        f"warm median {statistics.median(warm) * 1000:.0f} ms over {WARM_RUNS}"
    )


def _wait_for(url: str, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url}")


def _wrk(url: str) -> float:
    """Requests per second that wrk reports (non-2xx answers make the run fail)."""
    result = subprocess.run(
        ["wrk", "-t", "2", "-c", str(WRK_CONNECTIONS), "-d", f"{WRK_SECONDS}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=WRK_SECONDS + 30,
    )
    if "Non-2xx" in result.stdout:
        raise RuntimeError(f"{url} answered errors under load:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout).group(1))


def bench_throughput(environment: dict[str, str], port: int, verify_path: str) -> None:
    if shutil.which("wrk") is None:
        print("  wrk is not installed (Debian package wrk): throughput skipped")
        return
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "app:create_app()",
        ],
        cwd=ROOT,
        env={**os.environ, **environment},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/v1/health")
        _wait_for(f"{base}{verify_path}")
        trivial = _wrk(f"{base}/api/v1/health")
        verify = _wrk(f"{base}{verify_path}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    load = f"wrk {WRK_CONNECTIONS} connections x {WRK_SECONDS} s"
    print(f"  gunicorn, 2 sync workers, {load} on loopback:")
    print(f"    trivial route /api/v1/health:        {trivial:8.0f} req/s")
    print(f"    verification page (full, every hit): {verify:8.0f} req/s")
    print(f"    ratio verify/trivial:                {verify / trivial:8.3f}")


def main() -> None:
    from flask_migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="laurel-bench-share-") as directory:
        workdir = Path(directory)
        port = _free_port()
        environment = _settings(workdir, port)
        KeyStore(Path(environment["LAUREL_KEYS_DIR"]), PASSPHRASE).init(now=NOW)
        os.environ.update(environment)
        app = create_app()
        with app.app_context():
            upgrade()
            credential_id, verify_path = _issue_one()
            bench_pdf(credential_id)
        bench_throughput(environment, port, verify_path)


if __name__ == "__main__":
    main()
