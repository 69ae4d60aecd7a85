"""Laurel's VC-JWTs checked by an implementation Laurel did not write.

js/verify-jwt.mjs runs jose's jwtVerify with a local JWK Set (Laurel's
/.well-known/jwks.json, from did.build_jwks), RS256/ES256 only and typ "JWT".
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from app.credentials.proofs.vc_jwt import CLAIMS
from tests.credentials.samples import ISSUER_ID
from tests.fixtures.keys import KeysDir
from tests.fixtures.node import NodeScripts

from .issuer import VERIFY_AT
from .issuer import jwks
from .issuer import signed_sample

pytestmark = pytest.mark.node

NOW_SECONDS = 1795428000  # 2026-11-23T10:00:00Z
VALID_UNTIL_SECONDS = 1953194400  # 2031-11-23T10:00:00Z


def _verify(
    node_scripts: NodeScripts, keys_dir: KeysDir, token: str, *, now: str = VERIFY_AT
) -> dict[str, Any]:
    result: dict[str, Any] = node_scripts.run(
        "verify-jwt", {"jwt": token, "jwks": jwks(keys_dir.store), "now": now}
    )
    return result


def _segment(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_jwt_verified_with_jwks_payload_is_credential_and_claims(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    signed = signed_sample(keys_dir.store, 2)
    assert signed.jwt is not None

    result = _verify(node_scripts, keys_dir, signed.jwt)

    assert result["verified"] is True, result.get("error")
    rsa_fragment = keys_dir.store.current("rsa").fragment
    assert result["header"] == {"alg": "RS256", "kid": f"{ISSUER_ID}#{rsa_fragment}", "typ": "JWT"}
    payload = result["payload"]
    document = signed.document
    assert payload["iss"] == ISSUER_ID == document["issuer"]["id"]
    assert payload["jti"] == document["id"]
    assert payload["sub"] == document["credentialSubject"]["id"]
    assert payload["nbf"] == NOW_SECONDS
    assert payload["exp"] == VALID_UNTIL_SECONDS
    assert {key: value for key, value in payload.items() if key not in CLAIMS} == document


def test_jwt_with_altered_payload_fails(node_scripts: NodeScripts, keys_dir: KeysDir) -> None:
    token = signed_sample(keys_dir.store).jwt
    assert token is not None
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Something never earned"

    result = _verify(node_scripts, keys_dir, ".".join([header, _segment(claims), signature]))

    assert result["verified"] is False
    assert result["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"


def test_jwt_key_not_in_jwks_fails(node_scripts: NodeScripts, keys_dir: KeysDir) -> None:
    token = signed_sample(keys_dir.store).jwt

    result = node_scripts.run("verify-jwt", {"jwt": token, "jwks": {"keys": []}, "now": VERIFY_AT})

    assert result["verified"] is False
    assert result["code"] == "ERR_JWKS_NO_MATCHING_KEY"


def test_jwt_after_valid_until_is_expired(node_scripts: NodeScripts, keys_dir: KeysDir) -> None:
    """exp carries validUntil: a reader of the JWT alone sees the same end date."""
    token = signed_sample(keys_dir.store).jwt
    assert token is not None

    result = _verify(node_scripts, keys_dir, token, now="2031-11-23T10:00:01Z")

    assert result["verified"] is False
    assert result["code"] == "ERR_JWT_EXPIRED"


def test_jwt_before_valid_from_is_not_yet_valid(
    node_scripts: NodeScripts, keys_dir: KeysDir
) -> None:
    token = signed_sample(keys_dir.store).jwt
    assert token is not None

    result = _verify(node_scripts, keys_dir, token, now="2026-11-23T09:59:59Z")

    assert result["verified"] is False
    assert result["code"] == "ERR_JWT_CLAIM_VALIDATION_FAILED"
    assert "nbf" in result["error"]
