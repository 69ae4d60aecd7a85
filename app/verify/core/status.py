"""The status: revocation and suspension, from signed status lists and the school's own records.

Pure module. Three list formats are read: the W3C Bitstring Status List (the
list is itself a credential, checked as strictly as one: same issuer, linked
key, valid signature, not out of date), and the deprecated 1EdTech Revocation
List. A list that could not be fetched and verified is "could not check",
never "not revoked". For this school's own credentials the `LocalStatus` input
adds what only its database knows: a suspension, and the reason and date. For
any other Laurel credential the suspension entry its issuer publishes beside it
is checked (`suspension.py`), or said to be unchecked.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.errors import CredentialError
from app.credentials.errors import KeyResolutionError
from app.credentials.errors import ProofError
from app.credentials.proofs.eddsa_rdfc_2022 import proof_list
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.status import StatusList
from app.credentials.words import N_
from app.credentials.words import Text
from app.credentials.words import text_of

from .fetching import fetch_bytes
from .fetching import fetch_json
from .fetching import json_document
from .fields import as_list
from .fields import issuer_id_of
from .fields import parse_date
from .fields import text
from .local_status import RecordedState
from .local_status import RecordedStatus
from .report import Outcome
from .run import Run
from .suspension import laurel_site
from .suspension import published_suspension_entry

STATUS_LIST_ENTRY = "BitstringStatusListEntry"
STATUS_LIST_CREDENTIAL = "BitstringStatusListCredential"
REVOCATION_LIST_ENTRY = "1EdTechRevocationList"
SUPPORTED_PURPOSES = ("revocation", "suspension")
# What each purpose's check says, when it could not be made and when the list was read.
_COULD_NOT = {
    "revocation": N_("Could not check whether the credential was revoked"),
    "suspension": N_("Could not check whether the credential was suspended"),
}
_NOT_LISTED = {
    "revocation": N_("Not revoked: the issuer's revocation list was checked."),
    "suspension": N_("Not suspended: the issuer's suspension list was checked."),
}


def _could_not(purpose: str, why: str) -> Text:
    return N_("%(could_not)s: %(why)s", could_not=_COULD_NOT[purpose], why=why)


def check_status(run: Run) -> None:
    """Check every status entry, then the suspension: on record, or as its issuer publishes it."""
    recorded = _recorded_status(run)
    _check_entries(run, recorded)
    if run.facts.revoked or run.facts.suspended or not run.signature_checked:
        return
    if run.local_status is not None and run.is_own:
        if recorded is not None and recorded.state is RecordedState.SUSPENDED:
            # Laurel's credentials carry only their revocation entry: a suspension is on record.
            _mark(run, RecordedState.SUSPENDED, recorded)
        return
    site = laurel_site(run.credential, run.issuer_id)
    if site is not None:
        entry = published_suspension_entry(run, site)
        if entry is not None:
            _check_status_entry(run, entry, {}, recorded)


def _recorded_status(run: Run) -> RecordedStatus | None:
    credential_id = run.credential.get("id")
    if run.local_status is None or not run.is_own or not isinstance(credential_id, str):
        return None
    return run.local_status.recorded_status(credential_id)


def _check_entries(run: Run, recorded: RecordedStatus | None) -> None:
    # Only revocation and suspension bear on validity; "refresh" and "message"
    # entries (Bitstring Status List) are not Laurel's to judge and are left out.
    entries = [
        entry
        for entry in as_list(run.credential.get("credentialStatus"))
        if not (
            isinstance(entry, dict)
            and entry.get("type") == STATUS_LIST_ENTRY
            and entry.get("statusPurpose") not in SUPPORTED_PURPOSES
        )
    ]
    if not entries:
        run.add(
            "status",
            Outcome.PASSED,
            N_("The issuer gave this credential no status list, so it cannot be revoked."),
        )
        return
    lists: dict[str, dict[str, Any]] = {}
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind == STATUS_LIST_ENTRY:
            _check_status_entry(run, entry, lists, recorded)
        elif kind == REVOCATION_LIST_ENTRY:
            _check_revocation_list(run, entry, recorded)
        else:
            run.add(
                "status",
                Outcome.UNKNOWN,
                N_("Laurel cannot read a status entry of type %(kind)s.", kind=repr(kind)),
            )


def _check_status_entry(
    run: Run,
    entry: dict[str, Any],
    lists: dict[str, dict[str, Any]],
    recorded: RecordedStatus | None,
) -> None:
    purpose = str(entry.get("statusPurpose"))
    index = _status_index(entry.get("statusListIndex"))
    url = entry.get("statusListCredential")
    if index is None or not isinstance(url, str) or not url:
        run.add(
            "status",
            Outcome.UNKNOWN,
            N_("The %(purpose)s entry is malformed, so it could not be checked.", purpose=purpose),
        )
        return
    if entry.get("statusSize", 1) not in (1, "1"):
        run.add(
            "status", Outcome.UNKNOWN, _could_not(purpose, N_("its entries are not single bits."))
        )
        return
    if run.fetcher is None:
        run.add("status", Outcome.UNKNOWN, _could_not(purpose, N_("Laurel is working offline.")))
        return
    try:
        status_list = lists.get(url) or _verified_status_list(run, url, purpose)
        lists[url] = status_list
        bits = StatusList.decode(status_list["credentialSubject"]["encodedList"])
        is_set = bits.get(index)
    except CredentialError as error:
        run.add("status", Outcome.UNKNOWN, _could_not(purpose, text_of(error)))
        return
    if is_set:
        _mark(run, RecordedState(purpose), recorded)
        return
    listed_as = status_list.get("id", url)
    if listed_as != url:
        # A list published under another name could be an old or a different list of the
        # same issuer: it may show a credential revoked, but never vouch that it is not.
        run.add(
            "status",
            Outcome.UNKNOWN,
            _could_not(
                purpose,
                N_("the list at %(url)s says it is %(listed_as)s.", url=url, listed_as=listed_as),
            ),
        )
        return
    run.add("status", Outcome.PASSED, _NOT_LISTED[purpose])


def _check_revocation_list(
    run: Run, entry: dict[str, Any], recorded: RecordedStatus | None
) -> None:
    """The deprecated 1EdTech Revocation List: unsigned JSON naming revoked credentials."""
    url = entry.get("id")
    if not isinstance(url, str) or not url:
        run.add("status", Outcome.UNKNOWN, _could_not("revocation", N_("the entry names no list.")))
        return
    if run.fetcher is None:
        run.add(
            "status", Outcome.UNKNOWN, _could_not("revocation", N_("Laurel is working offline."))
        )
        return
    try:
        items = fetch_json(run.fetcher, url).get("revokedCredential")
    except CredentialError as error:
        run.add("status", Outcome.UNKNOWN, _could_not("revocation", text_of(error)))
        return
    if not isinstance(items, list):
        run.add(
            "status",
            Outcome.UNKNOWN,
            _could_not("revocation", N_("%(url)s is not a revocation list.", url=url)),
        )
        return
    for item in items:
        if (
            isinstance(item, dict)
            and item.get("id") == run.credential.get("id")
            and item.get("revoked", True) is not False
        ):
            _mark(run, RecordedState.REVOKED, recorded, text(item.get("revocationReason")))
            return
    run.add("status", Outcome.PASSED, _NOT_LISTED["revocation"])


def _mark(
    run: Run,
    state: RecordedState,
    recorded: RecordedStatus | None,
    listed_reason: str | None = None,
) -> None:
    """Record a revocation or suspension, with the school's or the list's reason."""
    if state is RecordedState.REVOKED:
        run.facts.revoked = True
    else:
        run.facts.suspended = True
    on_record = recorded if recorded is not None and recorded.state is state else None
    reason = (on_record.reason if on_record else None) or listed_reason
    run.status_reason = run.status_reason or reason
    if on_record is not None and run.status_changed_at is None:
        run.status_changed_at = on_record.changed_at
    run.note("status", _withdrawn(state, reason))


def _withdrawn(state: RecordedState, reason: str | None) -> Text:
    if state is RecordedState.REVOKED:
        if reason:
            return N_("Revoked by the issuer. Reason: %(reason)s", reason=reason)
        return N_("Revoked by the issuer.")
    if reason:
        return N_("Suspended by the issuer. Reason: %(reason)s", reason=reason)
    return N_("Suspended by the issuer.")


def _verified_status_list(run: Run, url: str, purpose: str) -> dict[str, Any]:
    """Fetch a BitstringStatusListCredential and check it as strictly as a credential.

    The school's own lists are checked once per version (`status_lists.py`); the date
    is judged every time.

    :raises CredentialError: not retrievable, not a list of this issuer, or a bad signature.
    """
    assert run.fetcher is not None
    raw = fetch_bytes(run.fetcher, url)
    kept = run.status_lists if run.is_own else None
    document = kept.get(url, purpose, raw) if kept is not None else None
    if document is None:
        document = _checked_status_list(run, url, purpose, json_document(url, raw))
        if kept is not None:
            kept.put(url, purpose, raw, document)
    valid_until = parse_date(document.get("validUntil"))
    if valid_until is not None and valid_until <= run.now:
        raise ProofError(N_("the issuer's status list is out of date."))
    return document


def _checked_status_list(
    run: Run, url: str, purpose: str, document: dict[str, Any]
) -> dict[str, Any]:
    """The list's type, issuer, purpose and signature: what no clock changes."""
    if STATUS_LIST_CREDENTIAL not in as_list(document.get("type", [])):
        raise ProofError(N_("the document at %(url)s is not a status list credential.", url=url))
    list_issuer = issuer_id_of(document)
    if list_issuer != run.issuer_id:
        raise ProofError(
            N_(
                "the status list was published by %(publisher)s, not by the issuer.",
                publisher=str(list_issuer),
            )
        )
    subject = document.get("credentialSubject")
    purposes = subject.get("statusPurpose") if isinstance(subject, dict) else None
    if purpose not in as_list(purposes):
        raise ProofError(_not_a_list(url, purpose))
    _verify_list_proof(run, document, list_issuer)
    return document


