"""Sign-in providers the admin added, the provider accounts linked to Laurel accounts, and
whether local passwords still work for everyone.

A provider's client secret is stored sealed (app/sealing.py). Providers named in
LAUREL_OIDC_PROVIDERS live in the environment only; an identity names its provider by key, so
it works for both.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import User
from app.extensions import Model
from app.models_base import UTCDateTime

MAX_URL_CHARS = 2000
MAX_KEY_CHARS = 40


class SsoProvider(Model):
    """An OpenID Provider added on the admin page."""

    __tablename__ = "sso_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    # In the sign-in URLs (/sso/<key>/start) and in every linked identity.
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_CHARS), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    client_id: Mapped[str] = mapped_column(sa.String(500))
    sealed_client_secret: Mapped[str] = mapped_column(sa.Text)
    # Space-separated, lower case: only verified addresses in these domains sign in.
    allowed_domains: Mapped[str] = mapped_column(sa.Text)
    create_students: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SsoIdentity(Model):
    """A provider's account (its immutable `sub`) linked to a Laurel account.

    The first sign-in links by verified email; later ones find the account by `sub`, so a
    changed address at the provider still reaches the same Laurel account.
    """

    __tablename__ = "sso_identity"
    __table_args__ = (sa.UniqueConstraint("provider_key", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_key: Mapped[str] = mapped_column(sa.String(MAX_KEY_CHARS))
    subject: Mapped[str] = mapped_column(sa.String(255))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class SignInPolicy(Model):
    """The school's one sign-in setting (one row; none means passwords work for everyone)."""

    __tablename__ = "sign_in_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    # False: only admins sign in with a password; everyone else uses a provider.
    passwords_for_everyone: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
