"""Making checked, confirmed bulk jobs for the tests of tests/bulk."""

from __future__ import annotations

from app.accounts.models import Role
from app.accounts.models import User
from app.badges.models import Badge
from app.bulk.checks import check_csv
from app.bulk.models import BulkJob
from app.bulk.models import JobSource
from app.bulk.services import confirm
from app.bulk.services import create_job
from app.extensions import db
from app.models_base import utcnow


def csv_for(students: list[User], badge: Badge) -> bytes:
    lines = ["email,badge,level,evidence_url,note"]
    lines += [f"{s.email},{badge.id},,https://photos.example/{s.id},Backfilled" for s in students]
    return ("\n".join(lines) + "\n").encode()


def make_students(make_user, count: int, classes=()) -> list[User]:
    return [
        make_user(Role.STUDENT, email=f"learner{i}@school.test", classes=classes)
        for i in range(count)
    ]


def confirmed_job(actor: User, students: list[User], badge: Badge) -> BulkJob:
    """A checked and confirmed CSV job for `students` (committed)."""
    report = check_csv(csv_for(students, badge), actor=actor)
    assert report.ok, report.errors
    now = utcnow()
    job = create_job(report.rows, source=JobSource.CSV, filename="year.csv", actor=actor, now=now)
    confirm(job, now=now)
    db.session.commit()
    return job
