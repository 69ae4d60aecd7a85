"""Handing one message to the SMTP server LAUREL_SMTP_URL names (app.config.parse_smtp_url)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from app.i18n import gettext

TIMEOUT_SECONDS = 30
LOOPBACK = ("127.0.0.1", "::1", "localhost")


class SendError(Exception):
    """The server could not be reached or refused the message; the caller retries."""


def send(message: EmailMessage, settings: dict[str, Any]) -> None:
    """Deliver `message` to the server (STARTTLS where offered; smtps:// is TLS throughout).

    A password is never sent in clear: over smtp:// to a server that does not offer
    STARTTLS, only a loopback server (a local relay) gets one.

    :raises SendError: connection refused or dropped, TLS failure, or a 4xx/5xx answer.
    """
    context = ssl.create_default_context()
    try:
        if settings["implicit_tls"]:
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                settings["host"], settings["port"], timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            server = smtplib.SMTP(settings["host"], settings["port"], timeout=TIMEOUT_SECONDS)
        with server:
            server.ehlo()
            if not settings["implicit_tls"] and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            elif settings["username"] and not settings["implicit_tls"]:
                if settings["host"] not in LOOPBACK:
                    raise SendError(
                        gettext(
                            "%(host)s does not offer STARTTLS: Laurel will not send the SMTP "
                            "password in clear. Use smtps:// or a server with STARTTLS.",
                            host=settings["host"],
                        )
                    )
            if settings["username"]:
                server.login(settings["username"], settings["password"] or "")
            server.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise SendError(_failure(error)) from error


def _failure(error: smtplib.SMTPException | OSError) -> str:
    """What went wrong, for the admin: the server's answer (code and text) when it gave one,
    else the failure's kind (ConnectionRefusedError, SSLError …) and its description."""
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return gettext(
            "The SMTP server refused the message: %(code)s %(reply)s",
            code=error.smtp_code,
            reply=text,
        )
    if isinstance(error, OSError):
        return gettext(
            "The connection to the SMTP server failed (%(kind)s): %(error)s",
            kind=type(error).__name__,
            error=error,
        )
    return gettext(
        "The SMTP conversation failed (%(kind)s): %(error)s",
        kind=type(error).__name__,
        error=error,
    )
