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


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("validFrom", "2026-11-23T10:00:00"),
        ("validFrom", "2026-11-23 10:00:00Z"),
        ("validFrom", "2026-02-30T10:00:00Z"),
        ("validFrom", "2026-11-23T24:00:00Z"),
        ("validFrom", "2026-11-23t10:00:00z"),
        ("validFrom", "2026-11-23T10:00:00+15:00"),
        ("validFrom", "2026-11-23T10:00:00Z\n"),
        ("validFrom", "２０２６-11-23T10:00:00Z"),
        ("awardedDate", "2026-13-01T00:00:00Z"),
        ("validUntil", "2031-11-23"),
    ],
)
def test_validate_credential_malformed_date_time_lists_readable_error(
    field: str, value: str
) -> None:
    credential = sample_credential(1)
    credential[field] = value
    with pytest.raises(SchemaError) as caught:
        validate_credential(credential)
    expected = (
        f"{field}: {value!r} is not a valid date and time with a time zone, "
        "like 2026-11-23T10:00:00Z"
    )
    assert expected in caught.value.errors
    assert str(caught.value).endswith(expected)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-23T10:00:00Z",
        "2026-11-23T10:00:00.125Z",
        "2026-11-23T10:00:00+01:00",
        "2026-11-23T10:00:00-14:00",
        "2028-02-29T00:00:00Z",
    ],
)
def test_validate_credential_well_formed_date_time_passes(value: str) -> None:
    credential = sample_credential(1)
    credential["validFrom"] = value
    validate_credential(credential)


def test_validate_credential_remembered_pass_does_not_hide_bad_date() -> None:
    """A pass remembered for a shape must not let through the same shape with a bad date."""
    good = sample_credential(2)
    validate_credential(good)
    validate_credential(good)
    bad = sample_credential(2)
    bad["awardedDate"] = "2026-13-01T00:00:00Z"
    with pytest.raises(SchemaError, match="awardedDate"):
        validate_credential(bad)
    other_good = sample_credential(2)
    other_good["awardedDate"] = "2025-06-01T08:30:00+02:00"
    validate_credential(other_good)


def test_validate_credential_malformed_full_date_lists_readable_error() -> None:
    """A `format: date` value (an identity's date) is checked too: a real calendar day."""
    credential = sample_credential(1)
    credential["credentialSubject"]["achievement"]["creator"] = {
        "id": "https://hillside.example/profile",
        "type": ["Profile"],
        "dateOfBirth": "2010-02-30",
    }
    with pytest.raises(SchemaError) as caught:
        validate_credential(credential)
    assert any(
        "'2010-02-30' is not a valid date, like 2026-11-23" in error
        for error in caught.value.errors
    ), caught.value.errors
