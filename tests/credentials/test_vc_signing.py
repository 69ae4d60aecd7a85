"""Signing plain W3C credentials: did:key issuers, VC 1.1 input, proof sets and chains."""

from __future__ import annotations

import pytest

from app.credentials.did import did_key_verification_method
from app.credentials.did import public_key_from_did_key
from app.credentials.errors import InputError
from app.credentials.errors import ProofError
from app.credentials.errors import UnknownContextError
from app.credentials.proofs.data_integrity import CRYPTOSUITES
from app.credentials.proofs.data_integrity import JCS
from app.credentials.proofs.data_integrity import proof_list
from app.credentials.proofs.data_integrity import verify_proof
from app.credentials.signing import current_signing_key
from app.credentials.signing import sign_document
from app.credentials.vc import CHAIN
from app.credentials.vc import sign_vc
from app.credentials.vcdm import DATA_INTEGRITY_CONTEXT
from tests.credentials.samples import NOW
from tests.credentials.vc_samples import V1
from tests.credentials.vc_samples import did_key_signer
from tests.credentials.vc_samples import plain_credential
from tests.credentials.vc_samples import v1_credential

ISSUER = did_key_signer(1)
ENDORSER = did_key_signer(2)


def _sign(document, signer=ISSUER, **options):
    return sign_vc(
        document,
        private_key=signer.private_key,
        verification_method=signer.verification_method,
        now=NOW,
        **options,
    ).document


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_did_key_issuer_signs_plain_credential(suite: str) -> None:
    signed = _sign(plain_credential(ISSUER.did), cryptosuite=suite)
    (proof,) = proof_list(signed)
    assert proof["verificationMethod"] == f"{ISSUER.did}#{ISSUER.did.removeprefix('did:key:')}"
    assert proof["cryptosuite"] == suite and proof["proofPurpose"] == "assertionMethod"
    assert proof["id"].startswith("urn:uuid:")
    assert ("@context" in proof) is (suite == JCS)
    verify_proof(signed, proof, public_key=public_key_from_did_key(proof["verificationMethod"]))


def test_v1_credential_gets_data_integrity_context() -> None:
    signed = _sign(v1_credential(ISSUER.did))
    assert signed["@context"] == [V1, DATA_INTEGRITY_CONTEXT]
    verify_proof(signed, signed["proof"][0], public_key=ISSUER.private_key.public_key())


def test_v1_credential_with_data_integrity_context_keeps_it_once() -> None:
    document = {**v1_credential(ISSUER.did), "@context": [V1, DATA_INTEGRITY_CONTEXT]}
    assert _sign(document)["@context"] == [V1, DATA_INTEGRITY_CONTEXT]


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_proof_set_each_proof_signs_document_alone(suite: str) -> None:
    first = _sign(plain_credential(ISSUER.did), cryptosuite=suite)
    both = _sign(first, ENDORSER, cryptosuite=suite)
    issuer_proof, endorser_proof = proof_list(both)
    assert "previousProof" not in endorser_proof
    verify_proof(both, issuer_proof, public_key=ISSUER.private_key.public_key())
    verify_proof(both, endorser_proof, public_key=ENDORSER.private_key.public_key())
    # A member of a set can be removed and the other still verifies.
    alone = {**both, "proof": [endorser_proof]}
    verify_proof(alone, endorser_proof, public_key=ENDORSER.private_key.public_key())


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_proof_chain_signs_previous_proof(suite: str) -> None:
    first = _sign(plain_credential(ISSUER.did), cryptosuite=suite)
    chained = _sign(first, ENDORSER, cryptosuite=suite, mode=CHAIN)
    issuer_proof, endorser_proof = proof_list(chained)
    assert endorser_proof["previousProof"] == issuer_proof["id"]
    verify_proof(chained, issuer_proof, public_key=ISSUER.private_key.public_key())
    verify_proof(chained, endorser_proof, public_key=ENDORSER.private_key.public_key())
    # The chained proof covers its predecessor: changing it breaks the chain.
    altered = {**issuer_proof, "created": "2020-01-01T00:00:00Z"}
    tampered = {**chained, "proof": [altered, endorser_proof]}
    with pytest.raises(ProofError, match="does not match"):
        verify_proof(tampered, endorser_proof, public_key=ENDORSER.private_key.public_key())
    # Without its predecessor it cannot be checked at all.
    with pytest.raises(ProofError, match="previous proof"):
        verify_proof(
            {**chained, "proof": [endorser_proof]},
            endorser_proof,
            public_key=ENDORSER.private_key.public_key(),
        )


def test_chain_of_three_names_every_earlier_proof() -> None:
    chained = _sign(_sign(_sign(plain_credential(ISSUER.did)), ENDORSER, mode=CHAIN), mode=CHAIN)
    first, second, third = proof_list(chained)
    assert third["previousProof"] == [first["id"], second["id"]]
    verify_proof(chained, third, public_key=ISSUER.private_key.public_key())


def test_chain_needs_a_previous_proof_with_id() -> None:
    with pytest.raises(InputError, match="needs an existing proof"):
        _sign(plain_credential(ISSUER.did), mode=CHAIN)
    signed = _sign(plain_credential(ISSUER.did))
    without_id = {k: v for k, v in signed["proof"][0].items() if k != "id"}
    with pytest.raises(InputError, match="has no id"):
        _sign({**signed, "proof": [without_id]}, ENDORSER, mode=CHAIN)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "Unknown cryptosuite"),
        ({"mode": "tree"}, "Unknown proof mode"),
    ],
    ids=["unknown-suite", "unknown-mode"],
)
def test_bad_signing_options_refused(options: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        _sign(plain_credential(ISSUER.did), **options)


def test_unknown_context_refused_for_rdfc() -> None:
    document = plain_credential(ISSUER.did)
    document["@context"] = [*document["@context"], "https://example.com/unknown/v1"]
    with pytest.raises(UnknownContextError):
        _sign(document)


def test_sign_document_names_given_verification_method(keys_dir) -> None:
    """The key store's key signs for a did:key issuer made from it."""
    record, _private_key = current_signing_key(keys_dir.store)
    method = did_key_verification_method(record.public_key)
    issuer = method.partition("#")[0]
    signed = sign_document(
        plain_credential(issuer), keystore=keys_dir.store, now=NOW, verification_method=method
    )
    assert signed["proof"][0]["verificationMethod"] == method
    verify_proof(signed, signed["proof"][0], public_key=public_key_from_did_key(method))
    default = sign_document(
        plain_credential("did:web:school.example"), keystore=keys_dir.store, now=NOW
    )
    assert default["proof"][0]["verificationMethod"] == f"did:web:school.example#{record.fragment}"
