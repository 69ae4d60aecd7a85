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
    document = json.loads(
        (VECTORS / "eddsa_rdfc_2022_clr_v2p0" / "credential_signed.json").read_text()
    )
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
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "verificationMethod": "did:web:laurel.test#key-1",
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


def _uncached_errors(document: dict[str, object]) -> list[str]:
    from app.credentials.schema import _validator

    return [
        error.message
        for url in schemas_for(document)
        for error in _validator(url).iter_errors(document)
    ]


def test_validate_credential_remembered_pass_equals_full_validation() -> None:
    """Does remembering passes per shape never let a document through that fails?"""
    import random

    rng = random.Random(11)
    choices: dict[str, list[object]] = {
        "achievementType": ["Badge", "Competency", "ext:Robotics", "NotAType", "ext:", 7],
        "resultType": ["RubricCriterionLevel", "LetterGrade", "Grade"],
        "identityType": ["emailAddress", "sisSourcedId", "email"],
        "name": ["Small engines", "", 3, None, ["a"]],
        "targetUrl": ["https://x.example", "not a url", {"en": "https://x.example"}],
        "inLanguage": ["en", "en-GB", "english", {"en": "fr"}],
    }

    def vary(node: object, key: str | None) -> object:
        if isinstance(node, dict):
            return {k: vary(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [vary(item, key) for item in node]
        if key in choices and rng.random() < 0.12:
            return rng.choice(choices[key])
        return node

    outcomes = []
    for number in range(60):
        document = vary(sample_credential(number % 3), None)
        assert isinstance(document, dict)
        if rng.random() < 0.3:
            document["credentialSubject"]["achievement"]["inLanguage"] = rng.choice(
                choices["inLanguage"]
            )
        expected_ok = not _uncached_errors(document)
        for _ in range(2):
            try:
                validate_credential(document)
                ok = True
            except SchemaError:
                ok = False
            assert ok == expected_ok, (number, document)
        outcomes.append(expected_ok)
    assert 10 < sum(outcomes) < 50
