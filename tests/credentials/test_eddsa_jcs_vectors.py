"""The official W3C eddsa-jcs-2022 test vectors, reproduced byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import base58
import pytest

from app.credentials.errors import ProofError
from app.credentials.proofs.data_integrity import JCS
from app.credentials.proofs.data_integrity import add_proof
from app.credentials.proofs.data_integrity import canonical_jcs
from app.credentials.proofs.data_integrity import verify_proof
from tests.credentials.vc_samples import w3c_vector_signer

JCS_VECTORS = Path(__file__).parent / "vectors" / "w3c_vc_di_eddsa_jcs_2022"
SIGNER = w3c_vector_signer()


def _text(name: str) -> str:
    return (JCS_VECTORS / name).read_text(encoding="utf-8")


def _signed(name: str) -> dict[str, Any]:
    signed: dict[str, Any] = json.loads(_text(name))
    return signed


def _unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in signed.items() if key != "proof"}


def test_key_pair_is_the_vectors_did_key() -> None:
    assert SIGNER.did == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def test_canonical_document_and_hashes_match() -> None:
    document = canonical_jcs(_unsigned(_signed("signedJCS.json")))
    assert document.decode("utf-8") == _text("canonDocJCS.txt")
    assert hashlib.sha256(document).hexdigest() == _text("docHashJCS.txt")
    proof = _signed("signedJCS.json")["proof"]
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    assert hashlib.sha256(canonical_jcs(options)).hexdigest() == _text("proofHashJCS.txt")


@pytest.mark.parametrize("name", ["signedJCS.json", "signedJCS-proof-context.json"])
def test_vector_verifies(name: str) -> None:
    signed = _signed(name)
    verify_proof(signed, signed["proof"], public_key=SIGNER.private_key.public_key())


@pytest.mark.parametrize("name", ["signedJCS.json", "signedJCS-proof-context.json"])
def test_vector_tampered_fails(name: str) -> None:
    signed = _signed(name)
    signed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(ProofError):
        verify_proof(signed, signed["proof"], public_key=SIGNER.private_key.public_key())


def test_signing_reproduces_the_vector_with_proof_context() -> None:
    """Laurel signs as the current specification says: the proof carries the @context.
    Ed25519 is deterministic, so the same key and options give the very same proof."""
    expected = _signed("signedJCS-proof-context.json")
    options = expected["proof"]
    signed = add_proof(
        _unsigned(expected),
        private_key=SIGNER.private_key,
        verification_method=options["verificationMethod"],
        created=options["created"],
        cryptosuite=JCS,
    )
    proof = signed["proof"][0]
    assert proof == options
    assert list(proof) == list(options)
    signature = base58.b58decode(proof["proofValue"][1:])
    assert signature.hex() == _text("sigHexJCS-proof-context.txt")


def test_proof_context_must_prefix_document_context() -> None:
    signed = _signed("signedJCS-proof-context.json")
    signed["@context"] = list(reversed(signed["@context"]))
    with pytest.raises(ProofError, match="does not start with the proof's @context"):
        verify_proof(signed, signed["proof"], public_key=SIGNER.private_key.public_key())


def test_older_vector_signature_bytes() -> None:
    signed = _signed("signedJCS.json")
    assert signed["proof"]["proofValue"] == _text("sigBTC58JCS.txt")
