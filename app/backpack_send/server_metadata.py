"""What the other backpack's authorization server publishes about itself (RFC 8414).

The Open Badges discovery document names the authorization and token endpoints but
neither the server's issuer identifier (needed to check `iss`, RFC 9207) nor a
revocation endpoint (RFC 7009). Authorization servers publish both in their metadata,
at /.well-known/oauth-authorization-server or, for OpenID providers, at
/.well-known/openid-configuration (RFC 8414 §5) on the authorization endpoint's origin.
Metadata is only believed when it describes the authorization endpoint the discovery
document named, and its issuer is that origin (RFC 8414 §3.3): anything else, or none,
means "not published", and Laurel goes on without it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext

from app.backpack_send.errors import SendError

WELL_KNOWN_PATHS = ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")


@dataclass(frozen=True)
class ServerMetadata:
    issuer: str
    sends_iss: bool
    revocation_url: str | None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def metadata_urls(authorization_url: str) -> list[str]:
    """Where the metadata of the server behind `authorization_url` may be, in order."""
    return [origin(authorization_url) + path for path in WELL_KNOWN_PATHS]


def _url(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.hostname else None


def read_metadata(document: dict[str, Any], authorization_url: str) -> ServerMetadata | None:
    """The metadata, if it is that of the server behind `authorization_url`; else None."""
    issuer = document.get("issuer")
    if issuer != origin(authorization_url):
        return None
    if document.get("authorization_endpoint") != authorization_url:
        return None
    return ServerMetadata(
        issuer=issuer,
        sends_iss=document.get("authorization_response_iss_parameter_supported") is True,
        revocation_url=_url(document.get("revocation_endpoint")),
    )


def check_issuer(
    iss: str | None, *, issuer: str | None, sends_iss: bool, authorization_url: str, name: str
) -> None:
    """RFC 9207 §2.4: the answer's `iss` must be the issuer Laurel sent the learner to.

    Required when the server promised it; when it comes unpromised, it is still checked,
    against the metadata's issuer or, without metadata, the authorization endpoint's origin.

    :raises SendError: missing though promised, or another server's (a mix-up).
    """
    if iss is None:
        if sends_iss:
            raise SendError(
                gettext(
                    "%(backpack_name)s promised to say who answers (the “iss” parameter) but "
                    "its answer did not; nothing was sent. Start again from the credential's "
                    "page.",
                    backpack_name=name,
                )
            )
        return
    expected = issuer or origin(authorization_url)
    if not secrets.compare_digest(iss.encode("utf-8"), expected.encode("utf-8")):
        raise SendError(
            gettext(
                "The answer comes from “%(iss)s”, not from %(backpack_name)s (%(expected)s), "
                "where Laurel sent you to sign in; nothing was sent. Start again from the "
                "credential's page.",
                iss=iss[:200],
                backpack_name=name,
                expected=expected,
            )
        )
