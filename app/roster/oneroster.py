"""Reading a OneRoster 1.2 CSV bundle (also 1.1) into a `Roster`.

The bundle's files arrive as name -> bytes (`bundle.py` unpacks a zip safely). The
manifest says, per file, `bulk` (the whole truth: blank status, and a record missing
means it is gone), `delta` (changes: status `active` or `tobedeleted`) or `absent`.
Laurel reads users, classes, enrollments, orgs (to check references) and roles (a
person's role in 1.2; 1.1 kept it in users.csv); other files are ignored. A user's
`agentSourcedIds` link students and their counselors (either side may name the other).

Every row is checked before anything is written: a problem is recorded with its file
and line, and the roster is then not applied at all. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from app.accounts.emails import normalize_email
from app.accounts.models import Role
from app.accounts.roster import decode_csv
from app.errors import UserError
from app.roster.models import MAX_SOURCED_ID
from app.roster.records import Course
from app.roster.records import Enrollment
from app.roster.records import Person
from app.roster.records import Problem
from app.roster.records import Roster

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_NAME = 200
VERSIONS = ("1.2", "1.1")

# How a OneRoster role becomes a Laurel role. A role that is not here is listed in
# UNIMPORTED_ROLES with the reason its people are not imported; giving Laurel a new
# role is moving its OneRoster names from there to here.
ROLES: dict[str, Role] = {
    "student": Role.STUDENT,
    "teacher": Role.INSTRUCTOR,
    "counselor": Role.COUNSELOR,
    "guidance": Role.COUNSELOR,
}
# The Laurel roles a class has members in; a counselor follows students, not classes.
CLASS_ROLES = frozenset({Role.STUDENT, Role.INSTRUCTOR})
# A student's agents are mostly their family (OneRoster's User `agents` link parents to their
# children and back, the spec's own example); Laurel has no place for them and passes them by.
FAMILY_ROLES = frozenset({"guardian", "parent", "relative"})
_FAMILY = lazy_gettext("families have no Laurel accounts")
_ADMINS = lazy_gettext("Laurel admins are appointed on the Users page, not by a roster")
UNIMPORTED_ROLES: dict[str, LazyString] = {
    "administrator": _ADMINS,
    "districtAdministrator": _ADMINS,
    "siteAdministrator": _ADMINS,
    "systemAdministrator": _ADMINS,
    "principal": _ADMINS,
    "aide": lazy_gettext("Laurel has no role for aides"),
    "proctor": lazy_gettext("Laurel has no role for proctors"),
    "guardian": _FAMILY,
    "parent": _FAMILY,
    "relative": _FAMILY,
}
_ROLE_NAMES = {name.lower(): name for name in (*ROLES, *UNIMPORTED_ROLES)}

# Columns Laurel needs from each file (OneRoster 1.2 §3; a header names them exactly).
REQUIRED = {
    "users.csv": ("sourcedId", "enabledUser", "username", "givenName", "familyName"),
    "classes.csv": ("sourcedId", "title", "schoolSourcedId"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "orgs.csv": ("sourcedId", "name", "type"),
    "roles.csv": ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
}
DELTA_COLUMNS = ("status", "dateLastModified")
MODES = ("bulk", "delta", "absent")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def role_for(name: str) -> tuple[Role | None, str]:
    """A OneRoster role's Laurel role, or None and why its people are not imported.

    :raises ValueError: not a OneRoster role (an `ext:` role is simply not imported).
    """
    known = _ROLE_NAMES.get(name.strip().lower())
    if known in ROLES:
        return ROLES[known], ""
    if known is not None:
        return None, f"{known}: {UNIMPORTED_ROLES[known]}"
    if name.startswith("ext:"):
        return None, gettext(
            "%(role)s: a role of the school's own, which Laurel has no place for", role=name
        )
    raise ValueError(name)


@dataclass
class _Table:
    name: str
    mode: str
    rows: list[tuple[int, dict[str, str]]]


def _read_manifest(data: bytes) -> dict[str, str]:
    text = decode_csv(
        data, label="manifest.csv", max_bytes=MAX_FILE_BYTES, header=("propertyName", "value")
    )
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip() for cell in rows[0][:2]] != ["propertyName", "value"]:
        raise UserError(gettext("manifest.csv must start with the header propertyName,value."))
    return {row[0].strip(): row[1].strip() for row in rows[1:] if len(row) >= 2}


def _read_table(name: str, mode: str, data: bytes, problems: list[Problem]) -> _Table | None:
    """The file's rows as column -> value, or None when its header is unusable."""
    required = REQUIRED[name] + (DELTA_COLUMNS if mode == "delta" else ())
    text = decode_csv(data, label=name, max_bytes=MAX_FILE_BYTES, header=required)
    reader = csv.reader(io.StringIO(text))
    try:
        lines = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise UserError(
            gettext("%(name)s is not a readable CSV file: %(error)s.", name=name, error=error)
        ) from error
    lines = [(number, cells) for number, cells in lines if any(cell.strip() for cell in cells)]
    header = [cell.strip() for cell in lines[0][1]]
    # OneRoster spells columns exactly; some exports change the case, which costs nothing.
    by_lower = {column.lower(): index for index, column in enumerate(header)}
    missing = [column for column in required if column.lower() not in by_lower]
    if missing:
        problems.append(
            Problem(
                name,
                lines[0][0],
                ngettext(
                    "missing column: %(columns)s (the first line must name the columns)",
                    "missing columns: %(columns)s (the first line must name the columns)",
                    len(missing),
                    columns=", ".join(missing),
                ),
            )
        )
        return None
    if len(lines) - 1 > MAX_ROWS:
        raise UserError(
            gettext(
                "%(name)s has more than %(max_rows)s rows. Laurel reads at most that many.",
                name=name,
                max_rows=MAX_ROWS,
            )
        )
    wanted = {column: by_lower[column.lower()] for column in header if column}
    optional = ("email", "role", "classCode", "primary", "preferredGivenName", "agentSourcedIds")
    for column in (*required, *optional):
        if column.lower() in by_lower:
            wanted[column] = by_lower[column.lower()]
    rows = []
    for number, cells in lines[1:]:
        values = {
            column: cells[index].strip() if index < len(cells) else ""
            for column, index in wanted.items()
        }
        bad = next((column for column, value in values.items() if _CONTROL.search(value)), None)
        if bad:
            problems.append(
                Problem(name, number, gettext("%(column)s holds a control character", column=bad))
            )
            continue
        rows.append((number, values))
    return _Table(name, mode, rows)


