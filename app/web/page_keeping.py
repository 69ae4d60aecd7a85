"""A rendered page kept whole in memory, and who may be given one.

Pages about one of the school's credentials are kept per process while nothing they show
changes: the verification and share pages by token (`app.share.kept_pages`), the verify
form's result with its kept report (`app.verify.views`). A kept page carries the version
of the database it shows, the clock's side of its dates and the minute it prints, and its
bytes are served again only while all of these hold, and only to a visitor for whom the
page is everyone's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response
from flask import request
from flask import session
from flask_babel import get_locale
from flask_login import current_user


def clock_side(instants: tuple[datetime, ...], now: datetime) -> tuple[bool, ...]:
    """Which of a page's dates (validity start and end) have passed at `now`."""
    return tuple(instant <= now for instant in instants)


@dataclass(frozen=True)
class KeptPage:
    """A page's bytes, with the version, the clock's side of its dates and the minute it
    was rendered under (`serves` says whether they all still hold)."""

    version: tuple[Any, ...]
    instants: tuple[datetime, ...]
    side: tuple[bool, ...]
    minute: str | None
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(
        cls,
        response: Response,
        version: tuple[Any, ...],
        instants: tuple[datetime, ...],
        now: datetime,
        minute: str | None,
    ) -> KeptPage | None:
        """`response` as a kept page; None for what is no whole page (an error, a stream)."""
        if response.status_code != 200 or response.direct_passthrough:
            return None
        return cls(
            version=version,
            instants=instants,
            side=clock_side(instants, now),
            minute=minute,
            status=response.status_code,
            body=response.get_data(),
            headers=tuple(response.headers.items()),
        )

    def serves(self, version: tuple[Any, ...], now: datetime, minute: str | None) -> bool:
        return (
            version == self.version
            and minute == self.minute
            and clock_side(self.instants, now) == self.side
        )

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=list(self.headers))


def anonymous_visitor() -> bool:
    """No one signed in and nothing flashed for this visitor: the page is everyone's.

    A signed-in person's page carries their name, menu and sign-out form (with its CSRF
    token). Not at an address with a query either: the page's language form sends the
    visitor back to the address they came by, query included.
    """
    return (
        not current_user.is_authenticated
        and not session.get("_flashes")
        and not request.query_string
    )


def rendering_key() -> tuple[str, str]:
    """What a page's bytes follow besides what it shows: its own links are relative to where
    the site is mounted (a proxy's prefix), and its words are in the visitor's language."""
    return request.script_root, str(get_locale())
