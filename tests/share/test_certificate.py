"""The PDF certificate: page sizes, the QR code read back by zbar, the attached files, the CLI."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app.cli import cli
from app.keyring import issuing_context
from app.share.certificate import render_certificate
from app.verify.documents import issuer_key_documents

A4_LANDSCAPE = (842, 595)
LETTER_LANDSCAPE = (792, 612)


def rasterize(pdf: bytes, tmp_path, name: str = "page") -> list:
    """pdftoppm -png -r 100, as a person would look at it: the PNG paths."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(source), str(tmp_path / name)], check=True, timeout=60
    )
    return sorted(tmp_path.glob(f"{name}-*.png"))


def decode_qr(png_path) -> str:
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(png_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(autouse=True)
def tools():
    for tool in ("pdftoppm", "zbarimg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: `make test` installs poppler-utils and zbar-tools")


@pytest.mark.parametrize(("paper", "size"), [("a4", A4_LANDSCAPE), ("letter", LETTER_LANDSCAPE)])
def test_certificate_paper_one_landscape_page(app_ctx, issued, now, paper, size):
    reader = PdfReader(
        io.BytesIO(render_certificate(issued, ctx=issuing_context(), paper=paper, now=now))
    )
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_certificate_qr_decodes_to_verification_url_which_verifies(
    app_ctx, client, issued, now, tmp_path
):
    pages = rasterize(
        render_certificate(issued, ctx=issuing_context(), paper="a4", now=now), tmp_path
    )
    assert len(pages) == 1
    url = decode_qr(pages[0])
    assert url == f"https://laurel.test/v/{issued.verify_token}"
    page = client.get(url.removeprefix("https://laurel.test"))
    assert page.status_code == 200 and "Genuine" in page.get_data(as_text=True)


def test_certificate_letter_qr_decodes(app_ctx, issued, now, tmp_path):
    pages = rasterize(
        render_certificate(issued, ctx=issuing_context(), paper="letter", now=now), tmp_path
    )
    assert decode_qr(pages[0]).endswith(f"/v/{issued.verify_token}")


def test_certificate_text_names_learner_badge_level_issuer_and_verify_line(app_ctx, issued, now):
    text = (
        PdfReader(
            io.BytesIO(render_certificate(issued, ctx=issuing_context(), paper="a4", now=now))
        )
        .pages[0]
        .extract_text()
    )
    for expected in (
        "Sam Student",
        "Vehicle Restoration",
        "Proficient",
        "School at laurel.test",
        "23 November 2026",
        issued.id,
        f"Verify at https://laurel.test/v/{issued.verify_token}",
    ):
        assert expected in text, expected


def test_certificate_attachments_are_exact_documents(app_ctx, issued, now):
    reader = PdfReader(
        io.BytesIO(render_certificate(issued, ctx=issuing_context(), paper="a4", now=now))
    )
    attachments = {name: contents[0] for name, contents in reader.attachments.items()}
    did_json, jwks_json = issuer_key_documents(issuing_context())
    assert attachments == {
        "credential.json": issued.json_text.encode("utf-8"),
        "credential.jwt": issued.jwt_text.encode("ascii"),
        "did.json": did_json,
        "jwks.json": jwks_json,
    }
    assert json.loads(did_json)["id"] == "did:web:laurel.test"


def test_certificate_key_documents_are_the_served_bytes(client, issued):
    with client.application.app_context():
        did_json, jwks_json = issuer_key_documents(issuing_context())
    assert client.get("/.well-known/did.json").data == did_json
    assert client.get("/.well-known/jwks.json").data == jwks_json


def test_certificate_pdf_upload_verifies_genuine(client, issued, now):
    with client.application.app_context():
        pdf = render_certificate(issued, ctx=issuing_context(), paper="a4", now=now)
    response = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(pdf), "certificate.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert response.get_json()["verdict"] == "verified"
    assert response.get_json()["source_format"] == "pdf"


def test_certificate_command_writes_one_pdf_per_credential(runner, make_credential, tmp_path):
    first, second = make_credential(), make_credential(name="Peer Tutor")
    result = runner.invoke(
        cli,
        args=[
            "certificate",
            first.id,
            f"https://laurel.test/credentials/{second.id}",
            "--out",
            str(tmp_path / "class"),
            "--paper",
            "letter",
        ],
    )
    assert result.exit_code == 0, result.output
    pdfs = sorted((tmp_path / "class").glob("*.pdf"))
    assert len(pdfs) == 2
    assert {p.name.split("-")[0] for p in pdfs} == {"vehicle", "peer"}
    assert all(PdfReader(p).attachments["credential.json"] for p in pdfs)


def test_certificate_command_single_file(runner, issued, tmp_path):
    out = tmp_path / "cert.pdf"
    result = runner.invoke(cli, args=["certificate", issued.id, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-")


def test_certificate_command_unknown_id_exit_2(runner, issued, tmp_path):
    result = runner.invoke(cli, args=["certificate", "nope", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "there is no credential “nope”" in result.output


def test_certificate_command_several_ids_one_file_exit_2(runner, issued, tmp_path):
    result = runner.invoke(
        cli, args=["certificate", issued.id, issued.id, "--out", str(tmp_path / "x.pdf")]
    )
    assert result.exit_code == 2
    assert "give a folder" in result.output


def test_certificate_criteria_line_shows_characters_not_entities(app_ctx, make_credential, now):
    """Did `>` print as `&gt;` in the criteria line?"""
    issued = make_credential(
        criteria_narrative='Torque > 40 Nm & clamps < 5 mm; quote "as is" ">< too.'
    )
    text = (
        PdfReader(
            io.BytesIO(render_certificate(issued, ctx=issuing_context(), paper="a4", now=now))
        )
        .pages[0]
        .extract_text()
    )
    assert "Torque > 40 Nm & clamps < 5 mm" in " ".join(text.split())
    assert '"><' in text
    for entity in ("&gt;", "&lt;", "&amp;", "&quot;", "&#"):
        assert entity not in text, entity


@pytest.fixture
def public_url(app_config, request):
    app_config["LAUREL_PUBLIC_URL"] = request.param
    return request.param


def _pdftotext_lines(pdf: bytes, tmp_path) -> list[str]:
    source = tmp_path / "certificate.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize(
    "public_url",
    ["https://laurel.test", "http://127.0.0.1:5000", "https://badges.maplegrove-high.example"],
    ids=["short-url", "development-url", "long-url"],
    indirect=True,
)
def test_certificate_credential_id_uuid_never_broken_across_lines(
    public_url, app_ctx, issued, now, tmp_path, paper
):
    """The credential id's UUID stays whole on one line, so a person can read it off the paper."""
    assert issuing_context().public_url == public_url
    pdf = render_certificate(issued, ctx=issuing_context(), paper=paper, now=now)
    lines = _pdftotext_lines(pdf, tmp_path)
    assert any(issued.id in line for line in lines), "\n".join(lines)
