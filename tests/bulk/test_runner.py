"""The runner issues each row exactly once, a chunk per transaction, under a lease."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.bulk.checks import check_submissions
from app.bulk.models import BulkJob
from app.bulk.models import BulkRow
from app.bulk.models import JobSource
from app.bulk.models import JobState
from app.bulk.models import RowState
from app.bulk.runner import claim
from app.bulk.runner import run_job
from app.bulk.services import confirm
from app.bulk.services import create_job
from app.bulk.services import progress
from app.bulk.services import result_csv
from app.evidence.models import EventKind
from app.evidence.models import SubmissionState
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from tests.bulk.helpers import confirmed_job
from tests.bulk.helpers import make_students


def _credentials() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential))


def test_run_issues_every_row_once_with_its_evidence(school, make_user):
    students = make_students(make_user, 7, classes=[school.auto_shop])
    job = confirmed_job(school.instructor, students, school.badge)
    chunks: list[int] = []
    assert run_job(job.id, issuing_context(), chunk_rows=3, on_chunk=chunks.append) is None
    assert chunks == [3, 3, 1]
    rows = db.session.scalars(sa.select(BulkRow).order_by(BulkRow.position)).all()
    assert {row.state for row in rows} == {RowState.ISSUED}
    assert len({row.credential_id for row in rows}) == 7 == _credentials()
    credential = db.session.get(IssuedCredential, rows[0].credential_id)
    assert (
        credential.recipient_id == students[0].id
        and credential.issued_by_id == school.instructor.id
    )
    evidence = json.loads(credential.json_text)["evidence"]
    assert evidence[0]["id"] == f"https://photos.example/{students[0].id}"
    assert evidence[0]["narrative"] == "Backfilled"
    db.session.refresh(job)
    assert job.state == JobState.DONE and job.lease_owner is None
    # Run again (a duplicate message): nothing more is issued.
    assert run_job(job.id, issuing_context()) is None
    assert _credentials() == 7
    done = progress(job, now=utcnow())
    assert (done.issued, done.failed, done.remaining, done.percent) == (7, 0, 0, 100)
    lines = result_csv(job, "https://laurel.test").splitlines()
    assert lines[0] == "row,email,badge,status,credential_url_or_error"
    assert lines[1] == (
        f"2,{students[0].email},{school.badge.name},issued,"
        f"https://laurel.test/credentials/{rows[0].credential_id}"
    )


def test_run_a_row_that_cannot_be_issued_fails_alone(school, make_user, make_badge):
    students = make_students(make_user, 3, classes=[school.auto_shop])
    job = confirmed_job(school.instructor, students, school.badge)
    other = make_badge(school.instructor, name="Welding", class_id=school.auto_shop.id)
    # The second row now names a badge unpublished after the check.
    row = db.session.scalars(sa.select(BulkRow).where(BulkRow.position == 3)).one()
    row.badge_id = other.id
    other.state = BadgeState.DRAFT
    db.session.commit()
    run_job(job.id, issuing_context(), chunk_rows=10)
    states = dict(db.session.execute(sa.select(BulkRow.position, BulkRow.state)).all())
    assert states == {2: RowState.ISSUED, 3: RowState.FAILED, 4: RowState.ISSUED}
    assert _credentials() == 2
    failed = progress(db.session.get(BulkJob, job.id), now=utcnow())
    assert (failed.issued, failed.failed, failed.state) == (2, 1, "done")
    assert "3,learner1@school.test,Vehicle Restoration,failed,Publish the badge" in result_csv(
        job, "https://laurel.test"
    )


def test_run_a_job_leased_by_another_worker_waits_for_the_lease(school, make_user):
    students = make_students(make_user, 2, classes=[school.auto_shop])
    job = confirmed_job(school.instructor, students, school.badge)
    assert claim(job.id, "worker-a", lease_seconds=60) is None
    retry_at = run_job(job.id, issuing_context(), owner="worker-b")
    assert retry_at is not None and retry_at > utcnow() + timedelta(seconds=50)
    assert _credentials() == 0
    # Worker A's lease ran out (it was killed): B takes the job over, A may not come back.
    db.session.execute(sa.update(BulkJob).values(lease_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert run_job(job.id, issuing_context(), owner="worker-b") is None
    assert _credentials() == 2
    assert run_job(job.id, issuing_context(), owner="worker-a") is None
    assert _credentials() == 2


def test_run_a_draft_job_issues_nothing(school, make_user):
    from app.bulk.checks import check_csv
    from tests.bulk.helpers import csv_for

    students = make_students(make_user, 1, classes=[school.auto_shop])
    report = check_csv(csv_for(students, school.badge), actor=school.instructor)
    job = create_job(
        report.rows, source=JobSource.CSV, filename="x.csv", actor=school.instructor, now=utcnow()
    )
    db.session.commit()
    assert run_job(job.id, issuing_context()) is None
    assert _credentials() == 0 and db.session.get(BulkJob, job.id).state == JobState.DRAFT


def test_run_selected_submissions_go_through_the_approval(school, make_submission):
    submissions = [make_submission(), make_submission(school.classmate)]
    report = check_submissions([s.id for s in submissions], actor=school.instructor)
    now = utcnow()
    job = create_job(
        report.rows, source=JobSource.SUBMISSIONS, filename="", actor=school.instructor, now=now
    )
    confirm(job, now=now)
    db.session.commit()
    run_job(job.id, issuing_context())
    for submission in submissions:
        db.session.refresh(submission)
        assert submission.state == SubmissionState.APPROVED
        assert submission.decided_by_id == school.instructor.id
        approved = [e for e in submission.events if e.kind == EventKind.APPROVED]
        assert len(approved) == 1
        credential = db.session.scalar(
            sa.select(IssuedCredential).where(IssuedCredential.submission_id == submission.id)
        )
        assert approved[0].snapshot["credential_id"] == credential.id
        assert approved[0].snapshot["level"] == "Proficient"
    assert _credentials() == 2


def test_run_a_submission_decided_meanwhile_fails_its_row(school, make_submission):
    from app.evidence import services

    submissions = [make_submission(), make_submission(school.classmate)]
    report = check_submissions([s.id for s in submissions], actor=school.instructor)
    now = utcnow()
    job = create_job(
        report.rows, source=JobSource.SUBMISSIONS, filename="", actor=school.instructor, now=now
    )
    confirm(job, now=now)
    services.reject(submissions[0], reviewer=school.instructor, reason="Blurry photos.", now=now)
    db.session.commit()
    run_job(job.id, issuing_context())
    rows = db.session.scalars(sa.select(BulkRow).order_by(BulkRow.position)).all()
    assert [row.state for row in rows] == [RowState.FAILED, RowState.ISSUED]
    assert "already been rejected" in rows[0].error
    assert _credentials() == 1


def test_result_file_keeps_formula_like_text_inert(school, make_user, make_badge):
    badge = make_badge(school.instructor, name="=SUM(1+1)", class_id=school.auto_shop.id)
    students = make_students(make_user, 1, classes=[school.auto_shop])
    job = confirmed_job(school.instructor, students, badge)
    run_job(job.id, issuing_context())
    line = result_csv(job, "https://laurel.test").splitlines()[1]
    assert f"2,{students[0].email},'=SUM(1+1),issued," in line


def test_unfinished_jobs_and_the_unclaimed_ones(school, make_user):
    from app.bulk.services import unfinished_job_ids

    students = make_students(make_user, 2, classes=[school.auto_shop])
    queued = confirmed_job(school.instructor, students[:1], school.badge)
    leased = confirmed_job(school.instructor, students[1:], school.badge)
    claim(leased.id, "worker-a", lease_seconds=60)
    assert set(unfinished_job_ids()) == {queued.id, leased.id}
    assert unfinished_job_ids(unclaimed_at=utcnow()) == [queued.id]
    later = utcnow() + timedelta(seconds=61)
    assert set(unfinished_job_ids(unclaimed_at=later)) == {queued.id, leased.id}
    run_job(queued.id, issuing_context())
    assert unfinished_job_ids() == [leased.id]
