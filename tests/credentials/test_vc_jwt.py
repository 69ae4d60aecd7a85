"""VC-JWT (OB 3.0 profile): the header and claims Laurel writes, and the attacks it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric import rsa

from app.credentials.errors import InputError
from app.credentials.errors import ProofError
from app.credentials.proofs.vc_jwt import read_jwt
from app.credentials.proofs.vc_jwt import sign_jwt
from app.credentials.proofs.vc_jwt import verify_jwt
from tests.credentials.samples import sample_credential

KID = "did:web:laurel.test#rsa-1"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(value: dict) -> str:
    return b64(json.dumps(value).encode("utf-8"))


@pytest.fixture(scope="module")
def credential():
    return sample_credential()


@pytest.fixture
def rsa_keys(keys_dir):
    record = keys_dir.store.current("rsa")
    return keys_dir.store.private_key(record), record.public_key


@pytest.fixture
def token(credential, rsa_keys):
    return sign_jwt(credential, private_key=rsa_keys[0], kid=KID)


def rs256(private_key: rsa.RSAPrivateKey, header: dict, payload: dict) -> str:
    """A token signed by hand, for attacks the library would refuse to produce."""
    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


# What Laurel writes


def test_sign_jwt_header_is_exactly_alg_kid_typ(token):
    header, _ = read_jwt(token)
    assert header == {"alg": "RS256", "kid": KID, "typ": "JWT"}


def test_sign_jwt_payload_is_credential_plus_claims(token, credential):
    _, payload = read_jwt(token)
    assert {
        k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf", "sub", "exp")
    } == credential
    assert payload["iss"] == "did:web:laurel.test"
    assert payload["jti"] == credential["id"]
    assert payload["sub"] == credential["credentialSubject"]["id"]
    assert payload["nbf"] == int(datetime(2026, 11, 23, 10, 0, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime(2031, 11, 23, 10, 0, tzinfo=UTC).timestamp())
    assert "vc" not in payload


def test_sign_jwt_without_valid_until_has_no_exp(rsa_keys):
    credential = sample_credential(valid_until=None)
    _, payload = read_jwt(sign_jwt(credential, private_key=rsa_keys[0], kid=KID))
    assert "exp" not in payload


def test_sign_jwt_does_not_mutate_credential(credential, rsa_keys):
    before = json.dumps(credential, sort_keys=True)
    sign_jwt(credential, private_key=rsa_keys[0], kid=KID)
    assert json.dumps(credential, sort_keys=True) == before


def test_verify_jwt_round_trip_returns_credential(token, credential, rsa_keys):
    assert verify_jwt(token, public_key=rsa_keys[1], algorithm="RS256") == credential


def test_verify_jwt_es256_round_trip(credential):
    private = ec.generate_private_key(ec.SECP256R1())
    token = sign_jwt(credential, private_key=private, kid="did:web:laurel.test#ec-1", alg="ES256")
    assert read_jwt(token)[0]["alg"] == "ES256"
    assert verify_jwt(token, public_key=private.public_key(), algorithm="ES256") == credential


def test_verify_jwt_without_typ_accepted(credential, rsa_keys):
    private, public = rsa_keys
    _, payload = read_jwt(sign_jwt(credential, private_key=private, kid=KID))
    token = rs256(private, {"alg": "RS256", "kid": KID}, payload)
    assert verify_jwt(token, public_key=public, algorithm="RS256") == credential


def test_verify_jwt_valid_from_with_fraction_matches_whole_second_nbf(rsa_keys):
    credential = sample_credential()
    credential["validFrom"] = "2026-11-23T10:00:00.750Z"
    token = sign_jwt(credential, private_key=rsa_keys[0], kid=KID)
    assert verify_jwt(token, public_key=rsa_keys[1], algorithm="RS256") == credential


# Inputs Laurel refuses to sign


def test_sign_jwt_subject_without_id_raises_inputerror(credential, rsa_keys):
    subject = {k: v for k, v in credential["credentialSubject"].items() if k != "id"}
    with pytest.raises(InputError, match="credentialSubject.id"):
        sign_jwt({**credential, "credentialSubject": subject}, private_key=rsa_keys[0], kid=KID)


def test_sign_jwt_credential_with_jti_property_raises_inputerror(credential, rsa_keys):
    with pytest.raises(InputError, match="jti"):
        sign_jwt({**credential, "jti": "x"}, private_key=rsa_keys[0], kid=KID)


def test_sign_jwt_key_not_fitting_algorithm_raises_prooferror(credential, rsa_keys):
    with pytest.raises(ProofError, match="does not fit"):
        sign_jwt(credential, private_key=rsa_keys[0], kid=KID, alg="ES256")
    with pytest.raises(ProofError, match="not accepted"):
        sign_jwt(credential, private_key=rsa_keys[0], kid=KID, alg="HS256")


# Attacks: each one named


def test_verify_jwt_attack_alg_none_rejected(token, rsa_keys):
    header, payload = read_jwt(token)
    forged = f"{segment({**header, 'alg': 'none'})}.{segment(payload)}."
    with pytest.raises(ProofError, match="'none'"):
        verify_jwt(forged, public_key=rsa_keys[1], algorithm="RS256")


def test_verify_jwt_attack_hs256_with_rsa_public_key_as_secret_rejected(token, rsa_keys):
    """Algorithm confusion (CVE-2022-29217): an HMAC made with the public PEM as the secret."""
    header, payload = read_jwt(token)
    pem = rsa_keys[1].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{segment({**header, 'alg': 'HS256'})}.{segment(payload)}"
    mac = hmac.new(pem, signing_input.encode("ascii"), hashlib.sha256).digest()
    forged = f"{signing_input}.{b64(mac)}"
    with pytest.raises(ProofError, match="HS256"):
        verify_jwt(forged, public_key=rsa_keys[1], algorithm="RS256")


def test_verify_jwt_attack_hs256_algorithm_from_caller_refused(token, rsa_keys):
    with pytest.raises(ProofError, match="not accepted"):
        verify_jwt(token, public_key=rsa_keys[1], algorithm="HS256")


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"crit": ["b64"], "b64": False},
        {"cty": "vc"},
    ],
)
def test_verify_jwt_attack_extra_header_rejected(credential, rsa_keys, extra):
    private, public = rsa_keys
    _, payload = read_jwt(sign_jwt(credential, private_key=private, kid=KID))
    token = rs256(private, {"alg": "RS256", "kid": KID, "typ": "JWT", **extra}, payload)
    with pytest.raises(ProofError, match="forbids"):
        verify_jwt(token, public_key=public, algorithm="RS256")


def test_verify_jwt_attack_jwk_header_with_private_key_rejected(credential, rsa_keys):
    private, public = rsa_keys
    _, payload = read_jwt(sign_jwt(credential, private_key=private, kid=KID))
    token = rs256(
        private, {"alg": "RS256", "typ": "JWT", "jwk": {"kty": "RSA", "d": "AA"}}, payload
    )
    with pytest.raises(ProofError, match="private key"):
        verify_jwt(token, public_key=public, algorithm="RS256")


def test_verify_jwt_typ_other_than_jwt_rejected(credential, rsa_keys):
    private, public = rsa_keys
    _, payload = read_jwt(sign_jwt(credential, private_key=private, kid=KID))
    token = rs256(private, {"alg": "RS256", "kid": KID, "typ": "vc+jwt"}, payload)
    with pytest.raises(ProofError, match="'vc\\+jwt'"):
        verify_jwt(token, public_key=public, algorithm="RS256")


def test_verify_jwt_attack_tampered_payload_rejected(token, rsa_keys):
    header_part, _, signature = token.split(".")
    _, payload = read_jwt(token)
    payload["credentialSubject"]["achievement"]["name"] = "Something never earned"
    forged = f"{header_part}.{segment(payload)}.{signature}"
    with pytest.raises(ProofError, match="signature does not verify"):
        verify_jwt(forged, public_key=rsa_keys[1], algorithm="RS256")


def test_verify_jwt_attack_wrong_key_rejected(token):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(ProofError, match="signature does not verify"):
        verify_jwt(token, public_key=other, algorithm="RS256")


def test_verify_jwt_attack_ec_key_for_rs256_rejected(token):
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    with pytest.raises(ProofError, match="does not fit"):
        verify_jwt(token, public_key=other, algorithm="RS256")


@pytest.mark.parametrize("cut", [10, 40, 200, -5])
def test_verify_jwt_attack_truncated_token_rejected(token, rsa_keys, cut):
    with pytest.raises(ProofError):
        verify_jwt(token[:cut], public_key=rsa_keys[1], algorithm="RS256")


@pytest.mark.parametrize(
    "claim, value",
    [
        ("iss", "did:web:attacker.example"),
        ("jti", "urn:uuid:00000000-0000-4000-8000-999999999999"),
        ("sub", "urn:uuid:someone-else"),
        ("nbf", 0),
        ("exp", 4102444800),
    ],
)
def test_verify_jwt_claim_disagreeing_with_credential_rejected(credential, rsa_keys, claim, value):
    private, public = rsa_keys
    header, payload = read_jwt(sign_jwt(credential, private_key=private, kid=KID))
    token = rs256(private, header, {**payload, claim: value})
    with pytest.raises(ProofError, match=f"claim '{claim}'"):
        verify_jwt(token, public_key=public, algorithm="RS256")


def test_verify_jwt_missing_exp_while_valid_until_set_rejected(credential, rsa_keys):
    private, public = rsa_keys
    header, payload = read_jwt(sign_jwt(credential, private_key=private, kid=KID))
    del payload["exp"]
    with pytest.raises(ProofError, match="claim 'exp'"):
        verify_jwt(rs256(private, header, payload), public_key=public, algorithm="RS256")


def test_verify_jwt_expired_credential_still_verifies(rsa_keys):
    """Dates are the pipeline's check (with its own clock), not a signature failure."""
    credential = sample_credential(
        valid_from=datetime(2019, 1, 1, tzinfo=UTC), valid_until=datetime(2020, 1, 1, tzinfo=UTC)
    )
    token = sign_jwt(credential, private_key=rsa_keys[0], kid=KID)
    assert verify_jwt(token, public_key=rsa_keys[1], algorithm="RS256") == credential


