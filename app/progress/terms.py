"""The term a progress plot covers: a date range read from the query string, cut into weeks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from flask_babel import gettext

from app.errors import UserError

DEFAULT_WEEKS = 12
LONGEST_TERM = timedelta(days=366)
# Dates outside these years are typing mistakes; they also keep date arithmetic in range.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Week:
    start: date
    # The first day after the week, or after the term when the term ends mid-week.
    stop: date

    @property
    def start_at(self) -> datetime:
        return _midnight(self.start)

    @property
    def stop_at(self) -> datetime:
        return _midnight(self.stop)


@dataclass(frozen=True)
class Term:
    """From `start` to `end`, both days included (UTC)."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return _midnight(self.start)

    @property
    def stop_at(self) -> datetime:
        """The first moment after the term."""
        return _midnight(self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    def weeks(self) -> list[Week]:
        """Seven-day weeks from the first day; the last one stops with the term."""
        weeks = []
        start = self.start
        while start <= self.end:
            stop = min(start + timedelta(days=7), self.end + timedelta(days=1))
            weeks.append(Week(start, stop))
            start = stop
        return weeks


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _date(value: str, field: str) -> date:
    if not _ISO_DATE.fullmatch(value):
        raise UserError(gettext("“%(field)s” must be a date written like 2026-09-01.", field=field))
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise UserError(
            gettext(
                "“%(field)s” is not a date of the calendar: %(value)s.", field=field, value=value
            )
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise UserError(
            gettext(
                "“%(field)s” must fall between %(first_year)s and %(last_year)s.",
                field=field,
                first_year=FIRST_YEAR,
                last_year=LAST_YEAR,
            )
        )
    return day


def parse_term(start: str | None, end: str | None, *, today: date) -> Term:
    """The term named by the `from` and `to` filters; by default the twelve weeks to today.

    :raises UserError: a value that is not a date, a term that ends before it starts, or
        one longer than a year.
    """
    last = _date(end, "to") if end else today
    first = _date(start, "from") if start else last - timedelta(weeks=DEFAULT_WEEKS) + timedelta(1)
    if first > last:
        raise UserError(
            gettext("The term must start (“from”) on or before the day it ends (“to”).")
        )
    if last - first >= LONGEST_TERM:
        raise UserError(gettext("A term covers at most a year: choose a shorter range."))
    return Term(first, last)
