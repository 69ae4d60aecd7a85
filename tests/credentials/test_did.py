"""did:web from the public URL, the DID document, the JWKS, and did:key."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.did import build_did_document
from app.credentials.did import build_jwks
from app.credentials.did import did_document_json
from app.credentials.did import did_web_document_url
from app.credentials.did import did_web_from_url
from app.credentials.did import public_key_from_did_key
from app.credentials.errors import InputError
from app.credentials.errors import KeyResolutionError
from app.credentials.keys import KeyRecord
from app.credentials.keys import multikey_from_public_key
from app.credentials.keys import public_key_from_jwk
from app.credentials.keys import public_key_from_multikey
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.proofs.vc_jwt import read_jwt
from app.credentials.proofs.vc_jwt import verify_jwt
from app.credentials.signing import sign_credential
from tests.credentials.samples import sample_credential

DID = "did:web:laurel.test"
VECTOR_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def ed25519_records(count: int) -> list[KeyRecord]:
    return [
        KeyRecord(
            kind="ed25519",
            number=n,
            created=f"{2025 + n}-08-01T00:00:00Z",
            current=n == count,
            public_key=Ed25519PrivateKey.generate().public_key(),
        )
        for n in range(1, count + 1)
    ]


# did:web


@pytest.mark.parametrize(
    "url, did",
    [
        ("https://laurel.test", "did:web:laurel.test"),
        ("https://laurel.test/", "did:web:laurel.test"),
        ("https://Badges.School.Example", "did:web:badges.school.example"),
        ("https://school.example/badges", "did:web:school.example:badges"),
        ("https://school.example/district/north/", "did:web:school.example:district:north"),
        ("https://school.example:8443/badges", "did:web:school.example%3A8443:badges"),
        ("http://127.0.0.1:5000", "did:web:127.0.0.1%3A5000"),
    ],
)
def test_did_web_from_url_host_port_and_path(url, did):
    assert did_web_from_url(url) == did


@pytest.mark.parametrize(
    "url",
    [
        "ftp://school.example",
        "school.example",
        "https://",
        "https://a.test/?x=1",
        "https://u@a.test",
        "https://a.test:99999",
    ],
)
def test_did_web_from_url_unusable_url_raises_inputerror(url):
    with pytest.raises(InputError):
        did_web_from_url(url)


@pytest.mark.parametrize(
    "did, url",
    [
        ("did:web:laurel.test", "https://laurel.test/.well-known/did.json"),
        ("did:web:laurel.test#key-1", "https://laurel.test/.well-known/did.json"),
        ("did:web:school.example:district:north", "https://school.example/district/north/did.json"),
        (
            "did:web:school.example%3A8443:badges#key-2",
            "https://school.example:8443/badges/did.json",
        ),
    ],
)
def test_did_web_document_url_well_known_or_path(did, url):
    assert did_web_document_url(did) == url


def test_did_web_document_url_http_scheme_for_development():
    did = did_web_from_url("http://127.0.0.1:5000")
    assert did_web_document_url(did, scheme="http") == "http://127.0.0.1:5000/.well-known/did.json"


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:evil.example%2F@internal",
        "did:web:school.example:..:secret",
        "did:web:school.example:a%2Fb",
        "did:web:school.example::x",
        "did:web:exa mple.test",
    ],
)
def test_did_web_document_url_malformed_raises_keyresolutionerror(did):
    with pytest.raises(KeyResolutionError):
        did_web_document_url(did)


# DID document


def test_build_did_document_every_key_as_absolute_multikey():
    records = ed25519_records(2)
    document = build_did_document(DID, records)
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == DID
    assert document["verificationMethod"] == [
        {
            "id": f"{DID}#key-{r.number}",
            "type": "Multikey",
            "controller": DID,
            "publicKeyMultibase": multikey_from_public_key(r.public_key),
        }
        for r in records
    ]
    assert document["assertionMethod"] == [f"{DID}#key-1", f"{DID}#key-2"]
    assert all(m["publicKeyMultibase"].startswith("z6Mk") for m in document["verificationMethod"])


def rsa_records(count: int) -> list[KeyRecord]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072).public_key()
    return [
        KeyRecord(
            kind="rsa",
            number=n,
            created=f"{2025 + n}-08-01T00:00:00Z",
            current=n == count,
            public_key=key,
        )
        for n in range(1, count + 1)
    ]


def test_build_did_document_rsa_key_as_json_web_key(keys_dir):
    """Does the VC-JWT's kid (did:web:…#rsa-1) name a method of the DID document itself?"""
    document = build_did_document(DID, keys_dir.store.records())
    assert document["@context"][-1] == "https://w3id.org/security/jwk/v1"
    assert document["assertionMethod"] == [f"{DID}#key-1", f"{DID}#rsa-1"]
    method = document["verificationMethod"][-1]
    assert (method["id"], method["type"], method["controller"]) == (
        f"{DID}#rsa-1",
        "JsonWebKey",
        DID,
    )
    assert "d" not in method["publicKeyJwk"] and method["publicKeyJwk"]["kid"] == f"{DID}#rsa-1"
    assert public_key_from_jwk(method["publicKeyJwk"]).public_numbers() == (
        keys_dir.store.current("rsa").public_key.public_numbers()
    )


