"""Data Integrity proofs with Ed25519: the `eddsa-rdfc-2022` and `eddsa-jcs-2022` cryptosuites.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Follows W3C vc-di-eddsa "Create Proof / Verify Proof" for both suites:
hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document),
signed with pure Ed25519; proofValue = "z" + base58btc(signature). eddsa-rdfc-2022
canonicalizes with RDF Dataset Canonicalization, eddsa-jcs-2022 with the JSON
Canonicalization Scheme (RFC 8785), where the proof carries the document's @context.

Proof sets and chains follow VC Data Integrity "Add Proof Set/Chain" and "Verify
Proof Sets and Chains": a proof that names `previousProof` signs the document
together with the proofs it names (by `id`); any other proof signs the document
without any proof.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..errors import InputError
from ..errors import ProofError
from ..loader import DocumentLoader
from ..loader import bundled_loader
from ..rdfc import canonize
from ..words import N_

PROOF_TYPE = "DataIntegrityProof"
RDFC = "eddsa-rdfc-2022"
JCS = "eddsa-jcs-2022"
CRYPTOSUITES = (RDFC, JCS)
# The older Ed25519 suite the DCC Learner Credential Wallet signs its DID authentication
# with: the same hashing as eddsa-rdfc-2022 (RDFC of the proof options under the
# document's @context, then of the document), its own proof type and no cryptosuite.
# Checked for presentations only (app/verify/core/presentation.py).
ED25519_2020 = "Ed25519Signature2020"
ASSERTION = "assertionMethod"
AUTHENTICATION = "authentication"

# XML Schema dateTimeStamp: a dateTime with a mandatory time zone (DI "created").
DATE_TIME_STAMP = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$"
)


def add_proof(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    cryptosuite: str = RDFC,
    proof_purpose: str = ASSERTION,
    challenge: str | None = None,
    domain: str | None = None,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    loader: DocumentLoader = bundled_loader,
) -> dict[str, Any]:
    """Return a copy of `document` with a new proof appended to its `proof` list.

    Existing proofs stay. Without `previous_proof` the new proof joins the set and signs
    the document without any proof; with it, it signs the document holding the proofs
    whose ids it names (a chain).

    :raises ProofError: bad options (`created` without a time zone, unknown suite or
        purpose, a `previous_proof` id no existing proof has).
    :raises InputError: the document is not plain JSON.
    :raises UnknownContextError, InputError, DroppedTermError: the document cannot be
        canonicalized (eddsa-rdfc-2022).
    """
    options: dict[str, Any] = {"type": PROOF_TYPE, "cryptosuite": cryptosuite}
    if proof_id is not None:
        options = {"id": proof_id, **options}
    options.update(
        {
            "created": created,
            "verificationMethod": verification_method,
            "proofPurpose": proof_purpose,
        }
    )
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    if previous_proof is not None:
        options["previousProof"] = previous_proof
    signed = _json_copy(document)
    if cryptosuite == JCS and "@context" in signed:
        options["@context"] = signed["@context"]
    check_options(options)
    existing = proof_list(signed)
    unsecured = _input_document(signed, options, existing)
    signature = private_key.sign(_hash_data(unsecured, options, loader))
    proof = {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    signed["proof"] = [*existing, proof]
    return signed


def verify_proof(
    document: dict[str, Any],
    proof: dict[str, Any],
    *,
    public_key: Ed25519PublicKey,
    purpose: str | None = ASSERTION,
    loader: DocumentLoader = bundled_loader,
) -> None:
    """Check one proof of `document` (the whole signed document, all its proofs included).

    :param purpose: the proof purpose the caller expects (None accepts either).
    :raises ProofError: unsupported or malformed proof, a missing previous proof, or a
        signature that does not verify.
    """
    if not isinstance(proof, dict):
        raise ProofError(N_("The proof is not a JSON object."))
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    check_options(options)
    if purpose is not None and options["proofPurpose"] != purpose:
        raise ProofError(
            N_(
                "The proof purpose %(purpose)s is not %(wanted)s.",
                purpose=repr(options["proofPurpose"]),
                wanted=repr(purpose),
            )
        )
    signature = _decode_proof_value(proof.get("proofValue"))
    unsecured = _input_document(document, options, proof_list(document))
    if options.get("cryptosuite") == JCS and "@context" in options:
        unsecured = _with_proof_context(unsecured, options["@context"])
    data = _hash_data(unsecured, options, loader)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        raise ProofError(
            N_(
                "The signature does not match: the credential was changed after signing "
                "or was signed with a different key."
            )
        ) from None


def proof_list(document: dict[str, Any]) -> list[Any]:
    """The document's proofs as a list (`proof` may be one object or an array)."""
    proofs = document.get("proof")
    if proofs is None:
        return []
    return list(proofs) if isinstance(proofs, list) else [proofs]


