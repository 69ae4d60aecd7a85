"""Outside endorsers, the links that invite them, and the endorsements they sign."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_uuid
from app.models_base import utcnow


class Endorser(Model):
    """A person outside the school who endorses, with a did:web and an Ed25519 key of their own.

    The private key is a PKCS#8 PEM encrypted with the key store's passphrase, as the
    school's keys are. The email is what the endorser typed: Laurel sends no mail to
    confirm it, so it is shown as self-asserted and never put in a signed document.
    """

    __tablename__ = "endorser"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    sealed_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The public half as a Multikey (z6Mk…), for the DID document without decrypting.
    public_key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class EndorsementInvite(Model):
    """A single-use, expiring link that asks someone to endorse a badge or one credential.

    Only the token's SHA-256 is stored. `credential_id` names the one student's
    credential the invitee may endorse; the badge itself may always be endorsed.
    """

    __tablename__ = "endorsement_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badge.id", ondelete="CASCADE"))
    credential_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="CASCADE")
    )
    # Who the link is meant for, as the inviter wrote it ("Riverside Garage").
    invitee: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    badge: Mapped[Badge] = relationship()
    credential: Mapped[IssuedCredential | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class Endorsement(Model):
    """A signed EndorsementCredential, stored byte for byte as issued.

    Withdrawal is a state of the row (when, by whom, why): a withdrawn endorsement is
    no longer shown, served or embedded in new credentials. Its signed bytes cannot
    be recalled from credentials issued before; Laurel's verifier names it withdrawn.
    """

    __tablename__ = "endorsement"

    # The uuid is the credential id's last segment: <public url>/endorsements/<id>.
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    invite_id: Mapped[int] = mapped_column(
        sa.ForeignKey("endorsement_invite.id", ondelete="RESTRICT"), unique=True
    )
    endorser_id: Mapped[str] = mapped_column(sa.ForeignKey("endorser.id", ondelete="RESTRICT"))
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badge.id", ondelete="RESTRICT"))
    # Set when one student's credential is endorsed; None for the badge (the Achievement).
    credential_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="RESTRICT")
    )
    comment: Mapped[str] = mapped_column(sa.Text)
    json_text: Mapped[str] = mapped_column(sa.Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)

    endorser: Mapped[Endorser] = relationship()
    badge: Mapped[Badge] = relationship()
    credential: Mapped[IssuedCredential | None] = relationship()

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None
