"""Verifying plain W3C credentials and presentations: no OB schema, proof sets and chains, VPs."""

from __future__ import annotations

import json

import pytest

from app.credentials.proofs.data_integrity import CRYPTOSUITES
from app.credentials.proofs.data_integrity import proof_list
from app.credentials.vc import CHAIN
from app.credentials.vc import sign_presentation
from app.credentials.vc import sign_vc
from app.verify.core.pipeline import verify
from app.verify.core.pipeline import verify_document
from app.verify.core.presentation import verify_presentation
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from app.verify.core.trust import TrustEntry
from tests.credentials.samples import NOW
from tests.credentials.vc_samples import V2
from tests.credentials.vc_samples import did_key_signer
from tests.credentials.vc_samples import plain_credential
from tests.credentials.vc_samples import v1_credential

ISSUER = did_key_signer(11)
ENDORSER = did_key_signer(12)
HOLDER = did_key_signer(13)
RESOLVER = build_resolver(fetcher=None)


def _sign(document, signer=ISSUER, **options):
    return sign_vc(
        document,
        private_key=signer.private_key,
        verification_method=signer.verification_method,
        now=NOW,
        **options,
    ).document


def _verify(credential, **options):
    return verify_document(credential, resolver=RESOLVER, now=NOW, **options)


def _failed(report):
    return [check.message for check in report.checks if check.outcome is Outcome.FAILED]


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_plain_credential_valid_without_ob_schema(suite: str) -> None:
    report = _verify(_sign(plain_credential(ISSUER.did), cryptosuite=suite))
    assert report.valid, _failed(report)
    assert report.verdict is Verdict.UNKNOWN_ISSUER  # a did:key no one vouches for
    assert "schema" not in [check.name for check in report.checks]


def test_plain_credential_verified_when_issuer_trusted() -> None:
    signed = _sign(plain_credential(ISSUER.did))
    report = verify(
        json.dumps(signed),
        resolver=RESOLVER,
        now=NOW,
        trusted=[TrustEntry(ISSUER.did, "Example University")],
    )
    assert report.verdict is Verdict.VERIFIED and report.valid


def test_v1_credential_valid() -> None:
    report = _verify(_sign(v1_credential(ISSUER.did)))
    assert report.valid, _failed(report)


def test_tampered_plain_credential_not_valid() -> None:
    signed = _sign(plain_credential(ISSUER.did))
    signed["credentialSubject"]["alumniOf"] = "Another School"
    report = _verify(signed)
    assert not report.valid and report.verdict is Verdict.NOT_VERIFIED


def test_signed_credential_breaking_data_model_not_valid() -> None:
    signed = _sign(plain_credential(ISSUER.did, validUntil="2030-01-01T00:00:00Z"))
    signed["validUntil"] = "2022-01-01T00:00:00Z"  # the signature breaks too; the rule is named
    report = _verify(signed)
    assert any("valid-from-before-valid-until" in message for message in _failed(report))


@pytest.mark.parametrize("mode", ["set", CHAIN])
def test_second_proof_by_another_party_accepted(mode: str) -> None:
    signed = _sign(_sign(plain_credential(ISSUER.did)), ENDORSER, mode=mode)
    report = _verify(signed)
    assert report.valid, _failed(report)
    assert len([c for c in report.checks if c.name == "proof" and c.outcome is Outcome.PASSED]) == 2


def test_only_other_parties_proofs_not_valid() -> None:
    signed = _sign(_sign(plain_credential(ISSUER.did), ENDORSER), did_key_signer(14))
    report = _verify(signed)
    assert not report.valid
    assert any("No proof is the issuer's" in message for message in _failed(report))


def test_broken_chain_not_valid() -> None:
    chained = _sign(_sign(plain_credential(ISSUER.did)), ENDORSER, mode=CHAIN)
    first, second = proof_list(chained)
    report = _verify({**chained, "proof": [{**first, "created": "2020-01-01T00:00:00Z"}, second]})
    assert not report.valid


def test_one_bad_proof_in_set_not_valid() -> None:
    signed = _sign(_sign(plain_credential(ISSUER.did)), ENDORSER)
    first, second = proof_list(signed)
    report = _verify({**signed, "proof": [first, {**second, "proofValue": first["proofValue"]}]})
    assert not report.valid


def _presentation(*credentials, holder=HOLDER.did):
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": list(credentials),
    }
    if holder is not None:
        presentation["holder"] = holder
    return presentation


def _present(presentation, signer=HOLDER, **options):
    return sign_presentation(
        presentation,
        private_key=signer.private_key,
        verification_method=signer.verification_method,
        now=NOW,
        **options,
    ).document


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_presentation_verified_with_challenge_and_domain(suite: str) -> None:
    credential = _sign(plain_credential(ISSUER.did))
    presented = _present(
        _presentation(credential), challenge="abc123", domain="verifier.example", cryptosuite=suite
    )
    proof = presented["proof"][0]
    assert proof["proofPurpose"] == "authentication"
    assert (proof["challenge"], proof["domain"]) == ("abc123", "verifier.example")
    report = verify_presentation(
        presented, resolver=RESOLVER, now=NOW, challenge="abc123", domain="verifier.example"
    )
    assert report.verified, report.to_json()
    assert len(report.credentials) == 1 and report.credentials[0].valid


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"challenge": "other"}, "another challenge"),
        ({"domain": "elsewhere.example"}, "another domain"),
    ],
    ids=["wrong-challenge", "wrong-domain"],
)
def test_presentation_for_another_verifier_rejected(options, message) -> None:
    presented = _present(
        _presentation(_sign(plain_credential(ISSUER.did))),
        challenge="abc123",
        domain="verifier.example",
    )
    expected = {"challenge": "abc123", "domain": "verifier.example", **options}
    report = verify_presentation(presented, resolver=RESOLVER, now=NOW, **expected)
    assert not report.verified
    assert any(message in check.message for check in report.checks)


def test_presentation_signed_by_someone_else_than_holder_rejected() -> None:
    presented = _present(_presentation(_sign(plain_credential(ISSUER.did))), signer=ENDORSER)
    report = verify_presentation(presented, resolver=RESOLVER, now=NOW)
    assert not report.verified
    assert any("not to the holder" in check.message for check in report.checks)


def test_presentation_with_tampered_credential_rejected() -> None:
    credential = _sign(plain_credential(ISSUER.did))
    credential["credentialSubject"]["alumniOf"] = "Another School"
    presented = _present(_presentation(credential), challenge="c")
    report = verify_presentation(presented, resolver=RESOLVER, now=NOW, challenge="c")
    assert not report.verified
    assert all(check.outcome is Outcome.PASSED for check in report.checks)
    assert not report.credentials[0].valid


def test_presentation_without_proof_or_with_assertion_proof_rejected() -> None:
    unsigned = _presentation(_sign(plain_credential(ISSUER.did)))
    assert not verify_presentation(unsigned, resolver=RESOLVER, now=NOW).verified
    # A credential's assertion proof is not a presentation's authentication proof.
    credential_proof = _sign(plain_credential(ISSUER.did))["proof"]
    asserted = {**unsigned, "holder": ISSUER.did, "proof": credential_proof}
    report = verify_presentation(asserted, resolver=RESOLVER, now=NOW)
    assert not report.verified
    assert any("not 'authentication'" in check.message for check in report.checks)


def test_presentation_without_holder_any_key_may_sign() -> None:
    presented = _present(_presentation(_sign(plain_credential(ISSUER.did)), holder=None))
    assert verify_presentation(presented, resolver=RESOLVER, now=NOW).verified
