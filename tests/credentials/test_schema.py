"""Tests for JSON Schema validation against the bundled 1EdTech schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.credentials.errors import SchemaError
from app.credentials.schema import CLR_SCHEMAS
from app.credentials.schema import OB_SCHEMAS
from app.credentials.schema import schemas_for
from app.credentials.schema import validate_credential

from .samples import sample_credential

VECTORS = Path(__file__).parent / "vectors"
EXAMPLES = sorted((VECTORS / "ob_v3p0_examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_validate_credential_official_examples_pass(path: Path) -> None:
    validate_credential(json.loads(path.read_text(encoding="utf-8")))


def test_validate_credential_clr_vector_passes() -> None:
    document = json.loads((VECTORS / "eddsa_rdfc_2022_clr_v2p0" / "credential_signed.json").read_text())
    assert schemas_for(document) == list(CLR_SCHEMAS)
    validate_credential(document)


def test_schemas_for_ob_credential_uses_both_families() -> None:
    assert schemas_for(sample_credential()) == list(OB_SCHEMAS)


def test_validate_credential_missing_name_lists_readable_error() -> None:
    credential = sample_credential()
    del credential["credentialSubject"]["achievement"]["name"]
    with pytest.raises(SchemaError) as caught:
        validate_credential(credential)
    assert "credentialSubject.achievement: 'name' is a required property" in caught.value.errors


def test_validate_credential_single_proof_object_fails_strict_family_only() -> None:
    """Is a compacted single proof object refused by the strict schema, as the brief says?"""
    credential = sample_credential()
    credential["proof"] = {
        "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod", "verificationMethod": "did:web:laurel.test#key-1",
        "proofValue": "z1",
    }
    with pytest.raises(SchemaError) as caught:
        validate_credential(credential)
    assert any(error.startswith("proof") for error in caught.value.errors)
    credential["proof"] = [credential["proof"]]
    validate_credential(credential)


def test_validate_credential_status_list_array_rejected() -> None:
    credential = sample_credential()
    credential["credentialStatus"] = [credential["credentialStatus"]]
    with pytest.raises(SchemaError):
        validate_credential(credential)


def test_validate_credential_unknown_type_raises_schema_error() -> None:
    with pytest.raises(SchemaError, match="no JSON Schema"):
        validate_credential({"type": ["VerifiableCredential", "BitstringStatusListCredential"]})
