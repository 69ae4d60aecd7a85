"""Reading another backpack's Service Description Document (GET <base>/ims/ob/v3p0/discovery).

What Laurel needs from it: the API base (servers[0].url) and, in the OAuth2ACG security
scheme, the registration URL (x-imssf-registrationUrl), the authorization and token
URLs, and the credential.upsert scope among the scopes it declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin
from urllib.parse import urlsplit

from flask_babel import gettext
from flask_babel import lazy_gettext

from app.backpack.discovery import API_PATH
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack_send.errors import SendError

DISCOVERY_PATH = f"{API_PATH}/discovery"
# What the learner reads when a part of the discovery document is missing, by part.
_MISSING = {
    "server": lazy_gettext(
        "The backpack's discovery document has no server: it may not be an Open Badges 3.0 "
        "backpack."
    ),
    "server URL": lazy_gettext(
        "The backpack's discovery document has no server URL (servers[0].url): it may not be "
        "an Open Badges 3.0 backpack."
    ),
    "components": lazy_gettext(
        "The backpack's discovery document has no components: it may not be an Open Badges "
        "3.0 backpack."
    ),
    "security schemes": lazy_gettext(
        "The backpack's discovery document has no security schemes: it may not be an Open "
        "Badges 3.0 backpack."
    ),
    "OAuth2ACG": lazy_gettext(
        "The backpack's discovery document has no OAuth2ACG security scheme: it may not be an "
        "Open Badges 3.0 backpack."
    ),
    "flows": lazy_gettext(
        "The backpack's discovery document has no OAuth 2.0 flows: it may not be an Open "
        "Badges 3.0 backpack."
    ),
    "authorization code flow": lazy_gettext(
        "The backpack's discovery document has no authorization code flow: it may not be an "
        "Open Badges 3.0 backpack."
    ),
    "registration URL": lazy_gettext(
        "The backpack's discovery document has no registration URL: it may not be an Open "
        "Badges 3.0 backpack."
    ),
    "authorization URL": lazy_gettext(
        "The backpack's discovery document has no authorization URL: it may not be an Open "
        "Badges 3.0 backpack."
    ),
    "token URL": lazy_gettext(
        "The backpack's discovery document has no token URL: it may not be an Open Badges 3.0 "
        "backpack."
    ),
}


@dataclass(frozen=True)
class ServiceDescription:
    discovery_url: str
    name: str
    api_base: str
    registration_url: str
    authorization_url: str
    token_url: str


def discovery_url(address: str) -> str:
    """The discovery URL for what the learner typed: a backpack's base URL or its discovery URL.

    :raises SendError: not a web address.
    """
    address = address.strip()
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SendError(
            gettext(
                "“%(address)s” is not a backpack's web address: it should look like "
                "https://backpack.example or https://backpack.example/ims/ob/v3p0/discovery.",
                address=address[:200],
            )
        )
    if parts.path.rstrip("/").endswith(DISCOVERY_PATH):
        return address
    base = address.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return base + DISCOVERY_PATH


def _text(value: Any, part: str) -> str:
    """`value` as non-empty text; `part` is a key of _MISSING."""
    if not isinstance(value, str) or not value.strip():
        raise SendError(str(_MISSING[part]))
    return value.strip()


def _object(value: Any, part: str) -> dict[str, Any]:
    """`value` as a JSON object; `part` is a key of _MISSING."""
    if not isinstance(value, dict):
        raise SendError(str(_MISSING[part]))
    return value


def read_description(url: str, document: dict[str, Any]) -> ServiceDescription:
    """The endpoints in the discovery document fetched from `url` (relative URLs resolved).

    :raises SendError: a field is missing, or the backpack does not offer credential.upsert.
    """
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers:
        raise SendError(
            gettext(
                "The backpack's discovery document names no server (servers[0].url): it may "
                "not be an Open Badges 3.0 backpack."
            )
        )
    api_base = _text(_object(servers[0], "server").get("url"), "server URL")
    schemes = _object(
        _object(document.get("components"), "components").get("securitySchemes"),
        "security schemes",
    )
    scheme = _object(schemes.get("OAuth2ACG"), "OAuth2ACG")
    flow = _object(
        _object(scheme.get("flows"), "flows").get("authorizationCode"),
        "authorization code flow",
    )
    scopes = flow.get("scopes")
    if not isinstance(scopes, dict) or CREDENTIAL_UPSERT not in scopes:
        raise SendError(
            gettext(
                "This backpack does not offer to store credentials from other places "
                "(its discovery document lacks the credential.upsert scope)."
            )
        )
    info = document.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    return ServiceDescription(
        discovery_url=url,
        name=(title.strip()[:500] if isinstance(title, str) and title.strip() else "")
        or (urlsplit(url).hostname or url),
        api_base=urljoin(url, api_base).rstrip("/"),
        registration_url=urljoin(
            url, _text(scheme.get("x-imssf-registrationUrl"), "registration URL")
        ),
        authorization_url=urljoin(url, _text(flow.get("authorizationUrl"), "authorization URL")),
        token_url=urljoin(url, _text(flow.get("tokenUrl"), "token URL")),
    )
