"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C VC DI EdDSA).

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Follows vc-di-eddsa "Create Proof / Verify Proof (eddsa-rdfc-2022)":
hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document),
signed with pure Ed25519; proofValue = "z" + base58btc(signature).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..errors import InputError
from ..errors import ProofError
from ..loader import DocumentLoader
from ..loader import bundled_loader
from ..rdfc import canonize

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

# XML Schema dateTimeStamp: a dateTime with a mandatory time zone (DI "created").
_DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$"
)


def add_proof(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    loader: DocumentLoader = bundled_loader,
) -> dict[str, Any]:
    """Return a copy of `document` with an eddsa-rdfc-2022 proof appended to its `proof` list.

    Existing proofs stay (a proof set); the new proof signs the document without any of them.

    :raises ProofError: `created` is not a date-time with a time zone.
    :raises InputError: the document is not plain JSON.
    :raises UnknownContextError, InputError, DroppedTermError: the document cannot be canonicalized.
    """
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    _check_options(options)
    signed = _json_copy(document)
    unsecured = _without_proof(signed)
    signature = private_key.sign(_hash_data(unsecured, options, loader))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    signed["proof"] = [*_proof_list(signed), proof]
    return signed


def verify_proof(
    document: dict[str, Any],
    proof: dict[str, Any],
    *,
    public_key: Ed25519PublicKey,
    loader: DocumentLoader = bundled_loader,
) -> None:
    """Check one eddsa-rdfc-2022 `proof` of `document` (the whole signed document).

    All proofs are removed from the document before hashing, as DI requires for a proof set.

    :raises ProofError: unsupported or malformed proof, or a signature that does not verify.
    """
    if not isinstance(proof, dict):
        raise ProofError("The proof is not a JSON object.")
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    _check_options(options)
    signature = _decode_proof_value(proof.get("proofValue"))
    data = _hash_data(_without_proof(document), options, loader)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise ProofError(
            "The signature does not match: the credential was changed after signing "
            "or was signed with a different key."
        ) from None


def _json_copy(document: dict[str, Any]) -> dict[str, Any]:
    """A private copy holding exactly what its JSON text will hold, so the signature
    covers the document as it will be serialized (no tuples, NaN or other non-JSON)."""
    if not isinstance(document, dict):
        raise InputError("A credential must be a JSON object.")
    try:
        copied: dict[str, Any] = json.loads(json.dumps(document, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise InputError(f"The credential is not plain JSON ({error}).") from None
    return copied


def proof_list(document: dict[str, Any]) -> list[Any]:
    """The document's proofs as a list (`proof` may be one object or an array)."""
    return _proof_list(document)


def _proof_list(document: dict[str, Any]) -> list[Any]:
    proofs = document.get("proof")
    if proofs is None:
        return []
    return list(proofs) if isinstance(proofs, list) else [proofs]


def _without_proof(document: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ProofError("The signed document is not a JSON object.")
    if "@context" not in document:
        raise ProofError("The document has no @context, so its proof cannot be checked.")
    return {key: value for key, value in document.items() if key != "proof"}


def _check_options(options: dict[str, Any]) -> None:
    if options.get("type") != PROOF_TYPE:
        raise ProofError(f"The proof type {options.get('type')!r} is not {PROOF_TYPE!r}.")
    if options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"The cryptosuite {options.get('cryptosuite')!r} is not {CRYPTOSUITE!r}.")
    if options.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError(
            f"The proof purpose {options.get('proofPurpose')!r} is not {PROOF_PURPOSE!r}."
        )
    if not isinstance(options.get("verificationMethod"), str) or not options["verificationMethod"]:
        raise ProofError("The proof does not name its verification method.")
    created = options.get("created")
    if created is not None and not (isinstance(created, str) and _DATE_TIME_STAMP.match(created)):
        raise ProofError(
            f"The proof creation time {created!r} is not a date-time with a time zone."
        )


def _decode_proof_value(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("The proof value is not base58btc multibase (it must start with 'z').")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError("The proof value is not valid base58btc.") from None
    if len(signature) != 64:
        raise ProofError("The proof value is not a 64-byte Ed25519 signature.")
    return signature


def _hash_data(unsecured: dict[str, Any], options: dict[str, Any], loader: DocumentLoader) -> bytes:
    """SHA-256(canonical proof config) || SHA-256(canonical document), per vc-di-eddsa."""
    proof_config = {**options, "@context": unsecured["@context"]}
    proof_hash = hashlib.sha256(canonize(proof_config, loader=loader).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonize(unsecured, loader=loader).encode("utf-8")).digest()
    return proof_hash + document_hash
