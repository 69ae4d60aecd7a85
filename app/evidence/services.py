"""Goals, submissions of evidence, and the review decisions that end in a credential.

Services take the actor and the clock as arguments, raise LaurelErrors and only
flush: the caller (view, CLI, demo seed) commits once. Every step a student or a
reviewer takes is a SubmissionEvent with a snapshot of what was submitted, so both
see the whole history of versions and comments.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import BinaryIO
from typing import cast
from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.credentials.document import EvidenceData
from app.credentials.rdfc import iri_needs_escape
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.evidence.filetypes import check_file_type
from app.evidence.filetypes import display_name
from app.evidence.models import EventKind
from app.evidence.models import EvidenceItem
from app.evidence.models import EvidenceKind
from app.evidence.models import Goal
from app.evidence.models import Submission
from app.evidence.models import SubmissionEvent
from app.evidence.models import SubmissionState
from app.extensions import db
from app.issuing.batch import IssueRequest
from app.issuing.batch import issue_batch
from app.issuing.context import IssuingContext
from app.issuing.issuance import credential_for_submission
from app.issuing.issuance import issue_credential
from app.notifications.outbox import notify_credential_issued
from app.notifications.outbox import notify_review
from app.notifications.outbox import notify_submission_received
from app.pathways.completion import settle_completions
from app.pathways.models import PathwayStep
from app.pathways.prerequisites import check_may_submit
from app.storage.files import FileStore

MAX_ITEMS = 30
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_URL = 2000
OPEN_STATES = (
    SubmissionState.DRAFT,
    SubmissionState.SUBMITTED,
    SubmissionState.CHANGES_REQUESTED,
    SubmissionState.WITHDRAWN,
)


# --- Goals and drafts ---------------------------------------------------------------------


def _check_student_may_pursue(badge: Badge, student: User) -> None:
    if not student.is_student:
        raise NotAllowed(gettext("Only students pursue badges."))
    if not badge.is_visible_to(student):
        raise NotAllowed(gettext("This badge is not open to you."))
    if badge.state != BadgeState.PUBLISHED:
        raise UserError(gettext("This badge is not open for submissions."))


def start_goal(badge: Badge, *, student: User, now: datetime) -> Goal:
    """Mark `badge` as a goal of `student` (a second call returns the same goal)."""
    _check_student_may_pursue(badge, student)
    goal = db.session.scalar(
        sa.select(Goal).where(Goal.student_id == student.id, Goal.badge_id == badge.id)
    )
    if goal is None:
        goal = Goal(student_id=student.id, badge_id=badge.id, title=badge.name, created_at=now)
        db.session.add(goal)
        db.session.flush()
    return goal


def drop_goal(badge: Badge, *, student: User) -> None:
    """Stop pursuing a badge; submissions already made stay as they are."""
    db.session.execute(
        sa.delete(Goal).where(Goal.student_id == student.id, Goal.badge_id == badge.id)
    )
    db.session.flush()


def has_goal(badge: Badge, student: User) -> bool:
    return (
        db.session.scalar(
            sa.select(Goal.id).where(Goal.student_id == student.id, Goal.badge_id == badge.id)
        )
        is not None
    )


def earned_credential(badge: Badge, student: User) -> IssuedCredential | None:
    """The student's most recent credential for `badge`, if they earned it."""
    return db.session.scalar(
        sa.select(IssuedCredential)
        .where(IssuedCredential.badge_id == badge.id, IssuedCredential.recipient_id == student.id)
        .order_by(IssuedCredential.issued_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class BadgeProgress:
    """Where a student stands on a badge: shown on the badge's page."""

    goal: bool
    submission: Submission | None
    credential: IssuedCredential | None


def badge_progress(badge: Badge, student: User) -> BadgeProgress:
    return BadgeProgress(
        goal=has_goal(badge, student),
        submission=open_submission(badge, student),
        credential=earned_credential(badge, student),
    )


def submission_credential(submission: Submission) -> IssuedCredential | None:
    return credential_for_submission(submission.id)


def approval_note(credential: IssuedCredential) -> SubmissionEvent | None:
    """The reviewer's note at approval of the submission that earned `credential`, if written."""
    if credential.submission_id is None:
        return None
    return db.session.scalar(
        sa.select(SubmissionEvent)
        .where(
            SubmissionEvent.submission_id == credential.submission_id,
            SubmissionEvent.kind == EventKind.APPROVED,
            SubmissionEvent.message != "",
        )
        .order_by(SubmissionEvent.created_at.desc())
        .limit(1)
    )


def open_submission(badge: Badge, student: User) -> Submission | None:
    """The student's submission for `badge` that is not decided yet, if any."""
    return db.session.scalar(
        sa.select(Submission)
        .where(
            Submission.badge_id == badge.id,
            Submission.student_id == student.id,
            Submission.state.in_(OPEN_STATES),
        )
        .order_by(Submission.id.desc())
        .limit(1)
    )


def start_submission(badge: Badge, *, student: User, now: datetime) -> Submission:
    """The student's open submission for `badge`, or a new draft (which also sets the goal).

    :raises NotAllowed: a prerequisite of the badge is not earned yet.
    """
    check_may_submit(badge, student)
    start_goal(badge, student=student, now=now)
    submission = open_submission(badge, student)
    if submission is not None:
        return submission
    if earned_credential(badge, student) is not None:
        raise UserError(gettext("You have already earned “%(badge_name)s”.", badge_name=badge.name))
    submission = Submission(
        badge_id=badge.id,
        student_id=student.id,
        badge_version=badge.version,
        state=SubmissionState.DRAFT,
        reflection="",
        criteria_reflections={},
        round=0,
        created_at=now,
        updated_at=now,
    )
    db.session.add(submission)
    db.session.flush()
    return submission


def _check_editable(submission: Submission, student: User) -> None:
    if not submission.is_owned_by(student):
        raise NotAllowed(gettext("Only the student who made this submission can change it."))
    if not submission.can_edit(student):
        if submission.state == SubmissionState.SUBMITTED:
            raise UserError(
                gettext("This submission is waiting for review. Withdraw it first to change it.")
            )
        raise UserError(
            gettext(
                "This submission is %(replace)s and can no longer change.",
                replace=submission.state.value.replace("_", " "),
            )
        )


def save_draft(
    submission: Submission,
    *,
    student: User,
    reflection: str,
    criteria_reflections: Mapping[str, str],
    public_items: Mapping[int, bool] | None = None,
    now: datetime,
) -> Submission:
    """Save the reflection, the per-criterion reflections and each item's public choice."""
    _check_editable(submission, student)
    if len(reflection) > MAX_TEXT:
        raise UserError(
            gettext(
                "The reflection is too long (%(value)s characters at most).",
                value=format(MAX_TEXT, ","),
            )
        )
    criteria = set(submission.badge.criteria_items)
    kept: dict[str, str] = {}
    for criterion, text in criteria_reflections.items():
        text = (text or "").strip()
        if criterion in criteria and text:
            if len(text) > MAX_TEXT:
                raise UserError(
                    gettext("The reflection on “%(criterion)s” is too long.", criterion=criterion)
                )
            kept[criterion] = text
    submission.reflection = reflection.strip()
    submission.criteria_reflections = kept
    for item in submission.items:
        if public_items is not None and item.id in public_items:
            item.public = bool(public_items[item.id])
    submission.updated_at = now
    db.session.flush()
    return submission


# --- Evidence items -------------------------------------------------------------------------


def _title(title: str, fallback: str) -> str:
    title = (title or "").strip() or fallback
    return title[:MAX_TITLE]


def _check_room(submission: Submission) -> None:
    if len(submission.items) >= MAX_ITEMS:
        raise UserError(
            gettext(
                "A submission holds at most %(max_items)s pieces of evidence.", max_items=MAX_ITEMS
            )
        )


def _check_kind_accepted(submission: Submission, kind: str) -> None:
    badge = submission.badge
    if badge.accepted_kinds and kind not in badge.accepted_kinds:
        raise UserError(
            gettext(
                "“%(badge_name)s” does not accept %(kind)s evidence. It accepts: %(join)s.",
                badge_name=badge.name,
                kind=kind,
                join=", ".join(badge.accepted_kinds),
            )
        )


def _append(submission: Submission, item: EvidenceItem, now: datetime) -> EvidenceItem:
    item.position = max((i.position for i in submission.items), default=-1) + 1
    item.created_at = now
    submission.items.append(item)
    submission.updated_at = now
    db.session.flush()
    return item


def add_link(
    submission: Submission,
    *,
    student: User,
    url: str,
    title: str = "",
    public: bool = False,
    now: datetime,
) -> EvidenceItem:
    """Add a web link (http or https only)."""
    _check_editable(submission, student)
    _check_room(submission)
    _check_kind_accepted(submission, "link")
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > MAX_URL:
        raise UserError(gettext("A link must be a web address starting with https:// or http://."))
    # The link becomes an IRI in the signed credential: refused now, not at approval.
    if iri_needs_escape(url):
        raise UserError(
            gettext(
                "That link holds characters a web address cannot contain "
                "(spaces, quotes, < > { } | ^ ` or backslashes). Copy it "
                "again from the browser's address bar."
            )
        )
    item = EvidenceItem(
        kind=EvidenceKind.LINK, title=_title(title, parsed.netloc), url=url, public=public
    )
    return _append(submission, item, now)


def add_text(
    submission: Submission,
    *,
    student: User,
    text: str,
    title: str = "",
    public: bool = False,
    now: datetime,
) -> EvidenceItem:
    """Add a piece of writing."""
    _check_editable(submission, student)
    _check_room(submission)
    _check_kind_accepted(submission, "text")
    text = (text or "").strip()
    if not text:
        raise UserError(gettext("Write something before adding a text."))
    if len(text) > MAX_TEXT:
        raise UserError(
            gettext("A text is limited to %(value)s characters.", value=format(MAX_TEXT, ","))
        )
    item = EvidenceItem(
        kind=EvidenceKind.TEXT, title=_title(title, "Text"), text=text, public=public
    )
    return _append(submission, item, now)


def add_file(
    submission: Submission,
    *,
    student: User,
    stream: BinaryIO,
    filename: str,
    storage: FileStore,
    max_bytes: int,
    title: str = "",
    public: bool = False,
    now: datetime,
) -> EvidenceItem:
    """Store an uploaded file after checking its size and that its content matches its name.

    Nothing is kept when a check fails.
    """
    _check_editable(submission, student)
    _check_room(submission)
    name = display_name(filename or "")
    if not name:
        raise UserError(gettext("Choose a file to upload."))
    stored = storage.save(stream, max_bytes=max_bytes)
    try:
        # The upload is read again for its type: from the request's own (spooled, seekable)
        # stream when it can rewind, else from the store.
        with _reread(stream) or storage.open(stored.key) as saved:
            detected = check_file_type(saved, name)
        _check_kind_accepted(submission, detected.family)
        item = EvidenceItem(
            kind=EvidenceKind.FILE,
            title=_title(title, name),
            storage_key=stored.key,
            original_name=name,
            mime_type=detected.mime,
            size=stored.size,
            public=public,
        )
        return _append(submission, item, now)
    except BaseException:
        storage.delete(stored.key)
        raise


def _reread(stream: BinaryIO) -> contextlib.AbstractContextManager[BinaryIO] | None:
    """The stream rewound to its start (left open: it belongs to the caller), if it can be."""
    if not stream.seekable():
        return None
    stream.seek(0)
    return contextlib.nullcontext(stream)


def remove_item(
    submission: Submission, item_id: int, *, student: User, now: datetime
) -> str | None:
    """Take a piece of evidence out (the history keeps its name).

    :returns: the storage key of its file, for the caller to delete once the change is
        committed (deleting first would lose the file if the commit failed).
    """
    _check_editable(submission, student)
    item = next((i for i in submission.items if i.id == item_id), None)
    if item is None:
        raise UserError(gettext("That piece of evidence is not in this submission."))
    submission.items.remove(item)
    submission.updated_at = now
    db.session.flush()
    return item.storage_key


# --- Student steps ------------------------------------------------------------------------


def snapshot(submission: Submission) -> dict[str, Any]:
    """What the submission holds now, stored with each event for the history."""
    return {
        "reflection": submission.reflection,
        "criteria_reflections": dict(submission.criteria_reflections or {}),
        "items": [
            {
                "id": item.id,
                "kind": item.kind.value,
                "title": item.title,
                "url": item.url,
                "text": item.text,
                "original_name": item.original_name,
                "mime_type": item.mime_type,
                "size": item.size,
                "public": item.public,
            }
            for item in submission.items
        ],
        "badge_version": submission.badge.version,
    }


def _event(
    submission: Submission,
    kind: EventKind,
    *,
    actor: User,
    message: str,
    now: datetime,
    outcome: Mapping[str, Any] | None = None,
) -> int:
    """Record an event, written once with its snapshot (plus `outcome`, e.g. the credential).

    One plain INSERT ... RETURNING its id after the session's own changes are flushed:
    the unit of work an ORM add would run for it was a tenth of an approval. The history
    already loaded on `submission.events`, if any, is expired, so the next read sees it.
    """
    db.session.flush()
    event_id: int = db.session.scalars(
        sa.insert(cast(sa.Table, SubmissionEvent.__table__))
        .values(
            submission_id=submission.id,
            kind=kind,
            actor_id=actor.id,
            round=submission.round,
            message=message,
            snapshot={**snapshot(submission), **(outcome or {})},
            created_at=now,
        )
        .returning(SubmissionEvent.__table__.c.id)
    ).one()
    if "events" in submission.__dict__:
        db.session.expire(submission, ["events"])
    return event_id


def submit(submission: Submission, *, student: User, now: datetime) -> Submission:
    """Send the submission for review (first time or after changes were requested).

    :raises UserError: no evidence, or no reflection.
    """
    _check_editable(submission, student)
    badge = submission.badge
    if badge.state != BadgeState.PUBLISHED:
        raise UserError(gettext("This badge is no longer open for submissions."))
    check_may_submit(badge, student)
    no_evidence = not submission.items
    no_reflection = not (submission.reflection or "").strip()
    if no_evidence and no_reflection:
        raise UserError(
            gettext(
                "Before you submit, add at least one piece of evidence (a file, a link or a "
                "text) and a reflection on how your evidence meets the criteria."
            )
        )
    if no_evidence:
        raise UserError(
            gettext(
                "Before you submit, add at least one piece of evidence (a file, a link or a text)."
            )
        )
    if no_reflection:
        raise UserError(
            gettext("Before you submit, add a reflection on how your evidence meets the criteria.")
        )
    submission.state = SubmissionState.SUBMITTED
    submission.round += 1
    submission.submitted_at = now
    submission.updated_at = now
    submission.badge_version = badge.version
    submission.decided_at = None
    submission.decided_by_id = None
    _event(submission, EventKind.SUBMITTED, actor=student, message="", now=now)
    notify_submission_received(badge, submission.id, now=now)
    return submission


def withdraw(submission: Submission, *, student: User, now: datetime) -> Submission:
    """Take a submission back from the review queue; the student can edit and submit again."""
    if not submission.is_owned_by(student):
        raise NotAllowed(gettext("Only the student who made this submission can withdraw it."))
    _transition(submission, to=SubmissionState.WITHDRAWN, actor=None, now=now)
    _event(submission, EventKind.WITHDRAWN, actor=student, message="", now=now)
    return submission


# --- Review decisions ---------------------------------------------------------------------


def _transition(
    submission: Submission, *, to: SubmissionState, actor: User | None, now: datetime
) -> bool:
    """Move a submitted submission to `to`, or fail if someone else moved it first.

    One conditional UPDATE (… WHERE state = 'submitted' AND round = <the round seen>):
    of two clicks, two reviewers or twenty retries, exactly one passes; the others
    see no row come back and get a Conflict. The same statement reads whether the
    submission's badge is a step of a pathway, which is returned: an approval then
    asks `settle_completions` for nothing when it is not.
    """
    values: dict[str, Any] = {"state": to, "updated_at": now}
    if actor is not None:
        values.update(decided_at=now, decided_by_id=actor.id)
    row = db.session.execute(
        sa.update(Submission)
        .where(
            Submission.id == submission.id,
            Submission.state == SubmissionState.SUBMITTED,
            Submission.round == submission.round,
        )
        .values(**values)
        # The badge id by value: RETURNING names columns unqualified, which inside the
        # subquery would read as the step's own badge_id.
        .returning(sa.exists().where(PathwayStep.badge_id == submission.badge_id))
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        db.session.refresh(submission)
        raise Conflict(_already_message(submission))
    # The row now holds exactly these values: record them instead of reloading the row.
    for name, value in values.items():
        set_committed_value(submission, name, value)
    db.session.expire(submission, ["decided_by"])
    return bool(row[0])


def _already_message(submission: Submission) -> str:
    if submission.state == SubmissionState.APPROVED:
        return "This submission has already been approved."
    if submission.state == SubmissionState.REJECTED:
        return "This submission has already been rejected."
    if submission.state == SubmissionState.CHANGES_REQUESTED:
        return "Changes have already been requested on this submission."
    if submission.state == SubmissionState.WITHDRAWN:
        return "The student withdrew this submission."
    return "This submission is not waiting for review."


def _check_reviewer(submission: Submission, reviewer: User) -> None:
    if not submission.can_review(reviewer):
        raise NotAllowed(gettext("You do not review this badge."))


def _required_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise UserError(message)
    if len(value) > MAX_TEXT:
        raise UserError(
            gettext("Please keep it under %(value)s characters.", value=format(MAX_TEXT, ","))
        )
    return value


def request_changes(
    submission: Submission, *, reviewer: User, feedback: str, now: datetime
) -> Submission:
    """Send the submission back to the student with feedback; they edit and resubmit."""
    _check_reviewer(submission, reviewer)
    feedback = _required_text(feedback, "Write feedback so the student knows what to change.")
    _transition(submission, to=SubmissionState.CHANGES_REQUESTED, actor=reviewer, now=now)
    event_id = _event(
        submission, EventKind.CHANGES_REQUESTED, actor=reviewer, message=feedback, now=now
    )
    notify_review(submission.student, event_id, now=now)
    return submission


def reject(submission: Submission, *, reviewer: User, reason: str, now: datetime) -> Submission:
    """Decline the submission for good, with a reason the student sees."""
    _check_reviewer(submission, reviewer)
    reason = _required_text(reason, "Give the student a reason for the rejection.")
    _transition(submission, to=SubmissionState.REJECTED, actor=reviewer, now=now)
    event_id = _event(submission, EventKind.REJECTED, actor=reviewer, message=reason, now=now)
    notify_review(submission.student, event_id, now=now)
    return submission


def comment(submission: Submission, *, actor: User, message: str, now: datetime) -> None:
    """A note in the history, from the student or a reviewer."""
    if not submission.can_view(actor):
        raise NotAllowed(gettext("You cannot comment on this submission."))
    message = _required_text(message, "Write a comment first.")
    event_id = _event(submission, EventKind.COMMENT, actor=actor, message=message, now=now)
    if not submission.is_owned_by(actor):
        notify_review(submission.student, event_id, now=now)


def public_evidence(submission: Submission, public_url: str) -> tuple[EvidenceData, ...]:
    """The items the student made public, as credential evidence; private items never leave.

    A public file's URL carries its random token; it answers only while the credential
    is shared and not revoked (`app.evidence.publication`).
    """
    base = public_url
    evidence = []
    for item in submission.items:
        if not item.public:
            continue
        if item.kind == EvidenceKind.FILE:
            family = (item.mime_type or "").split("/")[0]
            evidence.append(
                EvidenceData(
                    id=f"{base}/evidence/{item.public_token}",
                    name=item.title,
                    description=item.description or None,
                    genre={"image": "Photo", "video": "Video"}.get(family, "Document"),
                )
            )
        elif item.kind == EvidenceKind.LINK:
            evidence.append(EvidenceData(id=item.url or "", name=item.title, genre="Link"))
        else:
            item_uuid = uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/evidence/{item.id}")
            evidence.append(
                EvidenceData(
                    id=f"urn:uuid:{item_uuid}", name=item.title, narrative=item.text, genre="Text"
                )
            )
    return tuple(evidence)


def _check_approvable(submission: Submission, reviewer: User, badge_revision: int | None) -> None:
    _check_reviewer(submission, reviewer)
    if badge_revision is not None and submission.badge.revision != badge_revision:
        raise Conflict(
            gettext(
                "The badge was edited after you opened this page. Reload it, "
                "check the criteria again and approve once more."
            )
        )


def _record_approval(
    submission: Submission,
    credential: IssuedCredential,
    *,
    reviewer: User,
    feedback: str,
    now: datetime,
) -> None:
    """The APPROVED event in the submission's history, naming the level and the credential."""
    _event(
        submission,
        EventKind.APPROVED,
        actor=reviewer,
        message=(feedback or "").strip(),
        now=now,
        outcome={"level": credential.level_name, "credential_id": credential.id},
    )
    notify_credential_issued(credential, now=now)


def load_submission(submission_id: int) -> Submission | None:
    """The submission with its badge, student and evidence items in one SELECT.

    Everything a review page or a decision reads (the access check reads the badge, an
    approval the student and the public items), so none is loaded lazily after it.
    """
    return db.session.get(
        Submission,
        submission_id,
        options=[
            joinedload(Submission.badge),
            joinedload(Submission.student),
            joinedload(Submission.items),
        ],
    )


def approve(
    submission: Submission,
    *,
    ctx: IssuingContext,
    reviewer: User,
    level_id: str | None,
    feedback: str,
    now: datetime,
    badge_revision: int | None = None,
) -> IssuedCredential:
    """Approve at a rubric level and issue the credential, in the caller's transaction.

    The state change is a conditional UPDATE, so concurrent approvals yield one
    credential; `badge_revision` is the badge revision the reviewer looked at, so an
    edit of the criteria made meanwhile is a Conflict rather than a silent change.
    """
    _check_approvable(submission, reviewer, badge_revision)
    in_pathway = _transition(submission, to=SubmissionState.APPROVED, actor=reviewer, now=now)
    credential = issue_credential(
        ctx,
        badge=submission.badge,
        recipient=submission.student,
        level_id=level_id,
        issued_by=reviewer,
        now=now,
        submission_id=submission.id,
        evidence=public_evidence(submission, ctx.public_url),
        just_approved=True,
    )
    _record_approval(submission, credential, reviewer=reviewer, feedback=feedback, now=now)
    if in_pathway:
        settle_completions(ctx, [credential], actor=reviewer, now=now)
    return credential


@dataclass(frozen=True)
class Approval:
    """One submission of a batch approval, at a level (None: the level the badge requires)."""

    submission: Submission
    level_id: str | None
    feedback: str = ""


def approve_batch(
    approvals: Sequence[Approval], *, ctx: IssuingContext, reviewer: User, now: datetime
) -> list[IssuedCredential]:
    """Approve many submissions and issue their credentials together, in the caller's transaction.

    Each passes the same checks and state change as `approve` and gets its own APPROVED
    event; the credentials are issued as one batch. Any refusal raises and the caller rolls
    the whole batch back.
    """
    in_pathways = False
    for approval in approvals:
        _check_approvable(approval.submission, reviewer, None)
        in_pathways |= _transition(
            approval.submission, to=SubmissionState.APPROVED, actor=reviewer, now=now
        )
    credentials = issue_batch(
        ctx,
        [
            IssueRequest(
                badge=approval.submission.badge,
                recipient=approval.submission.student,
                level_id=approval.level_id,
                evidence=public_evidence(approval.submission, ctx.public_url),
                submission_id=approval.submission.id,
            )
            for approval in approvals
        ],
        issued_by=reviewer,
        now=now,
        just_approved=True,
    )
    for approval, credential in zip(approvals, credentials, strict=True):
        _record_approval(
            approval.submission, credential, reviewer=reviewer, feedback=approval.feedback, now=now
        )
    if in_pathways:
        settle_completions(ctx, credentials, actor=reviewer, now=now)
    return credentials
