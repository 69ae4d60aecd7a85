"""Student-proposed badges: writing, discussing, deciding, and the badge an approval creates.

Every edit, by the student or a reviewer, appends a numbered ProposalVersion; none is
ever changed. The proposal's `version` is the optimistic lock: an edit or a decision
names the version it was made on, and a stale one is a Conflict that loses nothing.

Who may do what, by state:

- draft: its student edits, comments, sends or withdraws it; reviewers cannot see it.
- submitted: its student edits, comments or withdraws it; a reviewer edits, comments,
  approves (as a personal or a class badge), asks for changes or declines it.
- changes requested: its student edits, comments, sends it again or withdraws it;
  a reviewer edits, comments or declines it.
- approved, declined, withdrawn: closed; both read it.

Reviewers are the instructors of the proposal's class and administrators; a student
never decides, and nobody else learns that the proposal exists.

Services take the actor and the clock, raise LaurelErrors and only flush: the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.accounts.permissions import class_ids_taught
from app.badges.models import DEFAULT_RUBRIC_LEVELS
from app.badges.models import EVIDENCE_KINDS
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.services import AlignmentInput
from app.badges.services import BadgeInput
from app.badges.services import RubricLevelInput
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.badges.standards import alignment_label
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.models_base import rows_changed
from app.proposals.models import OPEN_STATES
from app.proposals.models import Proposal
from app.proposals.models import ProposalEvent
from app.proposals.models import ProposalEventKind
from app.proposals.models import ProposalState
from app.proposals.models import ProposalVersion

# Limits match the badge form's, so that an approved proposal always makes a valid badge.
MAX_TITLE = 200
MAX_LEARNING = 5000
MAX_CRITERIA = 20_000
MAX_EVIDENCE_PLAN = 2000
MAX_MESSAGE = 5000
MAX_STANDARDS = 20
STALE_EDIT = (
    "Someone saved a newer version of this proposal after you opened the page. "
    "Nothing is lost: your text is below, beside the newest version."
)
# The level a student-proposed badge asks for, among DEFAULT_RUBRIC_LEVELS.
REQUIRED_LEVEL = "Proficient"


@dataclass(frozen=True)
class ProposalInput:
    """What a proposal says; `standards` are keys of `known_standards` (their URLs)."""

    title: str
    learning: str = ""
    criteria: str = ""
    evidence_plan: str = ""
    standards: Sequence[str] = ()


# --- Reading ----------------------------------------------------------------------------------


def known_standards() -> dict[str, dict[str, Any]]:
    """The standards a proposal may claim: those the school's published badges align to.

    Keyed by URL (a standard's identity in an alignment), in the order of their labels.
    """
    found: dict[str, dict[str, Any]] = {}
    for alignments in db.session.scalars(
        sa.select(Badge.alignments).where(Badge.state == BadgeState.PUBLISHED)
    ):
        for alignment in alignments or []:
            found.setdefault(
                alignment["url"],
                {
                    "framework": alignment.get("framework", ""),
                    "code": alignment.get("code", ""),
                    "name": alignment["name"],
                    "url": alignment["url"],
                },
            )
    return dict(
        sorted(found.items(), key=lambda item: (alignment_label(item[1]).casefold(), item[0]))
    )


def classes_of_student(student: User) -> list[SchoolClass]:
    """The classes a student may propose a badge to: those they are enrolled in."""
    return list(
        db.session.scalars(
            sa.select(SchoolClass)
            .join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
            .where(ClassMembership.user_id == student.id, ClassMembership.role == Role.STUDENT)
            .order_by(SchoolClass.name)
        )
    )


def proposals_for(user: User) -> list[Proposal]:
    """A student's own proposals; for a reviewer, the sent proposals of the classes they teach.

    Newest activity first, those waiting for a decision before the others for reviewers.
    """
    query = sa.select(Proposal).order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    if user.is_student:
        return list(db.session.scalars(query.where(Proposal.student_id == user.id)))
    if not (user.is_admin or user.is_instructor):
        return []
    query = query.where(Proposal.submitted_at.is_not(None))
    if not user.is_admin:
        query = query.where(Proposal.class_id.in_(class_ids_taught(user) or {-1}))
    proposals = list(db.session.scalars(query))
    return sorted(proposals, key=lambda p: p.state != ProposalState.SUBMITTED)


def version_of(proposal: Proposal, number: int) -> ProposalVersion:
    """The proposal's version `number`."""
    for version in proposal.versions:
        if version.number == number:
            return version
    raise UserError(
        gettext(
            "This proposal has no version %(number)s; it has 1 to %(version)s.",
            number=number,
            version=proposal.version,
        )
    )


# --- Writing ----------------------------------------------------------------------------------


def _field_messages(field: str) -> tuple[str, str]:
    """The sentences for a proposal field left empty and made too long, whole for translators.

    The second has the placeholders `count` and `limit`."""
    messages = {
        "title": (
            gettext("The proposal needs a title."),
            gettext("The title is too long (%(count)s characters; %(limit)s at most)."),
        ),
        "learning": (
            gettext("The proposal needs what you will learn."),
            gettext("What you will learn is too long (%(count)s characters; %(limit)s at most)."),
        ),
        "criteria": (
            gettext("The proposal needs the proposed criteria."),
            gettext(
                "The proposed criteria are too long (%(count)s characters; %(limit)s at most)."
            ),
        ),
        "evidence_plan": (
            gettext("The proposal needs the evidence planned."),
            gettext("The evidence planned is too long (%(count)s characters; %(limit)s at most)."),
        ),
        "message": (
            gettext("The proposal needs a message."),
            gettext("The message is too long (%(count)s characters; %(limit)s at most)."),
        ),
    }
    return messages[field]


def _checked_text(value: str, field: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise UserError(_field_messages(field)[0])
    if len(value) > limit:
        raise UserError(_field_messages(field)[1] % {"count": len(value), "limit": limit})
    return value


def _validated(
    data: ProposalInput, *, complete: bool, kept: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """The version's values; a proposal sent for review must say everything but its standards.

    `kept` are the standards the proposal already names: still valid if no published badge
    uses them any more.
    """
    known = {**{s["url"]: s for s in kept}, **known_standards()}
    keys = list(dict.fromkeys(key.strip() for key in data.standards if key.strip()))
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise UserError(
            gettext(
                "Unknown standard: %(join)s. Choose among the standards "
                "listed, which the school's badges use.",
                join=", ".join(unknown),
            )
        )
    if len(keys) > MAX_STANDARDS:
        raise UserError(
            gettext("Choose at most %(max_standards)s standards.", max_standards=MAX_STANDARDS)
        )
    return {
        "title": _checked_text(data.title, "title", MAX_TITLE, required=True),
        "learning": _checked_text(data.learning, "learning", MAX_LEARNING, required=complete),
        "criteria": _checked_text(data.criteria, "criteria", MAX_CRITERIA, required=complete),
        "evidence_plan": _checked_text(
            data.evidence_plan, "evidence_plan", MAX_EVIDENCE_PLAN, required=complete
        ),
        "standards": [known[key] for key in keys],
    }


def _record(
    proposal: Proposal, kind: ProposalEventKind, actor: User, message: str, now: datetime
) -> None:
    db.session.add(
        ProposalEvent(
            proposal=proposal,
            kind=kind,
            actor_id=actor.id,
            version=proposal.version,
            message=_checked_text(message, "message", MAX_MESSAGE, required=False),
            created_at=now,
        )
    )


def create_proposal(
    data: ProposalInput, *, student: User, class_id: int | None, now: datetime
) -> Proposal:
    """A new draft proposal (version 1) by `student`, for a class they are enrolled in."""
    if not student.is_student:
        raise NotAllowed(gettext("Only students propose badges."))
    classes = {c.id: c for c in classes_of_student(student)}
    if not classes:
        raise UserError(
            gettext(
                "You are not enrolled in a class yet, so no instructor could review a proposal."
            )
        )
    if class_id not in classes:
        raise UserError(gettext("Choose one of your classes: its instructors review the proposal."))
    values = _validated(data, complete=False)
    proposal = Proposal(
        student_id=student.id,
        class_id=class_id,
        state=ProposalState.DRAFT,
        version=1,
        created_at=now,
        updated_at=now,
    )
    proposal.versions.append(
        ProposalVersion(number=1, author_id=student.id, created_at=now, **values)
    )
    db.session.add(proposal)
    db.session.flush()
    return proposal


def _check_may_edit(proposal: Proposal, actor: User) -> None:
    if not (proposal.is_owned_by(actor) or proposal.can_review(actor)):
        raise NotAllowed(
            gettext("Only the student who wrote this proposal and its reviewers can edit it.")
        )
    if not proposal.is_open:
        if proposal.badge_id:
            message = gettext(
                "This proposal is %(state_phrase)s: it can no longer be edited. Its badge is "
                "edited on the badge's page.",
                state_phrase=state_phrase(proposal.state),
            )
        else:
            message = gettext(
                "This proposal is %(state_phrase)s: it can no longer be edited.",
                state_phrase=state_phrase(proposal.state),
            )
        raise UserError(message)


def _same(version: ProposalVersion, values: dict[str, Any]) -> bool:
    return all(getattr(version, name) == value for name, value in values.items())


def edit_proposal(
    proposal: Proposal,
    data: ProposalInput,
    *,
    actor: User,
    expected_version: int,
    now: datetime,
) -> ProposalVersion | None:
    """Append the version `actor` wrote on the form loaded at `expected_version`.

    Returns None when nothing changed. One conditional UPDATE takes the next number, so
    of two edits made on the same version one wins and the other is a Conflict.
    """
    _check_may_edit(proposal, actor)
    if expected_version != proposal.version:
        raise Conflict(STALE_EDIT)
    values = _validated(
        data, complete=proposal.state != ProposalState.DRAFT, kept=proposal.current.standards
    )
    if _same(proposal.current, values):
        return None
    result = db.session.execute(
        sa.update(Proposal)
        .where(
            Proposal.id == proposal.id,
            Proposal.version == expected_version,
            Proposal.state.in_(OPEN_STATES),
        )
        .values(version=expected_version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise Conflict(STALE_EDIT)
    version = ProposalVersion(
        proposal_id=proposal.id,
        number=expected_version + 1,
        author_id=actor.id,
        created_at=now,
        **values,
    )
    db.session.add(version)
    db.session.flush()
    db.session.refresh(proposal)
    return version


def _move(
    proposal: Proposal,
    *,
    to: ProposalState,
    allowed_from: set[ProposalState],
    expected_version: int,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Change the state, only if neither the state nor the version moved meanwhile."""
    if proposal.state not in allowed_from:
        raise UserError(
            gettext(
                "This proposal is %(state_phrase)s; it cannot become %(state_phrase2)s from there.",
                state_phrase=state_phrase(proposal.state),
                state_phrase2=state_phrase(to),
            )
        )
    if proposal.version != expected_version:
        raise Conflict(
            gettext(
                "Version %(version)s was saved after you opened the page "
                "(you saw version %(expected_version)s). Read it, then "
                "decide again.",
                version=proposal.version,
                expected_version=expected_version,
            )
        )
    result = db.session.execute(
        sa.update(Proposal)
        .where(
            Proposal.id == proposal.id,
            Proposal.version == expected_version,
            Proposal.state == proposal.state,
        )
        .values(state=to, updated_at=now, **(extra or {}))
        .execution_options(synchronize_session=False)
    )
    if rows_changed(result) != 1:
        raise Conflict(gettext("This proposal changed while you were deciding. Reload the page."))
    db.session.refresh(proposal)


def _check_author(proposal: Proposal, student: User) -> None:
    if not proposal.is_owned_by(student):
        raise NotAllowed(gettext("Only the student who wrote this proposal can do that."))


def _check_reviewer(proposal: Proposal, reviewer: User) -> None:
    if not proposal.can_review(reviewer):
        raise NotAllowed(
            gettext(
                "Only the instructors of the proposal's class (and administrators) decide on it."
            )
        )


def submit_proposal(
    proposal: Proposal, *, student: User, expected_version: int, now: datetime
) -> Proposal:
    """Send the proposal to the instructors of its class (again, after changes were asked)."""
    _check_author(proposal, student)
    _validated(
        ProposalInput(
            title=proposal.current.title,
            learning=proposal.current.learning,
            criteria=proposal.current.criteria,
            evidence_plan=proposal.current.evidence_plan,
            standards=[s["url"] for s in proposal.current.standards],
        ),
        complete=True,
        kept=proposal.current.standards,
    )
    _move(
        proposal,
        to=ProposalState.SUBMITTED,
        allowed_from={ProposalState.DRAFT, ProposalState.CHANGES_REQUESTED},
        expected_version=expected_version,
        now=now,
        extra={"submitted_at": now},
    )
    _record(proposal, ProposalEventKind.SUBMITTED, student, "", now)
    db.session.flush()
    return proposal


def withdraw_proposal(
    proposal: Proposal, *, student: User, expected_version: int, now: datetime
) -> Proposal:
    """The student takes the proposal back; it stays readable, and is closed."""
    _check_author(proposal, student)
    _move(
        proposal,
        to=ProposalState.WITHDRAWN,
        allowed_from=set(OPEN_STATES),
        expected_version=expected_version,
        now=now,
    )
    _record(proposal, ProposalEventKind.WITHDRAWN, student, "", now)
    db.session.flush()
    return proposal


def comment_on_proposal(proposal: Proposal, *, actor: User, message: str, now: datetime) -> None:
    """Add a comment to the discussion of an open proposal."""
    if not (proposal.is_owned_by(actor) or proposal.can_review(actor)):
        raise NotAllowed(
            gettext("Only the student who wrote this proposal and its reviewers comment on it.")
        )
    if not proposal.is_open:
        raise UserError(
            gettext(
                "This proposal is %(state_phrase)s: its discussion is closed.",
                state_phrase=state_phrase(proposal.state),
            )
        )
    if not message.strip():
        raise UserError(gettext("Write a comment before sending it."))
    _record(proposal, ProposalEventKind.COMMENT, actor, message, now)
    db.session.flush()


class Decision:
    """What a reviewer may decide (the decision form's choices)."""

    APPROVE_PERSONAL = "approve_personal"
    APPROVE_CLASS = "approve_class"
    CHANGES = "changes"
    DECLINE = "decline"
    ALL = (APPROVE_PERSONAL, APPROVE_CLASS, CHANGES, DECLINE)


def decide_on_proposal(
    proposal: Proposal,
    *,
    reviewer: User,
    decision: str,
    message: str,
    expected_version: int,
    now: datetime,
) -> Badge | None:
    """Approve (as a personal or a class badge), ask for changes, or decline.

    :returns: the badge an approval created, else None.
    :raises Conflict: the proposal moved on since the reviewer loaded it.
    """
    _check_reviewer(proposal, reviewer)
    reviewing = {ProposalState.SUBMITTED, ProposalState.CHANGES_REQUESTED}
    if decision == Decision.CHANGES:
        if not message.strip():
            raise UserError(gettext("Say what should change, so the student knows what to do."))
        _move(
            proposal,
            to=ProposalState.CHANGES_REQUESTED,
            allowed_from={ProposalState.SUBMITTED},
            expected_version=expected_version,
            now=now,
        )
        _record(proposal, ProposalEventKind.CHANGES_REQUESTED, reviewer, message, now)
        db.session.flush()
        return None
    if decision == Decision.DECLINE:
        _move(
            proposal,
            to=ProposalState.DECLINED,
            allowed_from=reviewing,
            expected_version=expected_version,
            now=now,
            extra={"decided_at": now, "decided_by_id": reviewer.id},
        )
        _record(proposal, ProposalEventKind.DECLINED, reviewer, message, now)
        db.session.flush()
        return None
    if decision not in (Decision.APPROVE_PERSONAL, Decision.APPROVE_CLASS):
        raise UserError(gettext("Choose a decision: approve, ask for changes, or decline."))
    if proposal.class_id is None:
        raise UserError(
            gettext("The proposal's class no longer exists; only a personal badge is possible.")
        )
    personal = decision == Decision.APPROVE_PERSONAL
    to = ProposalState.APPROVED_PERSONAL if personal else ProposalState.APPROVED_CLASS
    _move(
        proposal,
        to=to,
        allowed_from={ProposalState.SUBMITTED},
        expected_version=expected_version,
        now=now,
        extra={"decided_at": now, "decided_by_id": reviewer.id},
    )
    badge = _badge_from(proposal, reviewer=reviewer, personal=personal, now=now)
    proposal.badge_id = badge.id
    _record(
        proposal,
        ProposalEventKind.APPROVED_PERSONAL if personal else ProposalEventKind.APPROVED_CLASS,
        reviewer,
        message,
        now,
    )
    db.session.flush()
    return badge


def _badge_from(proposal: Proposal, *, reviewer: User, personal: bool, now: datetime) -> Badge:
    """The published badge an approval makes of the proposal's current version."""
    text = proposal.current
    badge = create_badge(
        BadgeInput(
            name=text.title,
            description=text.learning,
            criteria_narrative=text.criteria,
            evidence_prompt=text.evidence_plan,
            accepted_kinds=tuple(EVIDENCE_KINDS),
            rubric_levels=tuple(RubricLevelInput(name) for name in DEFAULT_RUBRIC_LEVELS),
            required_level=REQUIRED_LEVEL,
            alignments=tuple(
                AlignmentInput(
                    name=s["name"], url=s["url"], framework=s["framework"], code=s["code"]
                )
                for s in text.standards
            ),
            class_id=proposal.class_id,
        ),
        actor=reviewer,
        now=now,
    )
    badge.student_proposed = True
    badge.personal_for_id = proposal.student_id if personal else None
    return publish_badge(badge, actor=reviewer, now=now)


def proposal_of_badge(badge: Badge) -> Proposal | None:
    """The proposal a badge was approved from, if any."""
    return db.session.scalar(sa.select(Proposal).where(Proposal.badge_id == badge.id))


# What follows "This proposal is …" in a message, by state.
STATE_PHRASES = {
    ProposalState.DRAFT: lazy_gettext("a draft"),
    ProposalState.SUBMITTED: lazy_gettext("waiting for review"),
    ProposalState.CHANGES_REQUESTED: lazy_gettext("back with the student for changes"),
    ProposalState.APPROVED_PERSONAL: lazy_gettext("approved as a personal badge"),
    ProposalState.APPROVED_CLASS: lazy_gettext("approved as a class badge"),
    ProposalState.DECLINED: lazy_gettext("declined"),
    ProposalState.WITHDRAWN: lazy_gettext("withdrawn"),
}


def state_phrase(state: ProposalState) -> str:
    return str(STATE_PHRASES[state])
