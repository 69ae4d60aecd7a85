"""Suspension of a Laurel credential, seen by any verifier via the entry its issuer publishes."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

import pytest

from app.credentials.status import build_credential_status
from app.credentials.status import status_entry
from app.verify.core.fetching import DocumentNotFound
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import NOW
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import school_documents
from tests.verify.factory import status_list

CREDENTIAL_ID = "https://laurel.test/credentials/0c7d1a6e-5b2f-4c3a-9e1d-2f4a6b8c0d1e"
SUSPENSION_URL = "https://laurel.test/status/suspension/1"
SUSPENSION_INDEX = 4242


def _published(credential_id=CREDENTIAL_ID, list_url=SUSPENSION_URL, index=SUSPENSION_INDEX):
    entry = status_entry(list_url=list_url, index=index, purpose="suspension")
    return build_credential_status(credential_id, [entry])


@pytest.fixture(scope="module")
def laurel_credential(keys_dir):
    """A credential with Laurel's shape: id under /credentials/, did:web issuer, its list."""
    return issue(keys_dir.store, 3, credential_id=CREDENTIAL_ID)


def _documents(keys_dir, *, suspended: bool, published=None):
    documents = school_documents(keys_dir.store)
    documents[SUSPENSION_URL] = status_list(
        keys_dir.store,
        url=SUSPENSION_URL,
        purpose="suspension",
        set_indexes=(SUSPENSION_INDEX,) if suspended else (),
    )
    documents[f"{CREDENTIAL_ID}/status"] = _published() if published is None else published
    return documents


def _verify(text, fetcher):
    return verify(text, resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=NOW)


def _status_lines(report):
    return [(c.outcome, c.message) for c in report.checks if c.name == "status"]


def test_laurel_credential_suspended_by_its_issuer_is_suspended(laurel_credential, keys_dir):
    """Does any verifier with a network see a suspension the credential cannot carry?"""
    report = _verify(
        laurel_credential.json_text, MemoryFetcher(_documents(keys_dir, suspended=True))
    )
    assert report.verdict is Verdict.SUSPENDED, report.checks
    assert report.headline.startswith("Suspended — “Small-engine repair 3”")
    assert (Outcome.FAILED, "Suspended by the issuer.") in _status_lines(report)


def test_laurel_credential_jwt_suspended_too(laurel_credential, keys_dir):
    report = _verify(laurel_credential.jwt, MemoryFetcher(_documents(keys_dir, suspended=True)))
    assert report.verdict is Verdict.SUSPENDED, report.checks


def test_laurel_credential_not_suspended_says_which_lists_were_checked(laurel_credential, keys_dir):
    fetcher = MemoryFetcher(_documents(keys_dir, suspended=False))
    report = _verify(laurel_credential.json_text, fetcher)
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert _status_lines(report) == [
        (Outcome.PASSED, "Not revoked: the issuer's revocation list was checked."),
        (Outcome.PASSED, "Not suspended: the issuer's suspension list was checked."),
    ]
    assert f"{CREDENTIAL_ID}/status" in fetcher.requested


def test_laurel_credential_offline_suspension_could_not_be_checked(laurel_credential, keys_dir):
    report = verify(
        laurel_credential.json_text, resolver=own_resolver(keys_dir.store), fetcher=None, now=NOW
    )
    assert report.verdict is Verdict.UNCHECKED
    assert (
        Outcome.UNKNOWN,
        "Suspension could not be checked: Laurel is working offline.",
    ) in _status_lines(report)


def test_laurel_credential_status_endpoint_unreachable_could_not_be_checked(
    laurel_credential, keys_dir
):
    documents = _documents(keys_dir, suspended=True)
    del documents[f"{CREDENTIAL_ID}/status"]
    report = _verify(laurel_credential.json_text, MemoryFetcher(documents))
    assert report.verdict is Verdict.UNCHECKED, report.checks
    outcome, message = _status_lines(report)[-1]
    assert outcome is Outcome.UNKNOWN and message.startswith("Suspension could not be checked")


