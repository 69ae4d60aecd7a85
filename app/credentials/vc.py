"""Signing any W3C verifiable credential or presentation, not only Open Badges.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
A credential is checked against every VC data model rule (`vcdm`) and, for
eddsa-rdfc-2022, in JSON-LD safe mode before it is signed. A VC 1.1 credential
gets the Data Integrity context appended when it lacks it, so the proof's terms
map to URLs. The signer names the key (`verification_method`), so the same code
signs for the school's did:web (`<did>#key-N`) and for a did:key issuer
(`did:key:z6Mk…#z6Mk…`). Open Badges credentials keep their own path
(`signing.sign_credential`, which adds the OB schema checks and the VC-JWT).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .document import format_datetime
from .errors import InputError
from .proofs.data_integrity import ASSERTION
from .proofs.data_integrity import AUTHENTICATION
from .proofs.data_integrity import CRYPTOSUITES
from .proofs.data_integrity import RDFC
from .proofs.data_integrity import add_proof
from .proofs.data_integrity import proof_list
from .rdfc import check_safe
from .signing import SignedCredential
from .signing import serialize
from .vcdm import DATA_INTEGRITY_CONTEXT
from .vcdm import check_credential
from .vcdm import check_presentation
from .vcdm import is_v1

SET = "set"
CHAIN = "chain"


def sign_vc(
    unsigned: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    now: datetime,
    cryptosuite: str = RDFC,
    mode: str = SET,
) -> SignedCredential:
    """Check a verifiable credential and add an assertion proof to it.

    A credential that already has proofs keeps them: with `mode="set"` the new proof
    joins the set, with `mode="chain"` it signs the existing proofs too (its
    `previousProof` names them; they must have ids). Every new proof gets a
    `urn:uuid:` id, so a later proof can chain to it.

    :raises DataModelError: a VC data model rule is broken (the error names the rule).
    :raises DroppedTermError, UnknownContextError: a term or context JSON-LD cannot read.
    :raises InputError, ProofError: unknown suite or mode, or a chain over proofs without ids.
    """
    check_credential(_without_proofs(unsigned))
    return _sign(
        _with_data_integrity_context(unsigned),
        private_key=private_key,
        verification_method=verification_method,
        created=format_datetime(now),
        cryptosuite=cryptosuite,
        mode=mode,
        purpose=ASSERTION,
    )


def sign_presentation(
    unsigned: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    now: datetime,
    challenge: str | None = None,
    domain: str | None = None,
    cryptosuite: str = RDFC,
) -> SignedCredential:
    """Check a verifiable presentation and add the holder's authentication proof.

    The credentials it embeds keep their own proofs; `challenge` and `domain` are the
    verifier's, echoed in the proof so that it cannot be replayed elsewhere.

    :raises DataModelError: a rule of the data model is broken by the presentation or
        by a credential in it.
    :raises DroppedTermError, UnknownContextError, InputError, ProofError: as `sign_vc`.
    """
    check_presentation(_without_proofs(unsigned))
    return _sign(
        _with_data_integrity_context(unsigned),
        private_key=private_key,
        verification_method=verification_method,
        created=format_datetime(now),
        cryptosuite=cryptosuite,
        mode=SET,
        purpose=AUTHENTICATION,
        challenge=challenge,
        domain=domain,
    )


def _sign(
    document: dict[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    cryptosuite: str,
    mode: str,
    purpose: str,
    challenge: str | None = None,
    domain: str | None = None,
) -> SignedCredential:
    if cryptosuite not in CRYPTOSUITES:
        raise InputError(
            f"Unknown cryptosuite {cryptosuite!r}; choose from {', '.join(CRYPTOSUITES)}."
        )
    if mode not in (SET, CHAIN):
        raise InputError(f"Unknown proof mode {mode!r}; choose {SET!r} or {CHAIN!r}.")
    if cryptosuite == RDFC:
        check_safe(_without_proofs(document))
    previous: str | list[str] | None = None
    if mode == CHAIN:
        previous = _chain_ids(document)
    signed = add_proof(
        document,
        private_key=private_key,
        verification_method=verification_method,
        created=created,
        cryptosuite=cryptosuite,
        proof_purpose=purpose,
        challenge=challenge,
        domain=domain,
        proof_id=f"urn:uuid:{uuid.uuid4()}",
        previous_proof=previous,
    )
    return SignedCredential(document=signed, json_text=serialize(signed), jwt=None)


def _chain_ids(document: dict[str, Any]) -> str | list[str]:
    """The ids the new proof of a chain names: every proof the document holds."""
    proofs = proof_list(document)
    if not proofs:
        raise InputError("A proof chain needs an existing proof to follow; the document has none.")
    ids = [p.get("id") if isinstance(p, dict) else None for p in proofs]
    if not all(isinstance(proof_id, str) and proof_id for proof_id in ids):
        raise InputError(
            "A proof chain names the proofs it follows by id, and an existing proof has no id."
        )
    names = [str(proof_id) for proof_id in ids]
    return names[0] if len(names) == 1 else names


def _with_data_integrity_context(document: dict[str, Any]) -> dict[str, Any]:
    """A VC 1.1 document with the Data Integrity context appended (unless it has it)."""
    if not isinstance(document, dict) or not is_v1(document):
        return document
    context = document["@context"]
    if DATA_INTEGRITY_CONTEXT in context:
        return document
    return {**document, "@context": [*context, DATA_INTEGRITY_CONTEXT]}


def _without_proofs(document: Any) -> Any:
    if not isinstance(document, dict):
        return document
    return {key: value for key, value in document.items() if key != "proof"}
