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

Only anonymous visitors with nothing waiting in their session (flashed messages), at an
address without a query, get a kept page (`app.web.page_keeping.anonymous_visitor`): a
signed-in person's page carries their name, menu and sign-out form (with its CSRF token).
Pages hold no per-request part (the CSP has no nonce).
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

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import IssuedCredential
from app.extensions import read_one
from app.main.filters import format_datetime
from app.main.navigation import SCHOOL_NAME
from app.models_base import is_token
from app.models_base import utcnow
from app.verify.verdicts import SCHOOL_VERSION_COLUMNS
from app.web.page_keeping import KeptPage
from app.web.page_keeping import anonymous_visitor
from app.web.page_keeping import rendering_key

# A page is 10-20 KB; two kinds of page per credential.
MAX_PAGES = 512

TOKEN_COLUMNS = {"verify": IssuedCredential.verify_token, "share": IssuedCredential.share_token}
SWITCHES = {"verify": IssuedCredential.verify_enabled, "share": IssuedCredential.share_enabled}


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
            *SCHOOL_VERSION_COLUMNS,
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


@dataclass(frozen=True)
class Rendered:
    """A page as its view made it, and the dates on which its wording turns."""

    response: Response
    instants: tuple[datetime, ...]


class KeptPages:
    """A bounded, thread-safe LRU of public pages by kind, token, mount point and language."""

    def __init__(self, size: int = MAX_PAGES) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str, str, str], KeptPage] = OrderedDict()
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
        key = (kind, token, *rendering_key())
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None and kept.serves(version, now, minute):
            return kept.response()
        rendered = render(now)
        response = rendered.response
        kept = KeptPage.of(response, version, rendered.instants, now, minute)
        if kept is not None:
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
