"""Reading a roster CSV (name, email, role, class) into rows checked one by one.

Nothing here touches the database: `parse_roster` decides which rows are unusable and
why; `app.roster` previews and applies the rest.
"""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import ngettext

from app.accounts.emails import normalize_email
from app.accounts.models import Role
from app.errors import UserError

COLUMNS = ("name", "email", "role", "class")
MAX_ROSTER_BYTES = 1024 * 1024
MAX_ROSTER_ROWS = 5000
ROSTER_ROLES = {
    "student": Role.STUDENT,
    "instructor": Role.INSTRUCTOR,
    "counselor": Role.COUNSELOR,
}


class RowOutcome(enum.StrEnum):
    PENDING = "pending"
    CREATED = "created"
    EXISTING = "existing"
    REJECTED = "rejected"


@dataclass
class RosterRow:
    line: int
    name: str
    email: str
    role: Role | None
    class_name: str
    outcome: RowOutcome = RowOutcome.PENDING
    reason: str = ""

    def reject(self, reason: str) -> None:
        self.outcome = RowOutcome.REJECTED
        self.reason = reason


def decode_roster(data: bytes) -> str:
    """The file as text.

    :raises UserError: empty, too large, or not UTF-8.
    """
    return decode_csv(data, label="The roster file", max_bytes=MAX_ROSTER_BYTES, header=COLUMNS)


def decode_csv(data: bytes, *, label: str, max_bytes: int, header: tuple[str, ...]) -> str:
    """A CSV file as text (a UTF-8 byte order mark is dropped); `label` names it in messages.

    :raises UserError: empty, larger than `max_bytes`, or not UTF-8.
    """
    if len(data) > max_bytes:
        raise UserError(
            gettext(
                "%(label)s is larger than %(max_bytes)s KB. Split it into several files.",
                label=label,
                max_bytes=max_bytes // 1024,
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            gettext(
                "%(label)s is not UTF-8 text (byte %(start)s cannot be "
                "read). In your spreadsheet, choose “Save as… CSV UTF-8” and "
                "upload it again.",
                label=label,
                start=error.start + 1,
            )
        ) from error
    if not text.strip():
        raise UserError(
            gettext(
                "%(label)s is empty. The first line must be the header: %(join)s.",
                label=label,
                join=",".join(header),
            )
        )
    return text


def _header(cells: list[str]) -> dict[str, int]:
    """Column name -> position. :raises UserError: a required column is missing."""
    names = [cell.strip().lower() for cell in cells]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise UserError(
            gettext(
                "The first line of the roster must name the columns "
                "name,email,role,class; missing: %(join)s.",
                join=", ".join(missing),
            )
        )
    return {column: names.index(column) for column in COLUMNS}


def _row(line: int, cells: list[str], positions: dict[str, int], width: int) -> RosterRow:
    values = {
        column: cells[index].strip() if index < len(cells) else ""
        for column, index in positions.items()
    }
    role_text = values["role"].lower()
    row = RosterRow(
        line=line,
        name=" ".join(values["name"].split()),
        email=values["email"],
        role=ROSTER_ROLES.get(role_text),
        class_name=" ".join(values["class"].split()),
    )
    if len(cells) < width:
        missing = [column for column, index in positions.items() if index >= len(cells)]
        row.reject(
            ngettext(
                "missing column: %(columns)s",
                "missing columns: %(columns)s",
                len(missing),
                columns=", ".join(missing),
            )
        )
    elif not row.name:
        row.reject(gettext("empty name"))
    elif not row.email:
        row.reject(gettext("empty email"))
    elif row.role is None:
        row.reject(
            gettext(
                "unknown role “%(role)s” (use student, instructor or counselor)",
                role=values["role"],
            )
        )
    elif row.role == Role.COUNSELOR and row.class_name:
        row.reject(
            gettext("a counselor is in no class: leave class empty (assign students on Counselors)")
        )
    else:
        try:
            row.email = normalize_email(row.email)
        except UserError as error:
            row.reject(gettext("bad email: %(error)s", error=error))
    return row


def parse_roster(text: str) -> list[RosterRow]:
    """Every data row of the roster, rejected ones carrying their reason.

    :raises UserError: the file has no usable header or too many rows.
    """
    reader = csv.reader(io.StringIO(text))
    try:
        lines = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise UserError(
            gettext("The roster file is not a readable CSV file: %(error)s.", error=error)
        ) from error
    lines = [(number, cells) for number, cells in lines if any(cell.strip() for cell in cells)]
    if not lines:
        raise UserError(
            gettext(
                "The roster file is empty. The first line must be the "
                "header: name,email,role,class."
            )
        )
    positions = _header(lines[0][1])
    width = max(positions.values()) + 1
    if len(lines) - 1 > MAX_ROSTER_ROWS:
        raise UserError(
            gettext(
                "The roster has more than %(max_roster_rows)s rows. Split it into several files.",
                max_roster_rows=MAX_ROSTER_ROWS,
            )
        )
    rows: list[RosterRow] = []
    first_line_of: dict[str, int] = {}
    for number, cells in lines[1:]:
        row = _row(number, cells, positions, width)
        if row.outcome != RowOutcome.REJECTED:
            if row.email in first_line_of:
                row.reject(
                    gettext(
                        "duplicate of line %(line)d (%(email)s)",
                        line=first_line_of[row.email],
                        email=row.email,
                    )
                )
            else:
                first_line_of[row.email] = number
        rows.append(row)
    if not rows:
        raise UserError(gettext("The roster has a header but no rows under it."))
    return rows
