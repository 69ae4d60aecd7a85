"""The LMSs an admin registered: adding, editing and removing them, and finding one.

Services flush; the caller commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext

from app.errors import Conflict
from app.errors import NotFound
from app.extensions import db
from app.lti.errors import LtiError
from app.lti.models import MAX_LTI_ID
from app.lti.models import MAX_URL_CHARS
from app.lti.models import LtiDeployment
from app.lti.models import LtiPlatform

_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]+")


@dataclass(frozen=True)
class PlatformInput:
    """A platform as the admin types it; `deployment_ids` one or more, as the LMS shows them."""

    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    deployment_ids: tuple[str, ...]
    token_audience: str = ""
    match_by_email: bool = False


# What check_url says of each address the admin types, as a whole sentence.
_NOT_A_WEB_ADDRESS = {
    "issuer": lazy_gettext("The issuer “%(value)s” is not a web address (https://…)."),
    "auth_login_url": lazy_gettext(
        "The authentication request URL “%(value)s” is not a web address (https://…)."
    ),
    "auth_token_url": lazy_gettext(
        "The access token URL “%(value)s” is not a web address (https://…)."
    ),
    "key_set_url": lazy_gettext("The key set URL “%(value)s” is not a web address (https://…)."),
    "token_audience": lazy_gettext(
        "The token audience “%(value)s” is not a web address (https://…)."
    ),
}


def check_url(value: str, field: str) -> str:
    """`value`, stripped: the address of the PlatformInput `field`.

    :raises LtiError: not an http(s) URL with a host, or with a fragment.
    """
    value = value.strip()
    parts = urlsplit(value)
    if (
        parts.scheme not in ("https", "http")
        or not parts.hostname
        or parts.fragment
        or len(value) > MAX_URL_CHARS
    ):
        raise LtiError(str(_NOT_A_WEB_ADDRESS[field]) % {"value": value[:200]})
    return value


def split_deployment_ids(text: str) -> tuple[str, ...]:
    """The deployment ids in `text`, separated by spaces, commas or lines, without duplicates."""
    ids: list[str] = []
    for value in re.split(r"[\s,]+", text):
        if value and value not in ids:
            ids.append(value)
    return tuple(ids)


def _checked(data: PlatformInput) -> PlatformInput:
    name, client_id = data.name.strip(), data.client_id.strip()
    if not name or not client_id:
        raise LtiError(gettext("Give the platform a name and the client id the LMS gave Laurel."))
    if len(client_id) > MAX_LTI_ID:
        raise LtiError(gettext("A client id is at most %(max)s characters.", max=MAX_LTI_ID))
    if not data.deployment_ids:
        raise LtiError(
            gettext("Give at least one deployment id: the LMS shows it where Laurel is deployed.")
        )
    for deployment_id in data.deployment_ids:
        if len(deployment_id) > MAX_LTI_ID or not _PRINTABLE_ASCII.fullmatch(deployment_id):
            raise LtiError(
                gettext(
                    "“%(deployment_id)s” is not a deployment id (up to %(max)s characters of "
                    "ASCII, no spaces).",
                    deployment_id=deployment_id[:80],
                    max=MAX_LTI_ID,
                )
            )
    return PlatformInput(
        name=name[:200],
        issuer=check_url(data.issuer, "issuer"),
        client_id=client_id,
        auth_login_url=check_url(data.auth_login_url, "auth_login_url"),
        auth_token_url=check_url(data.auth_token_url, "auth_token_url"),
        key_set_url=check_url(data.key_set_url, "key_set_url"),
        deployment_ids=data.deployment_ids,
        token_audience=check_url(data.token_audience, "token_audience")
        if data.token_audience.strip()
        else "",
        match_by_email=data.match_by_email,
    )


def _refuse_taken(issuer: str, client_id: str, own: LtiPlatform | None) -> None:
    taken = db.session.scalar(
        sa.select(LtiPlatform).where(
            LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id
        )
    )
    if taken is not None and taken is not own:
        raise Conflict(
            lazy_gettext(
                "%(taken_name)s is already registered with this issuer and "
                "client id: edit it instead.",
                taken_name=taken.name,
            )
        )


def _set_deployments(platform: LtiPlatform, deployment_ids: tuple[str, ...]) -> None:
    kept = {d.deployment_id: d for d in platform.deployments}
    platform.deployments = [
        kept.get(deployment_id) or LtiDeployment(deployment_id=deployment_id)
        for deployment_id in deployment_ids
    ]


def add_platform(data: PlatformInput, *, now: datetime) -> LtiPlatform:
    """Register an LMS.

    :raises LtiError: a missing field, a bad URL or deployment id.
    :raises Conflict: the issuer and client id are registered already.
    """
    data = _checked(data)
    _refuse_taken(data.issuer, data.client_id, None)
    platform = LtiPlatform(
        name=data.name,
        issuer=data.issuer,
        client_id=data.client_id,
        auth_login_url=data.auth_login_url,
        auth_token_url=data.auth_token_url,
        key_set_url=data.key_set_url,
        token_audience=data.token_audience,
        match_by_email=data.match_by_email,
        created_at=now,
    )
    _set_deployments(platform, data.deployment_ids)
    db.session.add(platform)
    db.session.flush()
    return platform


def edit_platform(platform: LtiPlatform, data: PlatformInput) -> None:
    """Change a registration; the courses and people it linked stay linked.

    :raises LtiError: as add_platform. :raises Conflict: as add_platform.
    """
    data = _checked(data)
    _refuse_taken(data.issuer, data.client_id, platform)
    platform.name = data.name
    platform.issuer = data.issuer
    platform.client_id = data.client_id
    platform.auth_login_url = data.auth_login_url
    platform.auth_token_url = data.auth_token_url
    platform.key_set_url = data.key_set_url
    platform.token_audience = data.token_audience
    platform.match_by_email = data.match_by_email
    _set_deployments(platform, data.deployment_ids)
    db.session.flush()


def remove_platform(platform: LtiPlatform) -> None:
    """Forget an LMS: its launches stop; its classes and accounts stay, unlinked."""
    db.session.delete(platform)
    db.session.flush()


def list_platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(sa.select(LtiPlatform).order_by(LtiPlatform.name)))


def get_platform(platform_id: int) -> LtiPlatform:
    """:raises NotFound: no such platform."""
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound(lazy_gettext("There is no such LMS registered."))
    return platform


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform:
    """The registration a login request names; the client id may be left out when the issuer
    has one registration only.

    :raises LtiError: none, or several and no client id to choose.
    """
    # Compared exactly, as the id_token's `iss` will be.
    query = sa.select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = list(db.session.scalars(query.limit(2)))
    if not found:
        raise LtiError(
            gettext(
                "No LMS with the issuer “%(issuer)s” and client id “%(client_id)s” is registered "
                "in Laurel: an admin registers it on Laurel's LTI page.",
                issuer=issuer[:200],
                client_id=client_id[:100],
            )
            if client_id
            else gettext(
                "No LMS with the issuer “%(issuer)s” is registered in Laurel: an admin registers "
                "it on Laurel's LTI page.",
                issuer=issuer[:200],
            ),
            403,
        )
    if len(found) > 1:
        raise LtiError(
            gettext("Several LMS registrations share this issuer: the LMS must send its client id.")
        )
    return found[0]