def previous_ids(proof: dict[str, Any]) -> list[str]:
    """The ids a proof's `previousProof` names (none for a proof of a set)."""
    value = proof.get("previousProof")
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def check_options(options: dict[str, Any]) -> None:
    """The proof options are ones Laurel signs and checks.

    :raises ProofError: naming the option that is not.
    """
    if options.get("type") == ED25519_2020:
        if "cryptosuite" in options or "previousProof" in options:
            raise ProofError(
                f"The proof type {ED25519_2020!r} takes no cryptosuite and no previousProof."
            )
    elif options.get("type") != PROOF_TYPE:
        raise ProofError(
            N_(
                "The proof type %(kind)s is not %(wanted)s.",
                kind=repr(options.get("type")),
                wanted=repr(PROOF_TYPE),
            )
        )
    elif options.get("cryptosuite") not in CRYPTOSUITES:
        raise ProofError(
            f"The cryptosuite {options.get('cryptosuite')!r} is not one of "
            f"{', '.join(CRYPTOSUITES)}."
        )
    if options.get("proofPurpose") not in (ASSERTION, AUTHENTICATION):
        raise ProofError(
            f"The proof purpose {options.get('proofPurpose')!r} is neither {ASSERTION!r} "
            f"nor {AUTHENTICATION!r}."
        )
    if not isinstance(options.get("verificationMethod"), str) or not options["verificationMethod"]:
        raise ProofError(N_("The proof does not name its verification method."))
    created = options.get("created")
    if created is not None and not (isinstance(created, str) and DATE_TIME_STAMP.match(created)):
        raise ProofError(
            f"The proof creation time {created!r} is not a date-time with a time zone."
        )
    previous = options.get("previousProof")
    if previous is not None and not (
        isinstance(previous, str)
        or (isinstance(previous, list) and previous and all(isinstance(v, str) for v in previous))
    ):
        raise ProofError(N_("The proof's previousProof must be a proof id or a list of proof ids."))


def _input_document(
    document: dict[str, Any], options: dict[str, Any], existing: list[Any]
) -> dict[str, Any]:
    """What a proof signs: the document without proofs, plus the previous proofs of a chain."""
    if not isinstance(document, dict):
        raise ProofError(N_("The signed document is not a JSON object."))
    if "@context" not in document:
        raise ProofError(
            N_("The document has no @context, so its proof cannot be made or checked.")
        )
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    wanted = previous_ids(options)
    if not wanted:
        return unsecured
    by_id = {p.get("id"): p for p in existing if isinstance(p, dict) and p.get("id")}
    missing = [proof_id for proof_id in wanted if proof_id not in by_id]
    if missing:
        raise ProofError(
            f"The proof chain names the previous proof {missing[0]!r}, which the document "
            "does not hold."
        )
    unsecured["proof"] = [by_id[proof_id] for proof_id in wanted]
    return unsecured


def _with_proof_context(unsecured: dict[str, Any], context: Any) -> dict[str, Any]:
    """eddsa-jcs-2022 verification: the document's @context starts with the proof's."""
    proof_context = context if isinstance(context, list) else [context]
    document_context = unsecured["@context"]
    document_context = (
        document_context if isinstance(document_context, list) else [document_context]
    )
    if document_context[: len(proof_context)] != proof_context:
        raise ProofError(N_("The document's @context does not start with the proof's @context."))
    return {**unsecured, "@context": context}


def _json_copy(document: dict[str, Any]) -> dict[str, Any]:
    """A private copy holding exactly what its JSON text will hold, so the signature
    covers the document as it will be serialized (no tuples, NaN or other non-JSON)."""
    if not isinstance(document, dict):
        raise InputError(N_("A credential must be a JSON object."))
    try:
        copied: dict[str, Any] = json.loads(json.dumps(document, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise InputError(
            N_("The credential is not plain JSON (%(error)s).", error=str(error))
        ) from None
    return copied


def _decode_proof_value(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError(N_("The proof value is not base58btc multibase (it must start with 'z')."))
    try:
        signature = base58.b58decode(value[1:])
    except ValueError:
        raise ProofError(N_("The proof value is not valid base58btc.")) from None
    if len(signature) != 64:
        raise ProofError(N_("The proof value is not a 64-byte Ed25519 signature."))
    return signature


def canonical_jcs(value: Any) -> bytes:
    """RFC 8785 (JCS) bytes of a JSON value.

    :raises InputError: the value holds what JSON cannot (NaN, a number JCS cannot write).
    """
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise InputError(
            N_("The document cannot be canonicalized as JSON (%(error)s).", error=str(error))
        ) from None


def _hash_data(unsecured: dict[str, Any], options: dict[str, Any], loader: DocumentLoader) -> bytes:
    """SHA-256(canonical proof config) || SHA-256(canonical document), per vc-di-eddsa."""
    if options.get("cryptosuite") == JCS:
        proof_bytes = canonical_jcs(options)
        document_bytes = canonical_jcs(unsecured)
    else:
        proof_config = {**options, "@context": unsecured["@context"]}
        proof_bytes = canonize(proof_config, loader=loader).encode("utf-8")
        document_bytes = canonize(unsecured, loader=loader).encode("utf-8")
    return hashlib.sha256(proof_bytes).digest() + hashlib.sha256(document_bytes).digest()
