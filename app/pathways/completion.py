"""Completing a pathway: after badge credentials are issued, offer or issue the pathway's own.

The approval, the batch approval and bulk issuance call `settle_completions` with the
credentials they just issued, in their transaction; an edited pathway is settled again
(`settle_pathway`), since lowering "any N" can complete it for learners already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.issuance import issue_credential
from app.notifications.outbox import notify_credential_issued
from app.pathways.models import CompletionState
from app.pathways.models import Pathway
from app.pathways.models import PathwayCompletion
from app.pathways.models import PathwayStep
from app.pathways.prerequisites import earned_badge_ids


def earned_steps(pathway: Pathway, earned: set[int]) -> int:
    """How many of the pathway's badges are among `earned` (badge ids)."""
    return len({step.badge_id for step in pathway.steps} & earned)


def is_complete(pathway: Pathway, earned: set[int]) -> bool:
    """Enough of the pathway's badges are among `earned`."""
    return earned_steps(pathway, earned) >= pathway.needed


def completion_of(pathway: Pathway, student: User) -> PathwayCompletion | None:
    return db.session.scalar(
        sa.select(PathwayCompletion).where(
            PathwayCompletion.pathway_id == pathway.id, PathwayCompletion.student_id == student.id
        )
    )


def settle_completions(
    ctx: IssuingContext,
    credentials: Sequence[IssuedCredential],
    *,
    actor: User | None,
    now: datetime,
) -> list[PathwayCompletion]:
    """The completions the newly issued `credentials` bring about (offered or issued)."""
    badge_ids = {credential.badge_id for credential in credentials}
    if not badge_ids:
        return []
    pathways = list(
        db.session.scalars(
            sa.select(Pathway)
            .where(
                Pathway.id.in_(
                    sa.select(PathwayStep.pathway_id).where(PathwayStep.badge_id.in_(badge_ids))
                )
            )
            .order_by(Pathway.id)
        )
    )
    settled: list[PathwayCompletion] = []
    for pathway in pathways:
        steps = {step.badge_id for step in pathway.steps}
        for credential in credentials:
            if credential.badge_id not in steps:
                continue
            completion = _settle(ctx, pathway, credential.recipient, actor=actor, now=now)
            if completion is not None:
                settled.append(completion)
    return settled


def settle_pathway(
    ctx: IssuingContext, pathway: Pathway, *, actor: User | None, now: datetime
) -> list[PathwayCompletion]:
    """Settle the pathway for every learner holding one of its badges."""
    step_ids = [step.badge_id for step in pathway.steps]
    learners = db.session.scalars(
        sa.select(User)
        .where(
            User.id.in_(
                sa.select(IssuedCredential.recipient_id).where(
                    IssuedCredential.badge_id.in_(step_ids)
                )
            )
        )
        .order_by(User.id)
    )
    return [
        completion
        for learner in learners
        if (completion := _settle(ctx, pathway, learner, actor=actor, now=now)) is not None
    ]


def _settle(
    ctx: IssuingContext, pathway: Pathway, student: User, *, actor: User | None, now: datetime
) -> PathwayCompletion | None:
    """A new completion when the student has just completed the pathway; else None."""
    if not pathway.badge.is_for_learner(student) or completion_of(pathway, student) is not None:
        return None
    if pathway.archived_at is not None and not pathway.started_before_archive(student):
        return None  # an archived pathway completes only for those already on it
    earned = earned_badge_ids(student)
    if pathway.badge_id in earned or not is_complete(pathway, earned):
        return None
    completion = PathwayCompletion(
        pathway_id=pathway.id,
        student_id=student.id,
        state=CompletionState.OFFERED,
        completed_at=now,
    )
    try:
        # A concurrent approval may complete the same pathway for the same learner: the
        # unique constraint keeps one completion, and the other approval goes on without.
        with db.session.begin_nested():
            db.session.add(completion)
    except IntegrityError:
        return None
    if pathway.auto_issue:
        _issue(ctx, completion, actor=actor, now=now)
    return completion


def awaiting_confirmation(instructor: User) -> list[PathwayCompletion]:
    """The offered completions `instructor` may confirm (pathways they edit), oldest first."""
    offered = db.session.scalars(
        sa.select(PathwayCompletion)
        .where(PathwayCompletion.state == CompletionState.OFFERED)
        .order_by(PathwayCompletion.completed_at, PathwayCompletion.id)
    )
    return [completion for completion in offered if completion.pathway.can_edit(instructor)]


def confirm_completion(
    completion: PathwayCompletion, *, ctx: IssuingContext, actor: User, now: datetime
) -> IssuedCredential:
    """An instructor confirms an offered completion: the pathway's credential is issued.

    :raises NotAllowed: the actor does not review the pathway.
    :raises UserError: already issued, or the learner no longer completes it (a badge revoked).
    """
    if not completion.pathway.can_edit(actor):
        raise NotAllowed(gettext("Only the instructors of this pathway confirm its completions."))
    if completion.state == CompletionState.ISSUED:
        raise UserError(
            gettext(
                "%(student_name)s already holds this pathway’s credential.",
                student_name=completion.student.name,
            )
        )
    if not is_complete(completion.pathway, earned_badge_ids(completion.student)):
        raise UserError(
            gettext(
                "%(student_name)s no longer completes this pathway: a badge was revoked.",
                student_name=completion.student.name,
            )
        )
    return _issue(ctx, completion, actor=actor, now=now)


def _issue(
    ctx: IssuingContext, completion: PathwayCompletion, *, actor: User | None, now: datetime
) -> IssuedCredential:
    credential = issue_credential(
        ctx,
        badge=completion.pathway.badge,
        recipient=completion.student,
        level_id=None,
        issued_by=actor,
        now=now,
    )
    completion.state = CompletionState.ISSUED
    completion.credential_id = credential.id
    completion.issued_at = now
    db.session.flush()
    notify_credential_issued(credential, now=now)
    return credential
