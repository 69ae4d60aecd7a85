"""The official eddsa-rdfc-2022 test vectors, reproduced byte for byte."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.loader import DocumentLoader
from app.credentials.loader import bundled_loader
from app.credentials.proofs.eddsa_rdfc_2022 import add_proof
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.rdfc import canonize

VECTORS = Path(__file__).parent / "vectors"
W3C = VECTORS / "w3c_vc_di_eddsa_rdfc_2022"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _examples_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """The bundled loader plus W3C's examples context, for the W3C vector only."""
    if url == EXAMPLES_CONTEXT:
        document = json.loads(_read(W3C / "credentials-examples-v2.jsonld"))
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}
    return bundled_loader(url, options)


@dataclass(frozen=True)
class Vector:
    name: str
    unsigned: dict[str, Any]
    signed: dict[str, Any]
    options: dict[str, Any]
    private_key: Ed25519PrivateKey
    document_canon: str
    proof_canon: str
    document_hash: str
    proof_hash: str
    proof_value: str
    loader: DocumentLoader


def _onebadge_vector(folder: str) -> Vector:
    path = VECTORS / folder
    values = json.loads(_read(path / "vector.json"))
    seed = bytes.fromhex(values["privateKeyHex_seed_plus_public"])[:32]
    return Vector(
        name=folder,
        unsigned=json.loads(_read(path / "credential_unsigned.json")),
        signed=json.loads(_read(path / "credential_signed.json")),
        options=values["proofOptions"],
        private_key=Ed25519PrivateKey.from_private_bytes(seed),
        document_canon=_read(path / "document-canon.txt"),
        proof_canon=_read(path / "proof-canon.txt"),
        document_hash=values["documentCanonSha256"],
        proof_hash=values["proofCanonSha256"],
        proof_value=values["proofValue"],
        loader=bundled_loader,
    )


def _w3c_vector() -> Vector:
    key_pair = json.loads(_read(W3C / "keyPair.json"))
    secret = base58.b58decode(key_pair["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"
    options = json.loads(_read(W3C / "proofConfigDataInt.json"))
    del options["@context"]
    return Vector(
        name="w3c_vc_di_eddsa_rdfc_2022",
        unsigned=json.loads(_read(W3C / "unsigned.json")),
        signed=json.loads(_read(W3C / "signedDataInt.json")),
        options=options,
        private_key=Ed25519PrivateKey.from_private_bytes(secret[2:]),
        document_canon=_read(W3C / "canonDocDataInt.txt"),
        proof_canon=_read(W3C / "proofCanonDataInt.txt"),
        document_hash=_read(W3C / "docHashDataInt.txt").strip(),
        proof_hash=_read(W3C / "proofHashDataInt.txt").strip(),
        proof_value=_read(W3C / "sigBTC58DataInt.txt").strip(),
        loader=_examples_loader,
    )


VECTOR_LIST = [
    _onebadge_vector("eddsa_rdfc_2022_ob_v3p0"),
    _onebadge_vector("eddsa_rdfc_2022_clr_v2p0"),
    _w3c_vector(),
]


def _ids(vector: Vector) -> str:
    return vector.name


@pytest.mark.parametrize("vector", VECTOR_LIST, ids=_ids)
def test_canonize_vector_document_matches_byte_for_byte(vector: Vector) -> None:
    canonical = canonize(vector.unsigned, loader=vector.loader)
    assert canonical == vector.document_canon
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == vector.document_hash


@pytest.mark.parametrize("vector", VECTOR_LIST, ids=_ids)
def test_canonize_vector_proof_config_matches_byte_for_byte(vector: Vector) -> None:
    config = {**vector.options, "@context": vector.unsigned["@context"]}
    canonical = canonize(config, loader=vector.loader)
    assert canonical == vector.proof_canon
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == vector.proof_hash


@pytest.mark.parametrize("vector", VECTOR_LIST, ids=_ids)
def test_add_proof_vector_key_reproduces_proof_value(vector: Vector) -> None:
    signed = add_proof(
        vector.unsigned,
        private_key=vector.private_key,
        verification_method=vector.options["verificationMethod"],
        created=vector.options["created"],
        loader=vector.loader,
    )
    [proof] = signed["proof"]
    assert proof["proofValue"] == vector.proof_value
    assert {key: value for key, value in proof.items() if key != "proofValue"} == vector.options
    assert "proof" not in vector.unsigned


@pytest.mark.parametrize("vector", VECTOR_LIST, ids=_ids)
def test_verify_proof_official_signed_document_passes(vector: Vector) -> None:
    proofs = vector.signed["proof"]
    proof = proofs[0] if isinstance(proofs, list) else proofs
    verify_proof(
        vector.signed, proof, public_key=vector.private_key.public_key(), loader=vector.loader
    )
