"""A learner record (CLR) verified with each credential inside: status, proofs, one report each."""

from __future__ import annotations

import copy
import json

import pytest

from app.credentials.clr import build_clr
from app.credentials.document import SubjectData
from app.credentials.signing import sign_document
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import NOW
from tests.credentials.samples import SCHOOL
from tests.verify.factory import REVOCATION_URL
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import school_documents
from tests.verify.factory import status_index
from tests.verify.factory import status_list


def _record(store, credentials) -> str:
    unsigned = build_clr(
        clr_id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000002",
        issuer=SCHOOL,
        subject=SubjectData(id="urn:uuid:1b7e0000-0000-4000-8000-000000000000"),
        credentials=credentials,
        valid_from=NOW,
        name="Learner record",
    )
    return json.dumps(sign_document(unsigned, keystore=store, now=NOW))


def _verify_online(text, documents):
    fetcher = MemoryFetcher(documents)
    return verify(text, resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=NOW)


def _contents(report):
    return next(check for check in report.checks if check.name == "contents")


@pytest.fixture(scope="module")
def two(keys_dir):
    return [issue(keys_dir.store, number).document for number in (20, 21)]


def test_record_all_credentials_verify_each_reported(keys_dir, two):
    report = _verify_online(_record(keys_dir.store, two), school_documents(keys_dir.store))
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert _contents(report).message == "All 2 credentials inside verify."
    assert [part.verdict for part in report.parts] == [Verdict.VERIFIED, Verdict.VERIFIED]
    assert report.parts[0].checks[0].message == (
        "Read a credential from the learner record it is part of."
    )
    assert [item["verdict"] for item in report.to_json()["credentials"]] == ["verified"] * 2


def test_record_holding_revoked_credential_is_not_genuine_as_a_whole(keys_dir, two):
    """Is a record with a revoked credential inside no longer plainly "Genuine"?"""
    documents = school_documents(keys_dir.store)
    documents[REVOCATION_URL] = status_list(keys_dir.store, set_indexes=(status_index(21),))
    report = _verify_online(_record(keys_dir.store, two), documents)
    assert report.verdict is Verdict.PARTLY_WITHDRAWN and not report.verified
    assert report.genuine
    assert _contents(report).outcome is Outcome.FAILED
    assert _contents(report).message == (
        "Of the credentials inside: 1 of 2 credentials was revoked: “Small-engine repair 21”."
    )
    assert [part.verdict for part in report.parts] == [Verdict.VERIFIED, Verdict.REVOKED]
    assert report.headline.startswith("Genuine record, not every credential in it stands")


def test_record_with_tampered_credential_inside_not_verified(keys_dir, two):
    """A credential altered before the school signed the record fails on its own proof."""
    tampered = copy.deepcopy(two[1])
    tampered["credentialSubject"]["achievement"]["name"] = "Something never earned"
    report = _verify_online(
        _record(keys_dir.store, [two[0], tampered]), school_documents(keys_dir.store)
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert _contents(report).message == (
        "1 of 2 credentials inside is not a genuine credential: “Something never earned”."
    )


@pytest.mark.parametrize(
    "junk",
    [
        pytest.param(42, id="number"),
        pytest.param("not.a.jwt", id="broken-jwt-string"),
        pytest.param({"type": ["VerifiableCredential"]}, id="object-without-subject"),
    ],
)
def test_record_with_junk_inside_not_verified_never_crashes(keys_dir, two, junk):
    record = json.loads(_record(keys_dir.store, two))
    record["credentialSubject"]["verifiableCredential"].append(junk)
    unsigned = {key: value for key, value in record.items() if key != "proof"}
    text = json.dumps(sign_document(unsigned, keystore=keys_dir.store, now=NOW))
    report = _verify_online(text, school_documents(keys_dir.store))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert _contents(report).outcome is Outcome.FAILED
    assert "of 3 credentials inside" in _contents(report).message


def test_record_with_jwt_credential_inside_checked(keys_dir):
    """Is a credential embedded as a VC-JWT string verified like a JSON one?"""
    signed = issue(keys_dir.store, 22)
    record = json.loads(_record(keys_dir.store, [signed.document]))
    record["credentialSubject"]["verifiableCredential"] = [signed.jwt]
    unsigned = {key: value for key, value in record.items() if key != "proof"}
    text = json.dumps(sign_document(unsigned, keystore=keys_dir.store, now=NOW))
    report = _verify_online(text, school_documents(keys_dir.store))
    (part,) = report.parts
    assert part.verdict is Verdict.VERIFIED, part.checks
    assert part.jwt == signed.jwt


def test_record_offline_each_credential_could_not_be_checked(keys_dir, two):
    report = verify(
        _record(keys_dir.store, two), resolver=own_resolver(keys_dir.store), fetcher=None, now=NOW
    )
    assert report.verdict is Verdict.UNCHECKED
    assert _contents(report).outcome is Outcome.UNKNOWN
    assert [part.verdict for part in report.parts] == [Verdict.UNCHECKED, Verdict.UNCHECKED]
