"""Every word of the templates goes through the catalog, and the Spanish catalog has them all."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from app import PROJECT_ROOT
from app.i18n import available_languages
from tests.i18n.template_text import untranslated

APP = PROJECT_ROOT / "app"
TEMPLATES = PROJECT_ROOT / "templates"
TRANSLATIONS = PROJECT_ROOT / "translations"
# Templates whose words are not all in the catalog yet: this list only shrinks.
PENDING: set[str] = set()

_ENV = Environment(extensions=["jinja2.ext.i18n"])


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def _name(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


def test_every_word_of_the_templates_is_in_the_catalog():
    found = {}
    for path in _templates():
        texts = untranslated(_ENV, path, _name(path))
        if texts:
            found[_name(path)] = texts
    outside = [str(text) for name, texts in found.items() if name not in PENDING for text in texts]
    assert not outside, "Wrap these in {{ _('…') }} or {% trans %}:\n" + "\n".join(outside)
    done = sorted(PENDING - set(found))
    assert not done, f"Translated now: take {done} off PENDING."


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["t:1: 'Hello'"]),
        ("<p>\n  {{ name }} earned it</p>", ["t:2: 'earned it'"]),
        ('<img alt="A badge" src="{{ src }}">', ["t:1: 'alt=A badge'"]),
        ('<input type="submit" value="Save">', ["t:1: 'value=Save'"]),
        ("{% block title %}Sign in{% endblock %}", ["t:1: 'Sign in'"]),
        ('{{ render_submit("Save the name") }}', ["t:1: 'string Save the name'"]),
        ('{{ "Publish" if draft else _("Archive") }}', ["t:1: 'string Publish'"]),
        ('{% set friendly = {"Not Found": _("Page not found")} %}', []),
        ("<p>{{ _('Hello') }}</p>", []),
        ("<p>{% trans %}Hello {{ name }}{% endtrans %}</p>", []),
        ('{{ render_submit(_("Save the name"), cancel_url=url_for("x")) }}', []),
        ("<p>Laurel · {{ n }} — https://laurel.test/verify &amp; 3.0</p>", []),
        ("<p><code>laurel verify file.pdf</code></p><script>let a = 'b';</script>", []),
        ('<a class="button small" href="/x">{{ _("Go") }}</a>', []),
        ("{# A comment #}<p>{{ x }}</p>", []),
    ],
)
def test_the_check_finds_words_outside_the_catalog(tmp_path, source, expected):
    path = tmp_path / "t.html"
    path.write_text(source, encoding="utf-8")
    assert [str(text) for text in untranslated(_ENV, path, "t")] == expected


def _extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "extract", "-F", "babel.cfg"]
        + ["-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as file:
        return {_msgid(message.id) for message in read_po(file) if message.id}


def _msgid(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    return _extracted_ids(tmp_path_factory.mktemp("pot"))


@pytest.mark.parametrize("language", available_languages()[1:])
def test_each_catalog_translates_every_message_and_only_those(extracted, language):
    po = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as file:
        catalog = read_po(file, locale=language)
    messages = [message for message in catalog if message.id]
    ids = {_msgid(message.id) for message in messages}
    fix = "run `make translations`, then translate in " + _name(po)
    assert not sorted(extracted - ids), f"Missing from {_name(po)} ({fix})"
    assert not sorted(ids - extracted), f"No longer used, in {_name(po)} ({fix})"
    empty = [m.id for m in messages if not all(m.string if m.pluralizable else [m.string])]
    assert not empty, f"Untranslated in {_name(po)}: {empty}"
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not fuzzy, f"Fuzzy (check, then drop the flag) in {_name(po)}: {fuzzy}"
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert not errors, f"Placeholders that differ from the English in {_name(po)}: {errors}"


# The names under which Python code hands a sentence to the catalog (babel.cfg's keywords).
CATALOG_CALLS = {"gettext", "ngettext", "lazy_gettext", "N_"}


def literal_msgids(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, msgid) of each gettext, ngettext, lazy_gettext or N_ call with a literal msgid."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            first = node.args[0]
            if name in CATALOG_CALLS and isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    found.append((node.lineno, first.value))
    return found


def test_every_sentence_of_the_python_code_reaches_the_catalog(extracted):
    """pybabel skips a msgid in parentheses, `gettext(("a " "b"), x=1)`: it would stay English
    in every language while the catalog tests pass. Write `gettext("a " "b", x=1)`."""
    missing = [
        f"{_name(path)}:{line}: {msgid[:70]}"
        for path in sorted(APP.rglob("*.py"))
        for line, msgid in literal_msgids(ast.parse(path.read_text(encoding="utf-8")))
        if msgid not in extracted
    ]
    assert not missing, "Take the parentheses off these msgids:\n" + "\n".join(missing)
