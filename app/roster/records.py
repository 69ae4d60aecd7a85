"""A roster as Laurel reads it, whatever the file: people, classes, enrollments, problems.

Both formats end here: a OneRoster 1.2 bundle (`oneroster.py`) and Laurel's own
name,email,role,class CSV (`app.accounts.roster`, turned into records by `sources.py`).
Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from app.accounts.models import Role


@dataclass(frozen=True)
class Problem:
    """A reason the roster cannot be applied, at a line of a file (0: the file as a whole)."""

    file: str
    line: int
    message: str


@dataclass
class Person:
    """A person the roster lists. `key` is the sourcedId, or the email in a Laurel CSV."""

    file: str
    line: int
    key: str
    sourced_id: str | None
    name: str
    email: str
    role: Role | None
    # Not imported, and why (no email, a role Laurel has no place for).
    skip_reason: str = ""
    # Marked `tobedeleted` or disabled in the student information system.
    leaving: bool = False
    # The OneRoster role as the roster names it (`parent`, `guidance`); "" in a Laurel CSV.
    role_name: str = ""
    # The sourcedIds of the person's agents (OneRoster `agentSourcedIds`, read once each),
    # or None when the file has no such column and says nothing about them.
    agents: tuple[str, ...] | None = None


@dataclass
class Course:
    """A class (course section) the roster lists. `key` is the sourcedId, or the name."""

    file: str
    line: int
    key: str
    sourced_id: str | None
    title: str
    code: str = ""
    leaving: bool = False


@dataclass
class Enrollment:
    file: str
    line: int
    person_key: str
    class_key: str
    role: Role | None
    leaving: bool = False


@dataclass
class Roster:
    """Everything one upload says.

    `whole_users`: the people listed are all there are (a OneRoster bulk file), so a
    linked account that is not listed is reported as no longer in the roster.
    `whole_enrollments`: the enrollments listed are all there are for the classes
    listed, so other members of those classes leave them (a move). A Laurel CSV has
    neither: it only adds.
    """

    kind: str
    people: list[Person] = field(default_factory=list)
    classes: list[Course] = field(default_factory=list)
    enrollments: list[Enrollment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Keys of people and classes whose own row has a problem: their enrollments say nothing more.
    rejected: set[str] = field(default_factory=set)
    whole_users: bool = False
    whole_enrollments: bool = False
