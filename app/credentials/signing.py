"""Signing Laurel's credentials: the Data Integrity proof and the VC-JWT, from the key store.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
A credential is checked before it is signed (JSON-LD safe mode, the OB JSON
Schemas), gets its embedded eddsa-rdfc-2022 proof first and is then wrapped in
a VC-JWT, as OB 3.0 requires. `json_text` is the exact serialization to store
and serve: a signed document is never re-serialized.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .document import format_datetime
from .errors import InputError
from .errors import KeyStoreError
from .proofs.eddsa_rdfc_2022 import add_proof
from .proofs.vc_jwt import sign_jwt
from .rdfc import check_safe
from .schema import validate_credential

if TYPE_CHECKING:
    from .keys import KeyRecord
    from .keys import KeyStore

FORMATS = ("di", "jwt")


@dataclass
class SignedCredential:
    """A signed credential: the document with its proof, its stored text, and the VC-JWT."""

    document: dict[str, Any]
    json_text: str
    jwt: str | None


def issuer_id(document: dict[str, Any]) -> str:
    """The issuer id of a credential (`issuer` may be a URI or a Profile object)."""
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(value, str) or not value:
        raise InputError("The credential has no issuer id.")
    return value


def serialize(document: dict[str, Any]) -> str:
    """The one serialization Laurel stores and serves for a signed document."""
    return json.dumps(document, ensure_ascii=False, indent=2)


def current_signing_key(keystore: KeyStore) -> tuple[KeyRecord, Ed25519PrivateKey]:
    """The key store's current Ed25519 key: its record and private key.

    :raises KeyStoreError: the current ed25519 record does not hold an Ed25519 key.
    """
    record = keystore.current("ed25519")
    private_key = keystore.private_key(record)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise KeyStoreError(f"The current ed25519 key {record.fragment} is not an Ed25519 key.")
    return record, private_key


def _add_di_proof(
    document: dict[str, Any],
    keystore: KeyStore,
    now: datetime,
    verification_method: str | None = None,
) -> dict[str, Any]:
    record, private_key = current_signing_key(keystore)
    return add_proof(
        document,
        private_key=private_key,
        verification_method=verification_method or f"{issuer_id(document)}#{record.fragment}",
        created=format_datetime(now),
    )


def sign_credential(
    unsigned: dict[str, Any],
    *,
    keystore: KeyStore,
    now: datetime,
    formats: tuple[str, ...] = FORMATS,
) -> SignedCredential:
    """Check and sign an OpenBadgeCredential with the current keys.

    :param formats: "di" (embedded eddsa-rdfc-2022 proof) and/or "jwt" (RS256 VC-JWT).
    :raises DroppedTermError: a term is not defined by the credential's contexts.
    :raises SchemaError: the credential does not match the OB 3.0 schemas.
    :raises InputError: unknown format, or a JWT requested for a subject without an id.
    """
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise InputError(f"Unknown signature formats {unknown}; choose from {list(FORMATS)}.")
    subject = unsigned.get("credentialSubject") if isinstance(unsigned, dict) else None
    if "jwt" in formats and not (isinstance(subject, dict) and subject.get("id")):
        raise InputError(
            "A VC-JWT needs credentialSubject.id for its 'sub' claim; "
            "this learner has no id, so only the embedded proof can be made."
        )
    check_safe(unsigned)
    validate_credential(unsigned)
    document = _add_di_proof(unsigned, keystore, now) if "di" in formats else dict(unsigned)
    json_text = serialize(document)
    token = None
    if "jwt" in formats:
        record = keystore.current("rsa")
        token = sign_jwt(
            document,
            private_key=keystore.private_key(record),
            kid=f"{issuer_id(document)}#{record.fragment}",
        )
    return SignedCredential(document=document, json_text=json_text, jwt=token)


def sign_document(
    unsigned: dict[str, Any],
    *,
    keystore: KeyStore,
    now: datetime,
    verification_method: str | None = None,
) -> dict[str, Any]:
    """Add a Data Integrity proof to any Laurel document (status list credential, CLR).

    The document is checked in JSON-LD safe mode first; schemas are the caller's concern.

    :param verification_method: the id under which verifiers find the current Ed25519 key;
        by default `<issuer>#key-N` (the school's did:web). A did:key issuer made from the
        same key passes `did_key_verification_method(...)`.
    :raises DroppedTermError: a term is not defined by the document's contexts.
    """
    check_safe(unsigned)
    return _add_di_proof(unsigned, keystore, now, verification_method)
