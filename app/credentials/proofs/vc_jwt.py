"""VC-JWT as Open Badges 3.0 profiles it (OB 3.0 §8.2 "JSON Web Token Proof Format").

Pure module: imports neither flask nor sqlalchemy nor any other app package.
The JOSE header is exactly {alg, kid, typ: "JWT"}; the payload is the
credential itself plus the claims iss (issuer.id), jti (id), nbf (validFrom),
sub (credentialSubject.id) and exp (validUntil, when set). Verification takes
the algorithm from the caller's key, never from the token, and checks that
every claim agrees with the credential it wraps.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa

from ..errors import InputError
from ..errors import ProofError
from ..keys import PrivateKey
from ..keys import PublicKey
from ..words import N_
from ..words import text_of

ALGORITHMS = ("RS256", "ES256")
CLAIMS = ("iss", "jti", "nbf", "sub", "exp")
# OB 3.0: "alg" and "kid" or "jwk", "typ" optional; "No other header parameters are allowed".
ALLOWED_HEADERS = frozenset({"alg", "kid", "typ", "jwk"})
MAX_TOKEN_LENGTH = 8 * 1024 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]*$")


def sign_jwt(
    credential: dict[str, Any], *, private_key: PrivateKey, kid: str, alg: str = "RS256"
) -> str:
    """Wrap `credential` in a compact VC-JWT signed with `private_key`.

    :raises InputError: the credential lacks what the claims need, or already holds a claim name.
    :raises ProofError: `alg` is not RS256/ES256 or does not fit the key.
    """
    _check_key_fits(alg, private_key)
    clashing = [name for name in CLAIMS if name in credential]
    if clashing:
        raise InputError(
            f"The credential has the properties {clashing}, which the JWT claims would replace."
        )
    payload = {**credential, **_claims(credential)}
    return jwt.encode(payload, private_key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})


def read_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a compact JWS, without checking the signature.

    :raises InputError: not three base64url segments, or a header/payload that is not a JSON
        object or is nested too deeply to parse.
    """
    if not isinstance(token, str):
        raise InputError(N_("A JWT must be text."))
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise InputError(N_("The JWT is too large to be a credential."))
    segments = token.split(".")
    if len(segments) != 3 or not all(_SEGMENT.match(s) for s in segments):
        raise InputError(
            "This is not a compact JWT: it must be three base64url parts joined by dots."
        )
    return _json_segment(segments[0], "header"), _json_segment(segments[1], "payload")


def verify_jwt(token: str, *, public_key: PublicKey, algorithm: str) -> dict[str, Any]:
    """Verify a VC-JWT with `public_key` and return the credential it carries (claims removed).

    :param algorithm: the algorithm of *our* key (RS256 for RSA, ES256 for P-256); a token
        that names another algorithm is rejected, whatever it says.
    :raises ProofError: bad header, bad signature, or claims that disagree with the credential.
    """
    _check_key_fits(algorithm, public_key)
    try:
        header, payload = read_jwt(token)
    except InputError as error:
        raise ProofError(N_("The JWT is malformed: %(error)s", error=text_of(error))) from None
    _check_header(header, algorithm)
    try:
        jwt.api_jws.decode_complete(token.strip(), public_key, algorithms=[algorithm])
    except jwt.InvalidSignatureError:
        raise ProofError(N_("The JWT signature does not verify with the issuer's key.")) from None
    except jwt.PyJWTError as error:
        raise ProofError(N_("The JWT cannot be verified: %(error)s.", error=str(error))) from None
    credential = {name: value for name, value in payload.items() if name not in CLAIMS}
    _check_claims(payload, credential)
    return credential


def _check_key_fits(algorithm: str, key: Any) -> None:
    if algorithm == "RS256" and isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return
    if (
        algorithm == "ES256"
        and isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey))
        and isinstance(key.curve, ec.SECP256R1)
    ):
        return
    if algorithm not in ALGORITHMS:
        raise ProofError(
            N_(
                "The JWT algorithm %(algorithm)s is not accepted; Laurel uses RS256 or ES256.",
                algorithm=repr(algorithm),
            )
        )
    raise ProofError(
        N_("The key does not fit the JWT algorithm %(algorithm)s.", algorithm=algorithm)
    )


