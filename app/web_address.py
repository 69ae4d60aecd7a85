"""Web addresses typed by people (issuer URL, a standard's URL): checked once, the same way."""

from __future__ import annotations

from urllib.parse import urlparse

from flask_babel import gettext

from app.errors import UserError


def check_web_url(value: str, what: str) -> str:
    """`value` stripped, if it is an http(s) address with a host.

    :param what: names the field in the message, e.g. "The issuer URL".
    :raises UserError: anything else.
    """
    value = value.strip()
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UserError(
            gettext(
                "%(what)s must be a web address starting with https:// (got “%(value)s”).",
                what=what,
                value=value,
            )
        )
    return value
