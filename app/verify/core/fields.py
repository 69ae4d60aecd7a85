"""Reading fields of a JSON-LD document that may be a value, a list or missing.

Pure module. Credentials from other issuers write one value or a list where
the model allows several, and anything may be absent or of the wrong type;
these helpers answer a plain Python value, or None / an empty list, never raise.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def first_dict(value: Any) -> dict[str, Any]:
    return next((item for item in as_list(value) if isinstance(item, dict)), {})


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def issuer_id_of(document: dict[str, Any]) -> str | None:
    """The issuer's id, whether `issuer` is a Profile object or a bare URI."""
    issuer = document.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) and value else None


def parse_date(value: Any) -> datetime | None:
    """An XML Schema dateTime; one without a time zone is read as UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_day(moment: datetime | None) -> str | None:
    """A day as a person writes it: 3 December 2026 (in UTC)."""
    if moment is None:
        return None
    day = moment.astimezone(UTC)
    return f"{day.day} {day:%B %Y}"