# Reading without verifying


@pytest.mark.parametrize(
    "token, message",
    [
        ("", "three base64url parts"),
        ("abc.def", "three base64url parts"),
        ("a.b.c.d", "three base64url parts"),
        ("a b.c.d", "three base64url parts"),
        ("!!!.e30.", "three base64url parts"),
        ("e30.eyJhIjo.", "payload is not base64url-encoded JSON"),
        ("W10.e30.", "header is not a JSON object"),
        ("e30.WzFd.", "payload is not a JSON object"),
    ],
)
def test_read_jwt_malformed_raises_inputerror(token, message):
    with pytest.raises(InputError, match=message):
        read_jwt(token)


def test_read_jwt_duplicate_member_names_rejected():
    header = b64(b'{"alg":"RS256","alg":"none"}')
    with pytest.raises(InputError, match="header"):
        read_jwt(f"{header}.e30.")


def test_read_jwt_deeply_nested_payload_raises_inputerror():
    """100,000 nested arrays exhaust the JSON parser's recursion: a sentence, not a crash."""
    depth = 100_000
    payload = b64(("[" * depth + "]" * depth).encode())
    with pytest.raises(InputError, match=r"^The JWT payload is nested too deeply to be read"):
        read_jwt(f"e30.{payload}.")


def test_read_jwt_not_text_raises_inputerror():
    with pytest.raises(InputError, match="text"):
        read_jwt(b"e30.e30.")


def test_read_jwt_surrounding_whitespace_ignored(token):
    assert read_jwt(f"  {token}\n") == read_jwt(token)
