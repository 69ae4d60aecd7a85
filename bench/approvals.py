"""Benchmark: approve-and-issue through the evidence service, on SQLite and PostgreSQL.

Run from the repository root: `python bench/approvals.py` (`make bench` runs it with the
rest through bench/run.py). In a fresh instance (bench/harness.py) with one badge and
RUNS + 1 students who each submitted evidence: approve one submission and commit (the
credential is signed with both proofs and gets its status entries), once untimed and
then RUNS times; the median and p95 in ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

RUNS = 10 if harness.QUICK else 100


@dataclass(frozen=True)
class Latency:
    median_ms: float
    p95_ms: float
    runs: int


def _approve(submission_id: int, reviewer_id: int, offset: int) -> float:
    """Approve and commit one submission; the seconds it took."""
    from app.accounts.models import User
    from app.evidence import services
    from app.extensions import db
    from app.keyring import issuing_context

    started = time.perf_counter()
    submission = services.load_submission(submission_id)
    reviewer = db.session.get(User, reviewer_id)
    services.approve(
        submission,
        ctx=issuing_context(),
        reviewer=reviewer,
        level_id=None,
        feedback="",
        now=harness.NOW + timedelta(seconds=offset),
    )
    db.session.commit()
    elapsed = time.perf_counter() - started
    db.session.expunge_all()
    return elapsed


def measure(instructor_id: int, badge_id: int, runs: int = RUNS) -> Latency:
    """Approve `runs` fresh submissions of the badge one by one, in the current instance."""
    first, *submissions = harness.seed_submissions(
        badge_id, harness.seed_students(runs + 1, "approve")
    )
    # Not timed: a process's first approval decrypts the keys and makes the status lists.
    _approve(first, instructor_id, 0)
    latencies = [
        _approve(submission_id, instructor_id, offset)
        for offset, submission_id in enumerate(submissions, start=1)
    ]
    return Latency(
        median_ms=statistics.median(latencies) * 1000,
        p95_ms=statistics.quantiles(latencies, n=20, method="inclusive")[-1] * 1000,
        runs=runs,
    )


def main() -> None:
    harness.check_services()
    print("Approve and issue (evidence service -> signed credential, both proofs, status entries)")
    for database_url in (None, harness.postgres_url()):
        with harness.instance(database_url) as made:
            latency = measure(*harness.seed_badge())
        print(
            f"  {made.label:<10} median {latency.median_ms:.1f} ms, "
            f"p95 {latency.p95_ms:.1f} ms ({latency.runs} approvals)"
        )


if __name__ == "__main__":
    main()
