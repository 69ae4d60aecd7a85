"""Forgery and lifecycle tests: every changed value, wrong keys, rotation, expiry, revocation."""

from __future__ import annotations

import base64
import copy
import json
import shutil
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from app.credentials.errors import InputError
from app.credentials.keys import KeyStore
from app.credentials.signing import sign_document
from app.verify.core.local_status import RecordedState
from app.verify.core.local_status import RecordedStatus
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import NOW
from tests.verify.factory import REVOCATION_URL
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import school_documents
from tests.verify.factory import status_index
from tests.verify.factory import status_list

Path = tuple[Any, ...]


@pytest.fixture(scope="module")
def signed(keys_dir):
    return issue(keys_dir.store)


@pytest.fixture
def fetcher(keys_dir):
    return MemoryFetcher(school_documents(keys_dir.store))


def _leaves(node: Any, path: Path = ()) -> Iterator[Path]:
    if isinstance(node, dict):
        for key, value in node.items():
            if path == () and key == "proof":
                continue
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    else:
        yield path


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        # Keep the character class of the last character, so dates and ids stay well formed
        # where possible and only the signature can tell.
        if value and value[-1].isdigit():
            return value[:-1] + str((int(value[-1]) + 1) % 10)
        return value + "x"
    return "tampered"


def _with(document: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    tampered = copy.deepcopy(document)
    node: Any = tampered
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return tampered


def test_tamper_walk_reaches_every_part_of_the_credential(signed):
    """Does the walk cover the whole credential, not just the top level?"""
    paths = list(_leaves(signed.document))
    assert len(paths) > 60
    assert ("credentialSubject", "identifier", 0, "identityHash") in paths
    assert ("credentialSubject", "achievement", "criteria", "narrative") in paths
    assert ("credentialStatus", "statusListIndex") in paths


def test_tamper_every_leaf_changed_fails(signed, keys_dir, fetcher):
    """Does changing any single value anywhere in the signed credential break verification?"""
    resolver = own_resolver(keys_dir.store)
    survivors = []
    for path in _leaves(signed.document):
        original = _value_at(signed.document, path)
        tampered = _with(signed.document, path, _changed(original))
        try:
            report = verify(json.dumps(tampered), resolver=resolver, fetcher=fetcher, now=NOW)
        except InputError:
            continue  # refused outright (e.g. the type no longer says VerifiableCredential)
        failed = [
            c
            for c in report.checks
            if c.outcome is Outcome.FAILED and c.name in ("proof", "contexts", "key")
        ]
        if report.verdict is not Verdict.NOT_VERIFIED or not failed:
            survivors.append((path, report.verdict, report.headline))
    assert survivors == []


def _value_at(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def test_tamper_untouched_credential_verifies(signed, keys_dir, fetcher):
    """Is the unmodified credential genuine (so the walk's failures mean something)?"""
    report = verify(
        signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.VERIFIED, report.checks


def test_tamper_added_undefined_property_fails(signed, keys_dir, fetcher):
    """Can a property no context defines (and so no signature covers) be slipped in?"""
    tampered = {**signed.document, "note": "Also awarded honours"}
    report = verify(
        json.dumps(tampered), resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    contexts = next(c for c in report.checks if c.name == "contexts")
    assert contexts.outcome is Outcome.FAILED and "note" in contexts.message


def _flip_payload(token: str, position: int) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[position] ^= 0x01
    encoded = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


@pytest.mark.parametrize("position", [1, 40, 200, 700, -3], ids=lambda p: f"byte{p}")
def test_tamper_jwt_payload_byte_flipped_fails(signed, keys_dir, fetcher, position):
    """Does flipping one bit of the JWT payload break verification (or make it unreadable)?"""
    token = _flip_payload(signed.jwt, position)
    try:
        report = verify(token, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW)
    except InputError:
        return  # an unreadable payload is refused as input, never verified
    assert report.verdict is Verdict.NOT_VERIFIED
    assert any(c.name == "proof" and c.outcome is Outcome.FAILED for c in report.checks)


def test_tamper_jwt_untouched_verifies(signed, keys_dir, fetcher):
    report = verify(signed.jwt, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW)
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.jwt == signed.jwt


def test_tamper_signed_with_another_school_key_fails(signed, tmp_path, keys_dir, fetcher):
    """Does a credential signed by a different key store under our DID fail?"""
    other = KeyStore(tmp_path / "other", "other-passphrase")
    other.init(now=NOW)
    forged = issue(other)
    report = verify(
        forged.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert any(c.name == "proof" and c.outcome is Outcome.FAILED for c in report.checks)
    jwt_report = verify(forged.jwt, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW)
    assert jwt_report.verdict is Verdict.NOT_VERIFIED


def test_tamper_key_rotation_old_and_new_verify(tmp_path, keys_dir):
    """After rotation, does a credential signed with the retired key still verify, and a new one?"""
    directory = tmp_path / "keys"
    shutil.copytree(keys_dir.path, directory)
    store = KeyStore(directory, keys_dir.passphrase)
    old = issue(store, 1)
    store.rotate(now=NOW)
    new = issue(store, 2)
    assert (
        old.document["proof"][0]["verificationMethod"]
        != new.document["proof"][0]["verificationMethod"]
    )
    fetcher = MemoryFetcher(school_documents(store))
    for credential in (old, new):
        for data in (credential.json_text, credential.jwt):
            for resolver in (own_resolver(store), build_resolver(fetcher=fetcher)):
                report = verify(data, resolver=resolver, fetcher=fetcher, now=NOW)
                assert report.verdict is Verdict.VERIFIED, report.checks


def test_tamper_valid_until_passed_expired(signed, keys_dir, fetcher):
    """Is a genuine credential past its validUntil reported as expired, still genuine?"""
    later = datetime(2032, 1, 1, tzinfo=UTC)
    report = verify(
        signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=later
    )
    assert report.verdict is Verdict.EXPIRED
    assert report.genuine and not report.verified
    assert "Expired on 23 November 2031" in report.headline
    assert "genuine" in report.headline


def test_tamper_valid_from_in_future_not_yet_valid(signed, keys_dir, fetcher):
    earlier = datetime(2026, 11, 1, tzinfo=UTC)
    report = verify(
        signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=earlier
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.headline.startswith("Not yet valid")


class RecordedStatuses:
    """The school's records as the pipeline's LocalStatus input, with the ids it was asked."""

    def __init__(self, **statuses: RecordedStatus) -> None:
        self.statuses = statuses
        self.asked: list[str] = []

    def recorded_status(self, credential_id: str) -> RecordedStatus | None:
        self.asked.append(credential_id)
        return self.statuses.get(credential_id)


def test_tamper_revoked_bit_revoked(signed, keys_dir):
    """Is a credential whose bit is set in the signed list reported revoked, with our reason?"""
    fetcher = MemoryFetcher(school_documents(keys_dir.store, revoked=(status_index(0),)))
    changed = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    records = RecordedStatuses(
        **{
            signed.document["id"]: RecordedStatus(
                RecordedState.REVOKED, "Awarded by mistake.", changed
            )
        }
    )
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=fetcher,
        now=NOW,
        own_issuer_id=ISSUER_ID,
        local_status=records,
    )
    assert report.verdict is Verdict.REVOKED
    assert report.status_reason == "Awarded by mistake."
    assert report.status_changed_at == changed
    assert records.asked == [signed.document["id"]]
    assert report.headline.startswith("Revoked") and "Awarded by mistake." in report.headline
    assert report.to_json()["status_changed_at"] == "2026-12-01T09:30:00Z"


def test_tamper_suspended_on_record_suspended_by_status_stage(signed, keys_dir):
    """A suspension only the school's records know is reported by the pipeline itself."""
    records = RecordedStatuses(
        **{signed.document["id"]: RecordedStatus(RecordedState.SUSPENDED, "Under review.")}
    )
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(school_documents(keys_dir.store)),
        now=NOW,
        own_issuer_id=ISSUER_ID,
        local_status=records,
    )
    assert report.verdict is Verdict.SUSPENDED and report.genuine
    assert report.status_reason == "Under review."
    assert report.headline.startswith("Suspended") and "Under review." in report.headline
    status_lines = [(c.outcome, c.message) for c in report.checks if c.name == "status"]
    assert (Outcome.FAILED, "Suspended by the issuer. Reason: Under review.") in status_lines


def test_tamper_suspended_record_of_other_issuer_ignored(signed, keys_dir):
    """The school's records never speak for a credential that names another issuer."""
    records = RecordedStatuses(
        **{signed.document["id"]: RecordedStatus(RecordedState.SUSPENDED, "Under review.")}
    )
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(school_documents(keys_dir.store)),
        now=NOW,
        own_issuer_id="did:web:other-school.test",
        local_status=records,
    )
    assert report.verdict is Verdict.VERIFIED
    assert records.asked == []


def test_tamper_forged_credential_suspended_on_record_stays_not_verified(signed, keys_dir):
    """A record of a suspension does not lend a tampered copy the "suspended" (genuine) verdict."""
    forged = copy.deepcopy(signed.document)
    forged["credentialSubject"]["achievement"]["name"] = "Forged badge"
    records = RecordedStatuses(
        **{signed.document["id"]: RecordedStatus(RecordedState.SUSPENDED, "Under review.")}
    )
    report = verify(
        json.dumps(forged),
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(school_documents(keys_dir.store)),
        now=NOW,
        own_issuer_id=ISSUER_ID,
        local_status=records,
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert not any(c.message.startswith("Suspended") for c in report.checks)


def test_tamper_other_bit_revoked_stays_verified(signed, keys_dir):
    fetcher = MemoryFetcher(school_documents(keys_dir.store, revoked=(status_index(0) + 1,)))
    report = verify(
        signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.VERIFIED


def test_tamper_suspended_bit_suspended(keys_dir):
    url = "https://laurel.test/status/suspension/1"
    entry = {
        "id": f"{url}#77",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "77",
        "statusListCredential": url,
    }
    credential = issue(keys_dir.store, 3, status_entries=(entry,))
    fetcher = MemoryFetcher(
        {url: status_list(keys_dir.store, url=url, purpose="suspension", set_indexes=(77,))}
    )
    report = verify(
        credential.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.SUSPENDED
    assert report.headline.startswith("Suspended")


def test_tamper_status_list_unreachable_could_not_check(signed, keys_dir):
    """When the list cannot be fetched, is the verdict never "verified" (never "not revoked")?"""

    def unreachable(url: str) -> bytes:
        raise ConnectionError("network is down")

    report = verify(
        signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=unreachable, now=NOW
    )
    assert report.verdict is Verdict.UNCHECKED
    status = next(c for c in report.checks if c.name == "status")
    assert status.outcome is Outcome.UNKNOWN
    assert "not revoked" not in report.headline.lower()


def test_tamper_status_list_missing_could_not_check(signed, keys_dir):
    report = verify(
        signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=MemoryFetcher(), now=NOW
    )
    assert report.verdict is Verdict.UNCHECKED
    status = next(c for c in report.checks if c.name == "status")
    assert status.outcome is Outcome.UNKNOWN and "Could not check" in status.message


def test_tamper_status_list_bad_signature_could_not_check(signed, keys_dir):
    """Is a status list whose bits were changed after signing distrusted?"""
    documents = school_documents(keys_dir.store)
    forged = copy.deepcopy(documents[REVOCATION_URL])
    clean = status_list(keys_dir.store, set_indexes=(5,))
    forged["credentialSubject"]["encodedList"] = clean["credentialSubject"]["encodedList"]
    documents[REVOCATION_URL] = forged
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
    )
    assert report.verdict is Verdict.UNCHECKED
    status = next(c for c in report.checks if c.name == "status")
    assert status.outcome is Outcome.UNKNOWN and "signature" in status.message


def test_tamper_status_list_of_another_issuer_could_not_check(signed, keys_dir):
    documents = school_documents(keys_dir.store)
    documents[REVOCATION_URL] = status_list(keys_dir.store, issuer_id="did:web:elsewhere.example")
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
    )
    assert report.verdict is Verdict.UNCHECKED


def _corrupt_gzip() -> str:
    garbage = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + b"not deflate data" * 4
    return "u" + base64.urlsafe_b64encode(garbage).rstrip(b"=").decode()


def test_tamper_status_list_corrupt_gzip_could_not_check(signed, keys_dir):
    """Does a list with corrupt GZIP give "could not check" with the reason, not a crash?"""
    documents = school_documents(keys_dir.store)
    unsigned = {key: value for key, value in documents[REVOCATION_URL].items() if key != "proof"}
    unsigned["credentialSubject"] = {
        **unsigned["credentialSubject"],
        "encodedList": _corrupt_gzip(),
    }
    documents[REVOCATION_URL] = sign_document(unsigned, keystore=keys_dir.store, now=NOW)
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
    )
    assert report.verdict is Verdict.UNCHECKED
    status = next(c for c in report.checks if c.name == "status")
    assert status.outcome is Outcome.UNKNOWN and "GZIP" in status.message


def test_tamper_offline_could_not_check_status(signed, keys_dir):
    report = verify(signed.json_text, resolver=own_resolver(keys_dir.store), fetcher=None, now=NOW)
    assert report.verdict is Verdict.UNCHECKED
    assert "offline" in report.headline


VCRL_URL = "https://laurel.test/revocations.json"


@pytest.mark.parametrize(
    ("listed", "verdict"),
    [
        ([], Verdict.VERIFIED),
        ([{"revocationReason": "Plagiarised evidence."}], Verdict.REVOKED),
        ([{"revoked": False}], Verdict.VERIFIED),
    ],
    ids=["not_listed", "listed_with_reason", "listed_not_revoked"],
)
def test_tamper_1edtech_revocation_list_read(keys_dir, listed, verdict):
    """Is the deprecated 1EdTech Revocation List read (older credentials still use it)?"""
    entry = {"id": VCRL_URL, "type": "1EdTechRevocationList"}
    credential = issue(keys_dir.store, 21, status_entries=(entry,))
    items = [{**item, "id": credential.document["id"]} for item in listed]
    fetcher = MemoryFetcher({VCRL_URL: {"revokedCredential": items}})
    report = verify(
        credential.json_text, resolver=own_resolver(keys_dir.store), fetcher=fetcher, now=NOW
    )
    assert report.verdict is verdict, report.checks
    if verdict is Verdict.REVOKED:
        assert report.status_reason == "Plagiarised evidence."


def test_tamper_message_status_entry_ignored(keys_dir):
    """A "message" status entry says nothing about validity, so it does not block "verified"."""
    url = "https://laurel.test/status/message/1"
    entry = {
        "id": f"{url}#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": "5",
        "statusListCredential": url,
    }
    credential = issue(keys_dir.store, 22, status_entries=(entry,))
    report = verify(
        credential.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(),
        now=NOW,
    )
    assert report.verdict is Verdict.VERIFIED, report.checks
