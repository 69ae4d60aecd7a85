"""LTI 1.3 messages as JWTs: reading a platform's id_token, writing the tool's own.

Pure module: imports neither flask nor sqlalchemy; the platform's keys, what the launch
must match, and the clock come in as arguments. Reading follows the 1EdTech Security
Framework's "Authentication Response Validation" (signature by the `kid` of the
platform's JWKS, `iss`, `aud` with `azp`, `exp`/`iat`, the nonce) and LTI Core's required
claims; every refusal is an `LtiError` that says what was wrong.
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


def _refuse(problem: str) -> LtiError:
    return LtiError(f"Laurel refused this launch from the LMS: {problem}. Start it again there.")


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
        raise _refuse("its id_token names no key (no `kid` in its header)")
    jwk = _listed_jwk(keys, kid)
    if jwk is None:
        raise _refuse(f"its key {kid[:60]!r} is not in the platform's key set")
    try:
        key = public_key_from_jwk(jwk)
    except KeyResolutionError as error:
        raise _refuse(f"the platform's key {kid[:60]} is not usable ({error})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise _refuse(f"the platform's key {kid[:60]} is not an RSA key")
    return key


def _seconds(claims: Mapping[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise _refuse(f"its `{name}` is not a time")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise _refuse(f"its `{name}` is not a time") from None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_ID:
        raise _refuse(f"its {what} is missing or longer than {MAX_ID} characters")
    return value


def _claims(id_token: str, *, keys: Mapping[str, Any], expected: Expected) -> dict[str, Any]:
    """The id_token's claims once its signature, issuer and audience are checked."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.InvalidTokenError:
        raise _refuse("its id_token is not a JWT") from None
    if header.get("alg") != ALGORITHM:
        raise _refuse(f"its id_token is signed with {str(header.get('alg'))[:20]}, not RS256")
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
        raise _refuse("the signature of its id_token does not match the platform's key") from None
    except jwt.InvalidAudienceError:
        raise _refuse(
            "its id_token was made for another tool (its audience is not Laurel)"
        ) from None
    except jwt.InvalidIssuerError:
        raise _refuse("its id_token comes from another issuer than the platform") from None
    except jwt.MissingRequiredClaimError as error:
        raise _refuse(f"its id_token has no `{error.claim}`") from None
    except jwt.InvalidTokenError:
        raise _refuse("its id_token cannot be read") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != expected.client_id:
        raise _refuse("its id_token was made for another tool (its authorized party is not Laurel)")
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
        raise _refuse("its id_token has expired")
    if _seconds(claims, "iat") > now + LEEWAY:
        raise _refuse("its id_token is dated in the future (is a clock wrong?)")
    if not isinstance(claims["nonce"], str) or not hmac.compare_digest(
        claims["nonce"].encode(), expected.nonce.encode()
    ):
        raise _refuse("its id_token was not made for this launch (its nonce does not match)")
    deployment_id = claims.get(LTI_CLAIM + "deployment_id")
    if not isinstance(deployment_id, str) or deployment_id not in expected.deployment_ids:
        raise _refuse(
            f"its deployment id {str(deployment_id)[:80]!r} is not registered for this platform "
            "(an admin adds it on Laurel's LTI page)"
        )
    if claims.get(LTI_CLAIM + "version") != LTI_VERSION:
        raise _refuse("it is not an LTI 1.3.0 message")
    message_type = claims.get(LTI_CLAIM + "message_type")
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise _refuse(f"Laurel does not take {str(message_type)[:60]!r} messages")
    roles = claims.get(LTI_CLAIM + "roles")
    if not isinstance(roles, list):
        raise _refuse("it has no role list")
    deep_linking = None
    if message_type == RESOURCE_LINK_REQUEST:
        link = claims.get(LTI_CLAIM + "resource_link")
        _text(link.get("id") if isinstance(link, dict) else None, "resource link id")
    else:
        settings = claims.get(DL_CLAIM + "deep_linking_settings")
        if not isinstance(settings, dict) or not isinstance(
            settings.get("deep_link_return_url"), str
        ):
            raise _refuse("its deep linking settings name no return URL")
        deep_linking = settings
    context = claims.get(LTI_CLAIM + "context")
    if not isinstance(context, dict):
        raise _refuse("it was not started from a course (no context), so it has no class")
    nrps = claims.get(NRPS_CLAIM)
    custom = claims.get(LTI_CLAIM + "custom")
    return Launch(
        message_type=message_type,
        deployment_id=deployment_id,
        subject=_text(claims.get("sub"), "user id (`sub`)"),
        roles=tuple(role for role in roles if isinstance(role, str)),
        context_id=_text(context.get("id"), "course id"),
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
