"""Benchmark: bulk issuance (a school's backfill) through app.issuing.batch, SQLite and PostgreSQL.

Run from the repository root: `python bench/bulk.py` (`make bench` runs it with the rest
through bench/run.py). In a fresh instance (bench/harness.py) with one badge: COUNT
students get the badge from one `issue_batch` call and its commit; credentials per second.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

COUNT = 20 if harness.QUICK else 1000


@dataclass(frozen=True)
class Rate:
    per_second: float
    count: int
    seconds: float


def measure(instructor_id: int, badge_id: int, count: int = COUNT) -> Rate:
    """Issue the badge to `count` new students in one batch and commit it."""
    from app.accounts.models import User
    from app.badges.models import Badge
    from app.extensions import db
    from app.issuing.batch import IssueRequest
    from app.issuing.batch import issue_batch
    from app.keyring import issuing_context

    student_ids = harness.seed_students(count, "bulk")
    badge = db.session.get(Badge, badge_id)
    instructor = db.session.get(User, instructor_id)
    students = db.session.scalars(db.select(User).where(User.id.in_(student_ids))).all()
    requests = [IssueRequest(badge, student, None) for student in students]
    started = time.perf_counter()
    issue_batch(issuing_context(), requests, issued_by=instructor, now=harness.NOW)
    db.session.commit()
    seconds = time.perf_counter() - started
    db.session.expunge_all()
    return Rate(per_second=count / seconds, count=count, seconds=seconds)


def main() -> None:
    harness.check_services()
    print("Bulk issuance (one issue_batch call, committed)")
    for database_url in (None, harness.postgres_url()):
        with harness.instance(database_url) as made:
            rate = measure(*harness.seed_badge())
        print(
            f"  {made.label:<10} {rate.count} credentials in {rate.seconds:.1f} s = "
            f"{rate.per_second:.0f}/s"
        )


if __name__ == "__main__":
    main()
