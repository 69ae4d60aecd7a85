"""LTI 1.3 messages as JWTs: reading a platform's id_token, writing the tool's own.

Takes no request and no database: the platform's keys, what the launch must match, and the
clock come in as arguments; only its refusals go through the catalog (flask_babel's gettext,
which needs no request either). Reading follows the 1EdTech Security Framework's
"Authentication Response Validation" (signature by the `kid` of the platform's JWKS, `iss`,
`aud` with `azp`, `exp`/`iat`, the nonce) and LTI Core's required claims; every refusal is an
`LtiError` that says what was wrong, in one whole sentence of the catalog.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask_babel import gettext

from app.credentials.errors import KeyResolutionError
from app.credentials.keys import public_key_from_jwk
from app.lti.errors import LtiError

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"
# The algorithm comes from Laurel, never from the token's header (pyjwt's warning).
ALGORITHM = "RS256"
# Clocks of the LMS and of Laurel may differ a little.
LEEWAY = timedelta(seconds=60)
MESSAGE_LIFETIME = timedelta(minutes=10)
MAX_ID = 255
CUSTOM_BADGE = "laurel_badge"


@dataclass(frozen=True)
class Expected:
    """What a platform's id_token must match: the registration and the launch in progress."""

    issuer: str
    client_id: str
    nonce: str
    deployment_ids: frozenset[str]


@dataclass(frozen=True)
class Launch:
    """A verified launch, reduced to what Laurel uses."""

    message_type: str
    deployment_id: str
    subject: str
    roles: tuple[str, ...]
    context_id: str
    context_title: str
    email: str
    name: str
    custom: Mapping[str, Any]
    memberships_url: str
    # The platform's deep_linking_settings (LtiDeepLinkingRequest only).
    deep_linking: Mapping[str, Any] | None


def _listed_jwk(keys: Mapping[str, Any], kid: str) -> dict[str, Any] | None:
    listed = keys.get("keys") if isinstance(keys, Mapping) else None
    for jwk in listed if isinstance(listed, list) else []:
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            return jwk
    return None


def names_unlisted_key(id_token: str, keys: Mapping[str, Any]) -> bool:
    """Whether the id_token's header names a key (`kid`) that `keys` does not list: the one
    case where reading the platform's key set again can help (the LMS rotated its key)."""
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
    except jwt.InvalidTokenError:
        return False
    return isinstance(kid, str) and bool(kid) and _listed_jwk(keys, kid) is None


def _signing_key(header: Mapping[str, Any], keys: Mapping[str, Any]) -> rsa.RSAPublicKey:
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token names no key (no `kid` in "
                "its header). Start it again there."
            )
        )
    jwk = _listed_jwk(keys, kid)
    if jwk is None:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its key “%(kid)s” is not in the "
                "platform's key set. Start it again there.",
                kid=kid[:60],
            )
        )
    try:
        key = public_key_from_jwk(jwk)
    except KeyResolutionError as error:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: the platform's key %(kid)s is not "
                "usable (%(error)s). Start it again there.",
                kid=kid[:60],
                error=error,
            )
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: the platform's key %(kid)s is not an "
                "RSA key. Start it again there.",
                kid=kid[:60],
            )
        )
    return key


def _seconds(claims: Mapping[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _not_a_time(name)
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise _not_a_time(name) from None


def _not_a_time(name: str) -> LtiError:
    return LtiError(
        gettext(
            "Laurel refused this launch from the LMS: its `%(claim)s` is not a time. Start it "
            "again there.",
            claim=name,
        )
    )


def _text(value: Any, refusal: str) -> str:
    """`value`, an identifier of at most MAX_ID characters; else `refusal` is raised."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        raise LtiError(refusal)
    return value


def _claims(id_token: str, *, keys: Mapping[str, Any], expected: Expected) -> dict[str, Any]:
    """The id_token's claims once its signature, issuer and audience are checked."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token is not a JWT. Start it "
                "again there."
            )
        ) from None
    if header.get("alg") != ALGORITHM:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token is signed with "
                "%(algorithm)s, not RS256. Start it again there.",
                algorithm=str(header.get("alg"))[:20],
            )
        )
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            _signing_key(header, keys),
            algorithms=[ALGORITHM],
            issuer=expected.issuer,
            audience=expected.client_id,
            # Times are checked below against the clock given to Laurel.
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require": ["iss", "aud", "exp", "iat", "nonce"],
            },
        )
    except jwt.InvalidSignatureError:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: the signature of its id_token does not "
                "match the platform's key. Start it again there."
            )
        ) from None
    except jwt.InvalidAudienceError:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token was made for another tool "
                "(its audience is not Laurel). Start it again there."
            )
        ) from None
    except jwt.InvalidIssuerError:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token comes from another issuer "
                "than the platform. Start it again there."
            )
        ) from None
    except jwt.MissingRequiredClaimError as error:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token has no `%(claim)s`. Start "
                "it again there.",
                claim=error.claim,
            )
        ) from None
    except jwt.InvalidTokenError:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token cannot be read. Start it "
                "again there."
            )
        ) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != expected.client_id:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token was made for another tool "
                "(its authorized party is not Laurel). Start it again there."
            )
        )
    return claims