def _status(table: _Table, line: int, values: dict[str, str], problems: list[Problem]) -> bool:
    """Whether the record is leaving (`tobedeleted`); a bad status is a problem."""
    status = values.get("status", "")
    if status == "tobedeleted":
        return True
    if status in ("active", "") and not (table.mode == "delta" and status == ""):
        return False
    problems.append(
        Problem(
            table.name,
            line,
            gettext("status “%(status)s” (a delta file says active or tobedeleted)", status=status)
            if table.mode == "delta"
            else gettext(
                "status “%(status)s” (leave it empty in a bulk file, or say tobedeleted)",
                status=status,
            ),
        )
    )
    return False


def _unique_ids(table: _Table, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """The rows with a usable sourcedId seen once; empty, long and repeated ones are problems."""
    seen: dict[str, int] = {}
    kept = []
    for line, values in table.rows:
        sourced_id = values["sourcedId"]
        if not sourced_id:
            problems.append(Problem(table.name, line, gettext("empty sourcedId")))
        elif len(sourced_id) > MAX_SOURCED_ID:
            problems.append(
                Problem(table.name, line, gettext("sourcedId longer than 255 characters"))
            )
        elif sourced_id in seen:
            problems.append(
                Problem(
                    table.name,
                    line,
                    gettext(
                        "duplicate sourcedId %(id)s (also on line %(line)d)",
                        id=sourced_id,
                        line=seen[sourced_id],
                    ),
                )
            )
        else:
            seen[sourced_id] = line
            kept.append((line, values))
    return kept


def _primary_roles(table: _Table | None, problems: list[Problem]) -> dict[str, str]:
    """userSourcedId -> the role named on its primary row of roles.csv."""
    roles: dict[str, str] = {}
    if table is None:
        return roles
    for line, values in _unique_ids(table, problems):
        if _status(table, line, values, problems) or values["roleType"] != "primary":
            continue
        roles.setdefault(values["userSourcedId"], values["role"])
    return roles


def _agents(
    table: _Table, line: int, values: dict[str, str], problems: list[Problem]
) -> tuple[str, ...] | None:
    """The user's agents (`agentSourcedIds`: a comma-separated list), or None without the column.

    A list naming the user themselves or one agent twice is a problem.
    """
    if "agentSourcedIds" not in values:
        return None
    agents: list[str] = []
    for agent in (part.strip() for part in values["agentSourcedIds"].split(",")):
        if not agent:
            continue
        if agent == values["sourcedId"]:
            problems.append(
                Problem(
                    table.name,
                    line,
                    gettext("agentSourcedIds names the user %(id)s themselves", id=agent),
                )
            )
        elif agent in agents:
            problems.append(
                Problem(table.name, line, gettext("agentSourcedIds names %(id)s twice", id=agent))
            )
        else:
            agents.append(agent)
    return tuple(agents)


def _email(values: dict[str, str]) -> str:
    email = values.get("email", "")
    if not email and "@" in values["username"]:
        email = values["username"]
    return email


def _people(
    table: _Table,
    primary_roles: dict[str, str],
    enrolled_roles: dict[str, set[str]],
    problems: list[Problem],
    rejected: set[str],
) -> list[Person]:
    people = []
    for line, values in _unique_ids(table, problems):
        sourced_id = values["sourcedId"]
        rejected.add(sourced_id)  # until the row is found usable
        leaving = _status(table, line, values, problems)
        enabled = values["enabledUser"].lower()
        if enabled not in ("true", "false"):
            problems.append(
                Problem(
                    table.name,
                    line,
                    gettext(
                        "enabledUser “%(value)s” (say true or false)", value=values["enabledUser"]
                    ),
                )
            )
            continue
        name = " ".join(f"{values['givenName']} {values['familyName']}".split())
        if not name:
            problems.append(Problem(table.name, line, gettext("empty givenName and familyName")))
            continue
        if len(name) > MAX_NAME:
            problems.append(
                Problem(
                    table.name, line, gettext("name longer than %(max)d characters", max=MAX_NAME)
                )
            )
            continue
        person = Person(
            file=table.name,
            line=line,
            key=sourced_id,
            sourced_id=sourced_id,
            name=name,
            email="",
            role=None,
            leaving=leaving or enabled == "false",
            agents=_agents(table, line, values, problems),
        )
        role_name = primary_roles.get(sourced_id) or values.get("role", "")
        if not role_name and sourced_id in enrolled_roles:
            # Neither roles.csv nor a 1.1 role column: what the person does in classes.
            role_name = "teacher" if "teacher" in enrolled_roles[sourced_id] else "student"
        if not role_name:
            person.skip_reason = gettext("no role: not in roles.csv and in no class")
        else:
            try:
                person.role, person.skip_reason = role_for(role_name)
            except ValueError:
                problems.append(
                    Problem(table.name, line, gettext("unknown role “%(role)s”", role=role_name))
                )
                continue
            person.role_name = _ROLE_NAMES.get(role_name.strip().lower(), role_name)
        email = _email(values)
        if not email:
            person.skip_reason = person.skip_reason or gettext(
                "no email: Laurel signs people in by email"
            )
        else:
            try:
                person.email = normalize_email(email)
            except UserError as error:
                problems.append(
                    Problem(
                        table.name,
                        line,
                        gettext("bad email %(email)s: %(error)s", email=email, error=error),
                    )
                )
                continue
        rejected.discard(sourced_id)
        people.append(person)
    return people


def _classes(
    table: _Table, orgs: set[str] | None, problems: list[Problem], rejected: set[str]
) -> list[Course]:
    classes = []
    for line, values in _unique_ids(table, problems):
        rejected.add(values["sourcedId"])  # until the row is found usable
        leaving = _status(table, line, values, problems)
        title = " ".join(values["title"].split())
        if not title:
            problems.append(Problem(table.name, line, gettext("empty title")))
            continue
        if orgs is not None and values["schoolSourcedId"] not in orgs:
            problems.append(
                Problem(
                    table.name,
                    line,
                    gettext(
                        "unknown school %(id)s (not in orgs.csv)", id=values["schoolSourcedId"]
                    ),
                )
            )
            continue
        rejected.discard(values["sourcedId"])
        classes.append(
            Course(
                file=table.name,
                line=line,
                key=values["sourcedId"],
                sourced_id=values["sourcedId"],
                title=title,
                code=values.get("classCode", ""),
                leaving=leaving,
            )
        )
    return classes


def _enrollments(table: _Table, problems: list[Problem]) -> list[Enrollment]:
    enrollments = []
    for line, values in _unique_ids(table, problems):
        leaving = _status(table, line, values, problems)
        if not values["classSourcedId"] or not values["userSourcedId"]:
            problems.append(
                Problem(table.name, line, gettext("empty classSourcedId or userSourcedId"))
            )
            continue
        try:
            role, _ = role_for(values["role"])
        except ValueError:
            problems.append(
                Problem(table.name, line, gettext("unknown role “%(role)s”", role=values["role"]))
            )
            continue
        if role not in CLASS_ROLES:
            role = None  # a counselor enrolled in a class gains nothing from it
        enrollments.append(
            Enrollment(
                file=table.name,
                line=line,
                person_key=values["userSourcedId"],
                class_key=values["classSourcedId"],
                role=role,
                leaving=leaving,
            )
        )
    return enrollments


def _modes(manifest: dict[str, str], files: dict[str, bytes]) -> dict[str, str]:
    """file name -> bulk or delta, for the files Laurel reads and the bundle has."""
    version = manifest.get("oneroster.version", "")
    if version not in VERSIONS:
        raise UserError(
            gettext(
                "manifest.csv says oneroster.version “%(version)s”; Laurel "
                "reads OneRoster 1.2 (and 1.1) bundles.",
                version=version,
            )
        )
    modes = {}
    for name in REQUIRED:
        mode = manifest.get(f"file.{name.removesuffix('.csv')}", "absent")
        if mode not in MODES:
            raise UserError(
                gettext(
                    "manifest.csv says file.%(removesuffix)s is “%(mode)s”; it "
                    "must be bulk, delta or absent.",
                    removesuffix=name.removesuffix(".csv"),
                    mode=mode,
                )
            )
        if mode != "absent" and name not in files:
            raise UserError(
                gettext(
                    "manifest.csv lists %(name)s as %(mode)s, but the bundle has no %(name)s.",
                    name=name,
                    mode=mode,
                )
            )
        if mode != "absent":
            modes[name] = mode
    if not {"users.csv", "classes.csv", "enrollments.csv"} & set(modes):
        raise UserError(
            gettext(
                "The bundle has no users, classes or enrollments "
                "(manifest.csv marks them absent): there is nothing for "
                "Laurel to import."
            )
        )
    return modes


def read_bundle(files: dict[str, bytes]) -> Roster:
    """The roster a OneRoster bundle describes, with every row-level problem.

    :raises UserError: the bundle as a whole is unusable (no or a bad manifest, a file
        the manifest lists is missing, a file too large or not UTF-8).
    """
    if "manifest.csv" not in files:
        raise UserError(gettext("This is not a OneRoster bundle: it has no manifest.csv."))
    modes = _modes(_read_manifest(files["manifest.csv"]), files)
    problems: list[Problem] = []
    tables = {name: _read_table(name, mode, files[name], problems) for name, mode in modes.items()}
    orgs_table = tables.get("orgs.csv")
    orgs = (
        {values["sourcedId"] for _, values in orgs_table.rows}
        if orgs_table is not None and orgs_table.mode == "bulk"
        else None
    )
    roster = Roster(
        kind="oneroster",
        whole_users=modes.get("users.csv") == "bulk",
        whole_enrollments=modes.get("enrollments.csv") == "bulk",
    )
    if (table := tables.get("enrollments.csv")) is not None:
        roster.enrollments = _enrollments(table, problems)
    enrolled_roles: dict[str, set[str]] = {}
    for enrollment in roster.enrollments:
        if enrollment.role is not None and not enrollment.leaving:
            enrolled_roles.setdefault(enrollment.person_key, set()).add(
                "teacher" if enrollment.role == Role.INSTRUCTOR else "student"
            )
    if (table := tables.get("users.csv")) is not None:
        roster.people = _people(
            table,
            _primary_roles(tables.get("roles.csv"), problems),
            enrolled_roles,
            problems,
            roster.rejected,
        )
    if (table := tables.get("classes.csv")) is not None:
        roster.classes = _classes(table, orgs, problems, roster.rejected)
    roster.problems = sorted(problems, key=lambda problem: (problem.file, problem.line))
    return roster
