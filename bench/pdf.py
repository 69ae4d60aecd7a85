"""Benchmark: the PDF certificate, warm render time and the memory of a worker over 400 renders.

Run from the repository root: `python bench/pdf.py` (or `make bench`); `--renders N`
measures N renders instead of 400 (the growth is still given per 400), `--json` prints
the figures as one JSON object (tests/share/test_pdf_renderer.py reads the memory).
The demo school is seeded in a temporary folder (SQLite) and Maya's credential is rendered
as an A4 certificate, as GET /credentials/<id>/download/pdf renders it:
- cold: the first render in this process (WeasyPrint import, fonts, stylesheet), then the
  warm-up that a gunicorn worker runs at start (`warm_up_worker`, which also freezes
  the objects alive);
- warm: median and 95th percentile of the 400 renders that follow, and their median
  CPU time (steadier than the clock on a busy machine);
- memory: the resident set size before and after those 400 renders.
Every render is a real one: `render_certificate` always renders, whereas the download
route (`certificate_pdf`) hands a repeat download the PDF kept from the same source; the
decoded images and parsed stylesheets a worker keeps between PDFs are used, as in a worker.
Figures only: nothing here passes or fails on a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.credentials.keys import KeyStore  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RENDERS = 400
PASSPHRASE = "bench-passphrase"


def rss_mib() -> float:
    """This process's resident set size (Linux /proc), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _seed(workdir: Path):
    """An application on a fresh SQLite database holding the demo school."""
    from flask_migrate import upgrade

    from app.demo import seed_demo
    from app.evidence.storage import configured_storage
    from app.evidence.storage import max_upload_bytes
    from app.extensions import db
    from app.keyring import issuing_context

    KeyStore(workdir / "keys", PASSPHRASE).init(now=NOW)
    app = create_app(
        {
            "LAUREL_ENV": "test",
            "INSTANCE_PATH": str(workdir),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'laurel.db'}",
            "LAUREL_KEYS_DIR": str(workdir / "keys"),
            "LAUREL_KEY_PASSPHRASE": PASSPHRASE,
            "LAUREL_STORAGE_DIR": str(workdir / "evidence"),
        }
    )
    with app.app_context():
        upgrade()
        seed_demo(
            ctx=issuing_context(),
            storage=configured_storage(app.config),
            max_bytes=max_upload_bytes(app.config),
            now=NOW,
        )
        db.session.commit()
    return app


def measure(renders: int = RENDERS) -> dict[str, float]:
    """Cold, warm (median, p95) in ms and RSS growth in MiB over `renders` certificates."""

    from app.demo import showcase_credential
    from app.extensions import db
    from app.keyring import issuing_context
    from app.share.certificate import render_certificate
    from app.share.certificate import warm_up_worker

    with tempfile.TemporaryDirectory(prefix="laurel-bench-pdf-") as directory:
        app = _seed(Path(directory))
        with app.app_context():
            credential = showcase_credential()
            ctx = issuing_context()
            started = time.perf_counter()
            render_certificate(credential, ctx=ctx, paper="a4", now=NOW)
            cold = time.perf_counter() - started
            warm_up_worker()
            before = rss_mib()
            times, cpu_times = [], []
            for _ in range(renders):
                started, cpu_started = time.perf_counter(), time.thread_time()
                render_certificate(credential, ctx=ctx, paper="a4", now=NOW)
                times.append(time.perf_counter() - started)
                cpu_times.append(time.thread_time() - cpu_started)
            after = rss_mib()
            db.session.remove()
            db.engine.dispose()
    times.sort()
    return {
        "pdf_warm_cpu_ms": statistics.median(cpu_times) * 1000,
        "pdf_cold_ms": cold * 1000,
        "pdf_warm_ms": statistics.median(times) * 1000,
        "pdf_warm_p95_ms": times[int(0.95 * (len(times) - 1))] * 1000,
        "pdf_rss_before_mib": before,
        "pdf_rss_after_mib": after,
        "pdf_rss_growth_mib": after - before,
        "pdf_rss_growth_mib_per_400": (after - before) * 400 / renders,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=RENDERS, help="renders measured")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    arguments = parser.parse_args()
    figures = measure(arguments.renders)
    if arguments.json:
        print(json.dumps(figures))
        return
    print(f"  PDF certificate (A4, 4 files attached), {arguments.renders} renders in one process:")
    print(f"    cold (first render in the process): {figures['pdf_cold_ms']:7.0f} ms")
    print(
        f"    warm median / p95:                  {figures['pdf_warm_ms']:7.1f} ms / "
        f"{figures['pdf_warm_p95_ms']:.1f} ms"
    )
    print(f"    warm median CPU time of the thread: {figures['pdf_warm_cpu_ms']:7.1f} ms")
    print(
        f"    resident memory:                    {figures['pdf_rss_before_mib']:7.0f} MiB -> "
        f"{figures['pdf_rss_after_mib']:.0f} MiB "
        f"({figures['pdf_rss_growth_mib_per_400']:+.1f} MiB per 400)"
    )


if __name__ == "__main__":
    main()
