"""The wallet's proof of possession in an OpenID4VCI credential request (`proofs.jwt`).

OpenID4VCI 1.0 appendix F.1: a JWT typed `openid4vci-proof+jwt`, signed with the holder's
key, which the header names by exactly one of `kid` (a DID URL) or `jwk` (the public key
itself); its payload names this issuer (`aud`), when it was made (`iat`) and the
`c_nonce` the issuer handed out. Laurel takes Ed25519 (`EdDSA`, with a did:key or an OKP
JWK) and P-256 (`ES256`, with a JWK). Pure module: no Flask, no database; the caller
checks that the nonce is one it gave and spends it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.did import did_key_from_public_key
from app.credentials.did import public_key_from_did_key
from app.credentials.errors import KeyResolutionError

PROOF_TYPE = "openid4vci-proof+jwt"
ALGORITHMS = ("EdDSA", "ES256")
# A proof made longer ago than this is stale; a little clock drift forward is allowed.
MAX_AGE = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=60)
MAX_PROOF_CHARS = 16 * 1024


class ProofError(Exception):
    """The proof is refused; `code` is the OpenID4VCI error (invalid_proof, invalid_nonce)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Possession:
    """What a valid proof shows: the holder's identifier and the nonce it signed."""

    holder_id: str
    nonce: str


def verify_proof_jwt(token: Any, *, audience: str, now: datetime) -> Possession:
    """Check the proof's typing, key, signature, audience and age; return who signed it.

    The holder is the did:key of an Ed25519 key, or `did:jwk:` + the JWK for a P-256 key.

    :raises ProofError: invalid_proof for anything wrong but the nonce; invalid_nonce
        when the payload carries none.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_PROOF_CHARS:
        raise ProofError("invalid_proof", "The proof must be one compact JWT.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise ProofError("invalid_proof", f"The proof is not a JWT: {error}") from None
    if header.get("typ") != PROOF_TYPE:
        raise ProofError("invalid_proof", f"The proof's typ must be {PROOF_TYPE!r}.")
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise ProofError(
            "invalid_proof",
            f"The proof is signed with {algorithm!r}; Laurel takes {', '.join(ALGORITHMS)}.",
        )
    key, holder_id = _holder_key(header, algorithm)
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience,
            options={"require": ["aud", "iat"], "verify_iat": False},
        )
    except jwt.InvalidAudienceError:
        raise ProofError(
            "invalid_proof", f"The proof was made for another issuer, not {audience}."
        ) from None
    except jwt.PyJWTError as error:
        raise ProofError("invalid_proof", f"The proof does not verify: {error}") from None
    _check_age(payload.get("iat"), now)
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProofError("invalid_nonce", "The proof carries no nonce: ask the nonce endpoint.")
    return Possession(holder_id, nonce)


def _holder_key(header: dict[str, Any], algorithm: str) -> tuple[Any, str]:
    """The public key the header names, and the holder's identifier for it."""
    named = [name for name in ("kid", "jwk", "x5c") if name in header]
    if len(named) != 1:
        raise ProofError("invalid_proof", "The proof's header must name its key by kid or jwk.")
    if named[0] == "x5c":
        raise ProofError("invalid_proof", "Laurel does not take certificate chains (x5c).")
    if named[0] == "kid":
        try:
            public_key = public_key_from_did_key(header["kid"])
        except KeyResolutionError as error:
            raise ProofError("invalid_proof", str(error)) from None
        _check_fits(algorithm, public_key)
        return public_key, did_key_from_public_key(public_key)
    jwk = header["jwk"]
    if not isinstance(jwk, dict) or "d" in jwk:
        raise ProofError("invalid_proof", "The proof's jwk must be one public key.")
    try:
        public_key = jwt.PyJWK(jwk, algorithm).key
    except jwt.PyJWTError as error:
        raise ProofError("invalid_proof", f"The proof's jwk is not usable: {error}") from None
    _check_fits(algorithm, public_key)
    if isinstance(public_key, Ed25519PublicKey):
        return public_key, did_key_from_public_key(public_key)
    public = {name: jwk[name] for name in ("kty", "crv", "x", "y") if name in jwk}
    encoded = base64.urlsafe_b64encode(json.dumps(public, separators=(",", ":")).encode())
    return public_key, "did:jwk:" + encoded.decode("ascii").rstrip("=")


def _check_fits(algorithm: str, public_key: Any) -> None:
    if (algorithm == "EdDSA") != isinstance(public_key, Ed25519PublicKey):
        raise ProofError("invalid_proof", f"The proof's key does not fit its alg {algorithm}.")


def _check_age(issued_at: Any, now: datetime) -> None:
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise ProofError("invalid_proof", "The proof's iat must be a number of seconds.")
    instant = now.timestamp()
    if issued_at > instant + CLOCK_SKEW.total_seconds():
        raise ProofError("invalid_proof", "The proof's iat is in the future.")
    if issued_at < instant - MAX_AGE.total_seconds():
        raise ProofError("invalid_proof", "The proof is stale: make a new one with a fresh nonce.")
