"""Laurel's side of the interop tests: the test school's signed documents and public keys.

The issuer is did:web:laurel.test with the session key store (`keys_dir`); what a
verifier elsewhere would fetch from /.well-known/did.json, /.well-known/jwks.json
and the status list URL is built here with the same library functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.credentials.clr import build_clr
from app.credentials.did import build_did_document
from app.credentials.did import build_jwks
from app.credentials.document import SubjectData
from app.credentials.document import format_datetime
from app.credentials.keys import KeyStore
from app.credentials.signing import SignedCredential
from app.credentials.signing import sign_credential
from app.credentials.signing import sign_document
from app.credentials.status import StatusList
from app.credentials.status import build_status_list_credential
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import NOW
from tests.credentials.samples import SCHOOL
from tests.credentials.samples import sample_credential

STATUS_LIST_URL = "https://laurel.test/status/revocation/1"
# vc-js's own date checks run against this moment (validFrom of the samples).
VERIFY_AT = format_datetime(NOW)


def did_document(store: KeyStore) -> dict[str, Any]:
    """What https://laurel.test/.well-known/did.json serves."""
    return build_did_document(ISSUER_ID, store.records())


def jwks(store: KeyStore) -> dict[str, Any]:
    """What https://laurel.test/.well-known/jwks.json serves."""
    return build_jwks(ISSUER_ID, [r for r in store.records() if r.kind == "rsa"])


def signed_sample(store: KeyStore, number: int = 0, **overrides: Any) -> SignedCredential:
    """A full sample credential (status entry at index 1000 + number), DI proof and VC-JWT."""
    return sign_credential(sample_credential(number, **overrides), keystore=store, now=NOW)


def signed_status_list(store: KeyStore, revoked: Iterable[int] = ()) -> dict[str, Any]:
    """The signed revocation list at STATUS_LIST_URL with the `revoked` indexes set."""
    bits = StatusList.new()
    for index in revoked:
        bits.set(index, True)
    unsigned = build_status_list_credential(
        list_url=STATUS_LIST_URL,
        issuer_id=ISSUER_ID,
        purpose="revocation",
        status_list=bits,
        valid_from=VERIFY_AT,
    )
    return sign_document(unsigned, keystore=store, now=NOW)


def signed_learner_record(store: KeyStore, count: int = 2) -> dict[str, Any]:
    """A signed ClrCredential embedding `count` signed sample credentials."""
    credentials = [signed_sample(store, number).document for number in range(count)]
    record = build_clr(
        clr_id="urn:uuid:c1a0c1a0-0000-4000-8000-00000000c1c1",
        issuer=SCHOOL,
        subject=SubjectData(
            id=credentials[0]["credentialSubject"]["id"],
            email="Student0@Riverside.example",
            salt="interop-clr-salt",
        ),
        credentials=credentials,
        valid_from=NOW,
        name="Learner record",
    )
    return sign_document(record, keystore=store, now=NOW)
