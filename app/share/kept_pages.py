"""Whole public pages kept per process for anonymous visitors: /v/<token> and /s/<token>.

A verification or share page shows a credential's signed document (never changes),
its row's status, privacy switches and learner name, its badge, the school's name
(the header, the "unknown issuer" note) and the clock's side of its validity dates;
the verification page also prints the minute it was checked. Each hit reads the row's
version of all of these in one query by the (unique, indexed) token, and serves the
kept bytes only when that version, the clock's side of every date and the printed
minute are the ones the page was rendered under. Anything else renders afresh, so a
revocation, a badge edit, a new school name or a corrected learner name shows on the
very next request in every worker.

Only anonymous visitors with nothing waiting in their session (flashed messages) get
a kept page: a signed-in person's page carries their name, menu and sign-out form
(with its CSRF token). Pages hold no per-request part (the CSP has no nonce).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Response
from flask import request
from flask import session
from flask_babel import get_locale
from flask_login import current_user

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.badges.models import IssuerProfile
from app.extensions import read_one
from app.main.filters import format_datetime
from app.main.navigation import SCHOOL_NAME
from app.models_base import is_token
from app.models_base import utcnow

# A page is 10-20 KB; two kinds of page per credential.
MAX_PAGES = 512

TOKEN_COLUMNS = {"verify": IssuedCredential.verify_token, "share": IssuedCredential.share_token}
SWITCHES = {"verify": IssuedCredential.verify_enabled, "share": IssuedCredential.share_enabled}

_FIRST_PROFILE = sa.select(IssuerProfile).order_by(IssuerProfile.id).limit(1).subquery()


def _version_statement(kind: str) -> sa.Select[Any]:
    return (
        sa.select(
            SWITCHES[kind],
            # Both switches: a share page shows the certificate's verification link and
            # QR code while that is on, a verification page the document's links while
            # the credential is shared.
            IssuedCredential.share_enabled,
            IssuedCredential.verify_enabled,
            IssuedCredential.state,
            IssuedCredential.status_reason,
            IssuedCredential.status_changed_at,
            User.name,
            Badge.revision,
            Badge.updated_at,
            sa.select(_FIRST_PROFILE.c.updated_at).scalar_subquery(),
            sa.select(_FIRST_PROFILE.c.name).scalar_subquery(),
        )
        .join(User, User.id == IssuedCredential.recipient_id)
        .join(Badge, Badge.id == IssuedCredential.badge_id)
        .where(TOKEN_COLUMNS[kind] == sa.bindparam("token"))
    )


_STATEMENTS = {kind: _version_statement(kind) for kind in TOKEN_COLUMNS}


def page_version(kind: str, token: str) -> tuple[Any, ...] | None:
    """Everything of the database a public page shows, read now; None when it shows nothing.

    The school's name (None before its profile exists) is left in the request's
    environ under SCHOOL_NAME for the page header, so a page rendered in this request
    asks for it no second time.
    """
    row = read_one(_STATEMENTS[kind], {"token": token})
    if row is None or not row[0]:
        return None
    request.environ[SCHOOL_NAME] = row[-1]
    return tuple(row)


def clock_side(instants: tuple[datetime, ...], now: datetime) -> tuple[bool, ...]:
    """Which of a page's dates (validity start and end) have passed at `now`."""
    return tuple(instant <= now for instant in instants)


@dataclass(frozen=True)
class Rendered:
    """A page as its view made it, and the dates on which its wording turns."""

    response: Response
    instants: tuple[datetime, ...]


@dataclass(frozen=True)
class _Kept:
    version: tuple[Any, ...]
    instants: tuple[datetime, ...]
    side: tuple[bool, ...]
    minute: str | None
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def serves(self, version: tuple[Any, ...], now: datetime, minute: str | None) -> bool:
        return (
            version == self.version
            and minute == self.minute
            and clock_side(self.instants, now) == self.side
        )

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=list(self.headers))


def anonymous_visitor() -> bool:
    """No one signed in and nothing flashed for this visitor: the page is everyone's."""
    return not current_user.is_authenticated and not session.get("_flashes")


class KeptPages:
    """A bounded, thread-safe LRU of public pages by kind, token, mount point and language."""

    def __init__(self, size: int = MAX_PAGES) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str, str, str], _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def serve(
        self,
        kind: str,
        token: str,
        render: Callable[[datetime], Rendered],
        *,
        shows_minute: bool,
    ) -> Response:
        """The page for `token`: kept bytes while nothing it shows has changed, else `render(now)`.

        `render` finds the credential itself and raises NotFound when there is none to show.
        """
        now = utcnow()
        if not is_token(token) or not anonymous_visitor():
            return render(now).response
        version = page_version(kind, token)
        if version is None:
            return render(now).response
        minute = format_datetime(now) if shows_minute else None
        # The page's own links are relative to where the site is mounted (a proxy's prefix),
        # and its words are in the visitor's language.
        key = (kind, token, request.script_root, str(get_locale()))
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None and kept.serves(version, now, minute):
            return kept.response()
        rendered = render(now)
        response = rendered.response
        if response.status_code == 200 and not response.direct_passthrough:
            kept = _Kept(
                version=version,
                instants=rendered.instants,
                side=clock_side(rendered.instants, now),
                minute=minute,
                status=response.status_code,
                body=response.get_data(),
                headers=tuple(response.headers.items()),
            )
            with self._lock:
                self._kept[key] = kept
                self._kept.move_to_end(key)
                while len(self._kept) > self._size:
                    self._kept.popitem(last=False)
        return response

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


pages = KeptPages()
