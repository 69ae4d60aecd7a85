"""Deep Linking 2.0: an instructor places a badge of the class in an LMS course module.

The LMS sends an LtiDeepLinkingRequest; the instructor picks a badge; Laurel answers with
an LtiDeepLinkingResponse JWT signed by the tool key, which the browser posts back to the
LMS. The placed item is an LTI resource link whose custom parameter names the badge, so a
later launch from it opens the badge's page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import SchoolClass
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.extensions import db
from app.lti import tool_keys
from app.lti.errors import LtiError
from app.lti.messages import CUSTOM_BADGE
from app.lti.messages import deep_linking_response
from app.lti.models import LtiPlatform
from app.models_base import new_token

LINK_TYPE = "ltiResourceLink"
# A host name, IPv4 or bracketed IPv6 address, and a port: no user info, nothing that would
# end a CSP directive.
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?")
# The deep-linking settings wait in the session cookie while the instructor chooses.
MAX_SETTINGS_CHARS = 2000


def return_origin(settings: Mapping[str, Any]) -> str:
    """The origin (scheme://host[:port]) of the LMS's deep-linking return URL: the one place
    besides Laurel the return page's form may post to (its CSP `form-action`).

    :raises LtiError: the return URL is not a plain http(s) address.
    """
    url = settings.get("deep_link_return_url")
    parts = urlsplit(url if isinstance(url, str) else "")
    if parts.scheme not in ("https", "http") or not _PLAIN_HOST.fullmatch(parts.netloc):
        raise LtiError(
            gettext(
                "The LMS's deep linking request names no usable return address "
                "(“%(url)s”), so Laurel cannot send the badge back.",
                url=str(url)[:200],
            )
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def check_settings(settings: Mapping[str, Any]) -> None:
    """:raises LtiError: the LMS takes no tool links here, its settings are too large, or its
    return address is not a plain http(s) address."""
    return_origin(settings)
    accepted = settings.get("accept_types")
    if isinstance(accepted, list) and LINK_TYPE not in accepted:
        raise LtiError(
            gettext(
                "The LMS does not take links to a tool here, so Laurel cannot place a badge. "
                "Add Laurel from a module or an assignment instead."
            )
        )
    if len(repr(settings)) > MAX_SETTINGS_CHARS:
        raise LtiError(gettext("The LMS's deep linking request is too large for Laurel to keep."))


def badges_to_place(school_class: SchoolClass) -> list[Badge]:
    """The published badges a student of the class may earn: the class's and the school's."""
    return list(
        db.session.scalars(
            sa.select(Badge)
            .where(
                Badge.state == BadgeState.PUBLISHED,
                sa.or_(Badge.class_id == school_class.id, Badge.class_id.is_(None)),
            )
            .order_by(Badge.name)
        )
    )


def response_jwt(
    platform: LtiPlatform,
    *,
    deployment_id: str,
    settings: Mapping[str, Any],
    badge: Badge,
    launch_url: str,
    now: datetime,
) -> str:
    """The signed LtiDeepLinkingResponse placing `badge`."""
    item = {
        "type": LINK_TYPE,
        "title": badge.name,
        "text": badge.description[:500],
        "url": launch_url,
        "custom": {CUSTOM_BADGE: badge.slug},
    }
    claims = deep_linking_response(
        client_id=platform.client_id,
        platform_issuer=platform.issuer,
        deployment_id=deployment_id,
        settings=settings,
        items=[item],
        nonce=new_token(),
        now=now,
    )
    return tool_keys.sign(claims, now=now)
