"""Checking every row of a bulk issuance before anything is issued.

A CSV file (email, badge, level, optional evidence_url and note) or a selection of
submissions becomes a list of checked rows, or a list of errors naming each bad row.
Nothing here writes to the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlparse

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.credentials.rdfc import iri_needs_escape
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_NOTE = 2000
MAX_URL = 2000
REQUIRED_COLUMNS = ("email", "badge", "level")
OPTIONAL_COLUMNS = ("evidence_url", "note")


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row (`row` 0: the file as a whole)."""

    row: int
    message: str
    email: str = ""
    badge: str = ""


@dataclass(frozen=True)
class CheckedRow:
    """A row that can be issued as it stands."""

    position: int
    recipient: User
    badge: Badge
    level_id: str | None
    badge_label: str
    evidence_url: str | None = None
    note: str = ""
    submission_id: int | None = None


@dataclass
class CheckReport:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _file_error(message: str) -> CheckReport:
    return CheckReport(errors=[RowError(0, message)])


def parse_csv(data: bytes) -> tuple[list[dict[str, str]], CheckReport | None]:
    """The file's rows as dicts of the known columns, or a report of what is wrong with the file."""
    if len(data) > MAX_BYTES:
        return [], _file_error(
            f"The file is too large ({len(data):,} bytes): {MAX_BYTES // 1024 // 1024} MB at "
            f"most, about {MAX_ROWS:,} rows. Split it into several files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], _file_error(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). In a "
            "spreadsheet, save it as “CSV UTF-8”."
        )
    if not text.strip():
        return [], _file_error(
            "The file is empty: it needs a header line and one row a credential."
        )
    if "\x00" in text:
        return [], _file_error("The file holds NUL characters: it is not a CSV text file.")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        lines = [line for line in reader]
    except csv.Error as error:
        return [], _file_error(f"The file cannot be read as CSV: {error}.")
    header = [name.strip().lower() for name in lines[0]]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name and name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        allowed = ", ".join(REQUIRED_COLUMNS) + " (and optionally " + ", ".join(OPTIONAL_COLUMNS)
        found = ", ".join(header) or "nothing"
        return [], _file_error(
            f"Wrong columns: the first line must name {allowed}); it names {found}."
        )
    rows = [
        {name: (line[i].strip() if i < len(line) else "") for i, name in enumerate(header)}
        for line in lines[1:]
    ]
    rows = [row for row in rows if any(row.values())]
    if not rows:
        return [], _file_error("The file has a header but no rows.")
    if len(rows) > MAX_ROWS:
        return [], _file_error(
            f"The file has {len(rows):,} rows; {MAX_ROWS:,} at most. Split it into several files."
        )
    return rows, None


def _badges_by_label(labels: Iterable[str]) -> dict[str, list[Badge]]:
    ids = [int(label) for label in labels if label.isdigit() and len(label) < 10]
    names = [label for label in labels if label]
    found: dict[str, list[Badge]] = {}
    badges = db.session.scalars(
        sa.select(Badge).where(sa.or_(Badge.id.in_(ids), Badge.name.in_(names)))
    )
    for badge in badges:
        found.setdefault(badge.name, []).append(badge)
        found.setdefault(str(badge.id), []).append(badge)
    return found


def resolve_level(badge: Badge, wanted: str) -> tuple[str | None, str | None]:
    """The rubric level `wanted` names (id or name; empty: the required one) -> (id, error)."""
    levels = badge.rubric_levels or []
    if not levels:
        return None, f"“{badge.name}” has no rubric levels."
    if not wanted:
        return badge.required_level_id or levels[-1]["id"], None
    folded = wanted.casefold()
    position = next(
        (
            i
            for i, level in enumerate(levels)
            if level["id"] == wanted or str(level.get("name", "")).casefold() == folded
        ),
        None,
    )
    if position is None:
        names = ", ".join(str(level["name"]) for level in levels)
        return None, f"“{badge.name}” has no level “{wanted}” (its levels: {names})."
    required = next((i for i, lv in enumerate(levels) if lv["id"] == badge.required_level_id), 0)
    if position < required:
        return None, (
            f"Level “{levels[position]['name']}” is below “{levels[required]['name']}”, the "
            f"level needed to earn “{badge.name}”."
        )
    return levels[position]["id"], None


def _badge_problem(badge: Badge, actor: User) -> str | None:
    if not badge.can_review(actor):
        return f"You do not review “{badge.name}”, so you cannot issue it."
    if badge.state == BadgeState.DRAFT:
        return f"“{badge.name}” is a draft: publish it before issuing it."
    if badge.state != BadgeState.PUBLISHED:
        return f"“{badge.name}” is {badge.state.value}: it is no longer issued."
    return None


def _learner_problem(badge: Badge, learner: User, actor: User) -> str | None:
    if not learner.is_student:
        return f"{learner.email} is not a student account."
    if not learner.is_active:
        return f"{learner.email} is deactivated."
    if not badge.is_for_learner(learner) and not actor.is_admin:
        return (
            f"{learner.email} is not a student of the class of “{badge.name}” (an admin can "
            "issue it to anyone)."
        )
    return None


