"""Laurel's configuration as an LTI tool, for the LMS admin to paste.

One JSON document: Canvas's developer key format (title, description, OIDC initiation
URL, target link URI, public JWK URL, scopes, placements, privacy level) — Canvas takes
it as pasted JSON or by its URL — plus the same addresses under `urls` for an LMS such as
Moodle, whose admin types them into a form. Laurel opens in a new window: its pages may
not be framed, and a browser that blocks third-party cookies would lose the launch in an
iframe anyway.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from app.lti.nrps import SCOPE as NRPS_SCOPE

TITLE = "Laurel"
DESCRIPTION = (
    "Badges and micro-credentials: students earn signed Open Badges 3.0 credentials by "
    "showing evidence; instructors place badges in course modules."
)


def tool_urls(public_url: str) -> dict[str, str]:
    """The addresses an LMS admin registers, by the names LMS forms give them."""
    return {
        "tool_url": f"{public_url}/lti/launch",
        "oidc_initiation_url": f"{public_url}/lti/login",
        "redirect_uri": f"{public_url}/lti/launch",
        "target_link_uri": f"{public_url}/lti/launch",
        "deep_linking_url": f"{public_url}/lti/launch",
        "public_jwk_url": f"{public_url}/lti/jwks",
        "configuration_url": f"{public_url}/lti/config.json",
    }


def configuration(public_url: str) -> dict[str, Any]:
    """The tool configuration JSON for the school's public address."""
    urls = tool_urls(public_url)
    placement = {"windowTarget": "_blank", "text": TITLE}
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "oidc_initiation_url": urls["oidc_initiation_url"],
        "target_link_uri": urls["target_link_uri"],
        "public_jwk_url": urls["public_jwk_url"],
        "scopes": [NRPS_SCOPE],
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": urlsplit(public_url).hostname,
                "tool_id": "laurel",
                # Laurel finds and makes accounts by email and shows names.
                "privacy_level": "public",
                "settings": {
                    "text": TITLE,
                    "placements": [
                        {
                            **placement,
                            "placement": "course_navigation",
                            "message_type": "LtiResourceLinkRequest",
                            "target_link_uri": urls["target_link_uri"],
                        },
                        {
                            **placement,
                            "placement": "link_selection",
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": urls["deep_linking_url"],
                        },
                    ],
                },
            }
        ],
        "urls": urls,
    }
