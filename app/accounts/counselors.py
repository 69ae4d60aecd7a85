"""Counselors and the students assigned to them, and who may read a learner's record.

`assign_counselor` is what an admin's page and a roster import call (the import says so,
so that it only ever undoes its own assignments).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import CounselorAssignment
from app.accounts.models import User
from app.accounts.permissions import class_ids_enrolled
from app.accounts.permissions import class_ids_taught
from app.errors import UserError
from app.extensions import db


def assign_counselor(
    counselor: User, student: User, *, now: datetime, by_roster: bool = False
) -> CounselorAssignment:
    """Let `counselor` follow `student` (a second call returns the same assignment).

    An admin's assignment (`by_roster` false) is never undone by a roster import: one
    an import made becomes the admin's when an admin assigns the pair again.

    :raises UserError: when `counselor` is not a counselor or `student` not a student.
    """
    if not counselor.is_counselor:
        raise UserError(
            gettext("%(counselor_name)s is not a counselor.", counselor_name=counselor.name)
        )
    if not student.is_student:
        raise UserError(gettext("%(student_name)s is not a student.", student_name=student.name))
    assignment = db.session.scalar(
        sa.select(CounselorAssignment).where(
            CounselorAssignment.counselor_id == counselor.id,
            CounselorAssignment.student_id == student.id,
        )
    )
    if assignment is None:
        assignment = CounselorAssignment(
            counselor_id=counselor.id, student_id=student.id, created_at=now, by_roster=by_roster
        )
        db.session.add(assignment)
    elif not by_roster:
        assignment.by_roster = False
    db.session.flush()
    return assignment


def unassign_counselor(counselor: User, student: User) -> None:
    db.session.execute(
        sa.delete(CounselorAssignment).where(
            CounselorAssignment.counselor_id == counselor.id,
            CounselorAssignment.student_id == student.id,
        )
    )
    db.session.flush()


def assigned_students(counselor: User) -> list[User]:
    """The students `counselor` follows, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(CounselorAssignment, CounselorAssignment.student_id == User.id)
            .where(CounselorAssignment.counselor_id == counselor.id)
            .order_by(User.name, User.id)
        )
    )


def is_counselor_of(viewer: User, student: User) -> bool:
    if not viewer.is_counselor or not viewer.is_active:
        return False
    return (
        db.session.scalar(
            sa.select(CounselorAssignment.id).where(
                CounselorAssignment.counselor_id == viewer.id,
                CounselorAssignment.student_id == student.id,
            )
        )
        is not None
    )


def can_read_learner(learner: User, viewer: User | None) -> bool:
    """The learner, administrators, instructors of one of their classes, their counselors."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.id == learner.id or viewer.is_admin:
        return True
    if class_ids_taught(viewer) & class_ids_enrolled(learner):
        return True
    return is_counselor_of(viewer, learner)