def read_launch(
    id_token: str, *, keys: Mapping[str, Any], expected: Expected, now: datetime
) -> Launch:
    """The verified launch in a platform's id_token.

    :param keys: the platform's JWKS, as fetched from its key set URL.
    :raises LtiError: any check fails; the message names which.
    """
    claims = _claims(id_token, keys=keys, expected=expected)
    if now > _seconds(claims, "exp") + LEEWAY:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token has expired. Start it "
                "again there."
            )
        )
    if _seconds(claims, "iat") > now + LEEWAY:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token is dated in the future (is "
                "a clock wrong?). Start it again there."
            )
        )
    if not isinstance(claims["nonce"], str) or not hmac.compare_digest(
        claims["nonce"].encode(), expected.nonce.encode()
    ):
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its id_token was not made for this "
                "launch (its nonce does not match). Start it again there."
            )
        )
    deployment_id = claims.get(LTI_CLAIM + "deployment_id")
    if not isinstance(deployment_id, str) or deployment_id not in expected.deployment_ids:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: its deployment id “%(deployment_id)s” "
                "is not registered for this platform (an admin adds it on Laurel's LTI page). "
                "Start it again there.",
                deployment_id=str(deployment_id)[:80],
            )
        )
    if claims.get(LTI_CLAIM + "version") != LTI_VERSION:
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: it is not an LTI 1.3.0 message. Start "
                "it again there."
            )
        )
    message_type = claims.get(LTI_CLAIM + "message_type")
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: Laurel does not take “%(message_type)s” "
                "messages. Start it again there.",
                message_type=str(message_type)[:60],
            )
        )
    roles = claims.get(LTI_CLAIM + "roles")
    if not isinstance(roles, list):
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: it has no role list. Start it again "
                "there."
            )
        )
    deep_linking = None
    if message_type == RESOURCE_LINK_REQUEST:
        link = claims.get(LTI_CLAIM + "resource_link")
        _text(
            link.get("id") if isinstance(link, dict) else None,
            gettext(
                "Laurel refused this launch from the LMS: its resource link id is missing or "
                "longer than %(max)s characters. Start it again there.",
                max=MAX_ID,
            ),
        )
    else:
        settings = claims.get(DL_CLAIM + "deep_linking_settings")
        if not isinstance(settings, dict) or not isinstance(
            settings.get("deep_link_return_url"), str
        ):
            raise LtiError(
                gettext(
                    "Laurel refused this launch from the LMS: its deep linking settings name no "
                    "return URL. Start it again there."
                )
            )
        deep_linking = settings
    context = claims.get(LTI_CLAIM + "context")
    if not isinstance(context, dict):
        raise LtiError(
            gettext(
                "Laurel refused this launch from the LMS: it was not started from a course (no "
                "context), so it has no class. Start it again there."
            )
        )
    nrps = claims.get(NRPS_CLAIM)
    custom = claims.get(LTI_CLAIM + "custom")
    return Launch(
        message_type=message_type,
        deployment_id=deployment_id,
        subject=_text(
            claims.get("sub"),
            gettext(
                "Laurel refused this launch from the LMS: its user id (`sub`) is missing or "
                "longer than %(max)s characters. Start it again there.",
                max=MAX_ID,
            ),
        ),
        roles=tuple(role for role in roles if isinstance(role, str)),
        context_id=_text(
            context.get("id"),
            gettext(
                "Laurel refused this launch from the LMS: its course id is missing or longer "
                "than %(max)s characters. Start it again there.",
                max=MAX_ID,
            ),
        ),
        context_title=_label(context),
        email=claims["email"] if isinstance(claims.get("email"), str) else "",
        name=claims["name"] if isinstance(claims.get("name"), str) else "",
        custom=custom if isinstance(custom, dict) else {},
        memberships_url=_memberships_url(nrps),
        deep_linking=deep_linking,
    )


def _label(context: Mapping[str, Any]) -> str:
    for key in ("title", "label", "id"):
        value = context.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:150]
    return ""


def _memberships_url(nrps: Any) -> str:
    if isinstance(nrps, dict) and isinstance(nrps.get("context_memberships_url"), str):
        return nrps["context_memberships_url"]
    return ""


def deep_linking_response(
    *,
    client_id: str,
    platform_issuer: str,
    deployment_id: str,
    settings: Mapping[str, Any],
    items: Iterable[Mapping[str, Any]],
    nonce: str,
    now: datetime,
) -> dict[str, Any]:
    """The claims of an LtiDeepLinkingResponse (Deep Linking 2.0 §4.2), `data` echoed as sent."""
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": [platform_issuer],
        "iat": int(now.timestamp()),
        "exp": int((now + MESSAGE_LIFETIME).timestamp()),
        "nonce": nonce,
        LTI_CLAIM + "deployment_id": deployment_id,
        LTI_CLAIM + "message_type": DEEP_LINKING_RESPONSE,
        LTI_CLAIM + "version": LTI_VERSION,
        DL_CLAIM + "content_items": [dict(item) for item in items],
    }
    if "data" in settings:
        claims[DL_CLAIM + "data"] = settings["data"]
    return claims


def client_assertion(*, client_id: str, audience: str, jti: str, now: datetime) -> dict[str, Any]:
    """The claims of the JWT Laurel signs to ask a platform's token endpoint for a token."""
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        "jti": jti,
    }
