"""Jinja filters shared by every template: Markdown rendering and date formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from functools import lru_cache
from typing import Any

import flask_babel
import markdown as markdown_lib
import nh3
from babel import Locale
from babel import dates
from babel import numbers
from markupsafe import Markup

from app.credentials.words import Text
from app.credentials.words import text_of
from app.i18n import current_language
from app.i18n import gettext
from app.i18n import ngettext
from app.main.labels import label

# Markdown from users may carry raw HTML; nh3 keeps only the tags below (no scripts,
# styles, iframes or event attributes) and adds rel="noopener noreferrer" to links.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


# Rendering is a pure function of the text: the sanitized HTML of the texts last shown
# (badge criteria, mostly) is kept per process, so an edit shows at once (new text,
# new key) and a page view costs a dictionary lookup instead of a Markdown parser.
MARKDOWN_CACHE_SIZE = 1024
# Longer texts (a long reflection) are rendered each time rather than kept.
MARKDOWN_CACHE_MAX_CHARS = 20_000


def render_markdown(text: str | None) -> Markup:
    """Render Markdown written by a user as sanitized HTML."""
    if not text:
        return Markup("")
    if len(text) > MARKDOWN_CACHE_MAX_CHARS:
        return Markup(_sanitized_html(text))
    return Markup(_kept_html(text))


def _sanitized_html(text: str) -> str:
    html = markdown_lib.markdown(text, extensions=["extra", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )


_kept_html = lru_cache(maxsize=MARKDOWN_CACHE_SIZE)(_sanitized_html)


# Per language, the patterns of a date and of a moment's date; other languages use the
# CLDR's long and medium forms. English keeps Laurel's day-first house style.
# The third is the short date of lists and tables ("03 Nov 2026").
_DATE_PATTERNS = {"en": ("d MMMM y", "d MMM y", "dd MMM y")}
_CLDR_PATTERNS = ("long", "medium", "medium")


def _locale() -> Locale:
    """The language of this request or command (`app.i18n`), with or without an app."""
    return flask_babel.get_locale() or Locale.parse(current_language())


def _in_utc(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def format_datetime(value: datetime | None) -> str:
    """`23 Nov 2026, 10:00 UTC` (`23 nov 2026, 10:00 UTC` in Spanish): times are stored and
    shown in UTC."""
    if value is None:
        return ""
    locale = _locale()
    moment = _in_utc(value)
    pattern = _DATE_PATTERNS.get(locale.language, _CLDR_PATTERNS)[1]
    return f"{dates.format_date(moment, pattern, locale=locale)}, {moment:%H:%M} UTC"


def format_date(value: date | datetime | None) -> str:
    """`23 November 2026` (`23 de noviembre de 2026` in Spanish)."""
    if value is None:
        return ""
    locale = _locale()
    pattern = _DATE_PATTERNS.get(locale.language, _CLDR_PATTERNS)[0]
    return dates.format_date(_in_utc(value), pattern, locale=locale)


def format_short_date(value: date | datetime | None) -> str:
    """`03 Nov 2026` (`3 nov 2026` in Spanish), for lists and tables."""
    if value is None:
        return ""
    locale = _locale()
    pattern = _DATE_PATTERNS.get(locale.language, _CLDR_PATTERNS)[2]
    return dates.format_date(_in_utc(value), pattern, locale=locale)


def format_short_datetime(value: datetime | None) -> str:
    """`03 Nov 2026, 10:00` (UTC), for lists and tables."""
    if value is None:
        return ""
    return f"{format_short_date(value)}, {_in_utc(value):%H:%M}"


def format_number(value: float | None) -> str:
    """`1,234.5` (`1234,5` in Spanish): counts and scores as the reader writes them."""
    if value is None:
        return ""
    return numbers.format_decimal(value, locale=_locale())


def say(value: object) -> str:
    """A sentence of the pure libraries (`app.credentials.words.Text`, or an exception raised
    with one) in this language; its dates written this language's way. Other values as
    `str` gives them: a name or an address is the same in every language."""
    if isinstance(value, BaseException):
        value = text_of(value)
    if not isinstance(value, Text):
        return str(value)
    params = {
        name: format_date(param)
        if isinstance(param, datetime)
        else say(param)
        if isinstance(param, (Text, BaseException))
        else param
        for name, param in value.params.items()
    }
    if value.plural is not None:
        num = params.pop("num")
        assert isinstance(num, int)
        return ngettext(value.msgid, value.plural, num, **params)
    return gettext(value.msgid, **params)


FILTERS: dict[str, Callable[..., Any]] = {
    "markdown": render_markdown,
    "datetime": format_datetime,
    "date": format_date,
    "short_date": format_short_date,
    "short_datetime": format_short_datetime,
    "number": format_number,
    "label": label,
    "say": say,
}
