"""The verification pipeline end to end: formats, key resolution, attacks, the report."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import threading
from datetime import UTC
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import jwt as pyjwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.credentials.baking import bake_png
from app.credentials.baking import bake_svg
from app.credentials.document import Issuer
from app.credentials.errors import InputError
from app.credentials.keys import multikey_from_public_key
from app.credentials.proofs.eddsa_rdfc_2022 import add_proof
from app.verify.core.fetching import DocumentNotFound
from app.verify.core.fetching import FetchError
from app.verify.core.fetching import GuardedAdapter
from app.verify.core.fetching import HttpFetcher
from app.verify.core.fetching import check_public_url
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import NOW
from tests.credentials.samples import sample_credential
from tests.verify.factory import DID_DOCUMENT_URL
from tests.verify.factory import JWKS_URL
from tests.verify.factory import PLAIN_SVG
from tests.verify.factory import REVOCATION_URL
from tests.verify.factory import MemoryFetcher
from tests.verify.factory import issue
from tests.verify.factory import own_resolver
from tests.verify.factory import pdf_with
from tests.verify.factory import plain_png
from tests.verify.factory import school_documents
from tests.verify.factory import status_list


@pytest.fixture(scope="module")
def signed(keys_dir):
    return issue(keys_dir.store)


@pytest.fixture
def documents(keys_dir):
    return school_documents(keys_dir.store)


def _online(documents):
    fetcher = MemoryFetcher(documents)
    return {"resolver": build_resolver(fetcher=fetcher), "fetcher": fetcher, "now": NOW}


def _check(report, name, outcome=None):
    checks = [
        c for c in report.checks if c.name == name and (outcome is None or c.outcome is outcome)
    ]
    assert checks, report.checks
    return checks[0]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# -- genuine credentials in every format --------------------------------------


def test_verify_own_credential_report_fields(signed, keys_dir, documents):
    """Does the report carry what a counselor needs to see, as the credential says it?"""
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
        own_issuer_id=ISSUER_ID,
    )
    assert report.verdict is Verdict.VERIFIED and report.verified and report.genuine
    assert report.headline == (
        "Genuine — “Small-engine repair 0”, issued by Riverside High School to a hashed email "
        "address on 23 November 2026."
    )
    assert [c.name for c in report.checks] == [
        "credential",
        "contexts",
        "data model",
        "key",
        "proof",
        "dates",
        "status",
        "schema",
    ]
    assert report.is_own_issuer is True
    assert report.issuer_id == ISSUER_ID and report.issuer_name == "Riverside High School"
    assert report.badge_name == "Small-engine repair 0"
    assert report.criteria["id"] == "https://laurel.test/badges/0/criteria"
    assert report.criteria["narrative"].startswith("# Criteria")
    assert report.achievement_image_url == "https://laurel.test/badges/0/image.png"
    assert report.issued_on == NOW and report.valid_from == NOW
    assert report.valid_until == datetime(2031, 11, 23, 10, 0, tzinfo=UTC)
    assert [item["name"] for item in report.evidence] == ["Photo log of the rebuild", "Reflection"]
    assert report.subject_id == signed.document["credentialSubject"]["id"]
    assert report.subject_hashed_identifiers[0]["identityType"] == "emailAddress"
    assert report.source_format == "json" and report.credential == signed.document


def test_verify_report_to_json_is_plain_json(signed, keys_dir, documents):
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
    )
    data = json.loads(json.dumps(report.to_json()))
    assert data["verified"] is True and data["verdict"] == "verified"
    assert data["valid_until"] == "2031-11-23T10:00:00Z"
    assert {c["outcome"] for c in data["checks"]} == {"passed"}
    assert data["issuer"] == {
        "id": ISSUER_ID,
        "name": "Riverside High School",
        "is_own": None,
        "established": {
            "kind": "domain",
            "name": "laurel.test",
            "asserted_name": "Riverside High School",
            "established": True,
        },
    }


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("Student0@Riverside.example", True),
        ("  student0@riverside.example ", True),
        ("student1@riverside.example", False),
        ("", False),
    ],
    ids=["as_issued", "other_case_and_spaces", "other_learner", "empty"],
)
def test_report_matches_email_hashed_identity(signed, keys_dir, documents, email, expected):
    report = verify(
        signed.json_text,
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
    )
    assert report.matches_email(email) is expected


def test_verify_did_web_and_jwks_over_fetcher(signed, documents):
    """Without the key store, are the keys found in the DID document and the JWKS?"""
    for data in (signed.json_text, signed.jwt):
        report = verify(data, **_online(documents))
        assert report.verdict is Verdict.VERIFIED, report.checks
    jwt_report = verify(signed.jwt, **_online(documents))
    messages = [c.message for c in jwt_report.checks if c.name == "key"]
    assert any(DID_DOCUMENT_URL in m for m in messages)
    assert jwt_report.source_format == "jwt" and jwt_report.jwt == signed.jwt


def test_verify_jwt_key_left_out_of_did_document_found_in_jwks(signed, keys_dir, documents):
    """An RSA key too old for the 8 KB DID document is still found in the JWKS."""
    from app.credentials.did import build_did_document

    records = [r for r in keys_dir.store.records() if r.kind == "ed25519"]
    documents[DID_DOCUMENT_URL] = build_did_document(ISSUER_ID, records)
    report = verify(signed.jwt, **_online(documents))
    assert report.verdict is Verdict.VERIFIED, report.checks
    messages = [c.message for c in report.checks if c.name == "key"]
    assert any(JWKS_URL in m for m in messages)


@pytest.mark.parametrize("form", ["json", "jwt"])
@pytest.mark.parametrize("image", ["png", "svg"])
def test_verify_baked_image_verified(signed, documents, form, image):
    text = signed.json_text if form == "json" else signed.jwt
    data = bake_png(plain_png(), text) if image == "png" else bake_svg(PLAIN_SVG, text)
    report = verify(data, **_online(documents))
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.source_format == image


def test_verify_url_input_fetched_and_verified(signed, documents):
    url = "https://laurel.test/credentials/6f1c.json"
    documents[url] = signed.json_text
    report = verify(url, **_online(documents))
    assert report.verdict is Verdict.VERIFIED
    assert report.source_url == url


def test_verify_pdf_offline_with_attachments_could_not_link_key(signed, keys_dir, documents):
    """Does a PDF verify offline from its attachments, saying the domain link is unchecked?"""
    pdf = pdf_with(
        {
            "credential.json": signed.json_text.encode(),
            "credential.jwt": signed.jwt.encode(),
            "did.json": json.dumps(documents[DID_DOCUMENT_URL]).encode(),
            "jwks.json": json.dumps(documents[JWKS_URL]).encode(),
        }
    )
    report = verify(pdf, resolver=build_resolver(fetcher=None), fetcher=None, now=NOW)
    assert report.verdict is Verdict.UNCHECKED
    assert [c.outcome for c in report.checks if c.name == "proof"] == [
        Outcome.PASSED,
        Outcome.PASSED,
    ]
    key = _check(report, "key", Outcome.UNKNOWN)
    assert "attached to the PDF" in key.message and "belongs to laurel.test" in key.message


def test_verify_pdf_offline_without_documents_key_unknown(signed):
    pdf = pdf_with({"credential.json": signed.json_text.encode()})
    report = verify(pdf, resolver=build_resolver(fetcher=None), now=NOW)
    assert report.verdict is Verdict.UNCHECKED
    assert "offline" in _check(report, "key", Outcome.UNKNOWN).message
    assert report.headline.startswith("Could not check the signature — ")
    assert "Small-engine" not in report.headline


def test_verify_pdf_with_mismatched_copies_fails(signed, keys_dir, documents):
    other = issue(keys_dir.store, 5)
    pdf = pdf_with(
        {"credential.json": signed.json_text.encode(), "credential.jwt": other.jwt.encode()}
    )
    report = verify(pdf, **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "not the same credential" in _check(report, "credential", Outcome.FAILED).message


def test_verify_did_key_issuer_signature_checked_but_unknown_issuer():
    """A did:key credential's signature checks with no network, but nothing says who made it."""
    private_key = Ed25519PrivateKey.generate()
    multikey = multikey_from_public_key(private_key.public_key())
    did = f"did:key:{multikey}"
    unsigned = sample_credential(
        7,
        issuer=Issuer(id=did, name="Hillside Academy", url="https://hillside.example"),
        status_entries=(),
    )
    document = add_proof(
        unsigned,
        private_key=private_key,
        verification_method=f"{did}#{multikey}",
        created="2026-11-23T10:00:00Z",
    )
    report = verify(json.dumps(document), resolver=build_resolver(fetcher=None), now=NOW)
    assert report.verdict is Verdict.UNKNOWN_ISSUER, report.checks
    assert _check(report, "proof", Outcome.PASSED) and _check(report, "key", Outcome.PASSED)
    assert "no status list" in _check(report, "status").message


