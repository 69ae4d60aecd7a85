"""The school as issuer: its profile row, the admin's edits, and the Issuer a credential names."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import NamedTuple
from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.badges.images import CheckedImage
from app.badges.models import IssuerProfile
from app.credentials.document import Issuer
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.urls import issuer_logo_url
from app.web_address import check_web_url


def default_issuer_name(public_url: str) -> str:
    """The name a new issuer profile starts with, from the public URL's host."""
    host = urlparse(public_url).hostname or "Laurel"
    return f"School at {host}"


def issuer_profile(public_url: str) -> IssuerProfile:
    """The school's issuer profile, created from the public URL on first use."""
    profile = db.session.scalar(sa.select(IssuerProfile).order_by(IssuerProfile.id).limit(1))
    if profile is None:
        profile = IssuerProfile(name=default_issuer_name(public_url), url=public_url)
        db.session.add(profile)
        db.session.flush()
    return profile


def current_issuer_name(public_url: str) -> str:
    """The name issuer_profile() gives, without creating the profile (pages only read).

    So every page names the school the same way before and after the first
    credential creates the profile row.
    """
    name = db.session.scalar(sa.select(IssuerProfile.name).order_by(IssuerProfile.id).limit(1))
    return default_issuer_name(public_url) if name is None else name


@dataclass(frozen=True)
class IssuerInput:
    name: str
    url: str
    email: str | None = None
    description: str | None = None
    logo: CheckedImage | None = None
    remove_logo: bool = False


def update_issuer_profile(
    profile: IssuerProfile, data: IssuerInput, *, actor: User
) -> IssuerProfile:
    """Change the issuer shown in every credential issued from now on (admins only)."""
    if not actor.is_admin:
        raise NotAllowed(gettext("Only an administrator can change the issuer profile."))
    name = data.name.strip()
    if not name:
        raise UserError(gettext("The issuer needs a name."))
    profile.name = name
    profile.url = check_web_url(data.url, "The issuer URL")
    profile.email = (data.email or "").strip() or None
    profile.description = (data.description or "").strip() or None
    if data.logo is not None:
        profile.logo, profile.logo_mime = data.logo.data, data.logo.mime
    elif data.remove_logo:
        profile.logo = profile.logo_mime = None
    db.session.flush()
    return profile


def issuer_data(profile: IssuerProfile, ctx: IssuingContext) -> Issuer:
    """The profile as the Issuer embedded in credentials and learner records."""
    return Issuer(
        id=ctx.issuer_id,
        name=profile.name,
        url=profile.url,
        email=profile.email,
        description=profile.description,
        image_url=issuer_logo_url(ctx.public_url) if profile.logo else None,
    )


# The Issuer every credential embeds, per process. An entry is keyed by what the Issuer
# is made of: the database, the public URL (the issuer's did:web and logo address), and
# the profile row with its updated_at, which every edit moves. So the profile's stamp
# (id, updated_at), read in the issuing transaction, tells whether an admin changed the
# profile in any worker, and a new public URL misses the cache. Issuance reads the stamp
# along with the badge lock (`issuer_stamp_columns`), so a hit costs no statement at all.
# Signing keys are not part of it: the key store picks the current key itself, so a key
# rotation needs nothing here.
_issuers: dict[tuple[str, str, int, datetime], Issuer] = {}
_issuers_lock = threading.Lock()
_ISSUERS_KEPT = 16


class IssuerStamp(NamedTuple):
    """What tells one state of the issuer profile from another; None when there is no profile."""

    id: int | None
    updated_at: datetime | None


def issuer_stamp_columns() -> tuple[sa.Label[Any], sa.Label[Any]]:
    """The profile's stamp as two scalar subqueries, to read along with another statement.

    Labelled `issuer_id` and `issuer_updated_at`; both are NULL while no profile exists.
    """
    first = sa.select(IssuerProfile).order_by(IssuerProfile.id).limit(1)
    return (
        first.with_only_columns(IssuerProfile.id).scalar_subquery().label("issuer_id"),
        first.with_only_columns(IssuerProfile.updated_at)
        .scalar_subquery()
        .label("issuer_updated_at"),
    )


def current_issuer(ctx: IssuingContext, *, stamp: IssuerStamp | None = None) -> Issuer:
    """The Issuer to embed in a credential issued now (the profile is created on first use).

    :param stamp: the profile's stamp, when the caller read it in this transaction
        (`issuer_stamp_columns`); else one light SELECT reads it.
    """
    if stamp is None:
        row = db.session.execute(
            sa.select(IssuerProfile.id, IssuerProfile.updated_at)
            .order_by(IssuerProfile.id)
            .limit(1)
        ).first()
        stamp = IssuerStamp(None, None) if row is None else IssuerStamp(row.id, row.updated_at)
    if stamp.id is None or stamp.updated_at is None:
        profile = issuer_profile(ctx.public_url)
        row_id, updated_at = profile.id, profile.updated_at
    else:
        row_id, updated_at = stamp.id, stamp.updated_at
    key = (str(db.session.get_bind().engine.url), ctx.public_url, row_id, updated_at)
    issuer = _issuers.get(key)
    if issuer is None:
        issuer = issuer_data(db.session.get_one(IssuerProfile, row_id), ctx)
        with _issuers_lock:
            if len(_issuers) >= _ISSUERS_KEPT:
                _issuers.clear()
            _issuers[key] = issuer
    return issuer
