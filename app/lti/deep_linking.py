"""Deep Linking 2.0: an instructor places a badge of the class in an LMS course module.

The LMS sends an LtiDeepLinkingRequest; the instructor picks a badge; Laurel answers with
an LtiDeepLinkingResponse JWT signed by the tool key, which the browser posts back to the
LMS. The placed item is an LTI resource link whose custom parameter names the badge, so a
later launch from it opens the badge's page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

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
# The deep-linking settings wait in the session cookie while the instructor chooses.
MAX_SETTINGS_CHARS = 2000


def check_settings(settings: Mapping[str, Any]) -> None:
    """:raises LtiError: the LMS takes no tool links here, or its settings are too large."""
    accepted = settings.get("accept_types")
    if isinstance(accepted, list) and LINK_TYPE not in accepted:
        raise LtiError(
            "The LMS does not take links to a tool here, so Laurel cannot place a badge. "
            "Add Laurel from a module or an assignment instead."
        )
    if len(repr(settings)) > MAX_SETTINGS_CHARS:
        raise LtiError("The LMS's deep linking request is too large for Laurel to keep.")


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
