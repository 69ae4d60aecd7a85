"""Open Badges 3.0 EndorsementCredentials, signed by the endorser's own key.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
An endorser's identity is a did:web under the school's site
(did:web:<host>:endorsers:<id>) with one Ed25519 key of its own; the school's
key never signs an endorsement. The private key is kept as a PKCS#8 PEM
encrypted with the key store's passphrase, as the school's keys are
(`KeyStore.seal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .did import build_did_document
from .document import OB_CONTEXT
from .document import OB_EXTENSIONS_CONTEXT
from .document import SCHEMA_VALIDATOR_TYPE
from .document import VC_CONTEXT
from .document import format_datetime
from .keys import KeyRecord
from .keys import public_key_from_multikey
from .proofs.eddsa_rdfc_2022 import add_proof
from .rdfc import check_safe
from .schema import ENDORSEMENT_SCHEMAS
from .schema import validate_credential

# An endorser has one key; it is never rotated (a new endorser identity is made instead).
ENDORSER_KEY_FRAGMENT = "key-1"


@dataclass(frozen=True)
class EndorserData:
    """Who endorses: their did:web, name, and optionally their organisation and web page."""

    id: str
    name: str
    organisation: str | None = None
    url: str | None = None


def endorser_did(issuer_did: str, endorser_id: str) -> str:
    """did:web:<school host>:endorsers:<id>: resolved at <site>/endorsers/<id>/did.json."""
    return f"{issuer_did}:endorsers:{endorser_id}"


def endorser_did_document(did: str, public_key_multibase: str) -> dict[str, Any]:
    """The endorser's DID document: its one Ed25519 key as a Multikey for assertions.

    :raises KeyResolutionError: the stored public key is not an Ed25519 Multikey.
    """
    record = KeyRecord(
        kind="ed25519",
        number=1,
        created="",
        current=True,
        public_key=public_key_from_multikey(public_key_multibase),
    )
    return build_did_document(did, [record])


def _profile(endorser: EndorserData) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": endorser.id, "type": ["Profile"], "name": endorser.name}
    if endorser.organisation:
        profile["description"] = endorser.organisation
    if endorser.url:
        profile["url"] = endorser.url
    return profile


def build_endorsement(
    *,
    credential_id: str,
    endorser: EndorserData,
    subject_id: str,
    subject_name: str,
    comment: str,
    valid_from: datetime,
) -> dict[str, Any]:
    """An unsigned EndorsementCredential of `subject_id` (an Achievement's or a credential's id).

    :raises InputError: `valid_from` has no time zone.
    """
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{endorser.name} endorses {subject_name}",
        "issuer": _profile(endorser),
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
        "credentialSchema": [{"id": ENDORSEMENT_SCHEMAS[0], "type": SCHEMA_VALIDATOR_TYPE}],
    }


def sign_endorsement(
    unsigned: dict[str, Any], *, private_key: Ed25519PrivateKey, now: datetime
) -> dict[str, Any]:
    """Check the endorsement (JSON-LD safe mode, both OB schemas) and add the endorser's proof.

    :raises DroppedTermError: a term is not defined by the contexts.
    :raises SchemaError: the document does not match the OB 3.0 EndorsementCredential schemas.
    """
    check_safe(unsigned)
    validate_credential(unsigned)
    issuer = unsigned["issuer"]["id"]
    return add_proof(
        unsigned,
        private_key=private_key,
        verification_method=f"{issuer}#{ENDORSER_KEY_FRAGMENT}",
        created=format_datetime(now),
    )
