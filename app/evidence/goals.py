"""A student's goals: a badge to earn, a pathway to complete or a standard to master, by a
date they choose.

The badge page's "Pursue" button makes a badge goal too (services.start_goal); this
module adds the student's own wording, the target date, standard goals, and progress.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.standards import alignment_label
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.evidence.models import Goal
from app.evidence.models import GoalKind
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.pathways.completion import earned_steps
from app.pathways.models import Pathway
from app.pathways.services import pathways_for

TITLE_MAX = 200
# How far ahead a target date may lie: a school career, not a typo's year 20206.
LATEST_TARGET_YEARS = 10


def badges_open_to(student: User) -> list[Badge]:
    """The published badges `student` may pursue, by name."""
    published = db.session.scalars(
        sa.select(Badge).where(Badge.state == BadgeState.PUBLISHED).order_by(Badge.name)
    )
    return [badge for badge in published if badge.is_visible_to(student)]


def standards_open_to(student: User) -> dict[str, list[Badge]]:
    """Each standard the badges open to `student` align to, with those badges."""
    standards: dict[str, list[Badge]] = defaultdict(list)
    for badge in badges_open_to(student):
        for label in {alignment_label(a) for a in badge.alignments or ()} - {""}:
            standards[label].append(badge)
    return dict(sorted(standards.items(), key=lambda item: item[0].casefold()))


def pathways_open_to(student: User) -> list[Pathway]:
    """The pathways `student` may aim at: those meant for them, published and not archived."""
    return [
        p
        for p in pathways_for(student)
        if p.archived_at is None and p.badge.state == BadgeState.PUBLISHED
    ]


@dataclass(frozen=True)
class GoalInput:
    kind: GoalKind
    title: str
    target_date: date | None
    badge_id: int | None = None
    standard: str | None = None
    pathway_id: int | None = None


def _check_student(student: User) -> None:
    if not student.is_student:
        raise NotAllowed(gettext("Only students set goals."))


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise UserError(gettext("Give the goal a title, in your own words."))
    if len(title) > TITLE_MAX:
        raise UserError(
            gettext("Keep the title under %(title_max)s characters.", title_max=TITLE_MAX)
        )
    return title


def _check_target_date(target_date: date | None, now: datetime) -> None:
    if target_date is None:
        return
    if target_date < now.date():
        raise UserError(
            gettext(
                "The target date %(value)s has already passed.",
                value=format(target_date, "%d %b %Y"),
            )
        )
    if target_date.year > now.year + LATEST_TARGET_YEARS:
        raise UserError(
            gettext(
                "Choose a target date within %(latest_target_years)s years.",
                latest_target_years=LATEST_TARGET_YEARS,
            )
        )


def _open_badge(student: User, badge_id: int | None) -> Badge:
    badge = db.session.get(Badge, badge_id) if badge_id is not None else None
    if badge is None or badge.state != BadgeState.PUBLISHED or not badge.is_visible_to(student):
        raise UserError(gettext("Choose one of the badges open to you."))
    return badge


def create_goal(data: GoalInput, *, student: User, now: datetime) -> Goal:
    """A new goal of `student`.

    :raises UserError: an empty title, a past date, a badge, pathway or standard not open
        to them.
    :raises Conflict: the badge or pathway is already one of their goals.
    """
    _check_student(student)
    title = _clean_title(data.title)
    _check_target_date(data.target_date, now)
    goal = Goal(
        student_id=student.id,
        kind=data.kind,
        title=title,
        target_date=data.target_date,
        created_at=now,
    )
    if data.kind == GoalKind.BADGE:
        badge = _open_badge(student, data.badge_id)
        if db.session.scalar(
            sa.select(Goal.id).where(Goal.student_id == student.id, Goal.badge_id == badge.id)
        ):
            raise Conflict(
                gettext("“%(badge_name)s” is already one of your goals.", badge_name=badge.name)
            )
        goal.badge_id = badge.id
    elif data.kind == GoalKind.PATHWAY:
        pathway = next((p for p in pathways_open_to(student) if p.id == data.pathway_id), None)
        if pathway is None:
            raise UserError(gettext("Choose one of the pathways open to you."))
        if db.session.scalar(
            sa.select(Goal.id).where(Goal.student_id == student.id, Goal.pathway_id == pathway.id)
        ):
            raise Conflict(
                gettext(
                    "“%(pathway_name)s” is already one of your goals.", pathway_name=pathway.name
                )
            )
        goal.pathway_id = pathway.id
    elif data.kind == GoalKind.STANDARD:
        if not data.standard or data.standard not in standards_open_to(student):
            raise UserError(gettext("Choose one of the standards your badges align to."))
        goal.standard = data.standard
    else:
        raise UserError(gettext("Choose what the goal aims at: a badge, a pathway or a standard."))
    db.session.add(goal)
    db.session.flush()
    return goal


def update_goal(
    goal: Goal, *, student: User, title: str, target_date: date | None, now: datetime
) -> Goal:
    """Reword a goal or move its date; what it aims at stays (set a new goal for that)."""
    _check_own(goal, student)
    goal.title = _clean_title(title)
    if target_date != goal.target_date:
        _check_target_date(target_date, now)
    goal.target_date = target_date
    db.session.flush()
    return goal


def delete_goal(goal: Goal, *, student: User) -> None:
    """Drop a goal; submissions and reflections stay."""
    _check_own(goal, student)
    db.session.delete(goal)
    db.session.flush()


def _check_own(goal: Goal, student: User) -> None:
    if goal.student_id != student.id:
        raise NotFound(gettext("There is no such goal."))


def own_goal(goal_id: int, student: User) -> Goal:
    """The goal `goal_id` of `student`; another student's goal does not exist for them."""
    goal = db.session.get(Goal, goal_id)
    if goal is None:
        raise NotFound(gettext("There is no such goal."))
    _check_own(goal, student)
    return goal


