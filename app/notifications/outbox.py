"""Writing notifications into the outbox, in the caller's transaction (flush, never commit).

Services call the `notify_*` functions; nothing is rendered or sent here, so a slow or
broken mail server never touches a review or an approval. After the transaction commits,
the job queue is woken (app.notifications.tasks); a lost wake-up is caught by its sweep.
With LAUREL_SMTP_URL unset nothing is written: no email is sent, none piles up.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import Role
from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.extensions import db
from app.notifications.models import NotificationKind
from app.notifications.models import OutboxEmail
from app.notifications.models import OutboxState
from app.sealing import Sealer

log = logging.getLogger(__name__)

# Set on the session by `_add`; the after-commit hook wakes the queue when it finds it.
WAKE_FLAG = "laurel_outbox_wake"
_SEAL_PURPOSE = b"laurel outbox secrets v1"


def email_enabled() -> bool:
    """Is an SMTP server configured (LAUREL_SMTP_URL)?"""
    return bool(current_app.config.get("LAUREL_SMTP_URL"))


def _sealer() -> Sealer:
    """The invitation links' key, from SECRET_KEY: a copy of the database alone reveals nothing."""
    return Sealer(current_app.config["SECRET_KEY"], purpose=_SEAL_PURPOSE)


def open_secret(sealed: str) -> str:
    """:raises Unreadable: not sealed under this SECRET_KEY."""
    return _sealer().open(sealed)


def _add(
    kind: NotificationKind,
    *,
    user: User | None,
    address: str,
    params: dict[str, Any],
    now: datetime,
    secret: str | None = None,
) -> OutboxEmail | None:
    if not email_enabled():
        log.debug("LAUREL_SMTP_URL is not set: no %s email.", kind.value)
        return None
    row = OutboxEmail(
        kind=kind,
        user_id=user.id if user else None,
        to_address=address,
        params=params,
        sealed_secret=_sealer().seal(secret) if secret else None,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    db.session.info[WAKE_FLAG] = True
    return row


def reviewers_to_notify(badge: Badge) -> list[User]:
    """Who hears of a new submission: the badge's creator and its class's instructors.

    A school-wide badge whose creator can no longer review it goes to the admins, so a
    submission never arrives unheard.
    """
    people = {}
    if badge.created_by is not None and badge.can_review(badge.created_by):
        people[badge.created_by.id] = badge.created_by
    if badge.school_class is not None:
        for membership in badge.school_class.memberships:
            if membership.role == Role.INSTRUCTOR and badge.can_review(membership.user):
                people[membership.user.id] = membership.user
    if not people:
        admins = db.session.scalars(
            sa.select(User).where(User.role == Role.ADMIN, User.is_active_account.is_(True))
        )
        people = {admin.id: admin for admin in admins}
    return sorted(people.values(), key=lambda user: user.id)


def notify_submission_received(badge: Badge, submission_id: int, *, now: datetime) -> None:
    """Tell the reviewers of `badge` that a submission waits for them."""
    if not email_enabled():
        return
    for reviewer in reviewers_to_notify(badge):
        _add(
            NotificationKind.SUBMISSION_RECEIVED,
            user=reviewer,
            address=reviewer.email,
            params={"submission_id": submission_id},
            now=now,
        )


def notify_review(student: User, event_id: int, *, now: datetime) -> None:
    """Tell the student of a reviewer's feedback or decision (a submission event's id)."""
    _add(
        NotificationKind.REVIEW,
        user=student,
        address=student.email,
        params={"event_id": event_id},
        now=now,
    )


def notify_credential_issued(credential: IssuedCredential, *, now: datetime) -> None:
    """Tell the learner a credential was issued to them."""
    if not email_enabled():
        return
    recipient = db.session.get(User, credential.recipient_id)
    if recipient is None:
        return
    _add(
        NotificationKind.CREDENTIAL_ISSUED,
        user=recipient,
        address=recipient.email,
        params={"credential_id": credential.id},
        now=now,
    )


def notify_invitation(user: User, token: str, *, now: datetime) -> bool:
    """Email `user` their invitation link; invitations still waiting for them are dropped.

    Only the latest link works (app.accounts.services.invite_user), so an older queued
    one would send a dead link; its sealed token is erased with it.

    :returns: whether an email is on its way (False when email is off).
    """
    if not email_enabled():
        return False
    _give_up(
        sa.and_(
            OutboxEmail.kind == NotificationKind.INVITATION,
            OutboxEmail.user_id == user.id,
            OutboxEmail.state == OutboxState.PENDING,
        )
    )
    _add(
        NotificationKind.INVITATION,
        user=user,
        address=user.email,
        params={},
        now=now,
        secret=token,
    )
    return True


def notify_endorsement_request(
    *,
    to: User | None,
    address: str,
    requester: str,
    about: str,
    token: str,
    now: datetime,
) -> bool:
    """Ask someone to endorse something, with the invitation's link.

    The link's token is sealed in the outbox like an account invitation's: the school keeps
    only its hash, and a copy of the database alone gives no working link.

    :param to: the recipient's account, if they have one (their preferences then apply).
    :param address: where to write when `to` is None.
    :param requester: who asks, as the email names them.
    :param about: what is to be endorsed (a badge's name, a learner's credential).
    :param token: the invitation's token (app.endorsements.services.create_invite).
    :returns: whether an email is on its way (False when email is off).
    """
    row = _add(
        NotificationKind.ENDORSEMENT_REQUEST,
        user=to,
        address=to.email if to else address,
        params={"requester": requester, "about": about},
        now=now,
        secret=token,
    )
    return row is not None


def _give_up(condition: sa.ColumnElement[bool], reason: str = "replaced") -> None:
    db.session.execute(
        sa.update(OutboxEmail)
        .where(condition)
        .values(state=OutboxState.SKIPPED, sealed_secret=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )
