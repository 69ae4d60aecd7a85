"""Which language Laurel speaks: on a page, in an email, on a certificate, in a command.

English is the source language (the msgids in the code and the templates); every other
language is a catalog, `translations/<code>/LC_MESSAGES/messages.po`. A page speaks the
signed-in person's saved language, else the one chosen with the footer's switcher (a
cookie, so it works signed out), else the browser's best match (Accept-Language), else
English. A command speaks LAUREL_LANGUAGE, else the terminal's locale (LC_ALL,
LC_MESSAGES, LANG), else English, even one that runs without the application (`laurel
verify`, `laurel keys`): `gettext` and `ngettext` here read the catalog themselves then.
Emails and certificates speak their recipient's language (`flask_babel.force_locale`
around their rendering). The pure libraries' sentences (`app.credentials.words.Text`)
are said in the language of whatever shows them with `app.main.filters.say`.

The `.mo` files Flask-Babel loads are compiled from the `.po` files at start-up when
missing or older (`compile_catalogs`), so a fresh clone, `make run` and `make test`
need no extra step and no compiled file is committed.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import cache
from pathlib import Path

import flask_babel
from babel import Locale
from babel import UnknownLocaleError
from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Response
from flask import g
from flask import has_app_context
from flask import has_request_context
from flask import request
from flask_login import current_user

DEFAULT_LANGUAGE = "en"
# The footer's switcher keeps a signed-out visitor's choice here for a year.
COOKIE = "laurel_language"
COOKIE_MAX_AGE = 365 * 24 * 3600
# What a command reads, in this order: Laurel's own setting, then POSIX's locale variables.
COMMAND_VARIABLES = ("LAUREL_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

logger = logging.getLogger(__name__)


def translations_directory() -> Path:
    from app import PROJECT_ROOT

    return PROJECT_ROOT / "translations"


@cache
def available_languages() -> tuple[str, ...]:
    """English, then every language with a catalog, by code."""
    catalogs = translations_directory().glob("*/LC_MESSAGES/messages.po")
    return (DEFAULT_LANGUAGE, *sorted(po.parent.parent.name for po in catalogs))


@cache
def language_names() -> tuple[tuple[str, str], ...]:
    """(code, the language's name in itself), for the choosers: ("es", "Español")."""
    return tuple(
        (code, (Locale.parse(code).get_display_name(code) or code).capitalize())
        for code in available_languages()
    )


def supported(value: str | None) -> str | None:
    """The available language `value` names (`es`, `es-MX`, `es_MX.UTF-8`), or None."""
    if not value:
        return None
    code = value.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return None
    for candidate in (str(locale), locale.language):
        if candidate in available_languages():
            return candidate
    return None


def language_of(person: object | None) -> str:
    """The language `person` (a user) chose; else the one of this request or command, which
    for a learner downloading their own certificate is the language they read it in."""
    return supported(getattr(person, "language", None)) or current_language()


def command_language() -> str:
    """The language of a command's messages (see the module's docstring)."""
    for name in COMMAND_VARIABLES:
        value = os.environ.get(name)
        if value:
            # The first variable set decides, as in POSIX: LANG=C means English.
            return supported(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@cache
def _command_catalog(language: str) -> support.NullTranslations:
    compile_catalogs(translations_directory())
    return support.Translations.load(str(translations_directory()), [language])


def _translations() -> support.NullTranslations:
    """Flask-Babel's catalog in an application, else the one of the command's language."""
    if has_app_context():
        return flask_babel.get_translations()
    return _command_catalog(command_language())


def gettext(message: str, /, **variables: object) -> str:
    """Flask-Babel's `gettext`, which also speaks a command's language with no application.
    The msgid is positional-only, so a sentence may have a parameter named `message`."""
    said = _translations().ugettext(message)
    return said % variables if variables else said


def ngettext(singular: str, plural: str, num: int, /, **variables: object) -> str:
    """Flask-Babel's `ngettext` (`num` is `%(num)s`), also with no application."""
    variables.setdefault("num", num)
    return _translations().ungettext(singular, plural, num) % variables


def current_language() -> str:
    """The language of this request or command: Flask-Babel's in an application."""
    if has_app_context():
        locale = flask_babel.get_locale()
        return str(locale) if locale is not None else DEFAULT_LANGUAGE
    return command_language()


def N_(message: str) -> str:
    """Marks `message` for the catalog where it cannot be translated yet (a command's help,
    read at import): whatever shows it calls `gettext` on it then."""
    return message


def select_locale() -> str:
    """Flask-Babel's locale selector: the language of this request, or of this command."""
    if not has_request_context():
        return command_language()
    g.language_from_request = True
    if current_user.is_authenticated:
        saved = supported(getattr(current_user, "language", None))
        if saved:
            return saved
    chosen = supported(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(available_languages())
    return best or DEFAULT_LANGUAGE


def vary_on_language(response: Response) -> Response:
    """A response whose words followed the visitor's header or cookie says so to caches."""
    if g.get("language_from_request"):
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def compile_catalogs(directory: Path) -> None:
    """Compile each `.po` under `directory` into the `.mo` beside it when that is missing or
    older. Written to a temporary file and renamed, so a process starting at the same time
    reads the old or the new catalog, never half of one. A directory that cannot be written
    leaves the pages in English, with a warning."""
    for po_path in directory.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with tempfile.NamedTemporaryFile(dir=mo_path.parent, delete=False) as mo_file:
                write_mo(mo_file, catalog)
            os.replace(mo_file.name, mo_path)
        except OSError as error:
            logger.warning("Could not compile %s (%s): it shows in English.", po_path, error)
