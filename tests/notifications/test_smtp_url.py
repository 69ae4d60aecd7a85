"""LAUREL_SMTP_URL: what it may say, and the settings refusing what it may not."""

from __future__ import annotations

import pytest

from app.config import ConfigurationError
from app.config import load_settings
from app.config import parse_smtp_url


def test_starttls_url_with_credentials_and_sender():
    settings = parse_smtp_url(
        "smtp://badges%40school:p%40ss@mail.school.example?from=b@school.test"
    )
    assert settings == {
        "implicit_tls": False,
        "host": "mail.school.example",
        "port": 587,
        "username": "badges@school",
        "password": "p@ss",
        "sender": "b@school.test",
    }


def test_implicit_tls_and_local_server():
    assert parse_smtp_url("smtps://u:p@mail.school.example")["port"] == 465
    assert parse_smtp_url("smtps://u:p@mail.school.example")["implicit_tls"] is True
    local = parse_smtp_url("smtp://127.0.0.1:8025")
    assert (local["host"], local["port"], local["username"]) == ("127.0.0.1", 8025, None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.school.example", "is not an smtp:// or smtps:// URL"),
        ("smtp://", "is not an smtp:// or smtps:// URL"),
        ("smtp://mail.school.example:99999", "bad port"),
        ("smtp://mail.school.example?tls=off", "unknown options: tls"),
    ],
)
def test_bad_url_is_a_configuration_error(url, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_smtp_url(url)


def test_error_never_shows_the_password():
    with pytest.raises(ConfigurationError) as raised:
        parse_smtp_url("http://user:secret@mail.school.example")
    assert "secret" not in str(raised.value)


def test_settings_check_the_url_at_start(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "LAUREL_ENV": "development", "SECRET_KEY": "k"}
    assert load_settings({**base, "LAUREL_SMTP_URL": None})["LAUREL_SMTP_URL"] is None
    with pytest.raises(ConfigurationError, match="LAUREL_SMTP_URL"):
        load_settings({**base, "LAUREL_SMTP_URL": "mailto:admin@school.test"})
