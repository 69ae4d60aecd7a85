"""Tests for building OpenBadgeCredential documents."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from app.credentials.document import OB_CONTEXT
from app.credentials.document import SubjectData
from app.credentials.document import format_datetime
from app.credentials.document import hash_identity
from app.credentials.errors import InputError
from app.credentials.rdfc import check_safe
from app.credentials.schema import validate_credential

from .samples import NOW
from .samples import sample_achievement
from .samples import sample_credential


def test_hash_identity_spec_example_matches() -> None:
    assert hash_identity("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_format_datetime_other_zone_converted_to_utc_without_fraction() -> None:
    moment = datetime(2026, 11, 23, 11, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime(moment) == "2026-11-23T10:00:00Z"


def test_format_datetime_naive_raises_input_error() -> None:
    with pytest.raises(InputError):
        format_datetime(datetime(2026, 11, 23, 10, 0))


def test_build_credential_full_sample_has_standard_shape() -> None:
    credential = sample_credential()
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        OB_CONTEXT,
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["type"] == ["Profile"]
    assert credential["issuer"]["image"] == {
        "id": "https://laurel.test/static/school.png",
        "type": "Image",
    }
    assert credential["validFrom"] == credential["awardedDate"] == "2026-11-23T10:00:00Z"
    assert credential["validUntil"] == "2031-11-23T10:00:00Z"
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    [description] = achievement["resultDescription"]
    assert description["resultType"] == "RubricCriterionLevel"
    assert [level["name"] for level in description["rubricCriterionLevel"]] == [
        "Developing",
        "Proficient",
        "Mastery",
    ]
    assert subject["result"] == [
        {
            "type": ["Result"],
            "resultDescription": description["id"],
            "achievedLevel": description["rubricCriterionLevel"][1]["id"],
        }
    ]
    assert achievement["alignment"][1] == {
        "type": ["Alignment"],
        "targetName": "Workshop safety",
        "targetUrl": "https://standards.example/cte/SAF.1",
    }
    assert [item["type"] for item in credential["evidence"]] == [["Evidence"], ["Evidence"]]
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert credential["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"


def test_build_credential_email_is_hashed_never_plain() -> None:
    credential = sample_credential(7)
    [identifier] = credential["credentialSubject"]["identifier"]
    expected = hashlib.sha256(b"student7@riverside.example" + b"salt-00000007-4f9a2c").hexdigest()
    assert identifier == {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": "sha256$" + expected,
        "salt": "salt-00000007-4f9a2c",
    }
    text = json.dumps(credential).lower()
    assert "student7@riverside.example" not in text


def test_build_credential_never_contains_jti_endorsement_jwt_or_empty_values() -> None:
    def walk(node: object) -> None:
        if isinstance(node, dict):
            assert "jti" not in node and "endorsementJwt" not in node
            for value in node.values():
                assert value not in (None, [], {}, "")
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(sample_credential())
    walk(
        sample_credential(achieved_level_id=None, evidence=(), status_entries=(), valid_until=None)
    )


def test_build_credential_minimal_omits_optional_parts() -> None:
    credential = sample_credential(
        achievement=sample_achievement(rubric=False),
        achieved_level_id=None,
        evidence=(),
        status_entries=(),
        valid_until=None,
        subject=SubjectData(id="urn:uuid:1b7e0000-0000-4000-8000-000000000001"),
    )
    for absent in ("evidence", "credentialStatus", "validUntil"):
        assert absent not in credential
    subject = credential["credentialSubject"]
    assert "identifier" not in subject and "result" not in subject
    assert "resultDescription" not in subject["achievement"]
    validate_credential(credential)
    check_safe(credential)


@pytest.mark.parametrize("number", range(4))
def test_build_credential_output_passes_both_schema_families_and_safe_mode(number: int) -> None:
    credential = sample_credential(number)
    validate_credential(credential)
    check_safe(credential)


def test_build_credential_unknown_achieved_level_raises_input_error() -> None:
    with pytest.raises(InputError, match="achieved level"):
        sample_credential(achieved_level_id="urn:uuid:not-a-level")


def test_build_credential_email_without_salt_raises_input_error() -> None:
    with pytest.raises(InputError, match="salt"):
        sample_credential(subject=SubjectData(id="urn:uuid:x", email="a@example.com"))


def test_build_credential_two_status_entries_raises_input_error() -> None:
    entry = sample_credential()["credentialStatus"]
    with pytest.raises(InputError, match="only one status entry"):
        sample_credential(status_entries=(entry, {**entry, "statusPurpose": "suspension"}))


def test_build_credential_reissue_keeps_awarded_date() -> None:
    credential = sample_credential(valid_from=NOW + timedelta(days=400), awarded_date=NOW)
    assert credential["awardedDate"] == "2026-11-23T10:00:00Z"
    assert credential["validFrom"] == "2027-12-28T10:00:00Z"
