"""Tests for signing credentials with the key store (DI proof first, then the VC-JWT)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.credentials.document import SubjectData
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import ProofError
from app.credentials.errors import SchemaError
from app.credentials.proofs import vc_jwt
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.signing import sign_credential
from app.credentials.signing import sign_document

from .samples import ISSUER_ID
from .samples import NOW
from .samples import sample_credential


def _ed25519_public(keys_dir: Any) -> Any:
    return keys_dir.store.current("ed25519").public_key


def test_sign_credential_both_formats_verify(keys_dir: Any) -> None:
    unsigned = sample_credential(3)
    signed = sign_credential(unsigned, keystore=keys_dir.store, now=NOW)
    [proof] = signed.document["proof"]
    record = keys_dir.store.current("ed25519")
    assert proof["verificationMethod"] == f"{ISSUER_ID}#{record.fragment}"
    assert proof["created"] == "2026-11-23T10:00:00Z"
    verify_proof(signed.document, proof, public_key=record.public_key)
    assert signed.json_text == json.dumps(signed.document, ensure_ascii=False, indent=2)
    assert json.loads(signed.json_text) == signed.document
    assert "proof" not in unsigned

    assert signed.jwt is not None
    header, _ = vc_jwt.read_jwt(signed.jwt)
    rsa_record = keys_dir.store.current("rsa")
    assert header == {"alg": "RS256", "kid": f"{ISSUER_ID}#{rsa_record.fragment}", "typ": "JWT"}
    inside = vc_jwt.verify_jwt(signed.jwt, public_key=rsa_record.public_key, algorithm="RS256")
    assert inside == signed.document


def test_sign_credential_di_only_has_no_jwt(keys_dir: Any) -> None:
    signed = sign_credential(
        sample_credential(4), keystore=keys_dir.store, now=NOW, formats=("di",)
    )
    assert signed.jwt is None
    verify_proof(signed.document, signed.document["proof"][0], public_key=_ed25519_public(keys_dir))


def test_sign_credential_tampered_after_signing_fails_verification(keys_dir: Any) -> None:
    signed = sign_credential(
        sample_credential(5), keystore=keys_dir.store, now=NOW, formats=("di",)
    )
    tampered = copy.deepcopy(signed.document)
    tampered["credentialSubject"]["achievement"]["name"] = "A badge never earned"
    with pytest.raises(ProofError):
        verify_proof(tampered, tampered["proof"][0], public_key=_ed25519_public(keys_dir))


def test_sign_credential_undefined_term_refused_naming_it(keys_dir: Any) -> None:
    unsigned = sample_credential()
    unsigned["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(DroppedTermError, match="favouriteColour"):
        sign_credential(unsigned, keystore=keys_dir.store, now=NOW)


def test_sign_credential_schema_failure_refused(keys_dir: Any) -> None:
    unsigned = sample_credential()
    del unsigned["credentialSubject"]["achievement"]["description"]
    with pytest.raises(SchemaError) as caught:
        sign_credential(unsigned, keystore=keys_dir.store, now=NOW, formats=("di",))
    assert (
        "credentialSubject.achievement: 'description' is a required property" in caught.value.errors
    )


def test_sign_credential_jwt_without_subject_id_raises_input_error(keys_dir: Any) -> None:
    unsigned = sample_credential()
    del unsigned["credentialSubject"]["id"]
    with pytest.raises(InputError, match="credentialSubject.id"):
        sign_credential(unsigned, keystore=keys_dir.store, now=NOW)
    signed = sign_credential(unsigned, keystore=keys_dir.store, now=NOW, formats=("di",))
    assert signed.jwt is None


def test_sign_credential_unknown_format_raises_input_error(keys_dir: Any) -> None:
    with pytest.raises(InputError, match="Unknown signature formats"):
        sign_credential(sample_credential(), keystore=keys_dir.store, now=NOW, formats=("ldp",))


def test_sign_document_status_list_like_document_signed(keys_dir: Any) -> None:
    """Does sign_document sign a non-OB document (here a BitstringStatusListCredential)?"""
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://laurel.test/status/revocation/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER_ID,
        "validFrom": "2026-11-23T10:00:00Z",
        "credentialSubject": {
            "id": "https://laurel.test/status/revocation/1#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        },
    }
    signed = sign_document(document, keystore=keys_dir.store, now=NOW)
    verify_proof(signed, signed["proof"][0], public_key=_ed25519_public(keys_dir))


def test_sign_credential_subject_without_email_signs(keys_dir: Any) -> None:
    unsigned = sample_credential(
        subject=SubjectData(id="did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
    )
    signed = sign_credential(unsigned, keystore=keys_dir.store, now=NOW)
    assert "identifier" not in signed.document["credentialSubject"]
