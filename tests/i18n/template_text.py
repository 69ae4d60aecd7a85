"""The visible words of a template that no translation reaches, read with Jinja's own lexer.

The template is rebuilt with every Jinja tag, expression and `{% trans %}` block replaced by
a placeholder (keeping its line breaks), then read as HTML: a text node or a visible
attribute (title, alt, placeholder, aria-label, a button's value) that still holds a letter
once placeholders and allowed words are taken out was written outside the catalog. So is a
capitalised phrase in a Jinja string ("Save the name") given to anything but a gettext call.
Code samples (<code>, <pre>, <kbd>, <samp>), scripts and styles are not language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment

PLACEHOLDER = "\x00"
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "lazy_gettext"}
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "label"}
BUTTON_INPUTS = {"submit", "button", "reset"}
NOT_LANGUAGE = {"code", "pre", "kbd", "samp", "script", "style"}
# Names that are the same in every language. Nothing else: a word is translated.
BRANDS = re.compile(r"\bLaurel\b")
URL = re.compile(r"\b(?:https?://|mailto:)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LETTER = re.compile(r"[^\W\d_]")
# A Jinja string that reads as words: it starts with a capitalised one ("Save", "Save it").
# A dictionary's key ({"Not Found": …}) is a name to look up, not words to show.
PHRASE = re.compile(r"^[A-Z][a-z]+\b")


@dataclass(frozen=True)
class Untranslated:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def has_words(text: str) -> bool:
    text = URL.sub("", BRANDS.sub("", text.replace(PLACEHOLDER, " ")))
    return bool(LETTER.search(text))


def shown(text: str) -> str:
    """The text as a person reads it, "…" where Jinja puts something."""
    words = text.replace(PLACEHOLDER, f" {PLACEHOLDER} ").split()
    kept = [w for i, w in enumerate(words) if w != PLACEHOLDER or words[i - 1 : i] != [w]]
    return " ".join(kept).strip(f" {PLACEHOLDER}").replace(PLACEHOLDER, "…")


def _placeholder(value: str) -> str:
    # Spaced, so that `<li{% if … %} class="x"{% endif %}>` still reads as a tag.
    return f" {PLACEHOLDER} " + "\n" * value.count("\n")


def rebuild(env: Environment, source: str) -> tuple[str, list[tuple[int, str]]]:
    """The template's text with Jinja replaced by placeholders, and the phrases in its strings
    outside gettext calls, by line."""
    parts: list[str] = []
    phrases: list[tuple[int, str]] = []
    in_trans = False
    after_block_begin = False
    previous = ""
    calls: list[bool] = []  # per open parenthesis: is it a gettext call's?
    string: tuple[int, str] | None = None  # the last string, until the next token says
    for line, kind, value in env.lex(source):
        if kind == "whitespace":
            parts.append(_placeholder(value))
            continue
        if string is not None and not (kind == "operator" and value == ":"):
            phrases.append(string)
        string = None
        if kind == "name" and after_block_begin:
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        after_block_begin = kind == "block_begin"
        if kind == "data" and not in_trans:
            parts.append(value)
        else:
            parts.append(_placeholder(value))
        if kind == "operator" and value == "(":
            calls.append(previous in GETTEXT_CALLS)
        elif kind == "operator" and value == ")" and calls:
            calls.pop()
        elif kind == "string" and not any(calls) and not in_trans and PHRASE.match(value[1:-1]):
            string = (line, value[1:-1])
        if kind in ("block_end", "variable_end"):
            calls.clear()
        previous = value if kind == "name" else ""
    if string is not None:
        phrases.append(string)
    return "".join(parts), phrases


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in BUTTON_INPUTS
            )
            if visible and value and has_words(value):
                self.found.append((line, f"{name}={shown(value)}"))
        if tag in NOT_LANGUAGE:
            self._skipping.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in NOT_LANGUAGE:
            self._skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._skipping:
            while self._skipping and self._skipping.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self._skipping and has_words(data):
            # getpos() is where the text starts; name the line of its first word.
            start = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
            self.found.append((start, shown(data)))


def untranslated(env: Environment, path: Path, name: str) -> list[Untranslated]:
    """Every visible text of the template at `path` (shown as `name`) outside the catalog."""
    text, phrases = rebuild(env, path.read_text(encoding="utf-8"))
    found = [Untranslated(name, line, f"string {value}") for line, value in phrases]
    if path.suffix == ".txt":
        for number, line in enumerate(text.splitlines(), start=1):
            if has_words(line):
                found.append(Untranslated(name, number, shown(line)))
        return found
    reader = _Reader()
    reader.feed(text)
    reader.close()
    return found + [Untranslated(name, line, value) for line, value in reader.found]
