"""Reports on this school's own credentials, kept per process while nothing they rest on changes.

Verifying one of Laurel's credentials rests on four things: the bytes given (a
signed credential never changes), the school's keys (rotated, never deleted, so a
signature that verified once verifies for ever), the clock (its validity dates) and
the credential's status (revoked or suspended, with the reason and date). The first
two are fixed, so a report is kept under the input's digest together with the
status it was computed under, and served again only while the credential's row,
read afresh in the request that asks, still holds that status and the clock is on
the same side of its validity dates. A revocation, suspension or reinstatement thus
shows on the very next request in every worker: each reads the row itself.

The status is taken from the row as the request first loaded it (before the status
list was read), so a change committed during a verification can only make its
report unreachable, never served under the new status.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import IssuerProfile
from app.verify.core.fields import parse_date
from app.verify.core.report import Report

# A report holds its credential as parsed (tens of kilobytes of Python objects).
MAX_REPORTS = 256

Version = tuple[Any, ...]


@dataclass(frozen=True)
class OwnRecord:
    """What a verification shows of this school's row for a credential (one narrow query)."""

    id: str
    state: CredentialState
    status_reason: str | None
    status_changed_at: datetime | None
    issued_at: datetime
    level_name: str | None
    learner_name: str
    # The versions of the badge and the school, for a page that shows them (`page_version`).
    badge_revision: int
    badge_updated_at: datetime
    school_updated_at: datetime | None
    school_name: str | None


# The school's profile: the first row (`app.issuing.profile.issuer_profile`).
_FIRST_PROFILE = sa.select(IssuerProfile).order_by(IssuerProfile.id).limit(1).subquery()
# When the school's profile last changed and its name (None before it exists), as columns
# of another query: a kept page names the school, so it reads them with its own version.
SCHOOL_VERSION_COLUMNS = (
    sa.select(_FIRST_PROFILE.c.updated_at).scalar_subquery(),
    sa.select(_FIRST_PROFILE.c.name).scalar_subquery(),
)

COLUMNS = (
    IssuedCredential.id,
    IssuedCredential.state,
    IssuedCredential.status_reason,
    IssuedCredential.status_changed_at,
    IssuedCredential.issued_at,
    IssuedCredential.level_name,
    User.name,
    Badge.revision,
    Badge.updated_at,
    *SCHOOL_VERSION_COLUMNS,
)


def status_version(record: OwnRecord) -> Version:
    """What of a credential's row a report depends on: its state, reason and date of change."""
    return (record.state, record.status_reason, record.status_changed_at)


def page_version(record: OwnRecord) -> Version:
    """What else of the database a page on a kept report shows: the learner's name, the badge
    (an edit moves its revision, an endorsement given or withdrawn its updated_at) and the
    school's name (the header, the notes)."""
    return (
        record.learner_name,
        record.badge_revision,
        record.badge_updated_at,
        record.school_updated_at,
        record.school_name,
    )


def input_key(data: bytes | str, filename: str | None, content_type: str | None) -> str:
    """The digest of what was given to verify, with the name and type that steer its parsing."""
    digest = hashlib.sha256()
    digest.update(data.encode("utf-8") if isinstance(data, str) else data)
    digest.update(b"\0" + str(type(data).__name__).encode())
    digest.update(b"\0" + (filename or "").encode("utf-8", "replace"))
    digest.update(b"\0" + (content_type or "").encode("utf-8", "replace"))
    return digest.hexdigest()


def _moment(credential: dict[str, Any], *names: str) -> datetime | None:
    for name in names:
        if name in credential:
            return parse_date(credential[name])
    return None


def validity_instants(report: Report) -> tuple[datetime, ...]:
    """The report's validity start and end, those it has: where its dates verdict turns."""
    credential = report.credential or {}
    found = (
        _moment(credential, "validFrom", "issuanceDate"),
        _moment(credential, "validUntil", "expirationDate"),
    )
    return tuple(moment for moment in found if moment is not None)


def technical_json(report: Report) -> Markup:
    """The report as the API gives it, as HTML-safe indented JSON (the page's technical details)."""
    return htmlsafe_json_dumps(report.to_json(), dumps=current_app.json.dumps, indent=2)


# Answers made from a kept report (the API's JSON bytes, the verify form's result pages),
# by what else of the database they show.
Answers = dict[Any, Any]


@dataclass(frozen=True)
class _Kept:
    report: Report
    technical: Markup
    version: Version
    not_yet_valid: bool
    expired: bool
    answers: Answers

    def serves(self, version: Version, now: datetime) -> bool:
        return version == self.version and _window(self.report, now) == (
            self.not_yet_valid,
            self.expired,
        )


def _window(report: Report, now: datetime) -> tuple[bool, bool]:
    """Which side of its validity dates `now` is on, as the dates stage judges it."""
    credential = report.credential or {}
    valid_from = _moment(credential, "validFrom", "issuanceDate")
    valid_until = _moment(credential, "validUntil", "expirationDate")
    return (
        valid_from is not None and valid_from > now,
        valid_until is not None and valid_until <= now,
    )


def cacheable(report: Report) -> bool:
    """Only a genuine single credential of this school, given as bytes (not fetched from a URL),
    embedding no endorsement (a withdrawal is no change of the credential's own row)."""
    return bool(
        report.genuine
        and report.is_own_issuer
        and report.source_url is None
        and not report.parts
        and not report.endorsements
    )


class ReportCache:
    """A bounded, thread-safe LRU of own-credential reports (see the module docstring)."""

    def __init__(self, size: int = MAX_REPORTS) -> None:
        self._size = size
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: str, version_of: Any, now: datetime
    ) -> tuple[Report, Any, Markup, Answers] | None:
        """The kept report, its record, technical JSON and answers while `version_of` matches.

        :param version_of: reads the record for a report afresh: (record, version) or None.
        """
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is None:
            return None
        found = version_of(kept.report)
        if found is None:
            return None
        record, version = found
        if not kept.serves(version, now):
            return None
        return kept.report, record, kept.technical, kept.answers

    def put(self, key: str, report: Report, version: Version, now: datetime) -> _Kept:
        not_yet_valid, expired = _window(report, now)
        kept = _Kept(report, technical_json(report), version, not_yet_valid, expired, {})
        with self._lock:
            self._kept[key] = kept
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return kept

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


reports = ReportCache()