def test_verify_malformed_date_time_fails_schema_line():
    """Is a foreign credential with a date without a time zone reported, not "matches"?"""
    private_key = Ed25519PrivateKey.generate()
    multikey = multikey_from_public_key(private_key.public_key())
    did = f"did:key:{multikey}"
    unsigned = sample_credential(
        8,
        issuer=Issuer(id=did, name="Hillside Academy", url="https://hillside.example"),
        status_entries=(),
    )
    unsigned["validFrom"] = "2026-11-23T10:00:00"
    unsigned["awardedDate"] = "2026-13-01T00:00:00Z"
    document = add_proof(
        unsigned,
        private_key=private_key,
        verification_method=f"{did}#{multikey}",
        created="2026-11-23T10:00:00Z",
    )
    report = verify(json.dumps(document), resolver=build_resolver(fetcher=None), now=NOW)
    assert report.verdict is Verdict.NOT_VERIFIED
    schema = _check(report, "schema", Outcome.FAILED)
    assert schema.message == (
        "The credential does not match the Open Badges / CLR schema (2 problems): "
        "awardedDate: '2026-13-01T00:00:00Z' is not a valid date and time with a time zone, "
        "like 2026-11-23T10:00:00Z"
    )
    assert "validFrom: '2026-11-23T10:00:00' is not a valid date and time" in schema.detail
    assert _check(report, "proof").outcome is Outcome.PASSED


