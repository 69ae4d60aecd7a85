"""Column helpers shared by every feature's models."""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import cast

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def new_token() -> str:
    """A random URL-safe token (192 bits): the secret part of a link nobody can guess."""
    return secrets.token_urlsafe(24)


def is_token(value: str) -> bool:
    """Could `value` be a token? Checked before a lookup: PostgreSQL refuses NUL in text."""
    return _TOKEN.fullmatch(value) is not None


def is_uuid(value: str) -> bool:
    """Could `value` be a uuid (a credential id)? Checked before a lookup, as tokens are."""
    return _UUID.fullmatch(value) is not None


def rows_changed(result: sa.Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (its result is a cursor result)."""
    return cast("sa.CursorResult[Any]", result).rowcount


def insert_or_skip(dialect_name: str, entity: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for SQLite (3.35+) or PostgreSQL, the two databases run.

    A row that would break a unique constraint is skipped instead of failing the
    transaction (PostgreSQL aborts a transaction on any error), so a race is settled
    without a savepoint; add `.returning(...)` to learn which rows went in.
    """
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.dialects import sqlite

    module = sqlite if dialect_name == "sqlite" else postgresql
    return module.insert(entity).on_conflict_do_nothing()


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every backend (SQLite returns naive values otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
