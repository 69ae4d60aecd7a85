"""The backpacks Laurel registered with, the learners' connections to them, sends in progress.

Secrets (the client secret, tokens, PKCE verifiers) are stored sealed (app/backpack_send/
sealing.py); a state value is stored as its sha256 only.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import Model
from app.models_base import UTCDateTime

MAX_URL_CHARS = 2000


class RemoteBackpack(Model):
    """Another Open Badges 3.0 backpack, as its discovery document describes it.

    Laurel registers once per backpack (per discovery URL) and keeps the client it got.
    """

    __tablename__ = "remote_backpack"

    id: Mapped[int] = mapped_column(primary_key=True)
    discovery_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS), unique=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    api_base: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    authorization_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    token_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    # From the authorization server's metadata (RFC 8414), when it publishes any: its
    # issuer identifier, whether it promises `iss` in its answers (RFC 9207), and where
    # tokens are revoked (RFC 7009). Read again before each authorization.
    issuer: Mapped[str | None] = mapped_column(sa.String(MAX_URL_CHARS))
    sends_iss: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    revocation_url: Mapped[str | None] = mapped_column(sa.String(MAX_URL_CHARS))
    # The redirect URI Laurel registered: a new public URL means registering again.
    redirect_uri: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    client_id: Mapped[str] = mapped_column(sa.String(500))
    sealed_client_secret: Mapped[str | None] = mapped_column(sa.Text)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BackpackConnection(Model):
    """A learner's access to a remote backpack: the token it gave, sealed."""

    __tablename__ = "backpack_connection"
    __table_args__ = (sa.UniqueConstraint("owner_id", "backpack_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    backpack_id: Mapped[int] = mapped_column(
        sa.ForeignKey("remote_backpack.id", ondelete="CASCADE"), index=True
    )
    sealed_access_token: Mapped[str] = mapped_column(sa.Text)
    sealed_refresh_token: Mapped[str | None] = mapped_column(sa.Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    scope: Mapped[str] = mapped_column(sa.Text, default="")
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime())

    backpack: Mapped[RemoteBackpack] = relationship()


class PendingSend(Model):
    """A send waiting for the backpack's answer: one state, used once, for one learner."""

    __tablename__ = "pending_backpack_send"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="CASCADE")
    )
    backpack_id: Mapped[int] = mapped_column(
        sa.ForeignKey("remote_backpack.id", ondelete="CASCADE")
    )
    sealed_code_verifier: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    backpack: Mapped[RemoteBackpack] = relationship()
