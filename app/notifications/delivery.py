"""Sending the outbox: each due email once, retried with backoff, and the daily digests.

The database is the truth (huey may lose a message): a worker claims a row by moving its
next attempt forward with a conditional UPDATE, so two workers never send it twice, and
a worker killed while sending leaves it to be tried again when the claim runs out.
"""

from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.config import parse_smtp_url
from app.extensions import db
from app.models_base import rows_changed
from app.notifications.messages import Gone
from app.notifications.messages import build_message
from app.notifications.models import Delivery
from app.notifications.models import NotificationKind
from app.notifications.models import OutboxEmail
from app.notifications.models import OutboxState
from app.notifications.preferences import delivery_for
from app.notifications.smtp import SendError
from app.notifications.smtp import send
from app.sealing import Unreadable

log = logging.getLogger(__name__)

BATCH = 100
# A claimed row is tried again after this long if its worker never reported back.
CLAIM = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=2)
MAX_ATTEMPTS = 8  # 1 + 2 + 4 … minutes, capped: about six hours before giving up
# Digests go out once a day, after this hour (UTC), with what waited before it.
DIGEST_HOUR_UTC = 15


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: doubling from a minute, at most two hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LAST_RETRY)


def _claim(row_id: int, now: datetime) -> bool:
    result = db.session.execute(
        sa.update(OutboxEmail)
        .where(
            OutboxEmail.id == row_id,
            OutboxEmail.state == OutboxState.PENDING,
            OutboxEmail.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + CLAIM)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_changed(result) == 1


def _finish(
    row: OutboxEmail, state: OutboxState, *, now: datetime, error: str | None = None
) -> None:
    row.state = state
    row.sealed_secret = None
    row.last_error = error[:500] if error else None
    if state == OutboxState.SENT:
        row.sent_at = now
    db.session.commit()


def _failed(row: OutboxEmail, error: str, *, now: datetime) -> None:
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS:
        log.error(
            "Email %s to %s given up after %d attempts: %s",
            row.id,
            row.to_address,
            row.attempts,
            error,
        )
        _finish(row, OutboxState.FAILED, now=now, error=error)
        return
    row.next_attempt_at = now + retry_delay(row.attempts)
    row.last_error = error[:500]
    db.session.commit()
    log.warning(
        "Email %s not sent (attempt %d), retried at %s: %s",
        row.id,
        row.attempts,
        row.next_attempt_at,
        error,
    )


def _deliver(row: OutboxEmail, settings: dict, *, now: datetime) -> None:
    """Send one claimed row, hold it for the digest, or drop it, as its recipient chose."""
    to = row.to_address
    if row.user_id is not None:
        user = db.session.get(User, row.user_id)
        if user is None or not user.is_active:
            _finish(row, OutboxState.SKIPPED, now=now, error="the account is closed")
            return
        to = user.email
    delivery = delivery_for(row.user_id, row.kind)
    if delivery == Delivery.NEVER:
        _finish(row, OutboxState.SKIPPED, now=now, error="the recipient chose never")
        return
    if delivery == Delivery.DIGEST:
        row.state = OutboxState.HELD
        db.session.commit()
        return
    try:
        message = build_message(row, to=to, sender=settings["sender"])
    except (Gone, Unreadable) as error:
        _finish(row, OutboxState.SKIPPED, now=now, error=str(error))
        return
    try:
        send(message, settings)
    except SendError as error:
        _failed(row, str(error), now=now)
        return
    _finish(row, OutboxState.SENT, now=now)
    log.info("Email %s (%s) sent to %s.", row.id, row.kind.value, to)


def send_due(now: datetime) -> int:
    """Send every email whose time has come; returns how many were handled.

    Each row is committed on its own: one bad address never holds back the others.
    """
    url = current_app.config.get("LAUREL_SMTP_URL")
    if not url:
        return 0  # said once, when the worker starts
    settings = parse_smtp_url(url)
    due = db.session.scalars(
        sa.select(OutboxEmail.id)
        .where(OutboxEmail.state == OutboxState.PENDING, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.id)
        .limit(BATCH)
    ).all()
    handled = 0
    for row_id in due:
        if not _claim(row_id, now):
            continue
        row = db.session.get(OutboxEmail, row_id)
        if row is None:
            continue
        try:
            _deliver(row, settings, now=now)
        except Exception:
            # A bug in one message's rendering must not stop the others: it is retried.
            db.session.rollback()
            log.exception("Email %s could not be prepared.", row_id)
            _failed(row, "could not be prepared", now=now)
        handled += 1
    return handled


def digest_cutoff(now: datetime) -> datetime:
    """The latest digest time at or before `now`: what waited before it goes out."""
    today = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def make_digests(now: datetime) -> int:
    """Bundle each user's held emails from before the cutoff into one digest email.

    At most one digest a day per user: what is held after the cutoff waits for the next.
    Returns the number of digests queued.
    """
    cutoff = digest_cutoff(now)
    user_ids = db.session.scalars(
        sa.select(OutboxEmail.user_id)
        .where(OutboxEmail.state == OutboxState.HELD, OutboxEmail.created_at < cutoff)
        .distinct()
    ).all()
    made = 0
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        if user is None:
            continue
        item_ids = db.session.scalars(
            sa.select(OutboxEmail.id)
            .where(
                OutboxEmail.user_id == user_id,
                OutboxEmail.state == OutboxState.HELD,
                OutboxEmail.created_at < cutoff,
            )
            .order_by(OutboxEmail.id)
        ).all()
        digest = OutboxEmail(
            kind=NotificationKind.DIGEST,
            user_id=user_id,
            to_address=user.email,
            params={"items": list(item_ids)},
            state=OutboxState.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        db.session.add(digest)
        db.session.flush()
        bundled = db.session.execute(
            sa.update(OutboxEmail)
            .where(OutboxEmail.id.in_(item_ids), OutboxEmail.state == OutboxState.HELD)
            .values(state=OutboxState.BUNDLED, digest_id=digest.id)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(bundled) != len(item_ids):
            db.session.rollback()  # another worker bundles them
            continue
        db.session.commit()
        made += 1
    return made
