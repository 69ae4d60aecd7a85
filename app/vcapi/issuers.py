"""The VC-API's issuer instances: the school's did:web, and a did:key an admin may enable.

The did:web signs with the school's current Ed25519 key. The did:key issuer exists for
conformance test suites, which resolve did:key offline: its key lives in its own key
store (LAUREL_DID_KEY_DIR, by default `did-key/` in the school's key directory),
created when an admin enables it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import current_app
from flask_babel import gettext

from app.credentials.did import did_key_verification_method
from app.credentials.keys import KeyStore
from app.credentials.signing import SignedCredential
from app.credentials.vc import sign_vc
from app.errors import UserError
from app.issuing.context import IssuingContext

ED25519 = "ed25519"
DID_KEY_DIRECTORY = "did-key"


@dataclass(frozen=True)
class Issuer:
    """An issuer instance: its id and the key and verification method it signs with."""

    id: str
    private_key: Ed25519PrivateKey
    verification_method: str


def did_key_store() -> KeyStore:
    """The did:key issuer's key store (it may not exist: the issuer is then disabled)."""
    config = current_app.config
    directory = config.get("LAUREL_DID_KEY_DIR") or (
        Path(config["LAUREL_KEYS_DIR"]) / DID_KEY_DIRECTORY
    )
    return KeyStore(Path(directory), config["LAUREL_KEY_PASSPHRASE"])


def enable_did_key(*, now: datetime) -> str:
    """Create the did:key issuer's key if it has none; its DID."""
    store = did_key_store()
    store.init(now=now)
    issuer = _did_key_issuer(store)
    assert issuer is not None
    return issuer.id


def _did_key_issuer(store: KeyStore) -> Issuer | None:
    if not store.exists():
        return None
    record = store.current(ED25519)
    private_key = store.private_key(record)
    public_key = record.public_key
    assert isinstance(private_key, Ed25519PrivateKey)
    assert isinstance(public_key, Ed25519PublicKey)
    method = did_key_verification_method(public_key)
    return Issuer(method.split("#", 1)[0], private_key, method)


def issuers(ctx: IssuingContext) -> dict[str, Issuer]:
    """The issuer instances by id: the school's did:web first, then the did:key if enabled."""
    record = ctx.keystore.current(ED25519)
    private_key = ctx.keystore.private_key(record)
    assert isinstance(private_key, Ed25519PrivateKey)
    found = {
        ctx.issuer_id: Issuer(ctx.issuer_id, private_key, f"{ctx.issuer_id}#{record.fragment}")
    }
    did_key = _did_key_issuer(did_key_store())
    if did_key is not None:
        found[did_key.id] = did_key
    return found


def choose_issuer(ctx: IssuingContext, credential: dict[str, Any], wanted: Any) -> Issuer:
    """The instance named by `options.issuer`, else by the credential's issuer, else did:web.

    :raises UserError: the issuer named is none of this school's instances.
    """
    if wanted is None:
        named = credential.get("issuer")
        wanted = named.get("id") if isinstance(named, dict) else named
    known = issuers(ctx)
    if wanted is None:
        return known[ctx.issuer_id]
    if not isinstance(wanted, str) or wanted not in known:
        raise UserError(
            gettext(
                "This service issues only as %(join)s; the credential names "
                "another issuer (%(value)s).",
                join=" or ".join(known),
                value=repr(wanted),
            )
        )
    return known[wanted]


def sign_as(issuer: Issuer, credential: dict[str, Any], now: datetime) -> SignedCredential:
    """Sign `credential` as `issuer`, its `issuer` set to that issuer's id.

    :raises DataModelError, InputError: the credential breaks a VC data model rule.
    """
    unsigned = copy.deepcopy(credential)
    named = unsigned.get("issuer")
    if isinstance(named, dict):
        named["id"] = issuer.id
    else:
        unsigned["issuer"] = issuer.id
    return sign_vc(
        unsigned,
        private_key=issuer.private_key,
        verification_method=issuer.verification_method,
        now=now,
    )
