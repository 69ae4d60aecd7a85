"""Laurel as an OAuth 2.0 client of another backpack: register, authorize, exchange, upsert.

Every request goes through the guarded adapter (HTTPS only, public addresses only,
pinned, no redirects followed, timeouts), so an address a learner types cannot make
Laurel reach into the school's own network. Failures become a `SendError` that names
what the other backpack said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.integrations.requests_client import OAuthError
from flask_babel import gettext
from flask_babel import lazy_gettext
from requests.adapters import HTTPAdapter

from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack_send.errors import SendError
from app.verify.core.fetching import CONNECT_TIMEOUT_SECONDS
from app.verify.core.fetching import READ_TIMEOUT_SECONDS
from app.verify.core.fetching import FetchError

TIMEOUT = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)
MAX_ANSWER_CHARS = 300
# The credential goes as the JSON-LD document it is (a JWT would go as text/plain).
CREDENTIAL_TYPE = "application/vc+ld+json"

AdapterFactory = Callable[[], HTTPAdapter]

# Why an exchange with the backpack did not happen, by what Laurel was doing: the guard
# refused the address (with its reason), or the backpack did not answer in time.
_NOT_DONE = {
    "register": (
        lazy_gettext("Laurel did not register with the backpack: %(reason)s"),
        lazy_gettext(
            "The backpack did not answer in time, so Laurel did not register with the backpack."
        ),
    ),
    "token": (
        lazy_gettext("Laurel did not get a token from the backpack: %(reason)s"),
        lazy_gettext(
            "The backpack did not answer in time, so Laurel did not get a token from the backpack."
        ),
    ),
    "renew": (
        lazy_gettext("Laurel did not renew the token: %(reason)s"),
        lazy_gettext("The backpack did not answer in time, so Laurel did not renew the token."),
    ),
    "revoke": (
        lazy_gettext("Laurel did not revoke its access at the backpack: %(reason)s"),
        lazy_gettext(
            "The backpack did not answer in time, so Laurel did not revoke its access at the "
            "backpack."
        ),
    ),
    "send": (
        lazy_gettext("Laurel did not send the credential: %(reason)s"),
        lazy_gettext("The backpack did not answer in time, so Laurel did not send the credential."),
    ),
}


@dataclass(frozen=True)
class Token:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scope: str


class TokenRejected(SendError):
    """The backpack no longer accepts the token (HTTP 401): the learner must authorize again."""


def _guarded(session: requests.Session, adapter: AdapterFactory) -> requests.Session:
    session.trust_env = False
    guard = adapter()
    session.mount("https://", guard)
    session.mount("http://", guard)
    return session


def _said(response: requests.Response) -> str:
    """What an error answer says: its error_description, Imsx description, or its status."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("imsx_description", "error_description", "error"):
            if isinstance(body.get(key), str) and body[key].strip():
                return f"“{body[key].strip()[:MAX_ANSWER_CHARS]}” (HTTP {response.status_code})"
    return gettext("HTTP status %(status)s", status=response.status_code)


def _unreachable(action: str, error: Exception) -> SendError:
    """The failure of `action` (a key of _NOT_DONE) for a network error."""
    refused, too_slow = _NOT_DONE[action]
    if isinstance(error, FetchError):
        return SendError(str(refused) % {"reason": error})
    if isinstance(error, requests.Timeout):
        return SendError(str(too_slow))
    return SendError(
        gettext("The backpack could not be reached (%(error)s).", error=type(error).__name__)
    )


def register(
    registration_url: str, metadata: dict[str, Any], *, adapter: AdapterFactory
) -> tuple[str, str | None]:
    """RFC 7591 dynamic registration: (client_id, client_secret or None).

    :raises SendError: refused, unreachable, or an answer without a client_id.
    """
    with _guarded(requests.Session(), adapter) as session:
        try:
            response = session.post(
                registration_url, json=metadata, timeout=TIMEOUT, allow_redirects=False
            )
        except (FetchError, requests.RequestException) as error:
            raise _unreachable("register", error) from None
    if response.status_code not in (200, 201):
        raise SendError(
            gettext("The backpack refused to register Laurel: %(answer)s.", answer=_said(response))
        )
    try:
        client = response.json()
    except ValueError:
        client = None
    if not isinstance(client, dict) or not isinstance(client.get("client_id"), str):
        raise SendError(gettext("The backpack's registration answer has no client_id."))
    secret = client.get("client_secret")
    return client["client_id"], secret if isinstance(secret, str) else None


def oauth_session(
    client_id: str, client_secret: str | None, redirect_uri: str, *, adapter: AdapterFactory
) -> OAuth2Session:
    """Authlib's OAuth 2.0 client for one backpack: PKCE S256, the upsert scope only."""
    session = OAuth2Session(
        client_id,
        client_secret,
        scope=CREDENTIAL_UPSERT,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if client_secret else "none",
        default_timeout=TIMEOUT,
    )
    return _guarded(session, adapter)


