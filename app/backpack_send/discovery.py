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

from app.backpack.discovery import API_PATH
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack_send.errors import SendError

DISCOVERY_PATH = f"{API_PATH}/discovery"


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
            f"“{address[:200]}” is not a backpack's web address: it should look like "
            "https://backpack.example or https://backpack.example/ims/ob/v3p0/discovery."
        )
    if parts.path.rstrip("/").endswith(DISCOVERY_PATH):
        return address
    base = address.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return base + DISCOVERY_PATH


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SendError(
            f"The backpack's discovery document has no {where}: it may not be an "
            "Open Badges 3.0 backpack."
        )
    return value.strip()


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SendError(
            f"The backpack's discovery document has no {where}: it may not be an "
            "Open Badges 3.0 backpack."
        )
    return value


def read_description(url: str, document: dict[str, Any]) -> ServiceDescription:
    """The endpoints in the discovery document fetched from `url` (relative URLs resolved).

    :raises SendError: a field is missing, or the backpack does not offer credential.upsert.
    """
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers:
        raise SendError(
            "The backpack's discovery document names no server (servers[0].url): it may not "
            "be an Open Badges 3.0 backpack."
        )
    api_base = _text(_object(servers[0], "server").get("url"), "server URL (servers[0].url)")
    schemes = _object(
        _object(document.get("components"), "components").get("securitySchemes"),
        "security schemes",
    )
    scheme = _object(schemes.get("OAuth2ACG"), "OAuth2ACG security scheme")
    flow = _object(
        _object(scheme.get("flows"), "OAuth 2.0 flows").get("authorizationCode"),
        "authorization code flow",
    )
    scopes = flow.get("scopes")
    if not isinstance(scopes, dict) or CREDENTIAL_UPSERT not in scopes:
        raise SendError(
            "This backpack does not offer to store credentials from other places "
            "(its discovery document lacks the credential.upsert scope)."
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
