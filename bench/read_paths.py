"""Measure the read paths against a trivial route of the same gunicorn, under the same wrk load.

Run from the repository root: `python bench/read_paths.py [--postgres URL] [--seconds N]`.
One school with one shared credential; gunicorn with 2 sync workers; for each path
wrk's requests per second and the ratio to GET /api/v1/health (the trivial route):
- GET /v/<token>          the certificate's verification page
- POST /api/v1/verify     the credential's JSON
- GET /s/<token>          the public share page
- GET /credentials/<id>   the signed JSON (Accept: application/vc+ld+json)
A non-2xx answer fails the run (304 counts: wrk treats it as 3xx, not an error).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONNECTIONS = 8
ROUNDS = 3
PASSPHRASE = "bench-passphrase"
REDIS = os.environ.get("LAUREL_BENCH_REDIS", "redis://127.0.0.1:6379/8")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


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
        "LAUREL_RATELIMIT_STORAGE_URI": REDIS,
    }


def _issue_one():
    """A school with one published badge and one credential, shared by its learner."""
    from app.accounts.models import Role
    from app.accounts.models import User
    from app.badges.services import BadgeInput
    from app.badges.services import RubricLevelInput
    from app.badges.services import create_badge
    from app.badges.services import publish_badge
    from app.extensions import db
    from app.issuing.issuance import issue_credential
    from app.keyring import issuing_context

    instructor = User(email="teacher@school.example", name="Teacher", role=Role.INSTRUCTOR)
    student = User(email="student@school.example", name="Maya Student", role=Role.STUDENT)
    db.session.add_all([instructor, student])
    db.session.flush()
    badge = create_badge(
        BadgeInput(
            name="Vehicle Restoration",
            description="Refurbish a truck from frame to paint.",
            criteria_narrative="Document the restoration with **photos** and a parts budget.",
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
        badge=badge,
        recipient=student,
        level_id=None,
        issued_by=instructor,
        now=NOW,
    )
    credential.share_enabled = True
    db.session.commit()
    return credential


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


def _wrk(
    url: str, seconds: int, script: Path | None = None, headers: tuple[str, ...] = ()
) -> float:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s"]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    )
    if "Non-2xx" in result.stdout:
        raise RuntimeError(f"{url} answered errors under load:\n{result.stdout}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout).group(1))


def _post_script(workdir: Path, body: str) -> Path:
    escaped = body.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/vc+ld+json"\n'
        f'wrk.body = "{escaped}"\n'
    )
    return script


def main() -> None:
    from flask_migrate import upgrade

    from app import create_app
    from app.credentials.keys import KeyStore
    from app.extensions import db

    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL (default: SQLite)")
    parser.add_argument("--seconds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="laurel-bench-read-") as directory:
        workdir = Path(directory)
        port = _free_port()
        environment = _settings(workdir, port)
        if options.postgres:
            environment["DATABASE_URL"] = options.postgres
        KeyStore(Path(environment["LAUREL_KEYS_DIR"]), PASSPHRASE).init(now=NOW)
        os.environ.update(environment)
        app = create_app()
        with app.app_context():
            if options.postgres:
                import sqlalchemy as sa

                with db.engine.begin() as connection:
                    connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                    connection.execute(sa.text("CREATE SCHEMA public"))
            upgrade()
            credential = _issue_one()
            credential_id = credential.id
            verify_path = f"/v/{credential.verify_token}"
            share_path = f"/s/{credential.share_token}"
            body = credential.json_text
            db.engine.dispose()
        script = _post_script(workdir, body)
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--access-logfile",
                "/dev/null",
                # wrk sends thousands of verifications a second from one address.
                'app:create_app({"RATELIMIT_ENABLED": False})',
            ],
            cwd=ROOT,
            env={**os.environ, **environment},
        )
        base = f"http://127.0.0.1:{port}"
        seconds = options.seconds
        try:
            _wait_for(f"{base}/api/v1/health")
            for path in (verify_path, share_path, f"/credentials/{credential_id}"):
                _wait_for(f"{base}{path}")
            runs = {
                "verify page /v/<token>": lambda: _wrk(f"{base}{verify_path}", seconds),
                "POST /api/v1/verify": lambda: _wrk(f"{base}/api/v1/verify", seconds, script),
                "share page /s/<token>": lambda: _wrk(f"{base}{share_path}", seconds),
                "credential JSON": lambda: _wrk(
                    f"{base}/credentials/{credential_id}",
                    seconds,
                    headers=("Accept: application/vc+ld+json",),
                ),
            }
            results = {}
            for name, run in runs.items():
                # The machine is shared: each path alternates with the trivial route, so a
                # change of load in between weighs on both sides of the ratio alike.
                trivial = path = 0.0
                for _ in range(ROUNDS):
                    trivial += _wrk(f"{base}/api/v1/health", seconds)
                    path += run()
                results[name] = (path / ROUNDS, trivial / ROUNDS)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    database = "PostgreSQL" if options.postgres else "SQLite"
    print(
        f"{database}, gunicorn 2 sync workers, wrk {CONNECTIONS} connections, "
        f"{ROUNDS} rounds of {seconds} s each against the trivial route"
    )
    for name, (rate, trivial) in results.items():
        print(
            f"  {name:24s} {rate:8.0f} req/s, trivial {trivial:6.0f}   ratio {rate / trivial:5.2f}"
        )


if __name__ == "__main__":
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed")
    main()
