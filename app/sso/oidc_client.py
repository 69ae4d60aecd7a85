"""Laurel as an OpenID Connect relying party, through Authlib's Flask client.

Authlib makes the authorization request (code flow, PKCE S256, `state` and `nonce` kept in
the session), exchanges the code and verifies the ID token (signature against the
provider's JWKS, `iss`, `aud`, `azp`, `exp`, `nonce`, `at_hash`). Every request it sends
(discovery, JWKS, token) goes through Laurel's guarded adapter: public addresses only,
pinned, with timeouts. What goes wrong becomes an `SsoError` that says what happened.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration
from authlib.integrations.flask_client import FlaskOAuth2App
from authlib.integrations.requests_client import OAuth2Session
from flask import request
from flask import session
from flask_babel import gettext
from flask_babel import lazy_gettext
from joserfc.errors import ClaimError
from joserfc.errors import ExpiredTokenError
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from app.sso.errors import SsoError
from app.sso.providers import Provider
from app.verify.core.fetching import CONNECT_TIMEOUT_SECONDS
from app.verify.core.fetching import READ_TIMEOUT_SECONDS
from app.verify.core.fetching import FetchError
from app.verify.service import guarded_adapter

# Only what Google lets under-18 accounts share with an app the school has not vetted.
SCOPE = "openid email profile"
DISCOVERY_PATH = "/.well-known/openid-configuration"
MAX_ANSWER_CHARS = 300
REPLAYED = lazy_gettext(
    "This sign-in answer was already used, has expired, or was started in another browser. "
    "Start again from the sign-in page."
)
# Why Laurel refused an ID token, by the claim that failed (the claim's name stays as data).
_CLAIM_REFUSALS = {
    "nonce": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: it was not made for this sign-in (its "
        "nonce does not match). Start again from the sign-in page."
    ),
    "aud": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: it was made for another application "
        "(its audience is not Laurel's client id). Start again from the sign-in page."
    ),
    "azp": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: it was made for another application "
        "(its authorized party is not Laurel). Start again from the sign-in page."
    ),
    "iss": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: it comes from another issuer than the "
        "one configured. Start again from the sign-in page."
    ),
    "iat": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: its issue time is not valid. Start "
        "again from the sign-in page."
    ),
    "at_hash": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: it does not belong to the access token "
        "it came with. Start again from the sign-in page."
    ),
    "sub": lazy_gettext(
        "Laurel refused the ID token from %(provider)s: it names no account. Start again from "
        "the sign-in page."
    ),
}
_ANY_CLAIM_REFUSED = lazy_gettext(
    "Laurel refused the ID token from %(provider)s: its “%(claim)s” claim is not valid. Start "
    "again from the sign-in page."
)
# What Laurel was doing when the provider could not be reached, by step: the guard refused
# the address (with its reason), the provider answered with an HTTP error, or it failed.
_NOT_DONE = {
    "configuration": (
        lazy_gettext("Laurel did not read its OpenID configuration at %(provider)s: %(reason)s"),
        lazy_gettext(
            "Laurel could not read its OpenID configuration at %(provider)s (HTTP status "
            "%(status)s)."
        ),
        lazy_gettext("Laurel could not read its OpenID configuration at %(provider)s."),
    ),
    "start": (
        lazy_gettext("Laurel did not start the sign-in at %(provider)s: %(reason)s"),
        lazy_gettext(
            "Laurel could not start the sign-in at %(provider)s (HTTP status %(status)s)."
        ),
        lazy_gettext("Laurel could not start the sign-in at %(provider)s."),
    ),
    "finish": (
        lazy_gettext("Laurel did not finish the sign-in at %(provider)s: %(reason)s"),
        lazy_gettext(
            "Laurel could not finish the sign-in at %(provider)s (HTTP status %(status)s)."
        ),
        lazy_gettext("Laurel could not finish the sign-in at %(provider)s."),
    ),
}


class _GuardedSession(OAuth2Session):
    """Authlib's requests session with the guard mounted and the environment's proxies ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timeout", (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS))
        super().__init__(*args, **kwargs)
        self.trust_env = False
        guard = guarded_adapter()
        self.mount("https://", guard)
        self.mount("http://", guard)


class _RelyingParty(FlaskOAuth2App):
    client_cls = _GuardedSession


def _integration(provider: Provider) -> FlaskIntegration:
    """Where Authlib keeps a sign-in's state, nonce and PKCE verifier: the session, by provider."""
    return FlaskIntegration(f"sso-{provider.key}")


