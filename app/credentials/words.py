"""Sentences for a person that a page or a command can say in its reader's language.

Pure module: imports neither flask nor flask_babel. The credential library and the verify
core speak English, and their sentences stay `str` (the JSON report, exceptions and logs read
as ever); `N_` makes each a `Text`, which also keeps its English msgid and its parameters,
so the web and command layers translate it when they show it (`app.main.filters.say`).
`N_` is one of `pybabel extract`'s default keywords, so every msgid reaches the catalog.
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
    to be written the reader's way)."""

    msgid: str
    params: Mapping[str, object]

    def __new__(cls, msgid: str, params: Mapping[str, object]) -> Text:
        english = msgid % {k: _english(v) for k, v in params.items()} if params else msgid
        text = super().__new__(cls, english)
        text.msgid = msgid
        text.params = dict(params)
        return text

    def __reduce__(self) -> tuple[type[Text], tuple[str, dict[str, object]]]:
        # Copied or pickled, a Text stays one (str's own way would drop the msgid).
        return (Text, (self.msgid, dict(self.params)))


def N_(msgid: str, **params: object) -> Text:
    """The sentence `msgid` with its `%(name)s` parameters, in English, translatable."""
    return Text(msgid, params)


def text_of(error: BaseException) -> str:
    """An exception's sentence, still a `Text` when it was raised with one."""
    if len(error.args) == 1 and isinstance(error.args[0], Text):
        return error.args[0]
    return str(error)
