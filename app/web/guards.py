"""The input guard: one check of every request for characters Laurel refuses to take in.

PostgreSQL text cannot hold NUL and UTF-8 cannot hold a lone surrogate, so such input
used to reach the database and end in a 500 there while SQLite stored it. The other
control characters (all of C0 but tab and line breaks, and DEL) are invisible, and
RDF canonicalization would need them escaped, which Laurel refuses rather than does
(DESIGN.md); refusing them here names the field at once instead of failing at signing.

The guard runs before every view: the path (and so every view argument) answers 404,
a query parameter, form field or uploaded file name answers 400 with a sentence naming
it, and a JSON body is checked value by value for what no database can store. A JSON
body may be a credential from another issuer to verify, so its other control characters
are left to the verification report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

from flask_babel import gettext

from app.errors import NotFound
from app.errors import UserError

if TYPE_CHECKING:
    from flask import Flask

# NUL, the other C0 controls except tab, line feed and carriage return, DEL, and lone
# surrogates (which the query string, form and JSON decoders can all produce).
REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What no database (PostgreSQL text) or UTF-8 encoder can take: checked in JSON bodies.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON body nested deeper than this is not a credential; Python's decoder itself
# gives up (RecursionError) a little under 1,000 levels.
MAX_JSON_DEPTH = 64
# The only ways a JSON body decodes to a NUL or a lone surrogate: a \u escape, a NUL
# byte (also in every UTF-16 or UTF-32 body) or a UTF-8-encoded surrogate, which the
# decoder lets through. A body with none of them, and with fewer brackets than the
# depth limit, holds nothing to refuse, so it is not decoded and walked here.
MAYBE_REFUSED_JSON = re.compile(rb"\\u|\x00|\xed[\xa0-\xbf]")


def _json_needs_walk(data: bytes) -> bool:
    """Whether decoding and walking a JSON body could refuse it (see MAYBE_REFUSED_JSON)."""
    return (
        MAYBE_REFUSED_JSON.search(data) is not None
        or data.count(b"{") + data.count(b"[") > MAX_JSON_DEPTH
    )


def _describe(character: str) -> str:
    if character == "\x00":
        return "a NUL byte (U+0000)"
    if "\ud800" <= character <= "\udfff":
        return f"a broken character (U+{ord(character):04X})"
    return f"an invisible control character (U+{ord(character):04X})"


def _shown(name: str) -> str:
    """`name` with refused characters replaced, so a message never echoes them."""
    return REFUSED.sub("\N{REPLACEMENT CHARACTER}", name)


def _refusal(where: str, character: str) -> UserError:
    return UserError(
        gettext(
            "%(where)s contains %(describe)s, which Laurel does not "
            "accept; remove it and try again (tabs and line breaks are "
            "fine).",
            where=where,
            describe=_describe(character),
        )
    )


def _check_pairs(pairs: Iterable[tuple[str, str]], kind: str) -> None:
    for name, value in pairs:
        for text in (name, value):
            found = REFUSED.search(text)
            if found:
                raise _refusal(f"The {kind} “{_shown(name)}”", found.group())


def _json_strings(document: Any) -> Iterator[tuple[str, str]]:
    """Every key and string value of a parsed JSON document, with its path (iteratively)."""
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise UserError(
                gettext(
                    "The JSON body is nested more than %(max_json_depth)s levels deep.",
                    max_json_depth=MAX_JSON_DEPTH,
                )
            )
        if isinstance(value, str):
            yield path or "(the body)", value
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield child, key
                stack.append((child, item, depth + 1))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value))


def check_request() -> None:
    """Refuse the request if any part of it holds a character Laurel does not accept.

    :raises NotFound: the path holds one (no page or record has such an address).
    :raises UserError: a query parameter, form field, file name or JSON value holds one.
    """
    from flask import request

    if REFUSED.search(request.path):
        raise NotFound(gettext("There is nothing at this address."))
    _check_pairs(request.args.items(multi=True), "parameter")
    _check_pairs(request.form.items(multi=True), "field")
    _check_pairs(
        ((field, upload.filename or "") for field, upload in request.files.items(multi=True)),
        "name of the file in",
    )
    if request.is_json and _json_needs_walk(request.get_data(cache=True)):
        try:
            document = request.get_json(silent=True)
        except RecursionError:
            raise UserError(gettext("The JSON body is nested too deeply to be read.")) from None
        for path, text in _json_strings(document):
            found = UNSTORABLE.search(text)
            if found:
                raise _refusal(f"The JSON value at “{_shown(path)}”", found.group())


def register_input_guard(app: Flask) -> None:
    """Run `check_request` before every view of `app`."""
    app.before_request(check_request)
