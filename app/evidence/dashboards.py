"""Read-only views of the teaching loop: the review queue and the two dashboards.

Every query here is scoped by the person asking: a student's own work, or the
badges an instructor reviews.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.accounts.permissions import class_ids_taught
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.evidence.goals import GoalStatus
from app.evidence.goals import StandardProgress
from app.evidence.goals import goal_statuses
from app.evidence.goals import progress_by_standard
from app.evidence.models import Goal
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.pathways.completion import awaiting_confirmation
from app.pathways.models import PathwayCompletion

RECENT_DECISIONS = 15


def reviewable_badges_clause(user: User) -> sa.ColumnElement[bool]:
    """The SQL form of Badge.can_review for `user` (kept in step with it)."""
    if user.is_admin:
        return sa.true()
    if not user.is_instructor:
        return sa.false()
    return sa.or_(
        Badge.created_by_id == user.id,
        Badge.class_id.is_(None),
        Badge.class_id.in_(class_ids_taught(user) or {-1}),
    )


def reviewable_badges(user: User) -> list[Badge]:
    return list(
        db.session.scalars(
            sa.select(Badge).where(reviewable_badges_clause(user)).order_by(Badge.name)
        )
    )


# --- Review queue ---------------------------------------------------------------------------


@dataclass
class ReviewQueue:
    waiting: list[Submission]
    with_student: list[Submission]
    recent: list[Submission]
    counts_by_badge: Counter[int] = field(default_factory=Counter)
    badges: list[Badge] = field(default_factory=list)
    classes: list[SchoolClass] = field(default_factory=list)


def review_queue(
    reviewer: User, *, class_id: int | None = None, badge_id: int | None = None
) -> ReviewQueue:
    """Submissions of the badges `reviewer` reviews: waiting ones first, oldest first."""
    base = (
        sa.select(Submission)
        .join(Badge, Submission.badge_id == Badge.id)
        .where(reviewable_badges_clause(reviewer))
        .options(
            selectinload(Submission.student),
            selectinload(Submission.badge),
            selectinload(Submission.items),
        )
    )
    if class_id is not None:
        base = base.where(Badge.class_id == class_id)
    if badge_id is not None:
        base = base.where(Badge.id == badge_id)
    waiting = list(
        db.session.scalars(
            base.where(Submission.state == SubmissionState.SUBMITTED).order_by(
                Submission.submitted_at, Submission.id
            )
        )
    )
    with_student = list(
        db.session.scalars(
            base.where(Submission.state == SubmissionState.CHANGES_REQUESTED).order_by(
                Submission.decided_at
            )
        )
    )
    recent = list(
        db.session.scalars(
            base.where(Submission.state.in_((SubmissionState.APPROVED, SubmissionState.REJECTED)))
            .order_by(Submission.decided_at.desc())
            .limit(RECENT_DECISIONS)
        )
    )
    badges = reviewable_badges(reviewer)
    counts = Counter(
        dict(
            db.session.execute(
                sa.select(Submission.badge_id, sa.func.count())
                .join(Badge, Submission.badge_id == Badge.id)
                .where(
                    reviewable_badges_clause(reviewer),
                    Submission.state == SubmissionState.SUBMITTED,
                )
                .group_by(Submission.badge_id)
            ).all()
        )
    )
    class_ids = {b.class_id for b in badges if b.class_id is not None}
    classes = list(
        db.session.scalars(
            sa.select(SchoolClass)
            .where(SchoolClass.id.in_(class_ids or {-1}))
            .order_by(SchoolClass.name)
        )
    )
    return ReviewQueue(waiting, with_student, recent, counts, badges, classes)


# --- Student dashboard ------------------------------------------------------------------------


@dataclass
class StudentOverview:
    goals: list[GoalStatus]
    drafts: list[Submission]
    submitted: list[Submission]
    feedback: list[Submission]
    rejected: list[Submission]
    earned: list[IssuedCredential]
    standards: list[StandardProgress] = field(default_factory=list)

    @property
    def due(self) -> list[GoalStatus]:
        """Goals whose target date has passed or comes soon, and are not reached yet."""
        return [g for g in self.goals if g.overdue or g.due_soon]


def student_overview(student: User, *, today: date) -> StudentOverview:
    """Everything a student is working on, waiting for, has earned, and aims at."""
    submissions = list(
        db.session.scalars(
            sa.select(Submission)
            .where(Submission.student_id == student.id)
            .options(selectinload(Submission.badge), selectinload(Submission.events))
            .order_by(Submission.updated_at.desc())
        )
    )
    earned = list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.recipient_id == student.id)
            .options(selectinload(IssuedCredential.badge))
            .order_by(IssuedCredential.issued_at.desc())
        )
    )
    goals = [g for g in goal_statuses(student, today=today) if not g.reached]

    def in_state(*states: SubmissionState) -> list[Submission]:
        return [s for s in submissions if s.state in states]

    return StudentOverview(
        goals=goals,
        drafts=in_state(SubmissionState.DRAFT, SubmissionState.WITHDRAWN),
        submitted=in_state(SubmissionState.SUBMITTED),
        feedback=in_state(SubmissionState.CHANGES_REQUESTED),
        rejected=in_state(SubmissionState.REJECTED),
        earned=earned,
        standards=progress_by_standard(student),
    )


# --- Instructor dashboard -----------------------------------------------------------------------


@dataclass
class ProgressCell:
    state: str  # "earned", "submitted", "changes_requested", "draft", "pursuing" or ""
    label: str
    credential_id: str | None = None
    submission_id: int | None = None


@dataclass
class StandardRow:
    framework: str
    code: str
    name: str
    url: str
    badges: list[str]
    earned_by: int


@dataclass
class ClassProgress:
    school_class: SchoolClass
    students: list[User]
    badges: list[Badge]
    cells: dict[tuple[int, int], ProgressCell]
    standards: list[StandardRow]


@dataclass
class InstructorOverview:
    waiting: int
    with_student: int
    approved: int
    classes: list[ClassProgress]
    # Pathways completed whose credential waits for this instructor to confirm it.
    completions: list[PathwayCompletion]


_STATE_LABELS = {
    SubmissionState.SUBMITTED: ("submitted", "Waiting for review"),
    SubmissionState.CHANGES_REQUESTED: ("changes_requested", "Changes requested"),
    SubmissionState.DRAFT: ("draft", "Draft"),
    SubmissionState.WITHDRAWN: ("draft", "Withdrawn"),
    SubmissionState.REJECTED: ("rejected", "Not approved"),
}


def _class_progress(school_class: SchoolClass, badges: Sequence[Badge]) -> ClassProgress:
    students = sorted(
        (m.user for m in school_class.memberships if m.role == Role.STUDENT),
        key=lambda u: u.name.casefold(),
    )
    student_ids = [s.id for s in students] or [-1]
    badge_ids = [b.id for b in badges] or [-1]
    cells: dict[tuple[int, int], ProgressCell] = {}
    for goal in db.session.scalars(
        sa.select(Goal).where(Goal.student_id.in_(student_ids), Goal.badge_id.in_(badge_ids))
    ):
        if goal.badge_id is not None:  # the query asks for badge goals; this tells mypy
            cells[(goal.student_id, goal.badge_id)] = ProgressCell("pursuing", "Pursuing")
    for submission in db.session.scalars(
        sa.select(Submission)
        .where(Submission.student_id.in_(student_ids), Submission.badge_id.in_(badge_ids))
        .order_by(Submission.id)
    ):
        if submission.state in _STATE_LABELS:
            state, label = _STATE_LABELS[submission.state]
            cells[(submission.student_id, submission.badge_id)] = ProgressCell(
                state, label, submission_id=submission.id
            )
    earned_by_badge: dict[int, set[int]] = {}
    for credential in db.session.scalars(
        sa.select(IssuedCredential).where(
            IssuedCredential.recipient_id.in_(student_ids), IssuedCredential.badge_id.in_(badge_ids)
        )
    ):
        cells[(credential.recipient_id, credential.badge_id)] = ProgressCell(
            "earned", credential.level_name or "Earned", credential_id=credential.id
        )
        earned_by_badge.setdefault(credential.badge_id, set()).add(credential.recipient_id)
    standards: dict[tuple[str, str, str], StandardRow] = {}
    earners: dict[tuple[str, str, str], set[int]] = {}
    for badge in badges:
        for alignment in badge.alignments:
            key = (alignment.get("framework", ""), alignment.get("code", ""), alignment["name"])
            row = standards.setdefault(
                key, StandardRow(key[0], key[1], key[2], alignment["url"], [], 0)
            )
            row.badges.append(badge.name)
            earners.setdefault(key, set()).update(earned_by_badge.get(badge.id, set()))
    for key, row in standards.items():
        row.earned_by = len(earners[key])
    return ClassProgress(
        school_class=school_class,
        students=students,
        badges=list(badges),
        cells=cells,
        standards=sorted(standards.values(), key=lambda r: (r.framework, r.code, r.name)),
    )


def instructor_overview(instructor: User) -> InstructorOverview:
    """Queue counts and, per class taught, who pursues and who earned which badge."""
    counts = dict(
        db.session.execute(
            sa.select(Submission.state, sa.func.count())
            .join(Badge, Submission.badge_id == Badge.id)
            .where(reviewable_badges_clause(instructor))
            .group_by(Submission.state)
        ).all()
    )
    if instructor.is_admin:
        classes = list(db.session.scalars(sa.select(SchoolClass).order_by(SchoolClass.name)))
    else:
        classes = list(
            db.session.scalars(
                sa.select(SchoolClass)
                .join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
                .where(
                    ClassMembership.user_id == instructor.id,
                    ClassMembership.role == Role.INSTRUCTOR,
                )
                .order_by(SchoolClass.name)
            )
        )
    published = list(
        db.session.scalars(
            sa.select(Badge).where(Badge.state == BadgeState.PUBLISHED).order_by(Badge.name)
        )
    )
    progress = [
        _class_progress(
            c,
            [b for b in published if b.class_id in (None, c.id) and b.personal_for_id is None],
        )
        for c in classes
    ]
    return InstructorOverview(
        waiting=counts.get(SubmissionState.SUBMITTED, 0),
        with_student=counts.get(SubmissionState.CHANGES_REQUESTED, 0),
        approved=counts.get(SubmissionState.APPROVED, 0),
        classes=progress,
        completions=awaiting_confirmation(instructor),
    )
