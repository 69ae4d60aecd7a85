"""Sharing decisions and the downloadable forms of a credential.

Services take the actor and the clock as arguments and only flush; the view commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import IssuedCredential
from app.credentials.baking import bake_png
from app.credentials.baking import bake_svg
from app.errors import NotAllowed
from app.errors import NotFound
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.urls import credential_url
from app.models_base import new_token
from app.share.certificate import certificate_pdf
from app.share.images import badge_png
from app.share.images import badge_svg
from app.share.linkedin import CertificationFields
from app.share.summary import summarize


def is_owner(credential: IssuedCredential, user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.id == credential.recipient_id)


def set_sharing(credential: IssuedCredential, *, actor: User, enabled: bool) -> IssuedCredential:
    """Turn the public page on or off: the learner's decision alone.

    Sharing again after a stop makes a new link, so the old one stays dead.
    """
    if not is_owner(credential, actor):
        raise NotAllowed(gettext("Only the learner who earned this credential can share it."))
    if enabled and not credential.share_enabled:
        credential.share_token = new_token()
    credential.share_enabled = enabled
    db.session.flush()
    return credential


def set_verification_link(
    credential: IssuedCredential, *, actor: User, enabled: bool
) -> IssuedCredential:
    """Turn the printed certificate's verification link on or off: the learner's decision alone.

    The token stays the same, so certificates already printed verify again when it is
    switched back on.
    """
    if not is_owner(credential, actor):
        raise NotAllowed(gettext("Only the learner who earned this credential can change this."))
    credential.verify_enabled = enabled
    db.session.flush()
    return credential


def share_url(credential: IssuedCredential, public_url: str) -> str:
    return f"{public_url}/s/{credential.share_token}"


def linkedin_fields(credential: IssuedCredential, public_url: str) -> CertificationFields:
    summary = summarize(credential)
    return CertificationFields(
        name=summary.badge_name,
        organization_name=summary.issuer_name,
        issued=summary.issued_at,
        expires=summary.valid_until,
        cert_url=share_url(credential, public_url)
        if credential.share_enabled
        else credential_url(public_url, credential),
        cert_id=credential.id,
    )


@dataclass(frozen=True)
class Download:
    data: bytes
    mimetype: str
    filename: str


def download_name(credential: IssuedCredential, extension: str) -> str:
    """badge-slug-<first 8 of the id>.<extension>: readable, and distinct within a class."""
    return f"{credential.badge.slug}-{credential.id[:8]}.{extension}"


def download(
    credential: IssuedCredential,
    kind: str,
    *,
    ctx: IssuingContext,
    now: datetime,
    paper: str | None = None,
) -> Download:
    """The credential in the form `kind`: baked PNG/SVG (JSON credential inside), PDF, JSON or JWT.

    :raises NotFound: an unknown kind, or a JWT for a credential that has none.
    """
    if kind == "png":
        return Download(
            bake_png(badge_png(credential.badge), credential.json_text),
            "image/png",
            download_name(credential, "png"),
        )
    if kind == "svg":
        return Download(
            bake_svg(badge_svg(credential.badge), credential.json_text),
            "image/svg+xml",
            download_name(credential, "svg"),
        )
    if kind == "pdf":
        return Download(
            certificate_pdf(credential, ctx=ctx, paper=paper or "a4", now=now),
            "application/pdf",
            download_name(credential, "pdf"),
        )
    if kind == "json":
        return Download(
            credential.json_text.encode("utf-8"),
            "application/vc+ld+json",
            download_name(credential, "json"),
        )
    if kind == "jwt" and credential.jwt_text:
        return Download(
            credential.jwt_text.encode("ascii"),
            "application/vc+jwt",
            download_name(credential, "jwt"),
        )
    raise NotFound(gettext("There is no such download for this credential."))
