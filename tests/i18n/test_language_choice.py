"""Which language a page speaks: the saved choice, else the footer's cookie, else the browser."""

from __future__ import annotations

import flask_babel
import pytest

from app.accounts.models import Role
from app.extensions import db
from app.i18n import COOKIE
from app.i18n import supported
from app.main.filters import format_date
from app.main.filters import format_datetime
from app.main.filters import format_number

# The footer's words in each language.
ENGLISH = "Skip to main content"
SPANISH = "Saltar al contenido principal"


def page(client, path: str = "/", **headers: str) -> str:
    """The page at `path`."""
    return client.get(path, headers=headers).get_data(as_text=True)


def test_english_by_default(client):
    html = page(client)
    assert ENGLISH in html
    assert '<html lang="en">' in html


@pytest.mark.parametrize("header", ["es", "es-MX,es;q=0.9,en;q=0.5", "fr;q=1, es;q=0.8"])
def test_the_browser_language_is_followed(client, header):
    html = page(client, **{"Accept-Language": header})
    assert SPANISH in html
    assert '<html lang="es">' in html


def test_an_unknown_browser_language_falls_back_to_english(client):
    assert ENGLISH in page(client, **{"Accept-Language": "de-DE, fr;q=0.5"})


def test_the_switcher_works_signed_out(client):
    response = client.post("/language", data={"language": "es", "next": "/verify"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/verify"
    assert f"{COOKIE}=es" in response.headers["Set-Cookie"]
    # The cookie beats the browser's own language.
    assert SPANISH in page(client, **{"Accept-Language": "en"})
    client.post("/language", data={"language": "en", "next": "/"})
    assert ENGLISH in page(client, **{"Accept-Language": "es"})


@pytest.mark.parametrize("bad", [{}, {"language": ""}, {"language": "xx"}, {"language": "de"}])
def test_the_switcher_refuses_a_language_it_does_not_offer(client, bad):
    response = client.post("/language", data={"next": "/", **bad})
    assert response.status_code == 400
    assert "Choose one of the languages offered." in response.get_data(as_text=True)


def test_the_switcher_never_leaves_the_site(client):
    response = client.post("/language", data={"language": "es", "next": "https://evil.test/"})
    assert response.headers["Location"] == "/dashboard"


def test_the_saved_choice_beats_the_browser_and_the_cookie(client, make_user, login):
    student = make_user(Role.STUDENT)
    login(student)
    client.post("/language", data={"language": "es", "next": "/"})
    db.session.refresh(student)
    assert student.language == "es"
    client.delete_cookie(COOKIE)
    assert SPANISH in page(client, **{"Accept-Language": "en"})
    # Another browser, signed in as the same person, speaks their language too.
    client.set_cookie(COOKIE, "en")
    assert SPANISH in page(client, **{"Accept-Language": "en"})


def test_the_settings_page_offers_the_languages(client, make_user, login):
    login(make_user(Role.STUDENT))
    html = page(client, "/account/password")
    assert 'name="language"' in html
    assert 'id="language-settings"' in html
    assert '<option value="es" lang="es">Español</option>' in html


def test_a_page_in_the_visitors_language_varies_on_it(client):
    vary = client.get("/", headers={"Accept-Language": "es"}).headers["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("es", "es"),
        ("es-MX", "es"),
        ("es_MX.UTF-8", "es"),
        ("EN", "en"),
        ("C", "en"),
        ("", None),
        (None, None),
        ("xx-YY", None),
        ("../../etc", None),
    ],
)
def test_language_codes_are_read_leniently(value, expected):
    assert supported(value) == expected


def test_dates_and_numbers_follow_the_language(app_ctx):
    from datetime import UTC
    from datetime import datetime

    moment = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)
    with flask_babel.force_locale("es"):
        assert format_date(moment) == "3 de noviembre de 2026"
        assert format_datetime(moment) == "3 nov 2026, 09:05 UTC"
        assert format_number(1234567.5) == "1.234.567,5"
    with flask_babel.force_locale("en"):
        assert format_date(moment) == "3 November 2026"
        assert format_number(1234567.5) == "1,234,567.5"