@pytest.mark.parametrize(
    "published",
    [
        pytest.param(
            _published(list_url="https://elsewhere.test/status/suspension/1"), id="other-site-list"
        ),
        pytest.param(_published(credential_id=CREDENTIAL_ID[:-1] + "f"), id="other-credential"),
        pytest.param({"credential": CREDENTIAL_ID, "credentialStatus": []}, id="no-entry"),
        pytest.param(
            build_credential_status(
                CREDENTIAL_ID,
                [
                    status_entry(list_url=SUSPENSION_URL, index=1, purpose="suspension"),
                    status_entry(list_url=SUSPENSION_URL, index=2, purpose="suspension"),
                ],
            ),
            id="two-entries",
        ),
        pytest.param(
            _published(index=SUSPENSION_INDEX) | {"credentialStatus": [{"type": "Other"}]},
            id="foreign-entry-type",
        ),
        pytest.param("[1, 2]", id="json-array"),
        pytest.param(b"\xff\xfe not json", id="binary-garbage"),
    ],
)
def test_laurel_credential_hostile_published_status_never_vouches(
    laurel_credential, keys_dir, published
):
    """Is a misdirected or malformed status document "could not check", never "not suspended"?"""
    documents = _documents(keys_dir, suspended=False, published=published)
    report = _verify(laurel_credential.json_text, MemoryFetcher(documents))
    assert report.verdict is Verdict.UNCHECKED, report.checks
    assert _status_lines(report)[-1][0] is Outcome.UNKNOWN


def test_laurel_credential_suspension_list_signed_by_other_key_not_trusted(
    laurel_credential, keys_dir, tmp_path
):
    from app.credentials.keys import KeyStore

    stranger = KeyStore(tmp_path / "stranger", "stranger-passphrase")
    stranger.init(now=NOW)
    documents = _documents(keys_dir, suspended=False)
    documents[SUSPENSION_URL] = status_list(
        stranger, url=SUSPENSION_URL, purpose="suspension", set_indexes=()
    )
    report = _verify(laurel_credential.json_text, MemoryFetcher(documents))
    assert report.verdict is Verdict.UNCHECKED, report.checks


def test_other_credential_shape_asks_for_no_published_status(keys_dir):
    """A credential without Laurel's shape (a urn:uuid id) is not sent to a /status URL."""
    fetcher = MemoryFetcher(school_documents(keys_dir.store))
    report = _verify(issue(keys_dir.store, 4).json_text, fetcher)
    assert report.verdict is Verdict.VERIFIED
    assert not any(url.endswith("/status") for url in fetcher.requested)


def test_expired_offline_headline_leads_with_expiry_and_signature(keys_dir):
    """Offline, an expired credential says what is known first: expiry, signature, then status."""
    expired = issue(
        keys_dir.store, 5, credential_id=CREDENTIAL_ID, valid_until=datetime(2027, 1, 1, tzinfo=UTC)
    )
    report = verify(
        expired.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=None,
        now=datetime(2028, 1, 1, tzinfo=UTC),
        own_issuer_id="did:web:laurel.test",
    )
    assert report.verdict is Verdict.UNCHECKED
    assert report.headline.startswith(
        "Expired on 1 January 2027; signature genuine; status could not be checked offline — "
        "“Small-engine repair 5”"
    ), report.headline
    assert json.dumps(report.to_json())


def test_laurel_credential_status_endpoint_says_none_published_not_suspended(
    laurel_credential, keys_dir
):
    """The issuer's site answers 404 for the entry (a shutdown kit): nothing is suspended."""
    documents = _documents(keys_dir, suspended=False)
    del documents[f"{CREDENTIAL_ID}/status"]

    def fetch(url: str) -> bytes:
        if url == f"{CREDENTIAL_ID}/status":
            raise DocumentNotFound(f"{url} answered that there is no such document.")
        return MemoryFetcher(documents)(url)

    report = _verify(laurel_credential.json_text, fetch)
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert (Outcome.PASSED, "The issuer publishes no suspension for this credential.") in (
        _status_lines(report)
    )
