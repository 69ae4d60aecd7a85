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


# --- tampering and malformed proofs ------------------------------------------------------

OB_VECTOR = VECTOR_LIST[0]


def _signed_ob() -> dict[str, Any]:
    return add_proof(
        OB_VECTOR.unsigned,
        private_key=OB_VECTOR.private_key,
        verification_method=OB_VECTOR.options["verificationMethod"],
        created=OB_VECTOR.options["created"],
    )


def _verify(document: dict[str, Any], proof: dict[str, Any] | None = None) -> None:
    verify_proof(
        document,
        proof if proof is not None else document["proof"][0],
        public_key=OB_VECTOR.private_key.public_key(),
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.__setitem__("name", "Teamwork Badge!"),
        lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Leadership"),
        lambda d: d.__setitem__("validFrom", "2010-01-01T00:00:01Z"),
        lambda d: d["credentialSubject"].__setitem__("id", "did:example:someone-else"),
        lambda d: d["issuer"].__setitem__("id", "https://example.edu/issuers/1"),
    ],
    ids=["name", "achievement-name", "valid-from", "subject", "issuer"],
)
def test_verify_proof_tampered_value_raises_proof_error(tamper: Any) -> None:
    import copy

    from app.credentials.errors import ProofError

    signed = _signed_ob()
    _verify(signed)
    tampered = copy.deepcopy(signed)
    tamper(tampered)
    with pytest.raises(ProofError, match="does not match"):
        _verify(tampered)


def test_verify_proof_other_key_raises_proof_error() -> None:
    from app.credentials.errors import ProofError

    signed = _signed_ob()
    with pytest.raises(ProofError):
        verify_proof(
            signed, signed["proof"][0], public_key=Ed25519PrivateKey.generate().public_key()
        )


def test_verify_proof_tampered_created_raises_proof_error() -> None:
    from app.credentials.errors import ProofError

    signed = _signed_ob()
    proof = {**signed["proof"][0], "created": "2011-01-01T19:23:24Z"}
    with pytest.raises(ProofError, match="does not match"):
        _verify(signed, proof)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("type", "Ed25519Signature2020", "proof type"),
        ("cryptosuite", "eddsa-rdf-2022", "cryptosuite"),
        ("cryptosuite", "ecdsa-rdfc-2019", "cryptosuite"),
        ("proofPurpose", "authentication", "proof purpose"),
        ("created", "2010-01-01 19:23:24", "creation time"),
        ("created", "2010-01-01T19:23:24", "creation time"),
        ("proofValue", "u5x9aCBYov", "base58btc multibase"),
        ("proofValue", "z0OIl", "not valid base58btc"),
        ("proofValue", "z5x9aCBYovW3CQCb", "64-byte"),
        ("verificationMethod", "", "verification method"),
    ],
)
def test_verify_proof_malformed_proof_raises_proof_error(
    field: str, value: str, message: str
) -> None:
    from app.credentials.errors import ProofError

    signed = _signed_ob()
    proof = {**signed["proof"][0], field: value}
    with pytest.raises(ProofError, match=message):
        _verify(signed, proof)


def test_add_proof_bad_created_raises_proof_error() -> None:
    from app.credentials.errors import ProofError

    with pytest.raises(ProofError, match="creation time"):
        add_proof(
            OB_VECTOR.unsigned,
            private_key=OB_VECTOR.private_key,
            verification_method="did:web:laurel.test#key-1",
            created="yesterday",
        )


def test_add_proof_second_proof_appended_and_both_verify() -> None:
    """Does a proof set keep the first proof, and does each proof sign the proof-less document?"""
    other_key = Ed25519PrivateKey.generate()
    first = _signed_ob()
    both = add_proof(
        first,
        private_key=other_key,
        verification_method="did:web:laurel.test#key-2",
        created="2026-11-23T10:00:00Z",
    )
    assert len(both["proof"]) == 2 and both["proof"][0] == first["proof"][0]
    assert len(first["proof"]) == 1
    _verify(both, both["proof"][0])
    verify_proof(both, both["proof"][1], public_key=other_key.public_key())


def test_verify_proof_fast_and_full_paths_agree_on_the_vector() -> None:
    """Is the signature from the template path the one full canonicalization gives?"""
    canonize(OB_VECTOR.unsigned)
    assert canonize(OB_VECTOR.unsigned) == canonize(OB_VECTOR.unsigned, fast=False)
    assert _signed_ob()["proof"][0]["proofValue"] == OB_VECTOR.proof_value


def test_add_proof_output_shares_nothing_with_input() -> None:
    signed = _signed_ob()
    signed["credentialSubject"]["achievement"]["name"] = "changed"
    assert OB_VECTOR.unsigned["credentialSubject"]["achievement"]["name"] == "Teamwork"


def test_add_proof_non_json_value_raises_input_error() -> None:
    from app.credentials.errors import InputError

    document = {**OB_VECTOR.unsigned, "name": float("nan")}
    with pytest.raises(InputError, match="not plain JSON"):
        add_proof(
            document,
            private_key=OB_VECTOR.private_key,
            verification_method="did:web:laurel.test#key-1",
            created="2026-11-23T10:00:00Z",
        )
