"""Plain W3C credentials and did:key signers for the VC engine tests (not Open Badges)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.did import did_key_from_public_key
from app.credentials.did import did_key_verification_method

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
VECTORS = Path(__file__).parent / "vectors"


@dataclass(frozen=True)
class Signer:
    """An Ed25519 key and its did:key identity."""

    private_key: Ed25519PrivateKey
    did: str
    verification_method: str


def did_key_signer(seed: int) -> Signer:
    """A did:key signer whose key is fixed by `seed` (tests stay reproducible)."""
    private_key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
    public_key = private_key.public_key()
    return Signer(
        private_key, did_key_from_public_key(public_key), did_key_verification_method(public_key)
    )


def w3c_vector_signer() -> Signer:
    """The public key pair of the W3C vc-di-eddsa test vectors."""
    key_pair = json.loads((VECTORS / "w3c_vc_di_eddsa_jcs_2022" / "keyPair.json").read_text())
    secret = base58.b58decode(key_pair["privateKeyMultibase"][1:])
    private_key = Ed25519PrivateKey.from_private_bytes(secret[2:])
    public_key = private_key.public_key()
    return Signer(
        private_key, did_key_from_public_key(public_key), did_key_verification_method(public_key)
    )


def plain_credential(issuer: str, **changes: Any) -> dict[str, Any]:
    """A minimal VCDM 2.0 credential (the W3C examples context), with `changes` applied."""
    credential: dict[str, Any] = {
        "@context": [V2, EXAMPLES],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "issuer": issuer,
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    credential.update(copy.deepcopy(changes))
    return credential


def v1_credential(issuer: str) -> dict[str, Any]:
    """A minimal VC 1.1 credential."""
    return {
        "@context": [V1],
        "id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh"},
    }
