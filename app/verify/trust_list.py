"""Keeping the trust list: add, remove, import and export (the admin page, `laurel trust`).

Services take the actor's label and the clock and only flush; the caller commits.
The file format is the one LAUREL_TRUST_LIST and `laurel verify --trust` read:
a JSON list of {"id": DID or domain, "name": display name, "note": optional}.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext

from app.credentials.errors import CredentialError
from app.credentials.errors import InputError
from app.errors import Conflict
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.verify.core.trust import TrustEntry
from app.verify.core.trust import check_entry
from app.verify.core.trust import check_identifier
from app.verify.core.trust import read_trust_list
from app.verify.models import TrustedIssuer

logger = logging.getLogger(__name__)
MAX_TRUST_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class ImportReport:
    """What an import did, entry by entry id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged."
        )


def list_trusted() -> list[TrustedIssuer]:
    return list(db.session.scalars(sa.select(TrustedIssuer).order_by(TrustedIssuer.name)))


def _find(identifier: str) -> TrustedIssuer | None:
    return db.session.scalar(sa.select(TrustedIssuer).where(TrustedIssuer.identifier == identifier))


def _valid(identifier: str, name: str, note: str = "") -> TrustEntry:
    try:
        return check_entry(identifier, name, note)
    except InputError as error:
        raise UserError(str(error)) from None


def add_trusted(
    identifier: str, name: str, note: str = "", *, actor: str, now: datetime
) -> TrustedIssuer:
    """Put an issuer on the trust list.

    :raises UserError: the id or name is not valid.
    :raises Conflict: the id is already on the list.
    """
    entry = _valid(identifier, name, note)
    if _find(entry.identifier) is not None:
        raise Conflict(
            gettext("%(identifier)s is already on the trust list.", identifier=entry.identifier)
        )
    row = TrustedIssuer(
        identifier=entry.identifier, name=entry.name, note=entry.note, added_at=now, added_by=actor
    )
    db.session.add(row)
    db.session.flush()
    return row


def remove_trusted(identifier: str) -> TrustedIssuer:
    """Take an issuer off the trust list; returns the removed entry.

    :raises UserError: the id is not valid.
    :raises NotFound: the id is not on the list.
    """
    try:
        wanted = check_identifier(identifier)
    except InputError as error:
        raise UserError(str(error)) from None
    row = _find(wanted)
    if row is None:
        raise NotFound(gettext("%(wanted)s is not on the trust list.", wanted=wanted))
    db.session.delete(row)
    db.session.flush()
    return row


def get_trusted(entry_id: int) -> TrustedIssuer:
    """:raises NotFound: no such entry."""
    row = db.session.get(TrustedIssuer, entry_id)
    if row is None:
        raise NotFound(gettext("This trust list entry does not exist (it may have been removed)."))
    return row


def decode_trust_file(raw: bytes) -> str:
    """The text of an uploaded or named trust list file.

    :raises UserError: too large or not UTF-8.
    """
    if len(raw) > MAX_TRUST_FILE_BYTES:
        raise UserError(
            gettext(
                "The trust list file is larger than %(max_trust_file_bytes)s KB.",
                max_trust_file_bytes=MAX_TRUST_FILE_BYTES // 1024,
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(gettext("The trust list file is not UTF-8 text.")) from None


def import_trust_list(text: str, *, actor: str, now: datetime) -> ImportReport:
    """Add the file's entries and update the names and notes of those already listed.

    Nothing is removed, and importing the same file twice changes nothing. A file
    with one bad entry is refused whole, naming the entry.

    :raises UserError: the file is not a valid trust list.
    """
    try:
        entries = read_trust_list(text)
    except InputError as error:
        raise UserError(str(error)) from None
    report = ImportReport()
    for entry in entries:
        row = _find(entry.identifier)
        if row is None:
            add_trusted(entry.identifier, entry.name, entry.note, actor=actor, now=now)
            report.added.append(entry.identifier)
        elif (row.name, row.note) == (entry.name, entry.note):
            report.unchanged.append(entry.identifier)
        else:
            row.name, row.note = entry.name, entry.note
            report.updated.append(entry.identifier)
    db.session.flush()
    return report


def export_trust_list() -> str:
    """The trust list as a file that `import`, LAUREL_TRUST_LIST and `verify --trust` read."""
    entries = [
        {"id": row.identifier, "name": row.name, **({"note": row.note} if row.note else {})}
        for row in list_trusted()
    ]
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"


def file_entries(path: str | None) -> tuple[TrustEntry, ...]:
    """The entries of the LAUREL_TRUST_LIST file; unreadable, it adds no one (and logs)."""
    if not path:
        return ()
    try:
        return read_trust_list(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, CredentialError) as error:
        logger.error("LAUREL_TRUST_LIST %s is not usable, no issuer is trusted: %s", path, error)
        return ()


def trusted_entries(path: str | None) -> tuple[TrustEntry, ...]:
    """The issuers the verifier trusts: the admin's list, then the LAUREL_TRUST_LIST file's."""
    return tuple(row.entry for row in list_trusted()) + file_entries(path)
