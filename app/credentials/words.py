"""Sentences for a person that a page or a command can say in its reader's language.

Pure module: imports neither flask nor flask_babel. The credential library and the verify
core speak English, and their sentences stay `str` (the JSON report, exceptions and logs read
as ever); `N_` makes each a `Text`, which also keeps its English msgid and its parameters,
so the web and command layers translate it when they show it (`app.main.filters.say`).
`N_plural` does the same for a sentence whose wording follows a number (ngettext).
`N_` is one of `pybabel extract`'s default keywords and babel.cfg adds `N_plural:1,2`,
so every msgid reaches the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime


def english_day(moment: datetime) -> str:
    """A day as a person writes it in English: 3 December 2026 (in UTC)."""
    day = moment.astimezone(UTC)
    return f"{day.day} {day:%B %Y}"


def _english(value: object) -> object:
    return english_day(value) if isinstance(value, datetime) else value


class Text(str):
    """An English sentence that remembers its msgid and parameters (a date stays a datetime,
    to be written the reader's way). A plural sentence also keeps its plural msgid; its
    count is the parameter `num`."""

    msgid: str
    params: Mapping[str, object]
    plural: str | None

    def __new__(cls, msgid: str, params: Mapping[str, object], plural: str | None = None) -> Text:
        said = msgid if plural is None or params.get("num") == 1 else plural
        english = said % {k: _english(v) for k, v in params.items()} if params else said
        text = super().__new__(cls, english)
        text.msgid = msgid
        text.params = dict(params)
        text.plural = plural
        return text

    def __reduce__(self) -> tuple[type[Text], tuple[str, dict[str, object], str | None]]:
        # Copied or pickled, a Text stays one (str's own way would drop the msgid).
        return (Text, (self.msgid, dict(self.params), self.plural))


def N_(msgid: str, **params: object) -> Text:
    """The sentence `msgid` with its `%(name)s` parameters, in English, translatable."""
    return Text(msgid, params)


def N_plural(singular: str, plural: str, num: int, **params: object) -> Text:
    """The sentence for `num` things (`%(num)s` in both forms), in English, translatable:
    each language picks its own form for `num` (ngettext)."""
    return Text(singular, {**params, "num": num}, plural)


def text_of(error: BaseException) -> str:
    """An exception's sentence, still a `Text` when it was raised with one."""
    if len(error.args) == 1 and isinstance(error.args[0], Text):
        return error.args[0]
    return str(error)
