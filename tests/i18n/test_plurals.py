"""A count is said with ngettext or `{% trans count=… %}…{% pluralize %}`, never with an "(s)"
or an "s" added after the number: Spanish changes more than the noun ("1 problema encontrado",
"2 problemas encontrados"), and other languages have more than two forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import PROJECT_ROOT
from tests.i18n.test_catalog import _extracted_ids

# In a message: "credential(s)", "day%(s)s", "problem%(count2)s" (a word, then the ending).
MESSAGE_HACKS = re.compile(r"[a-z]\((?:s|es)\)|(?<=[a-z])%\((?:s|es|[a-z_]+2)\)s")
# In a template or Python: "day{{ s }}", `"s" if n != 1`, `"" if n == 1 else "s"`.
SOURCE_HACKS = re.compile(
    r"""[a-z]\{\{ ?(?:s|es|[a-z_]+2) ?\}\}"""
    r"""|["'](?:s|es)["'] if\b"""
    r"""|else ["'](?:s|es)["']"""
)
# An address scheme written as http(s) is no plural, nor a placeholder's own closing "s".
NOT_PLURALS = re.compile(r"https?\(s\)|%\([a-z_0-9]+\)s(?=%)")


def _sources() -> list[Path]:
    found = list((PROJECT_ROOT / "app").rglob("*.py"))
    found += [p for p in (PROJECT_ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt")]
    return sorted(found)


def hacks_in(text: str, pattern: re.Pattern[str] = SOURCE_HACKS) -> list[str]:
    return [line.strip() for line in text.splitlines() if pattern.search(NOT_PLURALS.sub("", line))]


def test_no_message_pluralises_by_hand(tmp_path):
    found = [m for m in sorted(_extracted_ids(tmp_path)) if hacks_in(m, MESSAGE_HACKS)]
    assert not found, "Use ngettext or {% pluralize %}:\n" + "\n".join(found)


def test_no_template_or_code_pluralises_by_hand():
    found = [
        f"{path.relative_to(PROJECT_ROOT)}: {line}"
        for path in _sources()
        for line in hacks_in(path.read_text(encoding="utf-8"))
    ]
    assert not found, "Use ngettext or {% pluralize %}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("line", "hack"),
    [
        ('msgid "%(n)s credential(s) are suspended."', True),
        ('msgid "%(count)s problem%(count2)s found"', True),
        ('msgid "<a href="%(url)s">A</a> · <a href="%(url2)s">B</a>"', False),
        ('msgid "%(first)s%(first2)s, up to %(size)s each."', False),
        ('msgid "Your web address must be an http(s) address"', False),
        ('{% trans n=n, s="" if n == 1 else "s" %}{{ n }} day{{ s }}{% endtrans %}', True),
        ('{% trans c=c, c2="s" if c != 1 %}{{ c }} problem{{ c2 }}{% endtrans %}', True),
        ("f\"missing column{'s' if len(missing) > 1 else ''}\"", True),
        ('msgid "%(days_left)s day%(s)s late"', True),
        ('ngettext("%(num)s day", "%(num)s days", n)', False),
        ("{% trans count=n %}{{ count }} day{% pluralize %}{{ count }} days{% endtrans %}", False),
        ("[alignment_label(s) for s in standards]", False),
    ],
)
def test_the_scan_tells_a_hand_made_plural(line, hack):
    pattern = MESSAGE_HACKS if line.startswith("msgid") else SOURCE_HACKS
    assert bool(hacks_in(line, pattern)) is hack
