"""What reaches a person outside a page speaks their language: certificates, emails, commands."""

from __future__ import annotations

import io
import subprocess

import flask_babel
import pytest
from pypdf import PdfReader

from app.cli import cli
from app.extensions import db
from app.keyring import issuing_context
from app.notifications.messages import build_message
from app.notifications.models import NotificationKind
from app.notifications.models import OutboxEmail
from app.share.certificate import render_certificate


def _choose(user, language: str | None) -> None:
    user.language = language
    db.session.commit()
    flask_babel.refresh()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    """The page as poppler's pdftotext reads it (what a reader of the printed page sees)."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    # The kicker is set in spaced capitals: compare words, whatever their case and spacing.
    return " ".join(done.stdout.decode("utf-8").split()).lower()


def test_the_certificate_is_in_the_learners_language(app_ctx, issued, now, tmp_path):
    _choose(issued.recipient, "es")
    text = _pdf_text(
        render_certificate(issued, ctx=issuing_context(), paper="a4", now=now), tmp_path
    )
    for spanish in (
        "certificado de logro",
        "se certifica que",
        "obtuvo la insignia",
        "emitida por",
    ):
        assert spanish in text, spanish
    assert "23 de noviembre de 2026" in text
    assert "certificate of achievement" not in text
    # The signed credential inside is the one issued, whatever the page's language.
    attached = PdfReader(
        io.BytesIO(render_certificate(issued, ctx=issuing_context(), paper="a4", now=now))
    )
    assert attached.attachments["credential.json"][0] == issued.json_text.encode("utf-8")


def test_a_learner_without_a_choice_gets_english(app_ctx, issued, now, tmp_path):
    _choose(issued.recipient, None)
    text = _pdf_text(
        render_certificate(issued, ctx=issuing_context(), paper="a4", now=now), tmp_path
    )
    assert "certificate of achievement" in text
    assert "23 november 2026" in text


def test_the_certificate_download_follows_the_learner_not_the_browser(
    client, login, issued, tmp_path
):
    _choose(issued.recipient, "es")
    login(issued.recipient)
    response = client.get(
        f"/credentials/{issued.id}/certificate.pdf", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert "certificado de logro" in _pdf_text(response.data, tmp_path)


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("es", "Obtuviste “Vehicle Restoration”", "Felicidades, Sam Student"),
        (None, "You earned “Vehicle Restoration”", "Congratulations, Sam Student"),
    ],
)
def test_an_email_is_in_its_recipients_language(app_ctx, issued, language, subject, phrase):
    _choose(issued.recipient, language)
    row = OutboxEmail(
        kind=NotificationKind.CREDENTIAL_ISSUED,
        user_id=issued.recipient.id,
        to_address=issued.recipient.email,
        params={"credential_id": issued.id},
    )
    db.session.add(row)
    db.session.commit()
    # Whoever's language the sending process has, the recipient's decides.
    with flask_babel.force_locale("en" if language else "es"):
        message = build_message(row, to=issued.recipient.email, sender=None)
    assert message["Subject"] == subject
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert phrase in text
    assert phrase in html


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"LAUREL_LANGUAGE": "es"}, "no existe la credencial “nope”"),
        (
            {"LAUREL_LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "es_MX.UTF-8"},
            "no existe la credencial “nope”",
        ),
        ({"LAUREL_LANGUAGE": "en", "LANG": "es_MX.UTF-8"}, "there is no credential “nope”"),
        (
            {"LAUREL_LANGUAGE": "", "LC_ALL": "C", "LANG": "es_MX.UTF-8"},
            "there is no credential “nope”",
        ),
    ],
)
def test_a_command_speaks_the_terminals_language(runner, issued, tmp_path, env, expected):
    flask_babel.refresh()
    result = runner.invoke(
        cli, args=["certificate", "nope", "--out", str(tmp_path / "x.pdf")], env=env
    )
    assert result.exit_code == 2
    assert expected in result.output
