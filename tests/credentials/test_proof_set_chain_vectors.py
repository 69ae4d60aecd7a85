"""The W3C proof set and proof chain vectors: verified, and re-signed byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.errors import ProofError
from app.credentials.keys import public_key_from_multikey
from app.credentials.proofs.data_integrity import add_proof
from app.credentials.proofs.data_integrity import proof_list
from app.credentials.proofs.data_integrity import verify_proof

FOLDER = Path(__file__).parent / "vectors" / "w3c_vc_di_eddsa_proof_set_chain"


def _read(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FOLDER / name).read_text(encoding="utf-8"))
    return document


def _private_keys() -> dict[str, Ed25519PrivateKey]:
    """Private keys by their public Multikey."""
    pairs = _read("multiKeyPairs.json").values()
    return {
        pair["publicKeyMultibase"]: Ed25519PrivateKey.from_private_bytes(
            base58.b58decode(pair["privateKeyMultibase"][1:])[2:]
        )
        for pair in pairs
    }


def _key_of(proof: dict[str, Any]) -> str:
    return str(proof["verificationMethod"]).partition("#")[2]


@pytest.mark.parametrize("name", ["signedProofSet1.json", "signedProofChain2.json"])
def test_every_proof_verifies(name: str) -> None:
    document = _read(name)
    for proof in proof_list(document):
        verify_proof(document, proof, public_key=public_key_from_multikey(_key_of(proof)))


def test_chain_resigned_byte_for_byte() -> None:
    """Each proof, signed again in order with the same key and options, is the same proof."""
    expected = _read("signedProofChain2.json")
    keys = _private_keys()
    document = {key: value for key, value in expected.items() if key != "proof"}
    for proof in proof_list(expected):
        document = add_proof(
            document,
            private_key=keys[_key_of(proof)],
            verification_method=proof["verificationMethod"],
            created=proof["created"],
            proof_id=proof.get("id"),
            previous_proof=proof.get("previousProof"),
        )
        assert document["proof"][-1] == proof
    assert document["proof"] == expected["proof"]


def test_chain_member_fails_when_a_previous_proof_changes() -> None:
    document = _read("signedProofChain2.json")
    first, second, third, fourth = proof_list(document)
    changed = {
        **document,
        "proof": [first, {**second, "created": "2023-02-25T00:00:00Z"}, third, fourth],
    }
    with pytest.raises(ProofError, match="does not match"):
        verify_proof(changed, third, public_key=public_key_from_multikey(_key_of(third)))
    # The members of the set do not cover each other: the first still verifies.
    verify_proof(changed, first, public_key=public_key_from_multikey(_key_of(first)))
