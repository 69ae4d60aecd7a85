"""Whose signature: the verdict names the issuer Laurel established, never a self-asserted name."""

from __future__ import annotations

import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.errors import InputError
from app.credentials.keys import multikey_from_public_key
from app.verify.core.pipeline import verify
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from app.verify.core.trust import IssuerKind
from app.verify.core.trust import TrustEntry
from app.verify.core.trust import read_trust_list
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import NOW
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import did_key_forgery
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import resign_as
from tests.verify.factory import school_documents

SCHOOL_NAME = "Riverside High School"


@pytest.fixture(scope="module")
def genuine(keys_dir):
    return issue(keys_dir.store, 21, status_entries=())


def _with_name(document: dict, name: str) -> dict:
    named = copy.deepcopy(document)
    named["credentialSubject"]["identifier"] = [
        *named["credentialSubject"].get("identifier", []),
        {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name},
    ]
    return named


def _offline(data, **options):
    return verify(data, resolver=build_resolver(fetcher=None), now=NOW, **options)


def test_trust_own_key_names_the_school(genuine, keys_dir):
    report = verify(
        genuine.json_text, resolver=own_resolver(keys_dir.store), now=NOW, own_issuer_id=ISSUER_ID
    )
    assert report.verdict is Verdict.VERIFIED
    assert report.issuer_identity.kind is IssuerKind.OWN
    assert f"issued by {SCHOOL_NAME}" in report.headline


def test_trust_forged_school_name_by_did_key_unknown_issuer(genuine):
    """The forgery of the issue: the school's name, signed by an attacker's own did:key."""
    forged, did = did_key_forgery(genuine.document)
    assert forged["issuer"]["name"] == SCHOOL_NAME
    report = _offline(json.dumps(forged), own_issuer_id=ISSUER_ID)
    assert report.verdict is Verdict.UNKNOWN_ISSUER
    assert not report.verified and not report.genuine
    assert report.issuer_identity.kind is IssuerKind.UNKNOWN
    assert not report.headline.startswith("Genuine")
    assert f"issued by {SCHOOL_NAME}" not in report.headline
    assert f"an issuer Laurel does not know, calling itself “{SCHOOL_NAME}” (unverified)" in (
        report.headline
    )
    data = report.to_json()
    assert data["verdict"] == "unknown issuer" and data["verified"] is False
    assert data["issuer"]["established"]["kind"] == "unknown"


def test_trust_forged_school_name_by_did_web_of_other_domain_names_that_domain(genuine):
    """A did:web key of another domain establishes that domain, not the school it names."""
    private_key = Ed25519PrivateKey.generate()
    multikey = multikey_from_public_key(private_key.public_key())
    did = "did:web:maple-grove-high.example"
    method = f"{did}#key-1"
    did_document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
        ],
        "assertionMethod": [method],
    }
    forged = resign_as(genuine.document, did, private_key, method)
    fetcher = MemoryFetcher({"https://maple-grove-high.example/.well-known/did.json": did_document})
    report = verify(
        json.dumps(forged),
        resolver=build_resolver(fetcher=fetcher),
        fetcher=fetcher,
        now=NOW,
        own_issuer_id=ISSUER_ID,
    )
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.issuer_identity.kind is IssuerKind.DOMAIN
    assert report.issuer_identity.name == "maple-grove-high.example"
    assert "issued by maple-grove-high.example (which calls itself" in report.headline
    assert f"issued by {SCHOOL_NAME}" not in report.headline


def test_trust_did_key_on_trust_list_names_the_entry(genuine):
    """A key on the school's trust list: verified, named as the school named it."""
    forged, did = did_key_forgery(genuine.document)
    entry = TrustEntry(did, "Hillside Academy (district partner)")
    report = _offline(json.dumps(forged), own_issuer_id=ISSUER_ID, trusted=[entry])
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.issuer_identity.kind is IssuerKind.TRUSTED
    assert report.headline.startswith(f"Genuine — “Small-engine repair 21”, issued by {entry.name}")


def test_trust_domain_on_trust_list_names_the_entry(genuine, keys_dir):
    """A did:web issuer whose domain is on the list (any letter case) gets the entry's name."""
    entry = TrustEntry("LAUREL.test", "Riverside High (from the trust list)")
    fetcher = MemoryFetcher(school_documents(keys_dir.store))
    report = verify(
        genuine.json_text,
        resolver=build_resolver(fetcher=fetcher),
        fetcher=fetcher,
        now=NOW,
        trusted=[entry],
    )
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.issuer_identity.kind is IssuerKind.TRUSTED
    assert f"issued by {entry.name} to" in report.headline


def test_trust_list_of_other_did_does_not_vouch(genuine):
    forged, _did = did_key_forgery(genuine.document)
    _other, other_did = did_key_forgery(genuine.document)
    report = _offline(json.dumps(forged), trusted=[TrustEntry(other_did, "Someone else")])
    assert report.verdict is Verdict.UNKNOWN_ISSUER


def test_trust_expired_unknown_issuer_keeps_expired_wording(genuine):
    document = {
        **genuine.document,
        "validFrom": "2026-11-22T09:00:00Z",
        "validUntil": "2026-11-23T09:00:00Z",
    }
    forged, _did = did_key_forgery(document)
    report = _offline(json.dumps(forged))
    assert report.verdict is Verdict.EXPIRED
    assert report.headline.startswith("Expired on 23 November 2026")


def test_trust_signed_learner_name_in_report(genuine):
    forged, did = did_key_forgery(_with_name(genuine.document, "Ada Lovelace"))
    report = _offline(json.dumps(forged), trusted=[TrustEntry(did, "Hillside Academy")])
    assert report.learner_name == "Ada Lovelace"
    assert "to Ada Lovelace on" in report.headline
    assert "Ada Lovelace" in report.learner_statement
    assert report.to_json()["learner_name"] == "Ada Lovelace"


@pytest.mark.parametrize(
    "identifier",
    [
        {"identityType": "name", "hashed": True, "identityHash": "sha256$abc"},
        {"identityType": "emailAddress", "hashed": False, "identityHash": "ada@example.org"},
        {"identityType": "name", "hashed": False, "identityHash": "   "},
    ],
    ids=["hashed-name", "plain-email-not-a-name", "blank-name"],
)
def test_trust_no_signed_name_said_so(genuine, identifier):
    document = copy.deepcopy(genuine.document)
    document["credentialSubject"]["identifier"] = [{"type": "IdentityObject", **identifier}]
    report = _offline(json.dumps(did_key_forgery(document)[0]))
    assert report.learner_name is None
    assert report.learner_statement == "No signed learner name is present in this credential."
    assert report.to_json()["learner_name"] is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not JSON"),
        ('{"id": "did:key:z6Mk"}', "JSON list"),
        ('[{"name": "No id"}]', "entry 1 has no id"),
        ('[{"id": "school.example", "name": ""}]', "has no name"),
        ('["school.example"]', "entry 1 has no id"),
    ],
    ids=["not-json", "object-not-list", "missing-id", "empty-name", "bare-string-entry"],
)
def test_trust_list_malformed_refused_with_reason(text, words):
    with pytest.raises(InputError, match=words):
        read_trust_list(text)


def test_trust_list_read():
    entries = read_trust_list('[{"id": " school.example ", "name": "Hillside Academy"}]')
    assert entries == (TrustEntry("school.example", "Hillside Academy"),)
