"""Laurel's VC engine against Digital Bazaar's libraries, both ways: plain credentials with
eddsa-rdfc-2022 and eddsa-jcs-2022, did:key issuers, VC 1.1, proof sets, presentations."""

from __future__ import annotations

from typing import Any

import pytest

from app.credentials.proofs.data_integrity import CRYPTOSUITES
from app.credentials.vc import sign_presentation
from app.credentials.vc import sign_vc
from app.verify.core.pipeline import verify_document
from app.verify.core.presentation import verify_presentation
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import NOW
from tests.credentials.vc_samples import V2
from tests.credentials.vc_samples import did_key_signer
from tests.credentials.vc_samples import plain_credential
from tests.credentials.vc_samples import v1_credential
from tests.fixtures.node import NodeScripts

ISSUER = did_key_signer(21)
ENDORSER = did_key_signer(22)
HOLDER = did_key_signer(23)
RESOLVER = build_resolver(fetcher=None)
DB_NOW = "2026-11-23T10:00:00Z"


def _sign(document: dict[str, Any], signer=ISSUER, **options: Any) -> dict[str, Any]:
    return sign_vc(
        document,
        private_key=signer.private_key,
        verification_method=signer.verification_method,
        now=NOW,
        **options,
    ).document


def _db_verify(node_scripts: NodeScripts, credential: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = node_scripts.run(
        "verify-di", {"credential": credential, "now": DB_NOW}
    )
    return result


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_laurel_plain_credential_verified_by_digital_bazaar(
    node_scripts: NodeScripts, suite: str
) -> None:
    result = _db_verify(node_scripts, _sign(plain_credential(ISSUER.did), cryptosuite=suite))
    assert result["verified"], result["error"]


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_laurel_tampered_credential_rejected_by_digital_bazaar(
    node_scripts: NodeScripts, suite: str
) -> None:
    signed = _sign(plain_credential(ISSUER.did), cryptosuite=suite)
    signed["credentialSubject"]["alumniOf"] = "Another School"
    assert not _db_verify(node_scripts, signed)["verified"]


def test_laurel_v1_credential_verified_by_digital_bazaar(node_scripts: NodeScripts) -> None:
    result = _db_verify(node_scripts, _sign(v1_credential(ISSUER.did)))
    assert result["verified"], result["error"]


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_laurel_proof_set_verified_by_digital_bazaar(node_scripts: NodeScripts, suite: str) -> None:
    signed = _sign(_sign(plain_credential(ISSUER.did), cryptosuite=suite), ENDORSER)
    result = _db_verify(node_scripts, signed)
    assert result["verified"], result["error"]


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_laurel_presentation_verified_by_digital_bazaar(
    node_scripts: NodeScripts, suite: str
) -> None:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": HOLDER.did,
        "verifiableCredential": [_sign(plain_credential(ISSUER.did), cryptosuite=suite)],
    }
    signed = sign_presentation(
        presentation,
        private_key=HOLDER.private_key,
        verification_method=HOLDER.verification_method,
        now=NOW,
        challenge="c-42",
        domain="verifier.example",
        cryptosuite=suite,
    ).document
    payload = {"presentation": signed, "challenge": "c-42", "domain": "verifier.example"}
    result = node_scripts.run("verify-di", {**payload, "now": DB_NOW})
    assert result["verified"], result
    wrong = node_scripts.run("verify-di", {**payload, "challenge": "other", "now": DB_NOW})
    assert not wrong["verified"]


def _db_issue(node_scripts: NodeScripts, payload: dict[str, Any]) -> dict[str, Any]:
    signed: dict[str, Any] = node_scripts.run("issue-di", {**payload, "created": DB_NOW})
    return signed


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_digital_bazaar_credential_valid_in_laurel(node_scripts: NodeScripts, suite: str) -> None:
    signed = _db_issue(
        node_scripts, {"credential": plain_credential("did:example:x"), "cryptosuite": suite}
    )
    assert signed["proof"]["cryptosuite"] == suite
    report = verify_document(signed, resolver=RESOLVER, now=NOW)
    assert report.valid, [check.message for check in report.checks]
    signed["credentialSubject"]["alumniOf"] = "Another School"
    assert not verify_document(signed, resolver=RESOLVER, now=NOW).valid


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_digital_bazaar_presentation_verified_by_laurel(
    node_scripts: NodeScripts, suite: str
) -> None:
    signed = _db_issue(
        node_scripts,
        {
            "presentation": {"@context": [V2], "type": ["VerifiablePresentation"]},
            "credentials": [plain_credential("did:example:x")],
            "challenge": "c-7",
            "domain": "laurel.example",
            "cryptosuite": suite,
        },
    )
    report = verify_presentation(
        signed, resolver=RESOLVER, now=NOW, challenge="c-7", domain="laurel.example"
    )
    assert report.verified, report.to_json()
    other = verify_presentation(
        signed, resolver=RESOLVER, now=NOW, challenge="c-8", domain="laurel.example"
    )
    assert not other.verified