def _url_problem(url: str) -> str | None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > MAX_URL:
        return f"The evidence link “{url[:80]}” is not a web address starting with https://."
    if iri_needs_escape(url):
        return (
            f"The evidence link “{url[:80]}” holds characters a web address cannot contain "
            "(spaces, quotes, < > { } | ^ ` or backslashes)."
        )
    return None


def _holders(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which (learner id, badge id) pairs already hold an active credential."""
    if not pairs:
        return set()
    rows = db.session.execute(
        sa.select(IssuedCredential.recipient_id, IssuedCredential.badge_id).where(
            IssuedCredential.recipient_id.in_({learner for learner, _ in pairs}),
            IssuedCredential.badge_id.in_({badge for _, badge in pairs}),
            IssuedCredential.state != CredentialState.REVOKED,
        )
    )
    return {(learner, badge) for learner, badge in rows} & pairs


def check_csv(data: bytes, *, actor: User) -> CheckReport:
    """Check every row of an uploaded CSV file for `actor` (an instructor or an admin)."""
    lines, unreadable = parse_csv(data)
    if unreadable is not None:
        return unreadable
    emails = {line["email"].lower() for line in lines if line["email"]}
    users = {
        user.email.lower(): user
        for user in db.session.scalars(sa.select(User).where(sa.func.lower(User.email).in_(emails)))
    }
    badges = _badges_by_label({line["badge"] for line in lines})
    report = CheckReport()
    seen: dict[tuple[int, int], int] = {}
    candidates: list[CheckedRow] = []
    for number, line in enumerate(lines, start=2):
        email, label = line["email"], line["badge"]

        def fail(
            message: str, email: str = email, label: str = label, number: int = number
        ) -> None:
            report.errors.append(RowError(number, message, email, label))

        learner = users.get(email.lower())
        matches = badges.get(label, [])
        if not email:
            fail(gettext("The email is empty."))
            continue
        if learner is None:
            fail(gettext("No account has the email %(email)s.", email=email))
            continue
        if not label:
            fail(gettext("The badge is empty: give its name or its number."))
            continue
        if not matches:
            fail(
                gettext(
                    "No badge is named “%(label)s” (give its exact name or its number).",
                    label=label,
                )
            )
            continue
        if len(matches) > 1:
            fail(
                gettext(
                    "Several badges are named “%(label)s”: give the badge's number instead.",
                    label=label,
                )
            )
            continue
        badge = matches[0]
        problem = _badge_problem(badge, actor) or _learner_problem(badge, learner, actor)
        level_id, level_problem = resolve_level(badge, line.get("level", ""))
        url = line.get("evidence_url", "") or None
        note = line.get("note", "")
        problem = (
            problem
            or level_problem
            or (_url_problem(url) if url else None)
            or (
                f"The note is too long ({MAX_NOTE:,} characters at most)."
                if len(note) > MAX_NOTE
                else None
            )
        )
        if problem is None and (learner.id, badge.id) in seen:
            problem = (
                f"Row {seen[(learner.id, badge.id)]} already issues “{badge.name}” to {email}."
            )
        if problem is not None:
            fail(problem)
            continue
        seen[(learner.id, badge.id)] = number
        candidates.append(
            CheckedRow(
                position=number,
                recipient=learner,
                badge=badge,
                level_id=level_id,
                badge_label=badge.name,
                evidence_url=url,
                note=note,
            )
        )
    holders = _holders(set(seen))
    for row in candidates:
        if (row.recipient.id, row.badge.id) in holders:
            report.errors.append(
                RowError(
                    row.position,
                    f"{row.recipient.email} already holds “{row.badge.name}”.",
                    row.recipient.email,
                    row.badge_label,
                )
            )
        else:
            report.rows.append(row)
    report.errors.sort(key=lambda error: error.row)
    return report


def check_submissions(submission_ids: Iterable[int], *, actor: User) -> CheckReport:
    """Check a selection of submissions waiting for review, each at its badge's required level."""
    wanted = list(dict.fromkeys(submission_ids))
    if not wanted:
        return _file_error("Select at least one submission.")
    found = {
        submission.id: submission
        for submission in db.session.scalars(sa.select(Submission).where(Submission.id.in_(wanted)))
    }
    report = CheckReport()
    for position, submission_id in enumerate(wanted, start=1):
        submission = found.get(submission_id)
        if submission is None or not submission.can_review(actor):
            report.errors.append(
                RowError(position, f"There is no submission {submission_id} you review.")
            )
            continue
        badge, student = submission.badge, submission.student
        problem = (
            None
            if submission.state == SubmissionState.SUBMITTED
            else f"{student.name}'s submission is not waiting for review."
        ) or _badge_problem(badge, actor)
        level_id, level_problem = resolve_level(badge, "")
        problem = problem or level_problem
        if problem is not None:
            report.errors.append(RowError(position, problem, student.email, badge.name))
            continue
        report.rows.append(
            CheckedRow(
                position=position,
                recipient=student,
                badge=badge,
                level_id=level_id,
                badge_label=badge.name,
                submission_id=submission.id,
            )
        )
    return report
