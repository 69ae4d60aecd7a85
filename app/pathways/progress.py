"""Where learners stand on a pathway: each badge earned, in review, pursuing, open or locked.

A student's map and an instructor's grid (students x badges) are built from the same
few queries: credentials, open submissions and goals, for every learner at once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.evidence.models import Goal
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.pathways.completion import completion_of
from app.pathways.models import Pathway
from app.pathways.models import PathwayCompletion
from app.pathways.models import PathwayStep


class StepState(enum.StrEnum):
    EARNED = "earned"
    IN_REVIEW = "in review"
    PURSUING = "pursuing"
    OPEN = "open"
    LOCKED = "locked"


@dataclass(frozen=True)
class StepProgress:
    step: PathwayStep
    state: StepState
    # The prerequisites not earned yet (a locked step names them).
    missing: tuple[Badge, ...]

    @property
    def badge(self) -> Badge:
        return self.step.badge


@dataclass(frozen=True)
class PathwayProgress:
    pathway: Pathway
    learner: User
    steps: list[StepProgress]
    completion: PathwayCompletion | None

    @property
    def earned(self) -> int:
        return sum(1 for s in self.steps if s.state == StepState.EARNED)

    @property
    def complete(self) -> bool:
        return self.earned >= self.pathway.needed

    @property
    def next_steps(self) -> list[StepProgress]:
        """What to do next: badges being pursued first, then those open to start."""
        if self.complete:
            return []
        order = (StepState.PURSUING, StepState.OPEN)
        return sorted(
            (s for s in self.steps if s.state in order), key=lambda s: order.index(s.state)
        )


@dataclass(frozen=True)
class _Facts:
    earned: set[tuple[int, int]]
    in_review: set[tuple[int, int]]
    pursuing: set[tuple[int, int]]


def _facts(learner_ids: list[int], badge_ids: list[int]) -> _Facts:
    """(learner, badge) pairs: earned (not revoked), in review, and pursued (goal or draft)."""
    earned = db.session.execute(
        sa.select(IssuedCredential.recipient_id, IssuedCredential.badge_id).where(
            IssuedCredential.recipient_id.in_(learner_ids),
            IssuedCredential.badge_id.in_(badge_ids),
            IssuedCredential.state != CredentialState.REVOKED,
        )
    )
    submissions = db.session.execute(
        sa.select(Submission.student_id, Submission.badge_id, Submission.state).where(
            Submission.student_id.in_(learner_ids),
            Submission.badge_id.in_(badge_ids),
            Submission.state.in_(
                (
                    SubmissionState.DRAFT,
                    SubmissionState.SUBMITTED,
                    SubmissionState.CHANGES_REQUESTED,
                    SubmissionState.WITHDRAWN,
                )
            ),
        )
    )
    goals = db.session.execute(
        sa.select(Goal.student_id, Goal.badge_id).where(
            Goal.student_id.in_(learner_ids), Goal.badge_id.in_(badge_ids)
        )
    )
    submitted = [(s, b, state) for s, b, state in submissions]
    return _Facts(
        earned={(s, b) for s, b in earned},
        in_review={(s, b) for s, b, state in submitted if state == SubmissionState.SUBMITTED},
        pursuing={(s, b) for s, b, _ in submitted} | {(s, b) for s, b in goals if b is not None},
    )


def _progress(pathway: Pathway, learner: User, facts: _Facts) -> PathwayProgress:
    earned = {b for s, b in facts.earned if s == learner.id}
    badges = {step.badge_id: step.badge for step in pathway.steps}
    steps = []
    for step in pathway.steps:
        key = (learner.id, step.badge_id)
        missing = tuple(badges[b] for b in step.requires if b in badges and b not in earned)
        if key in facts.earned:
            state = StepState.EARNED
        elif key in facts.in_review:
            state = StepState.IN_REVIEW
        elif missing:
            state = StepState.LOCKED
        elif key in facts.pursuing:
            state = StepState.PURSUING
        else:
            state = StepState.OPEN
        steps.append(StepProgress(step=step, state=state, missing=missing))
    return PathwayProgress(
        pathway=pathway, learner=learner, steps=steps, completion=completion_of(pathway, learner)
    )


def learner_progress(pathway: Pathway, learner: User) -> PathwayProgress:
    """The learner's map of the pathway."""
    badge_ids = [step.badge_id for step in pathway.steps]
    return _progress(pathway, learner, _facts([learner.id], badge_ids))


def pathway_learners(pathway: Pathway) -> list[User]:
    """The students the pathway is for: its class's, or every student for a school-wide one."""
    query = sa.select(User).where(User.role == Role.STUDENT, User.is_active_account.is_(True))
    class_id = pathway.badge.class_id
    if class_id is not None:
        query = query.where(
            User.id.in_(
                sa.select(ClassMembership.user_id).where(
                    ClassMembership.class_id == class_id, ClassMembership.role == Role.STUDENT
                )
            )
        )
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def class_progress(pathway: Pathway) -> list[PathwayProgress]:
    """Every learner of the pathway, with their progress on each of its badges."""
    learners = pathway_learners(pathway)
    if not learners:
        return []
    facts = _facts([u.id for u in learners], [step.badge_id for step in pathway.steps])
    return [_progress(pathway, learner, facts) for learner in learners]
