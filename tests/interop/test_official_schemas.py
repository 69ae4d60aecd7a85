"""Every kind of credential Laurel issues validates against 1EdTech's official JSON Schemas.

Checked twice: with Laurel's schema module (which remembers passes per shape),
and here independently, straight from the bundled schema files with jsonschema's
Draft 2019-09 validator and format checking on (RFC 3339 `date-time` and `date`,
as 1EdTech's validator checks them).
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from datetime import datetime
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft201909Validator
from jsonschema import FormatChecker
from referencing import Registry
from referencing import Resource

from app.credentials.document import EvidenceData
from app.credentials.loader import STANDARDS_DIR
from app.credentials.schema import validate_credential
from tests.credentials.samples import sample_achievement
from tests.credentials.samples import sample_credential
from tests.fixtures.keys import KeysDir

from .issuer import signed_learner_record
from .issuer import signed_sample

SCHEMA_BASE = "https://purl.imsglobal.org/spec/"
OB_SCHEMAS = [
    SCHEMA_BASE + "ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    SCHEMA_BASE + "ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json",
]
CLR_SCHEMA = SCHEMA_BASE + "clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
_RFC3339_DATE = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_RFC3339_DATE_TIME = re.compile(
    _RFC3339_DATE
    + r"[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)

format_checker = FormatChecker(["date", "email"])


@format_checker.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_RFC3339_DATE_TIME.match(value))


@cache
def _official_validator(url: str) -> Draft201909Validator:
    """A validator built from the bundled files alone (index.json), not Laurel's loader."""
    index = json.loads((STANDARDS_DIR / "index.json").read_text(encoding="utf-8"))
    schemas = {
        entry["url"]: json.loads((STANDARDS_DIR / entry["path"]).read_text(encoding="utf-8"))
        for entry in index["entries"]
        if entry["kind"].startswith("json-schema")
    }
    registry: Registry[Any] = Registry().with_resources(
        (schema_url, Resource.from_contents(schema)) for schema_url, schema in schemas.items()
    )
    return Draft201909Validator(schemas[url], registry=registry, format_checker=format_checker)


def _official_errors(document: dict[str, Any], url: str) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in _official_validator(url).iter_errors(document)
    ]


def _laurel_credentials() -> dict[str, dict[str, Any]]:
    """One of each shape Laurel issues."""
    plain = sample_achievement(31, rubric=False)
    return {
        "full": sample_credential(30),
        "no rubric, no result": sample_credential(31, achievement=plain, achieved_level_id=None),
        "no status, no expiry": sample_credential(32, status_entries=(), valid_until=None),
        "no evidence": sample_credential(33, evidence=()),
        "many evidence items": sample_credential(
            34,
            evidence=tuple(
                EvidenceData(
                    f"https://laurel.test/evidence/e{item}", f"Item {item}", narrative="Done."
                )
                for item in range(25)
            ),
        ),
        "re-issued (earlier awardedDate)": sample_credential(
            35, awarded_date=datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
        ),
        "difficult text": sample_credential(
            36, name='Zoë\'s "quoted" \\ badge\nline two — 日本語 🎓'
        ),
    }


@pytest.mark.parametrize("shape", list(_laurel_credentials()))
@pytest.mark.parametrize("schema_url", OB_SCHEMAS, ids=["current", "strict-2024"])
def test_unsigned_credential_valid_against_official_schema(shape: str, schema_url: str) -> None:
    document = _laurel_credentials()[shape]

    validate_credential(document)
    assert _official_errors(document, schema_url) == []


@pytest.mark.parametrize("schema_url", OB_SCHEMAS, ids=["current", "strict-2024"])
def test_signed_credential_valid_against_official_schema(
    keys_dir: KeysDir, schema_url: str
) -> None:
    signed = signed_sample(keys_dir.store, 37)

    validate_credential(signed.document)
    assert _official_errors(signed.document, schema_url) == []
    assert _official_errors(json.loads(signed.json_text), schema_url) == []


def test_learner_record_and_its_credentials_valid_against_official_schemas(
    keys_dir: KeysDir,
) -> None:
    record = signed_learner_record(keys_dir.store)

    validate_credential(record)
    assert _official_errors(record, CLR_SCHEMA) == []
    for credential in record["credentialSubject"]["verifiableCredential"]:
        for schema_url in OB_SCHEMAS:
            assert _official_errors(credential, schema_url) == []


def test_official_validator_rejects_what_the_schema_forbids() -> None:
    """The independent check can fail: a bad date and a missing issuer are reported."""
    document = sample_credential(38)
    document["validFrom"] = "23/11/2026"
    del document["issuer"]

    errors = _official_errors(document, OB_SCHEMAS[1])

    assert any(error.startswith("validFrom:") for error in errors), errors
    assert any("'issuer' is a required property" in error for error in errors), errors
