"""What the admin reads when the SMTP server cannot take a message: the server's own answer
(its reply code as it sent it) or the connection's failure, in the admin's language."""

from __future__ import annotations

from email.message import EmailMessage

import flask_babel
import pytest

from app.config import parse_smtp_url
from app.notifications.smtp import SendError
from app.notifications.smtp import send
from tests.fixtures.mail import free_port


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@school.test", "b@school.test", "Hi"
    message.set_content("Hello.")
    return message


def _refusal(url: str, language: str) -> str:
    with flask_babel.force_locale(language), pytest.raises(SendError) as refused:
        send(_message(), parse_smtp_url(url))
    return str(refused.value)


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "The SMTP server refused the message: 554 5.7.1 Relay refused"),
        ("es", "El servidor SMTP rechazó el mensaje: 554 5.7.1 Relay refused"),
    ],
)
def test_a_refusing_server_is_quoted_with_its_reply_code(app_ctx, inbox, language, said):
    inbox.refuse_with = "554 5.7.1 Relay refused"
    assert _refusal(inbox.url, language) == said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "The connection to the SMTP server failed (ConnectionRefusedError): "),
        ("es", "Falló la conexión con el servidor SMTP (ConnectionRefusedError): "),
    ],
)
def test_a_server_nobody_listens_on_is_named_as_such(app_ctx, language, said):
    assert _refusal(f"smtp://127.0.0.1:{free_port()}", language).startswith(said)
