"""Rows as portable JSON: each column's kind is named in the manifest, so values decode exactly.

Kinds: "bytes" (base64), "datetime" (ISO 8601 in UTC, with its zone), "date" (ISO),
"json" (the JSON value itself) and "value" (strings, numbers, booleans as JSON has
them). A row is a JSON array in the manifest's column order, one per line.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

ALEMBIC_TABLE = "alembic_version"


def column_kind(type_: sa.types.TypeEngine[Any]) -> str:
    """The kind of a reflected column type (the same on SQLite and PostgreSQL)."""
    if isinstance(type_, sa.LargeBinary):
        return "bytes"
    if isinstance(type_, sa.DateTime):
        return "datetime"
    if isinstance(type_, sa.Date):
        return "date"
    if isinstance(type_, sa.JSON):
        return "json"
    return "value"


def _encode_datetime(value: datetime) -> str:
    # SQLite keeps Laurel's UTC times without their zone; PostgreSQL returns them aware.
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _decode_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(gettext("a datetime without its zone: %(value)s", value=repr(value)))
    return parsed.astimezone(UTC)


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "bytes": lambda v: base64.b64encode(bytes(v)).decode("ascii"),
    "datetime": _encode_datetime,
    "date": lambda v: v.isoformat(),
    "json": lambda v: v,
    "value": lambda v: v,
}
_DECODERS: dict[str, Callable[[Any], Any]] = {
    "bytes": lambda v: base64.b64decode(v, validate=True),
    "datetime": _decode_datetime,
    "date": date.fromisoformat,
    "json": lambda v: v,
    "value": lambda v: v,
}
KINDS = frozenset(_ENCODERS)


def encode_row(row: sa.Row[Any], kinds: list[str]) -> bytes:
    values = [
        None if value is None else _ENCODERS[kind](value)
        for value, kind in zip(row, kinds, strict=True)
    ]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def decode_row(line: bytes, columns: list[str], kinds: list[str]) -> dict[str, Any]:
    """One JSON line back into column values. :raises ValueError: not a row of this table."""
    values = json.loads(line)
    if not isinstance(values, list) or len(values) != len(columns):
        raise ValueError(gettext("a row with the wrong number of columns"))
    try:
        return {
            column: None if value is None else _DECODERS[kind](value)
            for column, kind, value in zip(columns, kinds, values, strict=True)
        }
    except (binascii.Error, TypeError, AttributeError) as error:
        raise ValueError(str(error)) from None


def reflect(connection: sa.Connection) -> sa.MetaData:
    """The tables as they are in this database (its schema revision), not as the code has them."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    return metadata


def data_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """Every table but Alembic's, parents before children (the order to insert rows in)."""
    return [table for table in metadata.sorted_tables if table.name != ALEMBIC_TABLE]
