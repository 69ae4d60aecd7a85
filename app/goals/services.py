"""A student's reflections on their evidence and their learner profile, and who reads them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.counselors import can_read_learner
from app.accounts.models import User
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.evidence.goals import own_goal
from app.evidence.models import Submission
from app.extensions import db
from app.goals.models import LearnerProfile
from app.goals.models import Reflection

MAX_REFLECTION = 5000
MAX_PROFILE_FIELD = 2000


def _check_student(student: User) -> None:
    if not student.is_student:
        raise NotAllowed(gettext("Only students write reflections and keep a learner profile."))


def own_submissions(student: User) -> list[Submission]:
    """The submissions a student may link a reflection to: their own, newest first."""
    return list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.student_id == student.id)
            .order_by(Submission.updated_at.desc(), Submission.id.desc())
        )
    )


def write_reflection(
    *,
    student: User,
    text: str,
    submission_id: int | None,
    goal_id: int | None,
    now: datetime,
) -> Reflection:
    """A reflection of `student`, on one of their own submissions and/or goals.

    :raises NotFound: the submission or goal is not the student's own.
    :raises UserError: empty or overlong text.
    """
    _check_student(student)
    text = text.strip()
    if not text:
        raise UserError(
            gettext("Write something: what you did, what you learned, what comes next.")
        )
    if len(text) > MAX_REFLECTION:
        raise UserError(
            gettext(
                "Keep a reflection under %(max_reflection)s characters.",
                max_reflection=MAX_REFLECTION,
            )
        )
    if submission_id is not None:
        submission = db.session.get(Submission, submission_id)
        if submission is None or submission.student_id != student.id:
            raise NotFound(gettext("There is no such piece of your evidence."))
    if goal_id is not None:
        own_goal(goal_id, student)
    reflection = Reflection(
        student_id=student.id,
        submission_id=submission_id,
        goal_id=goal_id,
        text=text,
        created_at=now,
    )
    db.session.add(reflection)
    db.session.flush()
    return reflection


def reflections_of(student: User) -> list[Reflection]:
    return list(
        db.session.scalars(
            sa.select(Reflection)
            .where(Reflection.student_id == student.id)
            .order_by(Reflection.created_at.desc(), Reflection.id.desc())
        )
    )


def delete_reflection(reflection_id: int, *, student: User) -> None:
    reflection = db.session.get(Reflection, reflection_id)
    if reflection is None or reflection.student_id != student.id:
        raise NotFound(gettext("There is no such reflection."))
    db.session.delete(reflection)
    db.session.flush()


def profile_of(student: User) -> LearnerProfile:
    """The student's profile; an empty one (not stored) until they write it."""
    profile = db.session.scalar(
        sa.select(LearnerProfile).where(LearnerProfile.student_id == student.id)
    )
    return profile or LearnerProfile(student_id=student.id, interests="", strengths="")


def save_profile(*, student: User, interests: str, strengths: str, now: datetime) -> LearnerProfile:
    _check_student(student)
    for label, value in (("interests", interests), ("strengths", strengths)):
        if len(value) > MAX_PROFILE_FIELD:
            raise UserError(
                gettext(
                    "Keep your %(label)s under %(max_profile_field)s characters.",
                    label=label,
                    max_profile_field=MAX_PROFILE_FIELD,
                )
            )
    profile = profile_of(student)
    profile.interests = interests.strip()
    profile.strengths = strengths.strip()
    profile.updated_at = now
    db.session.add(profile)
    db.session.flush()
    return profile


def readable_learner(user_id: int, viewer: User) -> User:
    """The student `user_id` if `viewer` may read their profile; 404 for anyone else.

    The student, administrators, instructors of one of their classes and their counselors.
    """
    learner = db.session.get(User, user_id)
    if learner is None or not learner.is_student or not can_read_learner(learner, viewer):
        raise NotFound(gettext("There is no learner profile here."))
    return learner
