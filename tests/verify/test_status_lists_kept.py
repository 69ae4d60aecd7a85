"""The school's own status lists are verified once per version, and only ever per version.

A kept list is found by the exact bytes fetched: a republished list is checked again,
a list whose bits were changed without a new signature is refused, and the list's
`validUntil` is judged against the clock on every use.
"""

from __future__ import annotations

import json
from datetime import timedelta

from app.credentials import status as bitstring
from app.credentials.signing import sign_document
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.status_lists import VerifiedStatusLists
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import NOW
from tests.verify.factory import REVOCATION_URL
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import school_documents
from tests.verify.factory import status_index
from tests.verify.factory import status_list


def _verify(signed, keys_dir, documents, kept, now=NOW):
    return verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=now,
        own_issuer_id=ISSUER_ID,
        status_lists=kept,
    )


def _status(report):
    return [c for c in report.checks if c.name == "status"]


def test_own_list_kept_once_then_republished_list_checked_again(keys_dir):
    signed = issue(keys_dir.store)
    documents = school_documents(keys_dir.store)
    kept = VerifiedStatusLists()
    for _ in range(3):
        assert _verify(signed, keys_dir, documents, kept).verdict is Verdict.VERIFIED
    assert len(kept) == 1

    documents[REVOCATION_URL] = status_list(keys_dir.store, set_indexes=(status_index(),))
    revoked = _verify(signed, keys_dir, documents, kept)
    assert revoked.verdict is Verdict.REVOKED
    assert len(kept) == 2


def test_bits_changed_without_a_new_signature_are_not_taken_from_the_kept_list(keys_dir):
    signed = issue(keys_dir.store)
    documents = school_documents(keys_dir.store)
    kept = VerifiedStatusLists()
    assert _verify(signed, keys_dir, documents, kept).verdict is Verdict.VERIFIED

    forged = json.loads(json.dumps(documents[REVOCATION_URL]))
    bits = bitstring.StatusList.new()
    bits.set(status_index(1), True)
    forged["credentialSubject"]["encodedList"] = bits.encode()
    documents[REVOCATION_URL] = forged
    report = _verify(signed, keys_dir, documents, kept)
    assert report.verdict is Verdict.UNCHECKED
    assert "signature does not verify" in _status(report)[0].message
    assert len(kept) == 1


def test_kept_list_out_of_date_is_judged_on_every_use(keys_dir):
    signed = issue(keys_dir.store)
    documents = school_documents(keys_dir.store)
    ends = NOW + timedelta(days=2)
    listed = bitstring.build_status_list_credential(
        list_url=REVOCATION_URL,
        issuer_id=ISSUER_ID,
        purpose="revocation",
        status_list=bitstring.StatusList.new(),
        valid_from="2026-11-01T00:00:00Z",
    )
    listed["validUntil"] = ends.strftime("%Y-%m-%dT%H:%M:%SZ")
    documents[REVOCATION_URL] = sign_document(listed, keystore=keys_dir.store, now=NOW)
    kept = VerifiedStatusLists()
    assert _verify(signed, keys_dir, documents, kept).verdict is Verdict.VERIFIED
    late = _verify(signed, keys_dir, documents, kept, now=ends + timedelta(hours=1))
    assert late.verdict is Verdict.UNCHECKED
    assert any(c.outcome is Outcome.UNKNOWN and "out of date" in c.message for c in _status(late))


def test_another_issuers_list_is_never_kept(keys_dir):
    signed = issue(keys_dir.store)
    kept = VerifiedStatusLists()
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(school_documents(keys_dir.store)),
        now=NOW,
        own_issuer_id="did:web:another.school.example",
        status_lists=kept,
    )
    assert report.genuine and len(kept) == 0