def test_verify_vc_1_1_jwt_read(keys_dir, documents):
    """Is an OB 3.0 credential on VCDM 1.1 (`vc` claim, issuanceDate) read and its JWT checked?"""
    credential = sample_credential(8, status_entries=())
    for name in ("validFrom", "validUntil", "credentialSchema"):
        credential.pop(name, None)
    credential["@context"] = ["https://www.w3.org/2018/credentials/v1", credential["@context"][1]]
    credential["issuanceDate"] = "2026-11-23T10:00:00Z"
    store = keys_dir.store
    token = pyjwt.encode(
        {
            "iss": ISSUER_ID,
            "jti": credential["id"],
            "sub": credential["credentialSubject"]["id"],
            "vc": credential,
        },
        store.private_key(store.current("rsa")),
        algorithm="RS256",
        headers={"kid": f"{ISSUER_ID}#{store.current('rsa').fragment}"},
    )
    report = verify(token, **_online(documents))
    assert _check(report, "proof").outcome is Outcome.PASSED
    assert report.valid_from == NOW and report.issued_on == NOW
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert "VC 1.1" in _check(report, "schema", Outcome.PASSED).message


# -- attacks on the proof and the key -----------------------------------------


def test_verify_unknown_context_fails_naming_url(signed, documents):
    tampered = copy.deepcopy(signed.document)
    tampered["@context"].append("https://evil.example/context.jsonld")
    report = verify(json.dumps(tampered), **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED
    contexts = _check(report, "contexts", Outcome.FAILED)
    assert "https://evil.example/context.jsonld" in contexts.message
    assert contexts.detail == "https://evil.example/context.jsonld"


def test_verify_no_proof_fails(signed, documents):
    unsigned = {k: v for k, v in signed.document.items() if k != "proof"}
    report = verify(json.dumps(unsigned), **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "no proof" in _check(report, "proof", Outcome.FAILED).message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"cryptosuite": "eddsa-2022"}, "eddsa-2022"),
        ({"cryptosuite": "ecdsa-sd-2023"}, "ecdsa-sd-2023"),
        ({"type": "Ed25519Signature2020", "cryptosuite": None}, "Ed25519Signature2020"),
        ({"proofPurpose": "authentication"}, "authentication"),
        ({"verificationMethod": None}, "does not name"),
    ],
    ids=[
        "old_cryptosuite",
        "unknown_cryptosuite",
        "legacy_proof_type",
        "purpose_authentication",
        "no_method",
    ],
)
def test_verify_unsupported_proof_fails(signed, documents, change, words):
    tampered = copy.deepcopy(signed.document)
    proof = tampered["proof"][0]
    for key, value in change.items():
        if value is None:
            proof.pop(key, None)
        else:
            proof[key] = value
    report = verify(json.dumps(tampered), **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert words in _check(report, "proof", Outcome.FAILED).message


def _did_document(documents):
    return copy.deepcopy(documents[DID_DOCUMENT_URL])


def test_verify_key_controller_not_issuer_fails(signed, documents):
    """Does a key whose controller is someone else fail, even though the signature matches?"""
    did_document = _did_document(documents)
    for method in did_document["verificationMethod"]:
        method["controller"] = "did:web:impostor.example"
    documents[DID_DOCUMENT_URL] = did_document
    report = verify(signed.json_text, **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "not to the issuer" in _check(report, "key", Outcome.FAILED).message


def test_verify_key_not_for_assertions_fails(signed, documents):
    did_document = _did_document(documents)
    did_document["assertionMethod"] = []
    documents[DID_DOCUMENT_URL] = did_document
    report = verify(signed.json_text, **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "assertionMethod" in _check(report, "key", Outcome.FAILED).message


def test_verify_did_document_for_other_did_fails(signed, documents):
    did_document = _did_document(documents)
    did_document["id"] = "did:web:impostor.example"
    documents[DID_DOCUMENT_URL] = did_document
    report = verify(signed.json_text, **_online(documents))
    assert report.verdict is Verdict.NOT_VERIFIED


def test_verify_did_document_unreachable_could_not_check(signed):
    report = verify(signed.json_text, **_online({}))
    assert report.verdict is Verdict.UNCHECKED
    assert "could not fetch" in _check(report, "key", Outcome.UNKNOWN).message


def test_verify_unknown_key_in_own_store_fails(signed, keys_dir, documents):
    tampered = copy.deepcopy(signed.document)
    tampered["proof"][0]["verificationMethod"] = f"{ISSUER_ID}#key-99"
    report = verify(
        json.dumps(tampered),
        resolver=own_resolver(keys_dir.store),
        fetcher=MemoryFetcher(documents),
        now=NOW,
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "never had the key" in _check(report, "key", Outcome.FAILED).message


def _resigned_hs256(token: str, secret: bytes, alg: str = "HS256") -> str:
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    header["alg"] = alg
    signing_input = _b64(json.dumps(header).encode()) + "." + token.split(".")[1]
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def test_verify_jwt_hs256_with_public_key_as_secret_fails(signed, keys_dir, documents):
    """Algorithm confusion: an HS256 token "signed" with the school's public RSA key must fail."""
    public_pem = keys_dir.store.current("rsa").public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    forged = _resigned_hs256(signed.jwt, public_pem)
    report = verify(
        forged, resolver=own_resolver(keys_dir.store), fetcher=MemoryFetcher(documents), now=NOW
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "HS256" in _check(report, "proof", Outcome.FAILED).message


def test_verify_jwt_es256_header_with_rsa_key_fails(signed, keys_dir, documents):
    header, payload, signature = signed.jwt.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(header + "=="))
    forged = f"{_b64(json.dumps({**decoded, 'alg': 'ES256'}).encode())}.{payload}.{signature}"
    report = verify(
        forged, resolver=own_resolver(keys_dir.store), fetcher=MemoryFetcher(documents), now=NOW
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "refused" in _check(report, "proof", Outcome.FAILED).message


def test_verify_jwt_without_kid_fails(signed, keys_dir, documents):
    header, payload, signature = signed.jwt.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(header + "=="))
    decoded.pop("kid")
    forged = f"{_b64(json.dumps(decoded).encode())}.{payload}.{signature}"
    report = verify(
        forged, resolver=own_resolver(keys_dir.store), fetcher=MemoryFetcher(documents), now=NOW
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert "kid" in _check(report, "proof", Outcome.FAILED).message


def test_verify_resolver_crash_could_not_check(signed, documents):
    """Does an unexpected error inside a resolver become "could not check", not a crash?"""

    class Broken:
        def resolve(self, verification_method):
            raise RuntimeError("bug")

    report = verify(signed.json_text, resolver=Broken(), fetcher=MemoryFetcher(documents), now=NOW)
    assert report.verdict is Verdict.UNCHECKED
    assert "internal error" in _check(report, "proof", Outcome.UNKNOWN).message


# -- the network fetcher against a loopback server -----------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "https://10.0.0.1/did.json")
            self.end_headers()
            return
        body = b"x" * (2 * 1024 * 1024) if self.path == "/big" else b'{"id": "did:web:example"}'
        status = 404 if self.path == "/missing" else 200
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_fetcher_loopback_allowed_for_tests(loopback_server):
    assert (
        HttpFetcher(allow_loopback=True)(loopback_server + "/did.json")
        == b'{"id": "did:web:example"}'
    )


def test_http_fetcher_loopback_refused_by_default(loopback_server):
    with pytest.raises(FetchError, match="HTTPS only"):
        HttpFetcher()(loopback_server + "/did.json")


def test_http_fetcher_own_origin_plain_http_loopback_allowed(loopback_server):
    """This Laurel's own public URL (a development server) is fetched, plain HTTP or not."""
    fetcher = HttpFetcher(own_origin=loopback_server)
    assert fetcher(loopback_server + "/did.json") == b'{"id": "did:web:example"}'


@pytest.mark.parametrize(
    "own_origin",
    [
        "http://127.0.0.1:1",
        "https://127.0.0.1:{port}",
        "http://localhost:{port}",
        "http://127.0.0.1:{port}:bad",
    ],
)
def test_http_fetcher_other_origin_than_own_refused(loopback_server, own_origin):
    port = loopback_server.rsplit(":", 1)[1]
    fetcher = HttpFetcher(own_origin=own_origin.format(port=port))
    with pytest.raises(FetchError, match="HTTPS only"):
        fetcher(loopback_server + "/did.json")


def test_http_fetcher_redirect_from_own_origin_to_private_refused(loopback_server):
    with pytest.raises(FetchError, match="private network"):
        HttpFetcher(own_origin=loopback_server)(loopback_server + "/redirect-private")


def test_check_public_url_own_origin_private_address_allowed_only_there():
    def school_network(host):
        return ["10.0.0.5"]

    own = "http://laurel.school.internal:5000"
    url = "http://LAUREL.school.internal:5000/status/revocation/1"
    assert check_public_url(url, resolve_host=school_network, own_origin=own) == "10.0.0.5"
    with pytest.raises(FetchError, match="private network"):
        check_public_url(
            "https://laurel.school.internal/status/revocation/1",
            resolve_host=school_network,
            own_origin=own,
        )
    with pytest.raises(FetchError, match="HTTPS only"):
        check_public_url(
            "http://laurel.school.internal:5001/x", resolve_host=school_network, own_origin=own
        )


def test_http_fetcher_redirect_to_private_refused(loopback_server):
    with pytest.raises(FetchError, match="private network"):
        HttpFetcher(allow_loopback=True)(loopback_server + "/redirect-private")


def test_http_fetcher_body_over_cap_refused(loopback_server):
    with pytest.raises(FetchError, match="more than 1 MB"):
        HttpFetcher(allow_loopback=True, max_bytes=1024 * 1024)(loopback_server + "/big")


def test_http_fetcher_http_error_reported(loopback_server):
    with pytest.raises(DocumentNotFound, match="404"):
        HttpFetcher(allow_loopback=True)(loopback_server + "/missing")


# -- official vectors and lists ----------------------------------------------

VECTORS = Path(__file__).resolve().parents[1] / "credentials" / "vectors"
VECTOR_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def _controller_document(controller: str, base: str) -> dict:
    method = f"{base}#{VECTOR_MULTIKEY}"
    return {
        "id": base,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": VECTOR_MULTIKEY,
            }
        ],
        "assertionMethod": [method],
    }


def test_verify_official_ob_vector_verified():
    """Does 1EdTech's signed OB 3.0 vector verify, its key in an HTTPS controller document?"""
    credential = json.loads(
        (VECTORS / "eddsa_rdfc_2022_ob_v3p0" / "credential_signed.json").read_text()
    )
    issuer = credential["issuer"]["id"]
    fetcher = MemoryFetcher({issuer: _controller_document(issuer, issuer)})
    report = verify(
        json.dumps(credential), resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.issuer_name == "Example Corp"


def test_verify_official_status_vector_revoked():
    """Is 1EdTech's revoked credential (bit 23 of its signed list) reported revoked?"""
    folder = VECTORS / "bitstring_status_list"
    credential = json.loads((folder / "credential-status-revoked.json").read_text())
    issuer = credential["issuer"]["id"]
    fetcher = MemoryFetcher(
        {
            issuer: _controller_document(issuer, issuer),
            credential["credentialStatus"]["statusListCredential"]: (
                folder / "testlist.json"
            ).read_bytes(),
        }
    )
    report = verify(
        json.dumps(credential), resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=NOW
    )
    assert report.verdict is Verdict.REVOKED, report.checks
    assert report.headline.startswith("Revoked — “Achievement 1”")


def test_verify_status_list_under_other_name_cannot_vouch(signed, keys_dir, documents):
    """A signed list that names another URL may not vouch "not revoked"."""
    documents[REVOCATION_URL] = status_list(
        keys_dir.store, url="https://laurel.test/status/revocation/2"
    )
    report = verify(signed.json_text, **_online(documents))
    assert report.verdict is Verdict.UNCHECKED
    assert "says it is" in _check(report, "status", Outcome.UNKNOWN).message


def test_verify_pdf_with_forged_attachments_not_verified(tmp_path, documents):
    """A PDF signed by an impostor under the school's DID, with a forged did.json, fails."""
    from app.credentials.did import build_did_document
    from app.credentials.keys import KeyStore

    impostor = KeyStore(tmp_path / "impostor", "impostor")
    impostor.init(now=NOW)
    forged = issue(impostor, 4)
    forged_did = build_did_document(
        ISSUER_ID, [r for r in impostor.records() if r.kind == "ed25519"]
    )
    pdf = pdf_with(
        {"credential.json": forged.json_text.encode(), "did.json": json.dumps(forged_did).encode()}
    )
    online = verify(pdf, **_online(documents))
    assert online.verdict is Verdict.NOT_VERIFIED
    offline = verify(pdf, resolver=build_resolver(fetcher=None), now=NOW)
    assert offline.verdict is Verdict.UNCHECKED and not offline.genuine


def test_verify_share_page_url_follows_credential_link(signed, documents):
    """Does a share-page URL (HTML linking its credential JSON) verify the linked credential?"""
    page = "https://laurel.test/s/abc123"
    documents[page] = (
        '<!doctype html><html><head><link rel="alternate" type="application/vc+ld+json" '
        'href="/credentials/6f1c.json"></head><body>Badge</body></html>'
    )
    documents["https://laurel.test/credentials/6f1c.json"] = signed.json_text
    report = verify(page, **_online(documents))
    assert report.verdict is Verdict.VERIFIED
    assert report.source_url == page


def test_verify_html_page_without_link_refused(documents):
    documents["https://laurel.test/about"] = "<!doctype html><html><body>About us</body></html>"
    with pytest.raises(InputError, match="HTML"):
        verify("https://laurel.test/about", **_online(documents))


def test_verify_learner_record_clr_verified(keys_dir, documents):
    """Is a signed learner record (ClrCredential embedding credentials) verified as a whole?"""
    from app.credentials.clr import build_clr
    from app.credentials.document import SubjectData
    from app.credentials.signing import sign_document
    from tests.credentials.samples import SCHOOL

    record = build_clr(
        clr_id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000001",
        issuer=SCHOOL,
        subject=SubjectData(id="urn:uuid:1b7e0000-0000-4000-8000-000000000000"),
        credentials=[issue(keys_dir.store, number).document for number in (0, 1)],
        valid_from=NOW,
        name="Learner record",
    )
    signed_record = sign_document(record, keystore=keys_dir.store, now=NOW)
    report = verify(json.dumps(signed_record), **_online(documents))
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert report.headline.startswith("Genuine — “Learner record”")
    assert "Comprehensive Learner Record 2.0" in _check(report, "schema").message


def test_verify_es256_jwt_with_did_web_jwk_verified():
    """Is an ES256 VC-JWT from another school verified with a P-256 JWK in its DID document?"""
    from cryptography.hazmat.primitives.asymmetric import ec

    from app.credentials.keys import jwk_from_public_key
    from app.credentials.proofs.vc_jwt import sign_jwt

    did = "did:web:hillside.example"
    method = f"{did}#es-1"
    private_key = ec.generate_private_key(ec.SECP256R1())
    credential = sample_credential(
        9, issuer=Issuer(id=did, name="Hillside", url="https://hillside.example"), status_entries=()
    )
    token = sign_jwt(credential, private_key=private_key, kid=method, alg="ES256")
    did_document = {
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "JsonWebKey",
                "controller": did,
                "publicKeyJwk": jwk_from_public_key(private_key.public_key(), kid=method),
            }
        ],
        "assertionMethod": [method],
    }
    report = verify(
        token, **_online({"https://hillside.example/.well-known/did.json": did_document})
    )
    assert report.verdict is Verdict.VERIFIED, report.checks
    assert "ES256" in _check(report, "proof", Outcome.PASSED).message


def _self_signed(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed TLS certificate for `name` and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2040, 1, 1, tzinfo=UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate_path, key_path


class _HostEcho(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = self.headers.get("Host", "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on loopback whose certificate names school.test."""
    import ssl

    certificate, key = _self_signed(tmp_path, "school.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostEcho)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], certificate
    server.shutdown()
    server.server_close()


def test_http_fetcher_connects_to_checked_address_with_tls_name(tls_server):
    """Is the connection pinned to the address that was checked, with TLS verifying the name?"""
    port, certificate = tls_server
    looked_up = []

    def resolve_host(host):
        looked_up.append(host)
        return ["127.0.0.1"]

    fetcher = HttpFetcher(
        resolve_host=resolve_host, allow_loopback=True, ca_bundle=str(certificate)
    )
    assert fetcher(f"https://school.test:{port}/did.json") == f"school.test:{port}".encode()
    assert looked_up == ["school.test"]


def test_http_fetcher_tls_name_mismatch_refused(tls_server):
    """Connecting by address must not loosen TLS: a certificate for another name is refused."""
    port, certificate = tls_server
    fetcher = HttpFetcher(
        resolve_host=lambda host: ["127.0.0.1"], allow_loopback=True, ca_bundle=str(certificate)
    )
    with pytest.raises(FetchError, match="could not be reached"):
        fetcher(f"https://other.test:{port}/did.json")


def _guarded_session(resolve_host, **limits) -> requests.Session:
    session = requests.Session()
    session.mount(
        "https://", GuardedAdapter(resolve_host=resolve_host, allow_loopback=True, **limits)
    )
    return session


def test_guarded_adapter_connects_to_checked_address_with_tls_name(tls_server):
    """The OAuth client's adapter pins like the fetcher: the checked address, TLS by name."""
    port, certificate = tls_server
    with _guarded_session(lambda host: ["127.0.0.1"]) as session:
        answer = session.get(
            f"https://school.test:{port}/token", verify=str(certificate), timeout=10
        )
    assert answer.content == f"school.test:{port}".encode()


def test_guarded_adapter_tls_name_mismatch_refused(tls_server):
    port, certificate = tls_server
    with _guarded_session(lambda host: ["127.0.0.1"]) as session:
        with pytest.raises(requests.exceptions.SSLError):
            session.get(f"https://other.test:{port}/token", verify=str(certificate), timeout=10)


def test_guarded_adapter_stops_reading_past_its_limit(tls_server):
    port, certificate = tls_server
    with _guarded_session(lambda host: ["127.0.0.1"], max_bytes=4) as session:
        with pytest.raises(FetchError, match="sent more than"):
            session.get(f"https://school.test:{port}/token", verify=str(certificate), timeout=10)


def test_guarded_adapter_refuses_a_private_address():
    with _guarded_session(lambda host: ["10.0.0.5"]) as session:
        with pytest.raises(FetchError, match="private network"):
            session.post("https://backpack.test/reg", json={}, timeout=10)


def test_verify_damaged_own_key_store_could_not_check(signed, keys_dir, tmp_path):
    """A damaged key store makes the key "could not check", never a forgery or a crash."""
    import shutil

    from app.credentials.keys import KeyStore

    directory = tmp_path / "keys"
    shutil.copytree(keys_dir.path, directory)
    (directory / "keys.json").write_text("{ damaged")
    report = verify(
        signed.json_text, resolver=own_resolver(KeyStore(directory, "x")), fetcher=None, now=NOW
    )
    assert report.verdict is Verdict.UNCHECKED
    assert "key store could not be read" in _check(report, "key", Outcome.UNKNOWN).message