def _relying_party(provider: Provider) -> Any:
    """A client for one provider; its metadata is read on first use, checked against the issuer.

    Made per request, so a provider the admin changes or removes takes effect at once.
    """
    integration = _integration(provider)
    client = _RelyingParty(
        integration,
        name=integration.name,
        client_id=provider.client_id,
        client_secret=provider.client_secret(),
        server_metadata_url=provider.issuer + DISCOVERY_PATH,
        client_kwargs={
            "scope": SCOPE,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
        },
    )
    metadata = _call(provider, "configuration", client.load_server_metadata)
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer:
        raise SsoError(
            gettext(
                "%(provider)s's OpenID configuration names another issuer (“%(named)s”, not "
                "%(issuer)s): ask the admin to check the issuer URL.",
                provider=provider.name,
                named=str(metadata.get("issuer"))[:200],
                issuer=provider.issuer,
            ),
            status_code=400,
        )
    return client


def _call(provider: Provider, step_name: str, step: Any) -> Any:
    """Run `step` (named by a key of _NOT_DONE), turning network and HTTP failures into an
    SsoError."""
    refused, http_error, failed = _NOT_DONE[step_name]
    try:
        return step()
    except FetchError as error:
        raise SsoError(str(refused) % {"provider": provider.name, "reason": error}, 400) from None
    except requests.Timeout:
        raise SsoError(
            gettext("%(provider)s did not answer in time: try again.", provider=provider.name),
            400,
        ) from None
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else "?"
        raise SsoError(
            str(http_error) % {"provider": provider.name, "status": status}, 400
        ) from None
    except (requests.RequestException, ValueError):
        raise SsoError(str(failed) % {"provider": provider.name}, 400) from None


def start(provider: Provider, redirect_uri: str) -> Response:
    """The redirect that sends the browser to the provider (state, nonce and PKCE in the session).

    :raises SsoError: the provider's configuration cannot be read or names another issuer.
    """
    client = _relying_party(provider)
    redirect: Response = _call(provider, "start", lambda: client.authorize_redirect(redirect_uri))
    return redirect


def _refusal(provider: Provider, error: OAuthError) -> SsoError:
    """The provider's error answer; its OAuth error code and description are quoted as sent."""
    if error.error == "access_denied":
        return SsoError(
            gettext(
                "%(provider)s did not let you sign in (access denied).", provider=provider.name
            ),
            403,
        )
    if error.description:
        return SsoError(
            gettext(
                "%(provider)s refused the sign-in: %(error)s (%(description)s).",
                provider=provider.name,
                error=error.error,
                description=str(error.description)[:MAX_ANSWER_CHARS],
            )
        )
    return SsoError(
        gettext(
            "%(provider)s refused the sign-in: %(error)s.",
            provider=provider.name,
            error=error.error,
        )
    )


def finish(provider: Provider) -> dict[str, Any]:
    """The verified ID token's claims, for the callback request the provider sent back.

    :raises SsoError: a used or unknown state, the provider's refusal, an ID token that does
        not verify, or a provider that cannot be reached.
    """
    # A used or unknown state is refused before any request leaves Laurel.
    if _integration(provider).get_state_data(session, request.args.get("state")) is None:
        raise SsoError(str(REPLAYED))
    client = _relying_party(provider)
    try:
        token = _call(provider, "finish", client.authorize_access_token)
    except MismatchingStateError:
        raise SsoError(str(REPLAYED)) from None
    except OAuthError as error:
        raise _refusal(provider, error) from None
    except ExpiredTokenError:
        raise SsoError(
            gettext(
                "The sign-in from %(provider)s has expired (its ID token is past its expiry "
                "time). Try again; if it keeps happening, the server's clock may be wrong.",
                provider=provider.name,
            )
        ) from None
    except ClaimError as error:
        refusal = _CLAIM_REFUSALS.get(error.claim, _ANY_CLAIM_REFUSED)
        raise SsoError(str(refusal) % {"provider": provider.name, "claim": error.claim}) from None
    except JoseError as error:
        raise SsoError(
            gettext(
                "Laurel could not verify the ID token from %(provider)s (%(error)s).",
                provider=provider.name,
                error=error.error,
            )
        ) from None
    claims = token.get("userinfo")
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        raise SsoError(
            gettext(
                "%(provider)s sent no ID token, so Laurel cannot tell who you are.",
                provider=provider.name,
            )
        )
    return dict(claims)