def goals_of(student: User) -> list[Goal]:
    """The student's goals: dated ones first, soonest first, then the rest as set."""
    return list(
        db.session.scalars(
            sa.select(Goal)
            .where(Goal.student_id == student.id)
            .order_by(Goal.target_date.is_(None), Goal.target_date, Goal.created_at, Goal.id)
        )
    )


@dataclass(frozen=True)
class StandardProgress:
    """How many of the badges aligned to a standard a student has earned."""

    standard: str
    earned: int
    total: int

    @property
    def mastered(self) -> bool:
        return self.total > 0 and self.earned == self.total


def earned_badge_ids(student: User) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(IssuedCredential.badge_id).where(
                IssuedCredential.recipient_id == student.id,
                IssuedCredential.state != CredentialState.REVOKED,
            )
        )
    )


def progress_by_standard(student: User) -> list[StandardProgress]:
    """For each standard the student's badges align to: earned badges out of all of them."""
    earned = earned_badge_ids(student)
    return [
        StandardProgress(label, sum(b.id in earned for b in badges), len(badges))
        for label, badges in standards_open_to(student).items()
    ]


# How near a target date must be for the dashboard to list the goal under "Due soon".
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class GoalStatus:
    """A goal with where the student stands on it, in words for the dashboard."""

    goal: Goal
    target: str
    progress: str
    reached: bool
    days_left: int | None

    @property
    def overdue(self) -> bool:
        return not self.reached and self.days_left is not None and self.days_left < 0

    @property
    def due_soon(self) -> bool:
        return not self.reached and self.days_left is not None and self.days_left <= DUE_SOON_DAYS


# A badge goal's progress while the badge is not earned: where its latest submission stands.
SUBMISSION_PROGRESS = {
    SubmissionState.DRAFT: lazy_gettext("draft"),
    SubmissionState.SUBMITTED: lazy_gettext("submitted"),
    SubmissionState.CHANGES_REQUESTED: lazy_gettext("changes requested"),
    SubmissionState.APPROVED: lazy_gettext("approved"),
    SubmissionState.REJECTED: lazy_gettext("rejected"),
    SubmissionState.WITHDRAWN: lazy_gettext("withdrawn"),
}


def _latest_submission_states(student: User) -> dict[int, str]:
    states: dict[int, str] = {}
    for badge_id, state in db.session.execute(
        sa.select(Submission.badge_id, Submission.state)
        .where(Submission.student_id == student.id)
        .order_by(Submission.updated_at.desc(), Submission.id.desc())
    ):
        states.setdefault(badge_id, str(SUBMISSION_PROGRESS[state]))
    return states


def _pathway_progress(pathway: Pathway | None, earned: set[int]) -> tuple[str, str, bool]:
    """A pathway goal's target, progress and whether it is reached.

    Counted as the pathway's own map counts (app.pathways.completion); a removed pathway
    leaves the goal in the student's words, an archived one says so.
    """
    if pathway is None:
        return (
            gettext("Pathway: no longer offered"),
            gettext("the pathway was removed"),
            False,
        )
    done = earned_steps(pathway, earned)
    reached = pathway.badge_id in earned or done >= pathway.needed
    counts = {"earned": min(done, pathway.needed), "total": pathway.needed}
    if pathway.archived_at is not None or pathway.badge.state == BadgeState.ARCHIVED:
        progress = gettext(
            "%(earned)s of %(total)s badges earned (the pathway is archived)", **counts
        )
    else:
        progress = gettext("%(earned)s of %(total)s badges earned", **counts)
    return gettext("Pathway: %(name)s", name=pathway.name), progress, reached


def goal_statuses(student: User, *, today: date) -> list[GoalStatus]:
    """Each goal of `student` with its progress: the badge's, the pathway's, or the
    standard's badges'."""
    earned = earned_badge_ids(student)
    submissions = _latest_submission_states(student)
    standards = {p.standard: p for p in progress_by_standard(student)}
    statuses = []
    for goal in goals_of(student):
        days_left = (goal.target_date - today).days if goal.target_date else None
        if goal.kind == GoalKind.BADGE and goal.badge is not None:
            reached = goal.badge.id in earned
            progress = (
                gettext("earned")
                if reached
                else submissions.get(goal.badge.id) or gettext("not started")
            )
            target = gettext("Badge: %(name)s", name=goal.badge.name)
        elif goal.kind == GoalKind.PATHWAY:
            target, progress, reached = _pathway_progress(goal.pathway, earned)
        else:
            standard = standards.get(goal.standard or "")
            reached = standard is not None and standard.mastered
            progress = (
                gettext(
                    "%(earned)s of %(total)s badges earned",
                    earned=standard.earned,
                    total=standard.total,
                )
                if standard
                else gettext("no badge open to you aligns to it now")
            )
            target = gettext("Standard: %(name)s", name=goal.standard)
        statuses.append(GoalStatus(goal, target, progress, reached, days_left))
    return statuses
