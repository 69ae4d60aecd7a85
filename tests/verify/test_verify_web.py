"""Bad input on the counselor's /verify page and on POST /api/v1/verify.

Every case below must get a clear sentence and a 4xx status, never a 500, on both
endpoints. Unreadable input is a 400 (or 413 when over the upload limit); a
readable document that is not a genuine credential is a 422 with its report.
A guard fails the test if anything tries to resolve a host name or open a
connection: URLs are judged with an injected host resolver, before any packet.

The cases are listed in CASE_NAMES (files, pasted text, URLs), plus the malformed
requests at the end of this file (an empty form, several inputs at once, API bodies).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import io
import json
import socket
import struct
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives import serialization
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.credentials.baking import bake_png
from app.credentials.document import signed_name
from app.extensions import db
from app.share.pdf import html_to_pdf
from app.verify.core.fetching import FetchError
from tests.verify.factory import PLAIN_SVG
from tests.verify.factory import did_key_forgery
from tests.verify.factory import issue
from tests.verify.factory import itxt_chunk
from tests.verify.factory import pdf_with
from tests.verify.factory import plain_png
from tests.verify.factory import png_with_two_credentials

HOSTS = {
    "intranet.school.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "sneaky.example": ["93.184.216.34", "127.0.0.1"],
    "v6.example": ["fd00::1"],
    "zero.example": ["0.0.0.0"],
    "cgnat.example": ["100.64.0.1"],
}


def injected_resolver(host: str) -> list[str]:
    """The only name resolution these tests allow: a fixed table, nothing on the wire."""
    if host not in HOSTS:
        raise FetchError(f"The host {host} could not be found.")
    return HOSTS[host]


@pytest.fixture(autouse=True)
def no_connection_at_all(monkeypatch):
    """Fail the test on any name lookup or connection attempt, loopback included."""

    def refuse(*args, **kwargs):
        pytest.fail(f"verification tried to reach the network: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def app_config(app_config):
    app_config["LAUREL_VERIFY_HOST_RESOLVER"] = injected_resolver
    app_config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = False
    return app_config


@dataclass(frozen=True)
class Case:
    kind: str  # file, text or url
    payload: bytes | str
    expect: str  # a phrase the message must contain (case-insensitive); "a|b": either
    status: int = 400
    filename: str = "upload.bin"


def _b64(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode("ascii")


def _b64_json(value: dict) -> str:
    return _b64(json.dumps(value).encode())


def _hs256_with_public_key(token: str, public_pem: bytes) -> str:
    """The algorithm-confusion attack: HMAC-SHA256 keyed with the issuer's RSA public key."""
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    forged_header = _b64_json({**header, "alg": "HS256"})
    payload = token.split(".")[1]
    signature = hmac.new(public_pem, f"{forged_header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{forged_header}.{payload}.{_b64(signature)}"


def _png_with_bad_crc(baked: bytes) -> bytes:
    position = baked.index(b"iTXt")
    length = struct.unpack(">I", baked[position - 4 : position])[0]
    crc_at = position + 4 + length
    return baked[:crc_at] + bytes([baked[crc_at] ^ 0xFF]) + baked[crc_at + 1 :]


def _pdf_bomb() -> bytes:
    """A small PDF whose attachment inflates to 64 MB."""
    return pdf_with(
        {"credential.json": b"{" + b" " * (64 * 1024 * 1024) + b"}"}, compressed={"credential.json"}
    )


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol4;</text></svg>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>"""
WITH_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg"/>"""


def build_cases(signed, public_pem: bytes) -> dict[str, Case]:
    document = json.loads(signed.json_text)
    header, payload, signature = signed.jwt.split(".")
    baked = bake_png(plain_png(), signed.json_text)
    tampered = {**document, "name": "Rocket Science (with honours)"}
    tampered_payload = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered_payload["name"] = "Rocket Science (with honours)"
    without_proof = {key: value for key, value in document.items() if key != "proof"}
    garbage_proof = {**document, "proof": [{**document["proof"][0], "proofValue": "z" + "1" * 40}]}
    unknown_context = {
        **document,
        "@context": [*document["@context"], "https://contexts.example/extra.jsonld"],
    }
    undefined_term = {**document, "favouriteColour": "green"}
    issuer_swapped = {
        **document,
        "issuer": {**document["issuer"], "id": "did:web:other-school.example"},
    }
    return {
        "empty_file": Case("file", b"", "empty", filename="badge.png"),
        "binary_garbage": Case(
            "file", bytes(range(256)) * 8, "cannot read", filename="mystery.bin"
        ),
        "html_page": Case(
            "file", b"<!doctype html><html><body>Hi</body></html>", "HTML", filename="page.html"
        ),
        "png_truncated": Case("file", baked[: len(baked) // 2], "PNG", filename="badge.png"),
        "png_signature_only": Case("file", b"\x89PNG\r\n\x1a\n", "PNG", filename="badge.png"),
        "png_without_credential": Case("file", plain_png(), "credential", filename="badge.png"),
        "png_other_text_chunk": Case(
            "file",
            plain_png()[:33] + itxt_chunk("made with love", keyword=b"Comment") + plain_png()[33:],
            "credential",
            filename="badge.png",
        ),
        "png_two_credential_chunks": Case(
            "file", png_with_two_credentials(signed.json_text), "one", filename="badge.png"
        ),
        "png_chunk_not_a_credential": Case(
            "file",
            plain_png()[:33] + itxt_chunk("hello there") + plain_png()[33:],
            "credential",
            filename="badge.png",
        ),
        "png_bad_crc": Case("file", _png_with_bad_crc(baked), "PNG", filename="badge.png"),
        "svg_without_credential": Case("file", PLAIN_SVG, "credential", filename="badge.svg"),
        "svg_external_entity": Case("file", EXTERNAL_ENTITY, "DTD", filename="badge.svg"),
        "svg_billion_laughs": Case("file", BILLION_LAUGHS, "DTD", filename="badge.svg"),
        "svg_with_dtd": Case("file", WITH_DTD, "DTD", filename="badge.svg"),
        "svg_not_well_formed": Case(
            "file",
            b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
            "SVG",
            filename="badge.svg",
        ),
        "pdf_without_attachment": Case(
            "file", html_to_pdf("<p>A certificate</p>"), "no credential attached", filename="c.pdf"
        ),
        "pdf_other_attachment": Case(
            "file", pdf_with({"notes.txt": b"hello"}), "no credential attached", filename="c.pdf"
        ),
        "pdf_attachment_not_json": Case(
            "file", pdf_with({"credential.json": b"not json at all"}), "JSON", filename="c.pdf"
        ),
        "pdf_bomb": Case("file", _pdf_bomb(), "larger", filename="c.pdf"),
        "pdf_damaged": Case(
            "file", b"%PDF-1.7\n" + b"\x00garbage" * 100, "damaged", filename="c.pdf"
        ),
        "pdf_header_only": Case("file", b"%PDF-1.4\n", "damaged", filename="c.pdf"),
        "json_file_tampered": Case(
            "file", json.dumps(tampered).encode(), "signature", 422, filename="c.json"
        ),
        "jwt_file_tampered": Case(
            "file",
            f"{header}.{_b64_json(tampered_payload)}.{signature}".encode(),
            "signature",
            422,
            filename="c.jwt",
        ),
        "file_over_parse_limit": Case(
            "file", b"{" + b" " * (11 * 1024 * 1024) + b"}", "too large", filename="c.json"
        ),
        "upload_60_mb": Case(
            "file",
            b"\0" * (60 * 1024 * 1024),
            "larger than the 25 MB limit",
            413,
            filename="huge.png",
        ),
        "whitespace_only": Case("text", "   \n\t  ", "empty|Give a credential to check"),
        "invalid_json": Case("text", '{"type": ["VerifiableCredential"], ', "not valid JSON"),
        "json_array": Case("text", "[1, 2, 3]", "JSON object"),
        "json_string": Case("text", '"a credential"', "JSON object|cannot read"),
        "json_not_credential": Case(
            "text", json.dumps({"name": "A badge", "type": "Thing"}), "VerifiableCredential"
        ),
        "ob2_assertion": Case(
            "text", json.dumps({"type": "Assertion", "id": "https://x.example/a"}), "2.0"
        ),
        "deeply_nested_json": Case("text", "[" * 50_000, "nested"),
        "json_unknown_context": Case("text", json.dumps(unknown_context), "contexts.example", 422),
        "json_undefined_term": Case("text", json.dumps(undefined_term), "favouriteColour", 422),
        "json_proof_removed": Case("text", json.dumps(without_proof), "signature", 422),
        "json_proof_value_garbage": Case("text", json.dumps(garbage_proof), "signature", 422),
        "json_issuer_swapped": Case("text", json.dumps(issuer_swapped), "not genuine", 422),
        "jwt_two_segments": Case("text", f"{header}.{payload}", "JWT"),
        "jwt_garbage": Case("text", f"{header}.bm90IGpzb24.c2ln", "JWT"),
        "jwt_alg_none": Case(
            "text", f"{_b64_json({'alg': 'none', 'typ': 'JWT'})}.{payload}.", "none"
        ),
        "jwt_hs256_with_public_key": Case(
            "text", _hs256_with_public_key(signed.jwt, public_pem), "HS256", 422
        ),
        "jwt_signature_stripped": Case("text", f"{header}.{payload}.", "signature", 422),
        "url_private_network": Case(
            "url", "https://intranet.school.example/badge.json", "private network"
        ),
        "url_link_local_metadata": Case(
            "url", "https://metadata.example/latest/meta-data", "private network"
        ),
        "url_loopback_name": Case(
            "url", "https://sneaky.example/credential.json", "private network"
        ),
        "url_ipv6_unique_local": Case(
            "url", "https://v6.example/credential.json", "private network"
        ),
        "url_unspecified_address": Case(
            "url", "https://zero.example/credential.json", "private network"
        ),
        "url_carrier_grade_nat": Case(
            "url", "https://cgnat.example/credential.json", "private network"
        ),
        "url_plain_http": Case("url", "http://intranet.school.example/badge.json", "HTTPS"),
        "url_unknown_host": Case("url", "https://nowhere.example/badge.json", "could not be found"),
        "url_own_site_unknown_credential": Case(
            "url",
            "https://laurel.test/credentials/00000000-0000-4000-8000-000000000000",
            "not a document",
        ),
    }


@pytest.fixture(scope="module")
def cases(keys_dir) -> dict[str, Case]:
    signed = issue(keys_dir.store)
    rsa = keys_dir.store.current("rsa").public_key
    public_pem = rsa.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return build_cases(signed, public_pem)


CASE_NAMES = (
    # files
    "empty_file",
    "binary_garbage",
    "html_page",
    "png_truncated",
    "png_signature_only",
    "png_without_credential",
    "png_other_text_chunk",
    "png_two_credential_chunks",
    "png_chunk_not_a_credential",
    "png_bad_crc",
    "svg_without_credential",
    "svg_external_entity",
    "svg_billion_laughs",
    "svg_with_dtd",
    "svg_not_well_formed",
    "pdf_without_attachment",
    "pdf_other_attachment",
    "pdf_attachment_not_json",
    "pdf_bomb",
    "pdf_damaged",
    "pdf_header_only",
    "json_file_tampered",
    "jwt_file_tampered",
    "file_over_parse_limit",
    "upload_60_mb",
    # pasted text
    "whitespace_only",
    "invalid_json",
    "json_array",
    "json_string",
    "json_not_credential",
    "ob2_assertion",
    "deeply_nested_json",
    "json_unknown_context",
    "json_undefined_term",
    "json_proof_removed",
    "json_proof_value_garbage",
    "json_issuer_swapped",
    "jwt_two_segments",
    "jwt_garbage",
    "jwt_alg_none",
    "jwt_hs256_with_public_key",
    "jwt_signature_stripped",
    # addresses
    "url_private_network",
    "url_link_local_metadata",
    "url_loopback_name",
    "url_ipv6_unique_local",
    "url_unspecified_address",
    "url_carrier_grade_nat",
    "url_plain_http",
    "url_unknown_host",
    "url_own_site_unknown_credential",
)


def post_form(client, path: str, fields: dict):
    """POST multipart/form-data built in memory (the test client would spool big bodies to
    a temporary file it never closes)."""
    boundary, body = encode_multipart(fields)
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(case: Case) -> FileStorage:
    return FileStorage(
        io.BytesIO(bytes(case.payload)),
        filename=case.filename,
        content_type="application/octet-stream",
    )


def post_web(client, case: Case):
    if case.kind == "file":
        return post_form(client, "/verify", {"file": upload(case)})
    return post_form(client, "/verify", {case.kind: case.payload})


def post_api(client, case: Case):
    if case.kind == "file":
        return post_form(client, "/api/v1/verify", {"file": upload(case)})
    if case.kind == "url":
        return client.post("/api/v1/verify", json={"url": case.payload})
    body = case.payload
    is_json = body.lstrip().startswith(("{", "[", '"'))
    return client.post(
        "/api/v1/verify",
        data=body,
        content_type="application/json" if is_json else "application/vc+jwt",
    )


def message_of(response) -> str:
    if response.is_json:
        body = response.get_json()
        return " ".join(str(body.get(key) or "") for key in ("message", "headline", "summary"))
    return html.unescape(response.get_data(as_text=True))


def test_verify_web_case_list_covers_forty_inputs(cases):
    assert sorted(CASE_NAMES) == sorted(cases)
    assert len(cases) >= 40


@pytest.mark.parametrize("endpoint", ["web", "api"])
@pytest.mark.parametrize("name", sorted(CASE_NAMES))
def test_verify_bad_input_clear_message_and_4xx(client, cases, name, endpoint):
    case = cases[name]
    response = (post_web if endpoint == "web" else post_api)(client, case)
    assert response.status_code == case.status, (
        name,
        endpoint,
        response.status_code,
        message_of(response)[:500],
    )
    text = message_of(response)
    assert any(phrase.lower() in text.lower() for phrase in case.expect.split("|")), (
        name,
        endpoint,
        text[:2000],
    )
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("data", "expect"),
    [
        ({}, "Give a credential to check"),
        ({"url": "https://intranet.school.example/a.json", "text": "{}"}, "one thing at a time"),
    ],
    ids=["nothing_given", "several_given"],
)
def test_verify_web_form_without_one_input_400(client, data, expect):
    response = client.post("/verify", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert expect in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kwargs", "expect"),
    [
        ({"data": b"", "content_type": "application/json"}, "empty"),
        ({"json": {"verifiableCredential": 5}}, "verifiableCredential"),
        ({"json": {"url": 5}}, "url"),
        ({"data": {"other": "x"}, "content_type": "multipart/form-data"}, "file"),
    ],
    ids=["empty_body", "wrapper_not_credential", "url_not_string", "multipart_without_file"],
)
def test_verify_api_malformed_request_400_json(client, kwargs, expect):
    response = client.post("/api/v1/verify", **kwargs)
    assert response.status_code == 400
    body = response.get_json()
    assert expect in body["message"]


def _forged_school_credential(make) -> tuple[dict, str, str]:
    """A real credential of this school re-signed by a forger's did:key, the school's name kept."""
    issued = make()
    genuine = json.loads(issued.json_text)
    forged, did = did_key_forgery(genuine)
    return forged, did, genuine["issuer"]["name"]


@pytest.mark.parametrize("path", ["web", "api"])
def test_verify_forged_school_name_by_did_key_unknown_issuer_not_green(
    client,
    make_credential,
    path,
):
    """The school's name signed by someone else's did:key is not "Genuine — … issued by" it."""
    forged, _did, school_name = _forged_school_credential(make_credential)
    case = Case("text", json.dumps(forged), "")
    if path == "api":
        response = post_api(client, case)
        body = response.get_json()
        assert response.status_code == 200
        assert body["verdict"] == "unknown issuer" and body["verified"] is False
        assert not body["summary"].startswith("Genuine")
        assert f"issued by {school_name}" not in body["summary"]
        assert body["issuer"]["established"]["kind"] == "unknown"
        # The forger's signature covers the name it copied, and the verdict says whose it is.
        assert body["learner_name"] == signed_name(forged)
        return
    response = post_web(client, case)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert '<section class="verdict warning"' in page
    assert '<section class="verdict success"' not in page
    assert "<title>Unknown issuer" in page and "Genuine" not in page
    assert f"issued by {school_name}" not in page
    assert f"calling itself “{school_name}” (unverified)" in page
    assert signed_name(forged) in page


def test_verify_web_did_key_on_trust_list_genuine_names_entry(client, make_credential, tmp_path):
    """A did:key on the school's trust list (LAUREL_TRUST_LIST) is verified under its name."""
    forged, did, school_name = _forged_school_credential(make_credential)
    trust_file = tmp_path / "trust.json"
    trust_file.write_text(json.dumps([{"id": did, "name": "Hillside Academy"}]))
    client.application.config["LAUREL_TRUST_LIST"] = str(trust_file)
    response = post_web(client, Case("text", json.dumps(forged), ""))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert '<section class="verdict success"' in page
    assert "Genuine — " in page and "issued by Hillside Academy to" in page
    assert "This credential was not issued by" in page


def test_verify_web_trust_list_unreadable_trusts_no_one(client, make_credential, tmp_path):
    """A broken trust list file is logged and trusts no one: never a 500, never green."""
    forged, _did, _name = _forged_school_credential(make_credential)
    trust_file = tmp_path / "trust.json"
    trust_file.write_text("{not json")
    client.application.config["LAUREL_TRUST_LIST"] = str(trust_file)
    response = post_api(client, Case("text", json.dumps(forged), ""))
    assert response.status_code == 200
    assert response.get_json()["verdict"] == "unknown issuer"


@pytest.mark.parametrize(
    "path", ["/v/{verify}", "/credentials/{id}/verify", "/credentials/{id}", "/s/{token}"]
)
def test_verify_web_own_urls_read_from_database_genuine(client, make_credential, path):
    """The QR target, the credential's id and its share link verify with no connection at all."""
    issued = make_credential()
    issued.share_enabled = True
    db.session.commit()
    url = "https://laurel.test" + path.format(
        id=issued.id, token=issued.share_token, verify=issued.verify_token
    )
    response = post_web(client, Case("url", url, ""))
    assert response.status_code == 200
    assert "Genuine — " in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/credentials/{id}", "/credentials/{id}/verify"])
def test_verify_web_id_url_not_shared_refused_no_name(client, make_credential, path):
    """The verifier's URL box is no way around an unshared credential's 404."""
    issued = make_credential()
    response = post_web(client, Case("url", "https://laurel.test" + path.format(id=issued.id), ""))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "not a document this school publishes" in page and issued.recipient.name not in page


def test_verify_web_qr_link_switched_off_refused(client, make_credential):
    issued = make_credential()
    issued.verify_enabled = False
    db.session.commit()
    url = f"https://laurel.test/v/{issued.verify_token}"
    assert post_web(client, Case("url", url, "")).status_code == 400


def test_verify_web_share_link_not_shared_refused(client, make_credential):
    issued = make_credential()
    response = post_web(client, Case("url", f"https://laurel.test/s/{issued.share_token}", ""))
    assert response.status_code == 400
    assert "not a document this school publishes" in html.unescape(response.get_data(as_text=True))
