"""The outbox of emails and each user's choice of delivery per kind of notification."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import utcnow


class NotificationKind(enum.StrEnum):
    SUBMISSION_RECEIVED = "submission_received"
    REVIEW = "review"
    CREDENTIAL_ISSUED = "credential_issued"
    ENDORSEMENT_REQUEST = "endorsement_request"
    INVITATION = "invitation"
    DIGEST = "digest"


# What a person chooses for; an invitation reaches someone who has no account yet, and a
# digest is itself the choice.
CHOOSABLE_KINDS = (
    NotificationKind.SUBMISSION_RECEIVED,
    NotificationKind.REVIEW,
    NotificationKind.CREDENTIAL_ISSUED,
    NotificationKind.ENDORSEMENT_REQUEST,
)


class Delivery(enum.StrEnum):
    NOW = "now"
    DIGEST = "digest"
    NEVER = "never"


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # to send (now or after its next attempt time)
    HELD = "held"  # waits for the recipient's daily digest
    BUNDLED = "bundled"  # went out inside a digest (digest_id)
    SENT = "sent"
    SKIPPED = "skipped"  # the recipient chose "never", or it no longer applies
    FAILED = "failed"  # every attempt failed


class NotificationPreference(Model):
    """A user's delivery for one kind; without a row the kind is sent at once."""

    __tablename__ = "notification_preference"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(
        sa.Enum(NotificationKind, native_enum=False, length=30)
    )
    delivery: Mapped[Delivery] = mapped_column(sa.Enum(Delivery, native_enum=False, length=10))


class OutboxEmail(Model):
    """One email to send: written in the transaction of what it reports, sent by a worker.

    It holds ids (`params`), not text: the message is rendered when it is sent. A secret
    the message must carry (an invitation token) is sealed and erased once sent or given up.
    """

    __tablename__ = "email_outbox"
    __table_args__ = (
        sa.Index("ix_email_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(
        sa.Enum(NotificationKind, native_enum=False, length=30)
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    # For a recipient without an account; otherwise the user's address when sent.
    to_address: Mapped[str] = mapped_column(sa.String(254))
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    sealed_secret: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[OutboxState] = mapped_column(
        sa.Enum(OutboxState, native_enum=False, length=10), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    digest_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("email_outbox.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
