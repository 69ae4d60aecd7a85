"""Tests for the Comprehensive Learner Record (ClrCredential) builder."""

from __future__ import annotations

from typing import Any

import pytest

from app.credentials.clr import CLR_CONTEXT
from app.credentials.clr import build_clr
from app.credentials.errors import InputError
from app.credentials.errors import ProofError
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.schema import validate_credential
from app.credentials.signing import sign_credential
from app.credentials.signing import sign_document

from .samples import NOW
from .samples import SCHOOL
from .samples import sample_credential


def _learner_record(keys_dir: Any, count: int = 2) -> dict[str, Any]:
    credentials = [
        sign_credential(
            sample_credential(number), keystore=keys_dir.store, now=NOW, formats=("di",)
        ).document
        for number in range(count)
    ]
    subject = {"id": credentials[0]["credentialSubject"]["id"]}
    from app.credentials.document import SubjectData

    return build_clr(
        clr_id="urn:uuid:c1a0c1a0-0000-4000-8000-000000000001",
        issuer=SCHOOL,
        subject=SubjectData(id=subject["id"], email="Student0@Riverside.example", salt="clr-salt"),
        credentials=credentials,
        valid_from=NOW,
        name="Learner record",
    )


def test_build_clr_shape_and_schema(keys_dir: Any) -> None:
    record = _learner_record(keys_dir)
    assert record["@context"][:3] == [
        "https://www.w3.org/ns/credentials/v2",
        CLR_CONTEXT,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert all(len(credential["proof"]) == 1 for credential in subject["verifiableCredential"])
    validate_credential(record)


def test_build_clr_round_trip_signed_and_every_layer_verifies(keys_dir: Any) -> None:
    record = _learner_record(keys_dir)
    signed = sign_document(record, keystore=keys_dir.store, now=NOW)
    public_key = keys_dir.store.current("ed25519").public_key
    verify_proof(signed, signed["proof"][0], public_key=public_key)
    for credential in signed["credentialSubject"]["verifiableCredential"]:
        verify_proof(credential, credential["proof"][0], public_key=public_key)
    validate_credential(signed)


def test_build_clr_tampered_embedded_credential_breaks_outer_proof(keys_dir: Any) -> None:
    signed = sign_document(_learner_record(keys_dir), keystore=keys_dir.store, now=NOW)
    signed["credentialSubject"]["verifiableCredential"][1]["name"] = "Something else"
    with pytest.raises(ProofError):
        verify_proof(
            signed, signed["proof"][0], public_key=keys_dir.store.current("ed25519").public_key
        )


def test_build_clr_embedded_credentials_are_copies(keys_dir: Any) -> None:
    credential = sign_credential(
        sample_credential(), keystore=keys_dir.store, now=NOW, formats=("di",)
    ).document
    from app.credentials.document import SubjectData

    record = build_clr(
        clr_id="urn:uuid:c1a0",
        issuer=SCHOOL,
        subject=SubjectData(id="urn:uuid:learner"),
        credentials=[credential],
        valid_from=NOW,
        name="Record",
    )
    record["credentialSubject"]["verifiableCredential"][0]["name"] = "changed"
    assert credential["name"] != "changed"


def test_build_clr_without_credentials_raises_input_error() -> None:
    from app.credentials.document import SubjectData

    with pytest.raises(InputError):
        build_clr(
            clr_id="urn:uuid:x",
            issuer=SCHOOL,
            subject=SubjectData(id="urn:uuid:y"),
            credentials=[],
            valid_from=NOW,
            name="Empty",
        )


def test_build_clr_fast_canonicalization_equals_full(keys_dir: Any) -> None:
    """Do templates stay exact with embedded proofs (named graphs) in the record?"""
    from app.credentials.rdfc import canonize

    for count in (1, 2, 2):
        signed = sign_document(_learner_record(keys_dir, count), keystore=keys_dir.store, now=NOW)
        assert canonize(signed) == canonize(signed, fast=False)


def _record_with(associations: list[Any]) -> dict[str, Any]:
    from app.credentials.document import SubjectData

    from .samples import sample_achievement

    credential = sample_credential(0)
    return build_clr(
        clr_id="urn:uuid:c1a0c1a0-0000-4000-8000-000000000002",
        issuer=SCHOOL,
        subject=SubjectData(id=credential["credentialSubject"]["id"]),
        credentials=[credential],
        valid_from=NOW,
        name="Learner record",
        achievements=[sample_achievement()],
        associations=associations,
    )


def test_build_clr_with_pathway_achievement_and_associations() -> None:
    from app.credentials.clr import AssociationData

    badge = sample_credential(0)["credentialSubject"]["achievement"]["id"]
    record = _record_with([AssociationData("isPartOf", badge, "https://school.example/p")])
    subject = record["credentialSubject"]
    assert subject["association"] == [
        {
            "type": "Association",
            "associationType": "isPartOf",
            "sourceId": badge,
            "targetId": "https://school.example/p",
        }
    ]
    assert subject["achievement"][0]["type"] == ["Achievement"]
    validate_credential(record)


def test_build_clr_unknown_association_type_refused() -> None:
    from app.credentials.clr import AssociationData

    with pytest.raises(InputError, match="Unknown association type: follows"):
        _record_with([AssociationData("follows", "urn:a", "urn:b")])
