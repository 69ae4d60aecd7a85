"""What a roster would change in Laurel, worked out before anything is written.

`plan_roster` compares a `Roster` with the accounts, classes and memberships there are
and returns a `Plan`: one entry per person and per class (created, updated, moved,
unchanged, skipped, leaving), the problems that stop it, and the writes that
`apply_plan` makes, all in the caller's one transaction. Planning the same roster
twice gives the same plan, and applying a roster twice changes nothing the second
time: people and classes are matched on their OneRoster sourcedId first, then on
email (people) or name (classes).

Nothing is ever deleted: a person the roster no longer lists, or marks `tobedeleted`,
is reported and keeps their account and credentials. Only a OneRoster bulk
enrollments file moves people, and only within the classes the roster lists.

Counselors follow the students their users' `agentSourcedIds` link them to. A roster
only ever removes an assignment a roster made, when the student's or the counselor's
row lists their agents without the other; an admin's assignments are theirs to undo.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts import services as accounts
from app.accounts.counselors import assign_counselor
from app.accounts.counselors import unassign_counselor
from app.accounts.models import ClassMembership
from app.accounts.models import CounselorAssignment
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import db
from app.main.labels import label
from app.roster.models import RosterClassLink
from app.roster.models import RosterUserLink
from app.roster.oneroster import FAMILY_ROLES
from app.roster.oneroster import MAX_NAME
from app.roster.records import Course
from app.roster.records import Person
from app.roster.records import Problem
from app.roster.records import Roster

# An existing row's id, or the key of a row the plan creates.
Ref = int | str


def _role_word(role: Role) -> str:
    """A role as a word inside a sentence, in the current language."""
    return label(role).lower()


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    MOVE = "move"
    UNCHANGED = "unchanged"
    SKIP = "skip"
    LEAVING = "leaving"


@dataclass
class Entry:
    """One line of the preview and of the report."""

    file: str
    line: int
    name: str
    email: str
    role: str
    action: Action
    details: list[str] = field(default_factory=list)


@dataclass
class AssignmentEntry:
    """A counselor assignment the roster adds (`assign`) or removes (`unassign`)."""

    file: str
    line: int
    counselor: str
    student: str
    action: str


@dataclass
class Plan:
    kind: str
    people: list[Entry] = field(default_factory=list)
    classes: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_classes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    class_updates: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    new_users: dict[str, tuple[str, str, Role, str | None]] = field(default_factory=dict)
    user_updates: list[tuple[int, str | None, str | None, str | None]] = field(default_factory=list)
    joins: list[tuple[Ref, Ref, Role]] = field(default_factory=list)
    leaves: list[tuple[int, int]] = field(default_factory=list)
    counselors: list[AssignmentEntry] = field(default_factory=list)
    # (counselor, student): assignments to make, and existing ones (by id) to undo.
    assignments: list[tuple[Ref, Ref]] = field(default_factory=list)
    unassignments: list[tuple[int, int]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counted = Counter(entry.action.value for entry in self.people)
        return {action.value: counted.get(action.value, 0) for action in Action}

    def report(self) -> dict:
        """The plan as plain data: what the preview shows and the report keeps."""
        return {
            "kind": self.kind,
            "counts": self.counts(),
            "people": [asdict(entry) for entry in self.people],
            "classes": [asdict(entry) for entry in self.classes],
            "counselors": [asdict(entry) for entry in self.counselors],
            "counselor_counts": {
                "assign": len(self.assignments),
                "unassign": len(self.unassignments),
            },
            "problems": [asdict(problem) for problem in self.problems],
        }

    def digest(self) -> str:
        """Names this exact plan: applying checks it is still the one previewed."""
        text = json.dumps(self.report(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.new_classes or self.class_updates or self.new_users or self.user_updates
            or self.joins or self.leaves or self.assignments or self.unassignments
        )  # fmt: skip


class _School:
    """The accounts, classes, memberships and roster links there are, loaded once."""

    def __init__(self) -> None:
        self.users = {user.id: user for user in db.session.scalars(sa.select(User))}
        self.user_by_email = {user.email: user for user in self.users.values()}
        links = db.session.execute(sa.select(RosterUserLink.sourced_id, RosterUserLink.user_id))
        self.user_of: dict[str, int] = {sid: uid for sid, uid in links}
        self.sourced_id_of_user = {uid: sid for sid, uid in self.user_of.items()}
        self.classes = {c.id: c for c in db.session.scalars(sa.select(SchoolClass))}
        self.class_by_name = {c.name: c for c in self.classes.values()}
        links = db.session.execute(sa.select(RosterClassLink.sourced_id, RosterClassLink.class_id))
        self.class_of: dict[str, int] = {sid: cid for sid, cid in links}
        self.sourced_id_of_class = {cid: sid for sid, cid in self.class_of.items()}
        rows = db.session.execute(
            sa.select(ClassMembership.class_id, ClassMembership.user_id, ClassMembership.role)
        )
        self.memberships: dict[tuple[int, int], Role] = {
            (class_id, user_id): role for class_id, user_id, role in rows
        }
        assigned = db.session.execute(
            sa.select(
                CounselorAssignment.counselor_id,
                CounselorAssignment.student_id,
                CounselorAssignment.by_roster,
            )
        )
        # (counselor id, student id) -> whether a roster import made the assignment.
        self.assignments: dict[tuple[int, int], bool] = {
            (counselor_id, student_id): by_roster
            for counselor_id, student_id, by_roster in assigned
        }


class _Planner:
    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.school = _School()
        self.plan = Plan(kind=roster.kind, problems=list(roster.problems))
        self.class_ref: dict[str, Ref] = {}
        self.class_names: dict[Ref, str] = {}
        self.names_taken = set(self.school.class_by_name)
        self.person_ref: dict[str, Ref] = {}
        self.listed = {person.key: person for person in roster.people}
        self.entries: dict[Ref, Entry] = {}
        # People listed but not imported (skipped, leaving): their enrollments are ignored.
        self.quiet: set[str] = set(roster.rejected)
        # id(entry) -> (joins a class, leaves one, another membership change)
        self.membership_changes: dict[int, tuple[bool, bool, bool]] = {}

    def problem(self, file: str, line: int, message: str, *, key: str = "") -> None:
        """A reason not to apply; the person or class `key` names is then left out quietly."""
        self.plan.problems.append(Problem(file, line, message))
        if key:
            self.quiet.add(key)

    # --- classes ----------------------------------------------------------------------------

    def _free_name(self, course: Course, name: str, own: int | None) -> str | None:
        """`name`, or the title with its code when another class has the name; None if both are."""
        for candidate in (name, f"{course.title} ({course.code or course.sourced_id})"):
            holder = self.school.class_by_name.get(candidate)
            if (holder is None or holder.id == own) and (
                candidate not in self.names_taken or (holder is not None and holder.id == own)
            ):
                return candidate
        return None

    def classes(self) -> None:
        active = [course for course in self.roster.classes if not course.leaving]
        titles = Counter(course.title for course in active)
        for course in self.roster.classes:
            linked = self.school.class_of.get(course.sourced_id) if course.sourced_id else None
            if course.leaving:
                if linked is not None:
                    self.plan.classes.append(
                        Entry(
                            course.file,
                            course.line,
                            self.school.classes[linked].name,
                            "",
                            "",
                            Action.LEAVING,
                            ["marked tobedeleted: kept with its members"],
                        )
                    )
                continue
            wanted = course.title
            if titles[course.title] > 1:
                wanted = f"{course.title} ({course.code or course.sourced_id})"
            by_name = self.school.class_by_name.get(wanted)
            if (
                linked is None
                and by_name is not None
                and (course.sourced_id is None or by_name.id not in self.school.sourced_id_of_class)
            ):
                # A CSV roster names classes; a OneRoster class adopts one made by hand.
                linked = by_name.id
            name = self._free_name(course, wanted, linked)
            if name is None or len(name) > MAX_NAME:
                self.problem(
                    course.file,
                    course.line,
                    gettext(
                        "no free class name for “%(title)s”: another class has it; rename "
                        "that class first",
                        title=course.title,
                    ),
                    key=course.key,
                )
                continue
            self.names_taken.add(name)
            details: list[str] = []
            if linked is None:
                new_key = f"class:{course.key}"
                self.plan.new_classes[new_key] = (name, course.sourced_id)
                ref: Ref = new_key
                action = Action.CREATE
            else:
                ref = linked
                current = self.school.classes[linked]
                rename = name if current.name != name else None
                link = course.sourced_id if linked not in self.school.sourced_id_of_class else None
                if rename:
                    details.append(gettext("renamed from “%(name)s”", name=current.name))
                if link:
                    details.append(gettext("linked to roster class %(id)s", id=link))
                if rename or link:
                    self.plan.class_updates.append((linked, rename, link))
                action = Action.UPDATE if details else Action.UNCHANGED
            self.class_ref[course.key] = ref
            self.class_names[ref] = name
            self.plan.classes.append(Entry(course.file, course.line, name, "", "", action, details))

    # --- people -----------------------------------------------------------------------------

    def people(self) -> None:
        school = self.school
        first_line: dict[str, int] = {}
        for person in self.roster.people:
            existing: User | None = None
            if person.sourced_id and person.sourced_id in school.user_of:
                existing = school.users[school.user_of[person.sourced_id]]
            if existing is None and person.email:
                existing = school.user_by_email.get(person.email)
                other = school.sourced_id_of_user.get(existing.id) if existing else None
                if other is not None and person.sourced_id and other != person.sourced_id:
                    self.problem(
                        person.file,
                        person.line,
                        gettext(
                            "%(email)s belongs to the roster's user %(other)s, not %(id)s",
                            email=person.email,
                            other=other,
                            id=person.sourced_id,
                        ),
                        key=person.key,
                    )
                    continue
            role = person.role.value if person.role else ""
            entry = Entry(person.file, person.line, person.name, person.email, role, Action.SKIP)
            if person.leaving or person.skip_reason:
                self.quiet.add(person.key)
                if person.leaving and existing is not None:
                    entry.action = Action.LEAVING
                    entry.details.append(
                        gettext(
                            "marked tobedeleted or disabled: the account and its credentials "
                            "are kept (deactivate it on the Users page if they left)"
                        )
                    )
                    self.entries[existing.id] = entry
                elif person.leaving:
                    entry.details.append(
                        gettext("marked tobedeleted and has no account: nothing to do")
                    )
                else:
                    entry.details.append(
                        gettext("not imported: %(reason)s", reason=person.skip_reason)
                    )
                self.plan.people.append(entry)
                continue
            if person.email in first_line:
                self.problem(
                    person.file,
                    person.line,
                    gettext(
                        "duplicate email %(email)s (also on line %(line)d)",
                        email=person.email,
                        line=first_line[person.email],
                    ),
                    key=person.key,
                )
                continue
            first_line[person.email] = person.line
            assert person.role is not None  # a person without a role is skipped above
            if existing is None:
                new_key = f"user:{person.key}"
                ref: Ref = new_key
                self.plan.new_users[new_key] = (
                    person.email,
                    person.name,
                    person.role,
                    person.sourced_id,
                )
                entry.action = Action.CREATE
            elif not self._update(person, existing, entry):
                continue
            else:
                ref = existing.id
            self.person_ref[person.key] = ref
            self.entries[ref] = entry
            self.plan.people.append(entry)
        if self.roster.whole_users:
            self._missing_people()

    def _update(self, person: Person, existing: User, entry: Entry) -> bool:
        """Record what changes for an account the roster matched; False on a problem."""
        assert person.role is not None
        if existing.role != person.role and not (
            existing.is_admin and person.role == Role.INSTRUCTOR
        ):
            self.problem(
                person.file,
                person.line,
                gettext(
                    "%(email)s already has an account as %(role)s, not %(wanted)s: change the "
                    "role on the Users page first",
                    email=existing.email,
                    role=_role_word(existing.role),
                    wanted=_role_word(person.role),
                ),
                key=person.key,
            )
            return False
        name = person.name if existing.name != person.name else None
        email = person.email if existing.email != person.email else None
        if email and email in self.school.user_by_email:
            self.problem(
                person.file,
                person.line,
                gettext("%(email)s is the email of another account", email=email),
                key=person.key,
            )
            return False
        link = person.sourced_id if existing.id not in self.school.sourced_id_of_user else None
        if name:
            entry.details.append(gettext("name “%(old)s” → “%(new)s”", old=existing.name, new=name))
        if email:
            entry.details.append(gettext("email %(old)s → %(new)s", old=existing.email, new=email))
        if link:
            entry.details.append(gettext("linked to roster user %(id)s", id=link))
        if not existing.is_active:
            entry.details.append(gettext("deactivated in Laurel: stays so"))
        if name or email or link:
            self.plan.user_updates.append((existing.id, name, email, link))
            entry.action = Action.UPDATE
        else:
            entry.action = Action.UNCHANGED
        return True

    def _missing_people(self) -> None:
        listed = {person.sourced_id for person in self.roster.people}
        for sourced_id, user_id in sorted(self.school.user_of.items()):
            if sourced_id in listed:
                continue
            user = self.school.users[user_id]
            entry = Entry(
                "users.csv",
                0,
                user.name,
                user.email,
                user.role.value,
                Action.LEAVING,
                [
                    "not in this roster: the account and its credentials are kept "
                    "(deactivate it on the Users page if they left)"
                ],
            )
            self.entries[user_id] = entry
            self.plan.people.append(entry)

    # --- enrollments ------------------------------------------------------------------------

    def _class_of(self, key: str) -> Ref | None:
        if key in self.class_ref:
            return self.class_ref[key]
        if self.roster.kind == "oneroster" and key in self.school.class_of:
            ref = self.school.class_of[key]
            self.class_names[ref] = self.school.classes[ref].name
            return ref
        return None

    def _person_of(self, key: str) -> Ref | None:
        if key in self.person_ref:
            return self.person_ref[key]
        if self.roster.kind == "oneroster" and key in self.school.user_of:
            return self.school.user_of[key]
        return None

    def _role_of(self, key: str, ref: Ref) -> Role | None:
        """The Laurel role the person has, or will have once the plan is applied."""
        if isinstance(ref, str):
            return self.plan.new_users[ref][2]
        person = self.listed.get(key)
        return person.role if person is not None else self.school.users[ref].role

    def enrollments(self) -> None:
        leaving_classes = {course.key for course in self.roster.classes if course.leaving}
        target: dict[Ref, dict[Ref, Role]] = {}
        removals: set[tuple[int, int]] = set()
        first_seen: dict[Ref, tuple[str, int]] = {}
        for enrollment in self.roster.enrollments:
            if (
                enrollment.class_key in leaving_classes
                or enrollment.class_key in self.quiet
                or enrollment.person_key in self.quiet
            ):
                continue
            class_ref = self._class_of(enrollment.class_key)
            person_ref = self._person_of(enrollment.person_key)
            if class_ref is None:
                self.problem(
                    enrollment.file,
                    enrollment.line,
                    gettext(
                        "unknown class %(id)s (not in classes.csv, nor imported before)",
                        id=enrollment.class_key,
                    ),
                )
                continue
            if person_ref is None:
                self.problem(
                    enrollment.file,
                    enrollment.line,
                    gettext(
                        "unknown user %(id)s (not in users.csv, nor imported before)",
                        id=enrollment.person_key,
                    ),
                )
                continue
            if enrollment.role is None:
                continue  # a role Laurel does not import (an administrator of the class)
            if self._role_of(enrollment.person_key, person_ref) == Role.COUNSELOR:
                # Teaching a class would let a counselor review and issue in it.
                entry = self._entry_for(person_ref, (enrollment.file, enrollment.line))
                entry.details.append(
                    gettext(
                        "a counselor joins no class: not in %(class_name)s",
                        class_name=self.class_names[class_ref],
                    )
                )
                continue
            first_seen.setdefault(person_ref, (enrollment.file, enrollment.line))
            if enrollment.leaving:
                if isinstance(person_ref, int) and isinstance(class_ref, int):
                    removals.add((person_ref, class_ref))
                continue
            target.setdefault(person_ref, {})[class_ref] = enrollment.role
        if self.roster.whole_enrollments:
            synced = set(self.class_ref.values())
            for (class_id, user_id), _role in self.school.memberships.items():
                if class_id in synced and class_id not in target.get(user_id, {}):
                    removals.add((user_id, class_id))
                    first_seen.setdefault(user_id, ("enrollments.csv", 0))
        for person_ref, classes in target.items():
            for class_ref, role in classes.items():
                current = (
                    self.school.memberships.get((class_ref, person_ref))
                    if isinstance(class_ref, int) and isinstance(person_ref, int)
                    else None
                )
                if current == role:
                    continue
                self.plan.joins.append((person_ref, class_ref, role))
                what = (
                    gettext(
                        "%(class_name)s: %(old)s → %(new)s",
                        class_name=self.class_names[class_ref],
                        old=_role_word(current),
                        new=_role_word(role),
                    )
                    if current
                    else gettext(
                        "joins %(class_name)s as %(role)s",
                        class_name=self.class_names[class_ref],
                        role=_role_word(role),
                    )
                )
                entry = self._entry_for(person_ref, first_seen[person_ref])
                self._note(entry, what, joins=current is None)
        for user_id, class_id in sorted(removals):
            if (class_id, user_id) not in self.school.memberships:
                continue
            self.plan.leaves.append((user_id, class_id))
            entry = self._entry_for(user_id, first_seen[user_id])
            left = gettext("leaves %(class_name)s", class_name=self.school.classes[class_id].name)
            self._note(entry, left, leaves=True)
        for entry in self.plan.people:
            joins, leaves, other = self.membership_changes.get(id(entry), (False, False, False))
            if entry.action in (Action.UNCHANGED, Action.UPDATE) and joins and leaves:
                entry.action = Action.MOVE
            elif entry.action == Action.UNCHANGED and (joins or leaves or other):
                entry.action = Action.UPDATE

    def _note(self, entry: Entry, text: str, *, joins: bool = False, leaves: bool = False) -> None:
        """A membership change of the person: a join, a leave, or a role in a class."""
        entry.details.append(text)
        was = self.membership_changes.get(id(entry), (False, False, False))
        self.membership_changes[id(entry)] = (
            was[0] or joins,
            was[1] or leaves,
            was[2] or not (joins or leaves),
        )

    # --- counselors -------------------------------------------------------------------------

    def counselors(self) -> None:
        """Assignments from the agents: a student's row naming a counselor, or the other way.

        OneRoster links agents both ways, so either row is enough. A row that lists its
        agents (the file has the column) and names neither side undoes a roster's
        assignment of the two; an agent not imported this time (leaving, no email) keeps it.
        """
        wanted: dict[tuple[Ref, Ref], tuple[str, int]] = {}
        kept: set[tuple[Ref, Ref]] = set()
        spoke: set[Ref] = set()
        for person in self.roster.people:
            ref = self.person_ref.get(person.key)
            if (
                person.agents is None
                or ref is None
                or person.key in self.quiet
                or person.role not in (Role.STUDENT, Role.COUNSELOR)
            ):
                continue
            spoke.add(ref)
            for agent in person.agents:
                found = self._agent(person, agent)
                if found is None:
                    continue
                agent_ref, keep = found
                pair = (agent_ref, ref) if person.role == Role.STUDENT else (ref, agent_ref)
                if keep:
                    kept.add(pair)
                else:
                    wanted.setdefault(pair, (person.file, person.line))
        for pair, where in wanted.items():
            if pair in self.school.assignments:  # an admin's or an earlier import's: as it is
                continue
            self.plan.assignments.append(pair)
            self._note_assignment(pair, where, "assign")
        for pair, by_roster in sorted(self.school.assignments.items()):
            if (
                by_roster
                and (pair[0] in spoke or pair[1] in spoke)
                and pair not in wanted
                and pair not in kept
            ):
                self.plan.unassignments.append(pair)
                self._note_assignment(pair, ("users.csv", 0), "unassign")

    def _agent(self, person: Person, agent: str) -> tuple[Ref, bool] | None:
        """The agent's ref and whether the pair is only kept (the agent is not imported now).

        None for an agent Laurel passes by (family) and for a problem, which is recorded.
        """
        other = self.listed.get(agent)
        if other is None and agent in self.roster.rejected:
            return None  # its own row has a problem already
        if other is not None:
            role, role_name = other.role, other.role_name
            agent_ref = None if agent in self.quiet else self.person_ref.get(agent)
        elif agent in self.school.user_of:
            user = self.school.users[self.school.user_of[agent]]
            role, role_name, agent_ref = user.role, user.role.value, user.id
        else:
            self.problem(
                person.file,
                person.line,
                gettext(
                    "agentSourcedIds names unknown user %(id)s (not in users.csv, nor imported "
                    "before)",
                    id=agent,
                ),
            )
            return None
        if role_name in FAMILY_ROLES:
            return None
        assert person.role is not None  # only students' and counselors' agents are read
        counterpart = Role.COUNSELOR if person.role == Role.STUDENT else Role.STUDENT
        if role != counterpart:
            self.problem(
                person.file,
                person.line,
                gettext(
                    "agentSourcedIds names %(id)s, whose role is %(role)s: the agents Laurel "
                    "reads for a %(person_role)s are %(counterparts)s (family it passes by)",
                    id=agent,
                    role=role_name or gettext("none"),
                    person_role=person.role_name or _role_word(person.role),
                    counterparts=gettext("students")
                    if counterpart == Role.STUDENT
                    else gettext("counselors"),
                ),
            )
            return None
        if agent_ref is None:
            linked = self.school.user_of.get(agent)
            return (linked, True) if linked is not None else None
        return agent_ref, False

    def _name_of(self, ref: Ref) -> str:
        return self.plan.new_users[ref][1] if isinstance(ref, str) else self.school.users[ref].name

    def _note_assignment(self, pair: tuple[Ref, Ref], where: tuple[str, int], action: str) -> None:
        counselor, student = self._name_of(pair[0]), self._name_of(pair[1])
        self.plan.counselors.append(AssignmentEntry(where[0], where[1], counselor, student, action))
        entry = self._entry_for(pair[1], where)
        entry.details.append(
            gettext("counselor %(name)s assigned", name=counselor)
            if action == "assign"
            else gettext("counselor %(name)s no longer assigned", name=counselor)
        )
        if entry.action == Action.UNCHANGED:
            entry.action = Action.UPDATE

    def _entry_for(self, ref: Ref, where: tuple[str, int]) -> Entry:
        """The person's entry; one is added for a member the roster's users did not list."""
        if ref not in self.entries:
            assert isinstance(ref, int)
            user = self.school.users[ref]
            entry = Entry(
                where[0], where[1], user.name, user.email, user.role.value, Action.UNCHANGED
            )
            self.entries[ref] = entry
            self.plan.people.append(entry)
        return self.entries[ref]


def plan_roster(roster: Roster) -> Plan:
    """What applying `roster` would change now; its `problems` say why it cannot be applied."""
    planner = _Planner(roster)
    planner.classes()
    planner.people()
    planner.enrollments()
    planner.counselors()
    plan = planner.plan
    plan.problems.sort(key=lambda problem: (problem.file, problem.line))
    plan.people.sort(key=lambda entry: (entry.file, entry.line, entry.email))
    return plan


def apply_plan(plan: Plan, *, actor: User | None, now: datetime) -> dict[str, str]:
    """Make the plan's writes (flush only; the caller commits once).

    Returns the invitation token of each new account, by email.
    """
    assert not plan.problems, "a plan with problems is never applied"
    class_ids: dict[Ref, int] = {}
    for ref, (class_name, class_sourced_id) in plan.new_classes.items():
        school_class = accounts.create_class(class_name)
        class_ids[ref] = school_class.id
        if class_sourced_id:
            db.session.add(RosterClassLink(sourced_id=class_sourced_id, class_id=school_class.id))
    for class_id, new_name, link in plan.class_updates:
        if new_name:
            db.session.get_one(SchoolClass, class_id).name = new_name
        if link:
            db.session.add(RosterClassLink(sourced_id=link, class_id=class_id))
    users: dict[Ref, User] = {}
    invitations: dict[str, str] = {}
    for ref, (email, name, role, sourced_id) in plan.new_users.items():
        user = accounts.create_user(email=email, name=name, role=role)
        users[ref] = user
        if sourced_id:
            db.session.add(RosterUserLink(sourced_id=sourced_id, user_id=user.id))
        invitations[user.email] = accounts.invite_user(user, created_by=actor, now=now)
    for user_id, new_name, new_email, link in plan.user_updates:
        user = db.session.get_one(User, user_id)
        if new_name:
            user.name = new_name
        if new_email:
            user.email = new_email
        if link:
            db.session.add(RosterUserLink(sourced_id=link, user_id=user_id))
    db.session.flush()
    for user_ref, class_ref, role in plan.joins:
        user = users[user_ref] if isinstance(user_ref, str) else db.session.get_one(User, user_ref)
        class_id = class_ids[class_ref] if isinstance(class_ref, str) else class_ref
        accounts.add_to_class(user, db.session.get_one(SchoolClass, class_id), role)
    for user_id, class_id in plan.leaves:
        accounts.remove_from_class(
            db.session.get_one(User, user_id), db.session.get_one(SchoolClass, class_id)
        )
    for counselor_ref, student_ref in plan.assignments:
        counselor, student = (
            users[ref] if isinstance(ref, str) else db.session.get_one(User, ref)
            for ref in (counselor_ref, student_ref)
        )
        assign_counselor(counselor, student, now=now, by_roster=True)
    for counselor_id, student_id in plan.unassignments:
        unassign_counselor(
            db.session.get_one(User, counselor_id), db.session.get_one(User, student_id)
        )
    db.session.flush()
    return invitations
