"""Benchmark: batched issuance (`app.issuing.batch.issue_batch`) on SQLite and PostgreSQL.

Run from the repository root: `python bench/batch.py`.
For each database: a fresh schema built by the migrations, a fresh key store, one
badge and TOTAL students. Then TOTAL credentials are issued in chunks of CHUNK
requests, one transaction per chunk (signed with both proofs, status entries
taken): credentials per second, and the share of the time spent signing.
PostgreSQL is used as bench/approvals.py uses it (LAUREL_BENCH_POSTGRES overrides the URL).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.accounts.models import Role  # noqa: E402
from app.accounts.models import User  # noqa: E402
from app.badges.models import Badge  # noqa: E402
from app.badges.services import BadgeInput  # noqa: E402
from app.badges.services import RubricLevelInput  # noqa: E402
from app.badges.services import create_badge  # noqa: E402
from app.badges.services import publish_badge  # noqa: E402
from app.credentials import signing  # noqa: E402
from app.extensions import db  # noqa: E402
from app.issuing import documents  # noqa: E402
from app.issuing.batch import IssueRequest  # noqa: E402
from app.issuing.batch import issue_batch  # noqa: E402
from app.keyring import issuing_context  # noqa: E402
from bench.approvals import _app  # noqa: E402
from bench.approvals import _fresh_schema  # noqa: E402
from bench.approvals import _postgres_url  # noqa: E402

TOTAL = 2000
CHUNK = 200
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _school(count: int) -> tuple[int, int, list[int]]:
    """One published badge, its instructor and `count` students: their ids."""
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
    students = [
        User(email=f"s{n}@school.example", name=f"Student {n}", role=Role.STUDENT)
        for n in range(count)
    ]
    db.session.add_all(students)
    db.session.commit()
    return badge.id, instructor.id, [s.id for s in students]


class _SigningClock:
    """Adds up the time spent in sign_credential while the benchmark runs."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._sign = signing.sign_credential

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self._sign(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started


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
            badge_id, instructor_id, student_ids = _school(TOTAL)
            db.session.expunge_all()
            clock = _SigningClock()
            documents.sign_credential = clock
            started = time.perf_counter()
            for first in range(0, TOTAL, CHUNK):
                badge = db.session.get(Badge, badge_id)
                instructor = db.session.get(User, instructor_id)
                chunk = student_ids[first : first + CHUNK]
                students = db.session.query(User).filter(User.id.in_(chunk)).all()
                requests = [IssueRequest(badge=badge, recipient=s, level_id=None) for s in students]
                issue_batch(issuing_context(), requests, issued_by=instructor, now=NOW)
                db.session.commit()
                db.session.expunge_all()
            seconds = time.perf_counter() - started
            documents.sign_credential = clock._sign
            db.session.remove()
            db.engine.dispose()
    print(
        f"  {label:<10} {TOTAL} credentials in chunks of {CHUNK}: {seconds:.1f} s = "
        f"{TOTAL / seconds:.0f} credentials/s (signing {clock.seconds / seconds:.0%} of it, "
        f"{clock.seconds / TOTAL * 1000:.2f} ms a credential)"
    )


def main() -> None:
    print("Batched issuance (issue_batch: both proofs, status entries, one transaction a chunk)")
    run("SQLite", "sqlite://")
    run("PostgreSQL", _postgres_url())


if __name__ == "__main__":
    main()
