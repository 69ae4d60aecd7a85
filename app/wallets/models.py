"""Offers to wallets (OpenID4VCI and VC-API exchanges) and the nonces their proofs sign."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.badges.models import IssuedCredential
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_uuid

MAX_HOLDER_CHARS = 2000


class WalletProtocol(enum.StrEnum):
    OPENID4VCI = "openid4vci"
    VCAPI = "vcapi"


class WalletOffer(Model):
    """One send of a credential to a wallet, made by its learner: single use, short-lived.

    `id` (a random uuid) is the address the wallet is given: the credential offer's
    `credential_offer_uri`, or the VC-API exchange's URL. Secrets are stored as sha256
    (the access token, the PIN) or sealed (the pre-authorized code, which the offer URI
    serves again until it is used); the VC-API challenge is not secret, only unique.
    """

    __tablename__ = "wallet_offer"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    protocol: Mapped[WalletProtocol] = mapped_column(
        sa.Enum(WalletProtocol, native_enum=False, length=20)
    )
    credential_id: Mapped[str] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # OpenID4VCI: the pre-authorized code (sealed, and its hash to find it), the PIN.
    sealed_code: Mapped[str | None] = mapped_column(sa.Text)
    code_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(sa.String(64))
    failed_pins: Mapped[int] = mapped_column(default=0)
    code_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # VC-API: the challenge the wallet's DID authentication must sign.
    challenge: Mapped[str | None] = mapped_column(sa.String(64))
    # Who received it: the holder's DID (or did:jwk) the wallet proved, and when.
    holder_id: Mapped[str | None] = mapped_column(sa.String(MAX_HOLDER_CHARS))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    credential: Mapped[IssuedCredential] = relationship()


class WalletNonce(Model):
    """A `c_nonce` from the nonce endpoint: a proof of possession may sign it once."""

    __tablename__ = "wallet_nonce"

    value: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