def authorization_url(session: OAuth2Session, url: str, *, state: str, verifier: str) -> str:
    """Where the learner's browser goes to authorize Laurel (state and code_challenge in it)."""
    address, _state = session.create_authorization_url(url, state=state, code_verifier=verifier)
    return str(address)


def _token(answer: dict[str, Any], now: datetime, requested: str) -> Token:
    access = answer.get("access_token")
    if not isinstance(access, str) or not access:
        raise SendError(gettext("The backpack's token answer has no access token."))
    if str(answer.get("token_type", "bearer")).lower() != "bearer":
        raise SendError(
            gettext("The backpack gave a kind of token Laurel cannot use (not a bearer token).")
        )
    scope = answer.get("scope")
    granted = scope if isinstance(scope, str) else requested
    # A server may grant less than was asked (RFC 6749 §3.3): without upsert there is no sending.
    if CREDENTIAL_UPSERT not in granted.split():
        raise SendError(
            gettext(
                "The backpack did not allow Laurel to store credentials there "
                "(it granted no credential.upsert scope)."
            ),
            status_code=403,
        )
    lifetime = answer.get("expires_in")
    expires_at = (
        now + timedelta(seconds=int(lifetime))
        if isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool)
        else None
    )
    refresh = answer.get("refresh_token")
    return Token(access, refresh if isinstance(refresh, str) else None, expires_at, granted)


def exchange_code(
    session: OAuth2Session, token_url: str, *, code: str, verifier: str, now: datetime
) -> Token:
    """The token for an authorization code, proving the PKCE verifier.

    :raises SendError: the backpack refused the code, or could not be reached.
    """
    try:
        answer = session.fetch_token(
            token_url, grant_type="authorization_code", code=code, code_verifier=verifier
        )
    except OAuthError as error:
        if error.description:
            message = gettext(
                "The backpack refused to give Laurel a token: %(error)s (%(description)s).",
                error=error.error,
                description=error.description[:MAX_ANSWER_CHARS],
            )
        else:
            message = gettext(
                "The backpack refused to give Laurel a token: %(error)s.", error=error.error
            )
        raise SendError(message) from None
    except (FetchError, requests.RequestException, ValueError) as error:
        raise _unreachable("token", error) from None
    return _token(dict(answer), now, CREDENTIAL_UPSERT)


def refresh(session: OAuth2Session, token_url: str, refresh_token: str, *, now: datetime) -> Token:
    """A fresh token for a refresh token.

    :raises SendError: refused or unreachable (the learner then authorizes again).
    """
    try:
        answer = session.refresh_token(token_url, refresh_token=refresh_token)
    except OAuthError as error:
        raise SendError(
            gettext("The backpack refused to renew Laurel's token: %(error)s.", error=error.error)
        ) from None
    except (FetchError, requests.RequestException, ValueError) as error:
        raise _unreachable("renew", error) from None
    token = _token(dict(answer), now, CREDENTIAL_UPSERT)
    # A server need not send a new refresh token; the old one then stays good (RFC 6749 §6).
    if token.refresh_token is None:
        return Token(token.access_token, refresh_token, token.expires_at, token.scope)
    return token


def revoke(session: OAuth2Session, revocation_url: str, token: str, hint: str) -> None:
    """RFC 7009: ask the backpack to revoke a token (`hint` access_token or refresh_token).

    :raises SendError: refused or unreachable (the server answers 200 even for a token it
        no longer knows, so any other status is a failure).
    """
    try:
        response = session.revoke_token(
            revocation_url, token=token, token_type_hint=hint, allow_redirects=False
        )
    except (FetchError, requests.RequestException) as error:
        raise _unreachable("revoke", error) from None
    if response.status_code != 200:
        raise SendError(
            gettext(
                "The backpack did not revoke Laurel's access: %(answer)s.", answer=_said(response)
            )
        )


def upsert(api_base: str, access_token: str, credential: bytes, *, adapter: AdapterFactory) -> int:
    """POST <api base>/credentials with the credential's bytes: the status (200 or 201).

    :raises TokenRejected: HTTP 401.
    :raises SendError: any other failure, with the backpack's Imsx_StatusInfo description.
    """
    with _guarded(requests.Session(), adapter) as session:
        try:
            response = session.post(
                f"{api_base}/credentials",
                data=credential,
                headers={
                    "Authorization": f"Bearer {access_token}",
                    "Content-Type": CREDENTIAL_TYPE,
                    "Accept": f"{CREDENTIAL_TYPE}, application/json",
                },
                timeout=TIMEOUT,
                allow_redirects=False,
            )
        except (FetchError, requests.RequestException) as error:
            raise _unreachable("send", error) from None
    if response.status_code in (200, 201):
        return response.status_code
    if response.status_code == 401:
        raise TokenRejected(
            gettext(
                "The backpack no longer accepts Laurel's access: %(answer)s.",
                answer=_said(response),
            ),
            status_code=403,
        )
    raise SendError(
        gettext("The backpack did not store the credential: %(answer)s.", answer=_said(response))
    )
