"""The backpack's tables: held credentials and the OAuth 2.0 clients, codes and tokens.

The OAuth tables take their columns from Authlib's SQLAlchemy mixins, so the
authorization server (app/backpack/oauth_server.py) stores and checks them with
Authlib's own code; only the owner links and the table names are Laurel's.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from authlib.integrations.sqla_oauth2 import OAuth2AuthorizationCodeMixin
from authlib.integrations.sqla_oauth2 import OAuth2ClientMixin
from authlib.integrations.sqla_oauth2 import OAuth2TokenMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import User
from app.extensions import Model
from app.models_base import UTCDateTime

# Credential and issuer ids are URLs, DIDs or URNs: long, but bounded.
MAX_ID_CHARS = 2000


class HeldCredential(Model):
    """A credential a learner keeps here, as it arrived: its text byte for byte (UTF-8).

    `identity_key` is the sha256 of the credential's issuer id and id as the
    Open Badges equality rule compares them (percent-decoded, trimmed); a second
    upsert with the same key replaces the text. A credential without an id has
    no key and is always a new one.
    """

    __tablename__ = "held_credential"
    __table_args__ = (sa.UniqueConstraint("owner_id", "identity_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    raw_text: Mapped[str] = mapped_column(sa.Text)
    # "json" (a credential with an embedded proof), "jwt" (a compact JWS, VC-JWT) or
    # "ob2" (an Open Badges 2.0 assertion the learner imported: its JSON or signed JWS).
    format: Mapped[str] = mapped_column(sa.String(10))
    credential_id: Mapped[str | None] = mapped_column(sa.String(MAX_ID_CHARS))
    identity_key: Mapped[str | None] = mapped_column(sa.String(64))
    issuer_id: Mapped[str | None] = mapped_column(sa.String(MAX_ID_CHARS))
    issuer_name: Mapped[str | None] = mapped_column(sa.String(500))
    name: Mapped[str | None] = mapped_column(sa.String(500))
    # When the credential says it was issued (validFrom or issuanceDate): `since` filters on it.
    issued_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The verifier's verdict and its one-sentence summary when the credential arrived.
    verdict: Mapped[str] = mapped_column(sa.String(40))
    verification_summary: Mapped[str] = mapped_column(sa.Text)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # An imported Open Badges 2.0 badge's image, only when it came as a PNG or SVG data: URI.
    image_data_uri: Mapped[str | None] = mapped_column(sa.Text)
    # Which registered application sent it (None once that application is deleted).
    client_id: Mapped[str | None] = mapped_column(sa.String(48))
    # The learner chose to put it in the school's signed learner record (CLR), JSON only.
    in_record: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    owner: Mapped[User] = relationship()


# A client's secret is stored as this prefix and the secret's sha256: API clients and
# backpack applications (RFC 7591) alike. Secrets are random (256 bits for an API
# client, 48 characters from Authlib), so a fast hash does not make them guessable.
HASHED_SECRET_PREFIX = "sha256:"
CLIENT_CREDENTIALS = "client_credentials"


def hash_client_secret(secret: str) -> str:
    """The stored form of a client's secret."""
    return HASHED_SECRET_PREFIX + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_token(token: str) -> str:
    """The stored form of an access or refresh token or an authorization code (sha256, hex):
    they are looked up by it.

    A database dump then holds no token that opens the API; tokens are random, so
    the same unsalted hash finds them again.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class OAuthClient(Model, OAuth2ClientMixin):
    """An application: registered by RFC 7591 (the backpack) or by an admin (an API client).

    API clients use the client credentials grant (VC-API); they authenticate in the
    token request's body or with HTTP Basic, and their secret is stored hashed.
    """

    __tablename__ = "oauth_client"
    __table_args__ = (sa.UniqueConstraint("client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)

    @property
    def is_api_client(self) -> bool:
        return CLIENT_CREDENTIALS in self.grant_types

    def check_client_secret(self, client_secret: str) -> bool:
        stored = self.client_secret or ""
        return stored.startswith(HASHED_SECRET_PREFIX) and secrets.compare_digest(
            stored, hash_client_secret(client_secret)
        )

    def get_allowed_scope(self, scope: str) -> str:
        """An API client asking for no scope gets all of its own (RFC 6749 §3.3 default)."""
        if not scope and self.is_api_client:
            return str(self.scope)
        return str(super().get_allowed_scope(scope))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.is_api_client and endpoint == "token":
            return method in ("client_secret_basic", "client_secret_post")
        return bool(super().check_endpoint_auth_method(method, endpoint))


class OAuthAuthorizationCode(Model, OAuth2AuthorizationCodeMixin):
    """A one-time code a student's consent produced, bound to a PKCE challenge.

    `code` holds the code's sha256 (`hash_token`), as tokens do.

    A used code is kept (with `used_at`) until it expires, so that a second use is
    recognised as a replay and the tokens issued for it are revoked (RFC 6749 §4.1.2).
    """

    __tablename__ = "oauth_authorization_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    used_at: Mapped[int | None] = mapped_column()

    user: Mapped[User] = relationship()


class OAuthToken(Model, OAuth2TokenMixin):
    """An access token an application holds: for one student, or (API clients) for itself.

    `access_token` and `refresh_token` hold the tokens' sha256 (`hash_token`), never
    the tokens: the authorization server hashes what a client sends to find the row.
    """

    __tablename__ = "oauth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a client credentials token: it acts for the client, not for a person.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))

    user: Mapped[User | None] = relationship()

    def is_refresh_token_valid(self) -> bool:
        """A refresh token lasts as long as neither token was revoked (Authlib asks this)."""
        return not self.refresh_token_revoked_at and not self.access_token_revoked_at


class BackpackProfile(Model):
    """What a learner's applications set on their Open Badges Profile (putProfile).

    The school keeps the learner's id and name; the rest of the Profile (a description,
    a URL, a phone…) is the learner's and is returned by getProfile as it was put.
    """

    __tablename__ = "backpack_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    json_text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
