"""Benchmark: approve-and-issue through the evidence service, on SQLite and PostgreSQL.

Run from the repository root: `python bench/approvals.py` (or `make bench`).
For each database: a fresh schema built by the migrations, a fresh key store, one
badge and enough students with a submitted piece of evidence each. Then
- latency: approve one submission and commit (the credential is signed with both
  proofs and gets its status entries), LATENCY_RUNS times: median and p95 in ms;
- bulk: BULK_RUNS approvals of different submissions, one transaction each:
  credentials per second.
PostgreSQL is used when it answers on 127.0.0.1:5432 (database `laurel_bench`,
created if missing; LAUREL_BENCH_POSTGRES overrides the URL); otherwise it is skipped.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import Role  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.badges.services import BadgeInput  # noqa: E402
from app.badges.services import RubricLevelInput  # noqa: E402
from app.badges.services import create_badge  # noqa: E402
from app.badges.services import publish_badge  # noqa: E402
from app.credentials.keys import KeyStore  # noqa: E402
from app.evidence import services  # noqa: E402
from app.extensions import db  # noqa: E402
from app.keyring import issuing_context  # noqa: E402

LATENCY_RUNS = 50
BULK_RUNS = 1000
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
POSTGRES_BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/laurel_bench"


def _postgres_url() -> str | None:
    """The benchmark database on the local server, or None when no server answers."""
    if os.environ.get("LAUREL_BENCH_POSTGRES"):
        return os.environ["LAUREL_BENCH_POSTGRES"]
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'laurel_bench'"
            ).fetchone()
            if not exists:
                conn.execute("CREATE DATABASE laurel_bench")
    except Exception as error:  # noqa: BLE001 - any failure means "no PostgreSQL here"
        print(f"  PostgreSQL not available ({type(error).__name__}): skipped")
        return None
    return POSTGRES_BENCH_URL


def _app(workdir: Path, database_url: str):
    keys = workdir / "keys"
    keys.mkdir()
    KeyStore(keys, "bench-passphrase").init(now=NOW)
    return create_app(
        {
            "LAUREL_ENV": "bench",
            "INSTANCE_PATH": str(workdir),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "LAUREL_KEYS_DIR": str(keys),
            "LAUREL_KEY_PASSPHRASE": "bench-passphrase",
            "LAUREL_PUBLIC_URL": "https://school.example",
            "LAUREL_STORAGE_DIR": str(workdir / "evidence"),
            "LAUREL_DEMO": False,
        }
    )


def _fresh_schema(postgres: bool) -> None:
    from flask_migrate import upgrade

    if postgres:
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    upgrade()


def _submissions(count: int) -> list[int]:
    """One badge, `count` students, each with a submitted text and reflection."""
    instructor = User(email="teacher@school.example", name="Teacher", role=Role.INSTRUCTOR)
    db.session.add(instructor)
    db.session.flush()
    badge = create_badge(
        BadgeInput(
            name="Vehicle Restoration",
            description="Refurbish a truck.",
            criteria_narrative="Document the restoration.",
            criteria_items=("Photo log", "Budget"),
            accepted_kinds=("text", "link"),
            rubric_levels=(RubricLevelInput("Developing"), RubricLevelInput("Proficient")),
            required_level="Proficient",
        ),
        actor=instructor,
        now=NOW,
    )
    publish_badge(badge, actor=instructor, now=NOW)
    ids = []
    for number in range(count):
        student = User(
            email=f"s{number}@school.example", name=f"Student {number}", role=Role.STUDENT
        )
        db.session.add(student)
        db.session.flush()
        submission = services.start_submission(badge, student=student, now=NOW)
        services.add_text(submission, student=student, text="My restoration log.", now=NOW)
        services.save_draft(
            submission, student=student, reflection="I did it.", criteria_reflections={}, now=NOW
        )
        services.submit(submission, student=student, now=NOW)
        ids.append(submission.id)
    db.session.commit()
    return ids


def _approve(submission_id: int, reviewer_id: int, moment: datetime) -> float:
    """Approve and commit one submission; the seconds it took."""
    from app.evidence.models import Submission

    started = time.perf_counter()
    submission = db.session.get(Submission, submission_id)
    reviewer = db.session.get(User, reviewer_id)
    services.approve(
        submission, ctx=issuing_context(), reviewer=reviewer, level_id=None, feedback="", now=moment
    )
    db.session.commit()
    elapsed = time.perf_counter() - started
    db.session.expunge_all()
    return elapsed


def run(label: str, database_url: str | None) -> None:
    if database_url is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if database_url.startswith("sqlite"):
            database_url = f"sqlite:///{workdir / 'bench.db'}"
        application = _app(workdir, database_url)
        with application.app_context():
            _fresh_schema(postgres=not database_url.startswith("sqlite"))
            ids = _submissions(LATENCY_RUNS + BULK_RUNS)
            reviewer_id = db.session.scalar(sa.select(User.id).where(User.role == Role.INSTRUCTOR))
            latencies = [
                _approve(sid, reviewer_id, NOW + timedelta(seconds=n))
                for n, sid in enumerate(ids[:LATENCY_RUNS])
            ]
            started = time.perf_counter()
            for n, sid in enumerate(ids[LATENCY_RUNS:]):
                _approve(sid, reviewer_id, NOW + timedelta(minutes=1, seconds=n))
            bulk_seconds = time.perf_counter() - started
            db.session.remove()
            db.engine.dispose()
    median_ms = statistics.median(latencies) * 1000
    p95_ms = statistics.quantiles(latencies, n=20)[-1] * 1000
    print(
        f"  {label:<10} approve-and-issue latency: median {median_ms:.1f} ms, "
        f"p95 {p95_ms:.1f} ms ({LATENCY_RUNS} runs)"
    )
    print(
        f"  {label:<10} bulk: {BULK_RUNS} approvals of different submissions in "
        f"{bulk_seconds:.1f} s = {BULK_RUNS / bulk_seconds:.1f} credentials/s"
    )


def main() -> None:
    print("Approve and issue (evidence service -> signed credential, both proofs, status entries)")
    run("SQLite", "sqlite://")
    run("PostgreSQL", _postgres_url())


if __name__ == "__main__":
    main()