def _not_a_list(url: str, purpose: str) -> Text:
    if purpose == "suspension":
        return N_("the list at %(url)s is not a suspension list.", url=url)
    return N_("the list at %(url)s is not a revocation list.", url=url)


def _verify_list_proof(run: Run, document: dict[str, Any], list_issuer: str | None) -> None:
    proofs = proof_list(document)
    if not proofs:
        raise ProofError(N_("the status list is not signed."))
    for proof in proofs:
        if not isinstance(proof, dict) or not isinstance(proof.get("verificationMethod"), str):
            raise ProofError(N_("the status list's proof is malformed."))
        try:
            key = run.resolver.resolve(proof["verificationMethod"])
        except KeyResolutionError as error:
            raise ProofError(
                N_("the status list's key cannot be found: %(error)s", error=text_of(error))
            ) from None
        if key is None or key.controller != list_issuer or not key.linked:
            raise ProofError(N_("the status list's key does not belong to the issuer."))
        if not isinstance(key.public_key, Ed25519PublicKey):
            raise ProofError(N_("the status list's key is not an Ed25519 key."))
        try:
            verify_proof(document, proof, public_key=key.public_key)
        except ProofError:
            raise ProofError(N_("the status list's signature does not verify.")) from None


def _status_index(value: Any) -> int | None:
    """statusListIndex: a base-10 string (BSL) or, from older issuers, a JSON number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 12:
        return int(value)
    return None
