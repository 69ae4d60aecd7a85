"""Finding the credential in each supported input format."""

from __future__ import annotations

import json

import pytest

from app.credentials.baking import bake_png
from app.credentials.baking import bake_svg
from app.credentials.errors import InputError
from app.verify.core.parse import check_json_shape
from app.verify.core.parse import parse_input
from tests.verify.factory import PLAIN_SVG
from tests.verify.factory import issue
from tests.verify.factory import pdf_with
from tests.verify.factory import plain_png


@pytest.fixture(scope="module")
def signed(keys_dir):
    return issue(keys_dir.store)


def test_parse_json_text_credential(signed):
    parsed = parse_input(signed.json_text)
    assert parsed.source_format == "json"
    assert parsed.credential == signed.document
    assert parsed.jwt is None


def test_parse_json_bytes_with_bom_credential(signed):
    parsed = parse_input(b"\xef\xbb\xbf" + signed.json_text.encode("utf-8") + b"\n")
    assert parsed.credential == signed.document


def test_parse_compact_jwt_token(signed):
    parsed = parse_input(f"\n  {signed.jwt}\n")
    assert parsed.source_format == "jwt"
    assert parsed.jwt == signed.jwt
    assert parsed.credential is None


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_parse_baked_png_credential(signed, form):
    text = signed.json_text if form == "json" else signed.jwt
    parsed = parse_input(bake_png(plain_png(), text))
    assert parsed.source_format == "png"
    assert (parsed.credential, parsed.jwt) == (
        (signed.document, None) if form == "json" else (None, signed.jwt)
    )


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_parse_baked_svg_credential(signed, form):
    text = signed.json_text if form == "json" else signed.jwt
    parsed = parse_input(bake_svg(PLAIN_SVG, text))
    assert parsed.source_format == "svg"
    assert (parsed.credential, parsed.jwt) == (
        (signed.document, None) if form == "json" else (None, signed.jwt)
    )


def test_parse_pdf_attachments_credential_and_documents(signed):
    did_document = {"id": "did:web:laurel.test", "verificationMethod": []}
    jwks = {"keys": []}
    pdf = pdf_with(
        {
            "credential.json": signed.json_text.encode(),
            "credential.jwt": signed.jwt.encode(),
            "did.json": json.dumps(did_document).encode(),
            "jwks.json": json.dumps(jwks).encode(),
        },
        compressed={"credential.json"},
    )
    parsed = parse_input(pdf, filename="certificate.pdf")
    assert parsed.source_format == "pdf"
    assert parsed.credential == signed.document
    assert parsed.jwt == signed.jwt
    assert parsed.attachments.did_document == did_document
    assert parsed.attachments.jwks == jwks


def test_parse_pdf_jwt_only_attachment(signed):
    parsed = parse_input(pdf_with({"credential.jwt": signed.jwt.encode()}))
    assert (parsed.credential, parsed.jwt) == (None, signed.jwt)
    assert parsed.attachments.did_document is None


def test_parse_unknown_file_names_the_file():
    with pytest.raises(InputError, match=r"\(notes\.txt\)"):
        parse_input(b"just some notes", filename="notes.txt")


def test_json_depth_limit_allows_credential_depth(signed):
    check_json_shape(signed.json_text.encode())


def test_json_depth_brackets_inside_strings_ignored():
    check_json_shape(b'{"a": "' + b"[" * 10_000 + b'"}', limit=2)


def test_json_depth_just_over_limit_refused():
    with pytest.raises(InputError, match="nested more than 3"):
        check_json_shape(b"[[[[1]]]]", limit=3)


def test_parse_weasyprint_certificate_attachments(signed):
    """Are the attachments of a real WeasyPrint PDF (Flate-compressed) read?"""
    from app.share.pdf import PdfAttachment
    from app.share.pdf import html_to_pdf

    pdf = html_to_pdf(
        "<h1>Certificate</h1>",
        [
            PdfAttachment("credential.json", signed.json_text.encode(), "The credential"),
            PdfAttachment("credential.jwt", signed.jwt.encode(), "The credential as a JWT"),
        ],
    )
    parsed = parse_input(pdf)
    assert parsed.credential == signed.document and parsed.jwt == signed.jwt


def test_parse_learner_record_attachment(signed):
    parsed = parse_input(pdf_with({"learner-record.json": signed.json_text.encode()}))
    assert parsed.credential == signed.document


def test_parse_jwt_broken_over_lines_token(signed):
    wrapped = "\n".join(signed.jwt[i : i + 76] for i in range(0, len(signed.jwt), 76))
    assert parse_input(wrapped).jwt == signed.jwt


def test_parse_jwt_in_quotes_token(signed):
    assert parse_input(f'"{signed.jwt}"\n').jwt == signed.jwt
