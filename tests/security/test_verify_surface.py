"""Hostile documents at the verify surface: the /verify form (pasted and uploaded) and the JSON API.

Each named input must answer a 4xx with a message (422 with the report for a document
that is readable but not genuine), never a 5xx, and store nothing.
"""

from __future__ import annotations

import base64
import io
import json

import pytest

from tests.security.conftest import fill
from tests.security.conftest import message_of
from tests.security.conftest import send
from tests.security.conftest import snapshot

NUL_PAYLOAD = b'{"vc": "\\u0000"}'


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(header: dict, payload: dict | bytes, signature: bytes = b"") -> str:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return ".".join((_b64(json.dumps(header).encode()), _b64(body), _b64(signature)))


@pytest.fixture(scope="module")
def signed(shared_app, world) -> dict:
    """The world's credential as issued: its JSON text, parsed document and JWT."""
    client = shared_app.test_client()
    path = fill("/credentials/{credential_id}", world)
    _, text = send(client, "GET", path + "?format=json")
    _, jwt = send(client, "GET", path + "?format=jwt")
    return {"text": text, "document": json.loads(text), "jwt": jwt.strip()}


def _changed(document: dict, **changes) -> str:
    return json.dumps({**document, **changes})


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _hostile(signed: dict) -> dict[str, bytes | str]:
    """Every hostile document, by name."""
    document, text, jwt = signed["document"], signed["text"], signed["jwt"]
    header, payload, signature = jwt.split(".")
    payload_document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    # The forged JWTs carry the credential without its embedded proof, so the JWT
    # signature is the only thing that could vouch for them.
    payload_document.pop("proof", None)
    subject = document["credentialSubject"]
    return {
        "empty": "",
        "whitespace_only": " \n\t ",
        "truncated_json": text[: len(text) // 2],
        "truncated_one_char": text[:-1],
        "json_array": "[]",
        "json_number": "42",
        "json_null": "null",
        "json_true": "true",
        "json_string": '"a credential"',
        "empty_object": "{}",
        "deep_nesting_100": _nested(100),
        "deep_nesting_5000": _nested(5000),
        "deep_array_100000": "[" * 100000 + "]" * 100000,
        "huge_exponent": '{"a": 1e999999}',
        "huge_integer_5000_digits": '{"validFrom": ' + "9" * 5000 + "}",
        "huge_integer_in_credential": _changed(document, validFrom=10**30),
        "nan_literal": '{"a": NaN}',
        "infinity_literal": '{"a": -Infinity}',
        "context_is_number": _changed(document, **{"@context": 1}),
        "context_unknown_url": _changed(document, **{"@context": ["https://evil.example/ctx"]}),
        "type_is_object": _changed(document, type={"a": 1}),
        "issuer_is_list": _changed(document, issuer=[1, 2]),
        "subject_is_number": _changed(document, credentialSubject=5),
        "subject_is_list_of_strings": _changed(document, credentialSubject=["x"]),
        "proof_is_string": _changed(document, proof="x"),
        "proof_value_garbage": _changed(
            document,
            proof={**document["proof"][0], "proofValue": "z!!!"}
            if isinstance(document["proof"], list)
            else {**document["proof"], "proofValue": "z!!!"},
        ),
        "valid_from_not_a_date": _changed(document, validFrom="yesterday"),
        "valid_from_is_number": _changed(document, validFrom=12),
        "tampered_name": _changed(document, name=document["name"] + " (edited)"),
        "tampered_subject_name": _changed(
            document,
            credentialSubject={**subject, "id": "urn:uuid:00000000-0000-0000-0000-0000000000aa"},
        ),
        "escaped_nul_in_name": _changed(document, name="le\x00o"),
        "escaped_nul_in_id": _changed(document, id="urn:uuid:abc\x00def"),
        "escaped_nul_in_key": json.dumps({**document, "na\x00me": "x"}),
        "escaped_lone_surrogate": text.replace('"name": "', '"name": "\\ud800', 1)
        if '"name": "' in text
        else text.replace('"name":"', '"name":"\\ud800', 1),
        "escaped_bell_in_name": _changed(document, name="ding\x07"),
        "raw_nul_byte": b'{"a": "\x00"}',
        "invalid_utf8": b'{"name": "\xc3\x28"}',
        "invalid_utf8_only": b"\xff\xfe\xfd",
        "utf16_bom": "\ufeff".encode("utf-16") + text.encode("utf-16")[2:],
        "duplicate_keys": text.rstrip().rstrip("}") + ', "id": "urn:uuid:other"}',
        "vc_api_credential_is_number": json.dumps({"verifiableCredential": 5}),
        "vc_api_credential_is_list": json.dumps({"verifiableCredential": [document]}),
        "url_is_number": json.dumps({"url": 5}),
        "url_javascript": json.dumps({"url": "javascript:alert(1)"}),
        "url_file": json.dumps({"url": "file:///etc/passwd"}),
        "url_ftp": json.dumps({"url": "ftp://example.org/credential.json"}),
        "url_with_nul": json.dumps({"url": "https://laurel.test/s/abc\x00def"}),
        "jwt_alg_none": _jwt({"alg": "none", "typ": "JWT"}, payload_document),
        "jwt_alg_none_uppercase": _jwt({"alg": "NONE", "typ": "JWT"}, payload_document),
        "jwt_hs256_forged": _jwt({"alg": "HS256", "typ": "JWT"}, payload_document, b"forged-mac"),
        "jwt_no_signature": f"{header}.{payload}.",
        "jwt_signature_swapped": f"{header}.{payload}.{_b64(b'x' * 384)}",
        "jwt_payload_tampered": ".".join(
            (
                header,
                _b64(json.dumps({**payload_document, "sub": "someone else"}).encode()),
                signature,
            )
        ),
        "jwt_payload_not_json": f"{header}.{_b64(b'not json')}.{signature}",
        "jwt_payload_nul": ".".join((header, _b64(NUL_PAYLOAD), signature)),
        "jwt_header_not_base64": f"!!!.{payload}.{signature}",
        "jwt_two_parts": f"{header}.{payload}",
        "jwt_four_parts": f"{jwt}.extra",
        "jwt_only_dots": "....",
        "jwt_jku_elsewhere": _jwt(
            {"alg": "RS256", "jku": "https://evil.example/jwks.json"}, payload_document
        ),
        "random_text": "not a credential at all",
        "html_markup": "<script>alert(1)</script>",
        "png_signature_only": b"\x89PNG\r\n\x1a\n",
        "pdf_header_only": b"%PDF-1.7\n%%EOF",
        "svg_external_entity": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM '
        b'"file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        "svg_billion_laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg">&c;</svg>',
        "gzip_bytes": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        "zero_bytes_4k": b"\x00" * 4096,
    }


HOSTILE_NAMES = list(
    _hostile(
        {
            "document": {"name": "", "credentialSubject": {}, "proof": {}},
            "text": "{}",
            "jwt": "e30.e30.e30",
        }
    )
)
CHANNELS = ("api_json", "api_text", "api_file", "form_text", "form_file")


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def _request(channel: str, value: bytes | str) -> tuple[str, dict]:
    data = _as_bytes(value)
    if channel == "api_json":
        return "/api/v1/verify", {"data": data, "content_type": "application/json"}
    if channel == "api_text":
        return "/api/v1/verify", {"data": data, "content_type": "text/plain"}
    if channel == "api_file":
        return "/api/v1/verify", {"data": {"file": (io.BytesIO(data), "credential.json")}}
    if channel == "form_text":
        return "/verify", {"data": {"text": data.decode("utf-8", "replace")}}
    return "/verify", {"data": {"file": (io.BytesIO(data), "credential.json")}}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_verify_hostile_document_is_a_4xx_with_a_message(
    shared_app, signed, client_as, name, channel
):
    """Is each hostile document answered with a 4xx and words for a person, nothing stored?"""
    path, options = _request(channel, _hostile(signed)[name])
    before = snapshot(shared_app)
    status, body = send(client_as("anonymous"), "POST", path, **options)
    assert 400 <= status < 500, f"{status}: {body[:500]}"
    if path.startswith("/api/"):
        document = json.loads(body)
        assert document.get("message") or document.get("checks"), body[:500]
    else:
        # The form again with the problem, the guard's sentence, or the report of a forgery.
        shown = 'role="alert"' in body or "does not accept" in message_of(body)
        assert shown or status == 422, body[:800]
    assert snapshot(shared_app) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "https://laurel.test/" + "a" * 5000),
        ("text", "x" * (2 * 1024 * 1024 + 1)),
        ("url", "javascript:alert(1)"),
        ("url", "file:///etc/passwd"),
        ("url", "not a url"),
    ],
    ids=["url_oversized", "text_oversized", "url_javascript", "url_file", "url_not_a_url"],
)
def test_verify_form_bad_field_is_400(shared_app, client_as, field, value):
    before = snapshot(shared_app)
    status, body = send(client_as("anonymous"), "POST", "/verify", data={field: value})
    assert status == 400, body[:500]
    assert 'role="alert"' in body
    assert snapshot(shared_app) == before


def test_verify_genuine_credential_still_verifies(client_as, signed):
    """Does the guard leave a genuine credential alone on every channel?"""
    for channel in CHANNELS:
        path, options = _request(channel, signed["text"])
        status, body = send(client_as("anonymous"), "POST", path, **options)
        assert status == 200, f"{channel}: {body[:500]}"


def test_verify_jwt_kid_path_traversal_is_not_genuine(client_as, signed):
    """A `kid` naming a file is no key: the verdict is never verified, and no file is read."""
    header, payload, _ = signed["jwt"].split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document.pop("proof", None)
    token = _jwt({"alg": "RS256", "kid": "../../../../etc/passwd"}, document, b"x" * 384)
    status, body = send(
        client_as("anonymous"), "POST", "/api/v1/verify", data=token, content_type="text/plain"
    )
    report = json.loads(body)
    assert status in (200, 422)
    assert report["verdict"] != "verified" if "verdict" in report else True
    assert all(
        check["outcome"] != "passed" for check in report["checks"] if check["name"] == "proof"
    )
    assert "root:" not in body
