"""What Laurel keeps about the LMSs (platforms) that launch it.

A platform is registered by an admin: its issuer and the client id it gave Laurel, its
endpoints, and the deployment ids it may launch from. Launches link the platform's users
(by their immutable `sub`) to accounts and its courses (context ids) to classes. A launch
in progress is a one-time state and nonce, kept server-side. The tool's own RSA key signs
deep-linking responses and service requests; its private half is sealed (app/sealing.py).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import Model
from app.models_base import UTCDateTime

MAX_URL_CHARS = 2000
# LTI Core: deployment ids, context ids and subjects are at most 255 ASCII characters.
MAX_LTI_ID = 255


class LtiPlatform(Model):
    """An LMS registered by an admin. Canvas Cloud uses one issuer for every school, so a
    registration is the pair (issuer, client id)."""

    __tablename__ = "lti_platform"
    __table_args__ = (sa.UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    issuer: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    client_id: Mapped[str] = mapped_column(sa.String(MAX_LTI_ID))
    auth_login_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    auth_token_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    key_set_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS))
    # The `aud` of Laurel's client assertions when the platform wants another than its token
    # URL (some name their issuer); empty means the token URL.
    token_audience: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS), default="")
    # Whether a person the LMS sends for the first time may be matched to an existing Laurel
    # account by the email address the LMS asserts (app/lti/links.py). Off unless the admin
    # trusts the LMS to vouch for addresses: else a compromised or careless LMS could sign in
    # as anyone whose address it knows.
    match_by_email: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id"
    )


class LtiDeployment(Model):
    """A deployment id the platform may launch from (case-sensitive, as the LMS shows it)."""

    __tablename__ = "lti_deployment"
    __table_args__ = (sa.UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lti_platform.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[str] = mapped_column(sa.String(MAX_LTI_ID))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")


class LtiContextLink(Model):
    """The LMS course (context) a Laurel class belongs to.

    `memberships_url` is the course's Names and Role Provisioning Services endpoint, as the
    latest launch gave it: the roster import reads it.
    """

    __tablename__ = "lti_context_link"
    __table_args__ = (sa.UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platform.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(sa.String(MAX_LTI_ID))
    class_id: Mapped[int] = mapped_column(
        sa.ForeignKey("school_class.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    deployment_id: Mapped[str] = mapped_column(sa.String(MAX_LTI_ID))
    memberships_url: Mapped[str] = mapped_column(sa.String(MAX_URL_CHARS), default="")
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    platform: Mapped[LtiPlatform] = relationship()
    school_class: Mapped[SchoolClass] = relationship()


class LtiUserLink(Model):
    """A platform's user (its `sub`, also the NRPS `user_id`) linked to a Laurel account."""

    __tablename__ = "lti_user_link"
    __table_args__ = (sa.UniqueConstraint("platform_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platform.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(sa.String(MAX_LTI_ID))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class LtiNonce(Model):
    """A launch in progress: the state Laurel gave the browser and the nonce it asked the
    platform to sign. Deleted by the launch that uses it, so each works once."""

    __tablename__ = "lti_nonce"

    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(sa.ForeignKey("lti_platform.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LtiToolKey(Model):
    """Laurel's RSA key as an LTI tool. Every one stays in the published JWKS; the newest
    one this SECRET_KEY can open signs."""

    __tablename__ = "lti_tool_key"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    public_jwk: Mapped[str] = mapped_column(sa.Text)
    sealed_private_key: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
