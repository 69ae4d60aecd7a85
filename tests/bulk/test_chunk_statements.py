"""A chunk of a bulk job reads with a fixed number of SQL statements, whatever its rows.

Counted from the job's claim to its end, for a job of CSV rows and one of selected
submissions, each run as one chunk of 2 rows and as one of 6. A chunk of CSV rows sends
no more statements for 6 rows than for 2 (one SELECT of the learners, one INSERT of the
credentials, one executemany UPDATE of the rows); a chunk of submissions reads no more,
and writes per row only what the approval does for each (its guarded UPDATE and its
APPROVED event). The lists are printed on failure.
"""

from __future__ import annotations

from collections import Counter

from app.bulk.checks import check_submissions
from app.bulk.models import JobSource
from app.bulk.runner import run_job
from app.bulk.services import confirm
from app.bulk.services import create_job
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from tests.bulk.helpers import confirmed_job
from tests.bulk.helpers import make_students


def _shape(sent: list[str]) -> str:
    return "\n".join(f"{n} x {text[:160]}" for text, n in Counter(sent).items())


def _run_counted(job_id: str, sql_statements) -> list[str]:
    db.session.expunge_all()
    with sql_statements() as sent:
        assert run_job(job_id, issuing_context(), chunk_rows=50) is None
    return sent


def test_a_chunk_of_csv_rows_costs_the_same_statements_for_2_rows_as_for_6(
    school, make_user, sql_statements
):
    students = make_students(make_user, 9, classes=[school.auto_shop])
    # The school's first credential creates its status lists and issuer profile.
    run_job(confirmed_job(school.instructor, students[:1], school.badge).id, issuing_context())
    small = confirmed_job(school.instructor, students[1:3], school.badge).id
    large = confirmed_job(school.instructor, students[3:], school.badge).id

    two, six = _run_counted(small, sql_statements), _run_counted(large, sql_statements)

    assert len(six) <= len(two), f"2 rows:\n{_shape(two)}\n\n6 rows:\n{_shape(six)}"


def test_a_chunk_of_submissions_costs_the_same_statements_for_2_rows_as_for_6(
    school, make_user, make_submission, sql_statements
):
    students = make_students(make_user, 8, classes=[school.auto_shop])
    jobs = []
    for chosen in (students[:2], students[2:]):
        submissions = [make_submission(student) for student in chosen]
        report = check_submissions([s.id for s in submissions], actor=school.instructor)
        now = utcnow()
        job = create_job(
            report.rows, source=JobSource.SUBMISSIONS, filename="", actor=school.instructor, now=now
        )
        confirm(job, now=now)
        jobs.append(job.id)
    db.session.commit()
    run_job(confirmed_job(school.instructor, [school.student], school.badge).id, issuing_context())

    two, six = (_run_counted(job_id, sql_statements) for job_id in jobs)

    shapes = f"2 rows:\n{_shape(two)}\n\n6 rows:\n{_shape(six)}"
    assert len(_reads(six)) <= len(_reads(two)), shapes
    per_row = Counter(map(_target, six))
    per_row.subtract(Counter(map(_target, two)))
    assert {target for target, n in per_row.items() if n > 0} == {
        "UPDATE submission",
        "INSERT submission_event",
    }, shapes


def _target(text: str) -> str:
    """ "UPDATE submission", "INSERT submission_event": what a write does, and to which table."""
    words = text.split()
    return f"{words[0]} {words[2] if words[0] == 'INSERT' else words[1]}"


def _reads(sent: list[str]) -> list[str]:
    return [text for text in sent if text.lstrip().upper().startswith("SELECT")]