def _check_header(header: dict[str, Any], algorithm: str) -> None:
    extra = sorted(set(header) - ALLOWED_HEADERS)
    if extra:
        raise ProofError(
            f"The JWT header has parameters the Open Badges profile forbids: {', '.join(extra)}."
        )
    if header.get("alg") != algorithm:
        raise ProofError(
            f"The JWT says it is signed with {header.get('alg')!r}, but the issuer's key "
            f"signs with {algorithm}."
        )
    if "typ" in header and header["typ"] != "JWT":
        raise ProofError(
            f"The JWT type is {header['typ']!r}; the Open Badges profile requires 'JWT'."
        )
    if "jwk" in header and (not isinstance(header["jwk"], dict) or "d" in header["jwk"]):
        raise ProofError(N_("The JWT header carries a private key; it must never do so."))
    if "kid" not in header and "jwk" not in header:
        raise ProofError(N_("The JWT header names no key (neither 'kid' nor 'jwk')."))


def _check_claims(payload: dict[str, Any], credential: dict[str, Any]) -> None:
    """OB 3.0 §8.2.4: each claim must say what the credential says."""
    try:
        expected = _claims(credential)
    except InputError as error:
        raise ProofError(
            N_("The JWT does not carry a complete credential: %(error)s", error=text_of(error))
        ) from None
    for name in ("iss", "jti", "sub"):
        if payload.get(name) != expected[name]:
            raise ProofError(
                f"The JWT claim {name!r} ({payload.get(name)!r}) does not match the "
                f"credential ({expected[name]!r})."
            )
    for name in ("nbf", "exp"):
        if _numeric_date(payload.get(name)) != expected.get(name):
            raise ProofError(
                f"The JWT claim {name!r} ({payload.get(name)!r}) does not match the "
                f"credential's {'validFrom' if name == 'nbf' else 'validUntil'}."
            )


def _claims(credential: dict[str, Any]) -> dict[str, Any]:
    issuer = credential.get("issuer")
    subject = credential.get("credentialSubject")
    claims = {
        "iss": issuer.get("id") if isinstance(issuer, dict) else issuer,
        "jti": credential.get("id"),
        "nbf": _timestamp(credential.get("validFrom"), "validFrom"),
        "sub": subject.get("id") if isinstance(subject, dict) else None,
    }
    missing = [name for name in ("iss", "jti", "sub") if not isinstance(claims[name], str)]
    if missing:
        names = {"iss": "issuer.id", "jti": "id", "sub": "credentialSubject.id"}
        raise InputError(
            "A VC-JWT needs the credential's " + ", ".join(names[m] for m in missing) + "."
        )
    if credential.get("validUntil") is not None:
        claims["exp"] = _timestamp(credential["validUntil"], "validUntil")
    return claims


def _timestamp(value: Any, name: str) -> int:
    """An XML Schema dateTime as a JWT NumericDate (whole seconds)."""
    if not isinstance(value, str):
        raise InputError(f"A VC-JWT needs the credential's {name}.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"The credential's {name} {value!r} is not a date and time.") from None
    if moment.tzinfo is None:
        raise InputError(f"The credential's {name} {value!r} has no time zone.")
    return math.floor(moment.timestamp())


def _numeric_date(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return math.floor(value)


def _json_segment(segment: str, name: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (binascii.Error, ValueError):
        raise InputError(
            f"The JWT {name} is not base64url-encoded JSON (is the token cut short?)."
        ) from None
    except RecursionError:
        raise InputError(
            f"The JWT {name} is nested too deeply to be read; no credential is."
        ) from None
    if not isinstance(value, dict):
        raise InputError(N_("The JWT %(part)s is not a JSON object.", part=name))
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Reject repeated names: two readers could otherwise see two different documents."""
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise ValueError("duplicate member name")
    return dict(pairs)