@pytest.mark.parametrize(
    ("years", "rsa_listed"),
    [
        (10, ["rsa-10", "rsa-9", "rsa-8", "rsa-7", "rsa-6", "rsa-5"]),
        (28, ["rsa-28"]),
        (30, []),
    ],
)
def test_build_did_document_rsa_keys_newest_first_within_8_kb(years, rsa_listed):
    """Every Ed25519 key stays; RSA keys are added newest first while the 8 KB allow.

    With a 40-character DID and both keys rotated yearly, the newest RSA key is in
    the document for 28 years; past that, its kid is found in the JWKS only.
    """
    issuer = did_web_from_url("https://badges.riverside-schools.example")
    document = build_did_document(issuer, ed25519_records(years) + rsa_records(years))
    assert len(did_document_json(document).encode("utf-8")) <= 8 * 1024
    fragments = [m["id"].split("#")[1] for m in document["verificationMethod"]]
    assert fragments == [f"key-{n}" for n in range(1, years + 1)] + rsa_listed
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]


def test_build_did_document_a_few_keys_list_every_rsa_key():
    document = build_did_document(DID, ed25519_records(3) + rsa_records(3))
    assert [m["id"].split("#")[1] for m in document["verificationMethod"]] == [
        "key-1",
        "key-2",
        "key-3",
        "rsa-3",
        "rsa-2",
        "rsa-1",
    ]


def test_build_did_document_thirty_keys_under_8_kb():
    """Thirty years of yearly rotation stay under the 8 KB a common resolver accepts.

    Each key repeats the DID three times (id, controller, assertionMethod): with
    json.dumps' default separators this holds for DIDs up to 41 characters
    (did:web: + a 33-character host), 44 when served compact.
    """
    issuer = did_web_from_url("https://badges.riverside-schools.example")
    assert len(issuer) == 40
    document = build_did_document(issuer, ed25519_records(30))
    assert len(document["verificationMethod"]) == 30
    assert len(json.dumps(document).encode("utf-8")) < 8 * 1024


# JWKS


def test_build_jwks_every_rsa_key_with_kid_alg_use(keys_dir):
    jwks = build_jwks(DID, keys_dir.store.records())
    (key,) = jwks["keys"]
    assert (key["kid"], key["alg"], key["use"], key["kty"]) == (
        f"{DID}#rsa-1",
        "RS256",
        "sig",
        "RSA",
    )
    assert "d" not in key
    rsa_public = keys_dir.store.current("rsa").public_key
    assert public_key_from_jwk(key).public_numbers() == rsa_public.public_numbers()


# did:key


def test_public_key_from_did_key_with_and_without_fragment():
    for did_url in (f"did:key:{VECTOR_MULTIKEY}", f"did:key:{VECTOR_MULTIKEY}#{VECTOR_MULTIKEY}"):
        key = public_key_from_did_key(did_url)
        assert multikey_from_public_key(key) == VECTOR_MULTIKEY


@pytest.mark.parametrize(
    "did_url, message",
    [
        ("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "not hold an Ed25519"),
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "not hold an Ed25519"),
        (f"did:key:{VECTOR_MULTIKEY}#z6MkotherKey", "does not name the key"),
        (f"did:web:{VECTOR_MULTIKEY}", "not a did:key"),
        ("did:key:z6Mk0OIl", "base58btc"),
    ],
)
def test_public_key_from_did_key_unusable_raises_keyresolutionerror(did_url, message):
    with pytest.raises(KeyResolutionError, match=message):
        public_key_from_did_key(did_url)


# End to end: what is published resolves what was signed


def test_published_keys_verify_credential_signed_by_keystore(keys_dir, now):
    """The DID document and JWKS name and hold exactly the keys that sign Laurel's credentials."""
    signed = sign_credential(sample_credential(), keystore=keys_dir.store, now=now)
    records = keys_dir.store.records()
    (proof,) = signed.document["proof"]
    methods = {m["id"]: m for m in build_did_document(DID, records)["verificationMethod"]}
    method = methods[proof["verificationMethod"]]
    assert method["controller"] == signed.document["issuer"]["id"] == DID
    verify_proof(
        signed.document, proof, public_key=public_key_from_multikey(method["publicKeyMultibase"])
    )
    header, _ = read_jwt(signed.jwt)
    jwk = {k["kid"]: k for k in build_jwks(DID, records)["keys"]}[header["kid"]]
    credential = verify_jwt(signed.jwt, public_key=public_key_from_jwk(jwk), algorithm=jwk["alg"])
    assert credential == signed.document
