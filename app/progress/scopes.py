"""What a progress page covers: the filters of its query string, checked against the viewer.

Filters: `class` (a class id), `from` and `to` (the term), `badge` (a badge id) and
`standard` (a standard's code, or its name when it has none). A value that is not one
of the viewer's choices is a UserError (400) that names it; a class the viewer neither
teaches nor attends is NotAllowed (403).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.accounts.permissions import class_ids_enrolled
from app.accounts.permissions import class_ids_taught
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.errors import NotAllowed
from app.errors import UserError
from app.extensions import db
from app.progress.standards import Standard
from app.progress.standards import keys_of
from app.progress.standards import standards_of
from app.progress.terms import Term
from app.progress.terms import parse_term

MAX_ID = 2**31 - 1
MAX_STANDARD_LENGTH = 300
FILTERS = ("class", "from", "to", "badge", "standard")


@dataclass(frozen=True)
class Choices:
    """The filters as chosen, and what the filter form offers."""

    term: Term
    school_class: SchoolClass | None
    badge: Badge | None
    standard: Standard | None
    classes: list[SchoolClass]
    badges: list[Badge]
    standards: list[Standard]

    def query(self) -> dict[str, str]:
        """The query string that names these choices (for the CSV links)."""
        args = {"from": self.term.start.isoformat(), "to": self.term.end.isoformat()}
        if self.school_class is not None:
            args["class"] = str(self.school_class.id)
        if self.badge is not None:
            args["badge"] = str(self.badge.id)
        if self.standard is not None:
            args["standard"] = self.standard.key
        return args


@dataclass(frozen=True)
class ClassScope:
    """A class's students, and the badges and standards in the filters, over a term."""

    choices: Choices
    school_class: SchoolClass
    students: list[User]
    badges: list[Badge]
    standards: list[Standard]

    @property
    def term(self) -> Term:
        return self.choices.term

    @property
    def summary(self) -> str:
        return f"{self.school_class.name}, {self.term.label}"


@dataclass(frozen=True)
class LearnerScope:
    """One student's badges and standards in the filters, over a term."""

    choices: Choices
    student: User
    badges: list[Badge]
    standards: list[Standard]

    @property
    def term(self) -> Term:
        return self.choices.term

    @property
    def summary(self) -> str:
        return f"{self.student.name}, {self.term.label}"


def _id(value: str, field: str) -> int:
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise UserError(
            gettext(
                "“%(field)s” must be the number of a %(field)s (one of the choices).", field=field
            )
        )
    return int(value)


def _shown(value: str) -> str:
    return value if len(value) <= 60 else value[:60] + "…"


def _narrowed(
    args: Mapping[str, str],
    badges: list[Badge],
    *,
    term: Term,
    school_class: SchoolClass | None,
    classes: list[SchoolClass],
) -> Choices:
    """The badge and standard filters applied to `badges`, the choices they left."""
    badge = None
    if args.get("badge"):
        badge_id = _id(args["badge"], "badge")
        badge = next((b for b in badges if b.id == badge_id), None)
        if badge is None:
            raise UserError(
                gettext(
                    "Badge number %(badge_id)s is not one of the badges you can choose.",
                    badge_id=badge_id,
                )
            )
    standards = standards_of(badges)
    standard = None
    if args.get("standard"):
        key = args["standard"]
        if len(key) > MAX_STANDARD_LENGTH:
            raise UserError(gettext("That standard's name is too long to be one of the choices."))
        standard = next((s for s in standards if s.key == key), None)
        if standard is None:
            raise UserError(
                gettext(
                    "No badge you can choose aligns to the standard “%(shown)s”.", shown=_shown(key)
                )
            )
    return Choices(
        term=term,
        school_class=school_class,
        badge=badge,
        standard=standard,
        classes=classes,
        badges=badges,
        standards=standards,
    )


def _in_choices(choices: Choices) -> tuple[list[Badge], list[Standard]]:
    """The badges and standards the chosen badge and standard leave."""
    badges = [b for b in choices.badges if choices.badge is None or b.id == choices.badge.id]
    if choices.standard is not None:
        badges = [b for b in badges if choices.standard.key in keys_of(b)]
    standards = [
        s for s in standards_of(badges) if choices.standard is None or s == choices.standard
    ]
    return badges, standards


def _chosen_class(args: Mapping[str, str], classes: list[SchoolClass]) -> SchoolClass | None:
    if not args.get("class"):
        return classes[0] if classes else None
    class_id = _id(args["class"], "class")
    found = next((c for c in classes if c.id == class_id), None)
    if found is None:
        if db.session.get(SchoolClass, class_id) is None:
            raise UserError(gettext("There is no class number %(class_id)s.", class_id=class_id))
        raise NotAllowed(gettext("That class is not one of yours."))
    return found


def _badges(where: sa.ColumnElement[bool]) -> list[Badge]:
    return list(db.session.scalars(sa.select(Badge).where(where).order_by(Badge.name, Badge.id)))


def taught_classes(viewer: User) -> list[SchoolClass]:
    """The classes whose progress `viewer` may see: all for an admin, else those taught."""
    query = sa.select(SchoolClass).order_by(SchoolClass.name)
    if not viewer.is_admin:
        query = query.where(SchoolClass.id.in_(class_ids_taught(viewer) or {-1}))
    return list(db.session.scalars(query))


def class_scope(viewer: User, args: Mapping[str, str], *, today: date) -> ClassScope | None:
    """The class page's scope for `viewer`; None when they have no class to look at."""
    term = parse_term(args.get("from"), args.get("to"), today=today)
    classes = taught_classes(viewer)
    school_class = _chosen_class(args, classes)
    if school_class is None:
        return None
    badges = _badges(
        sa.and_(
            Badge.state == BadgeState.PUBLISHED,
            Badge.personal_for_id.is_(None),
            sa.or_(Badge.class_id.is_(None), Badge.class_id == school_class.id),
        )
    )
    choices = _narrowed(args, badges, term=term, school_class=school_class, classes=classes)
    students = sorted(
        db.session.scalars(
            sa.select(User)
            .join(ClassMembership, ClassMembership.user_id == User.id)
            .where(
                ClassMembership.class_id == school_class.id,
                ClassMembership.role == Role.STUDENT,
            )
        ),
        key=lambda u: (u.name.casefold(), u.id),
    )
    chosen_badges, standards = _in_choices(choices)
    return ClassScope(choices, school_class, students, chosen_badges, standards)


def learner_scope(student: User, args: Mapping[str, str], *, today: date) -> LearnerScope:
    """The student's own page: the badges open to them or held by them, in the filters."""
    term = parse_term(args.get("from"), args.get("to"), today=today)
    enrolled = class_ids_enrolled(student)
    classes = list(
        db.session.scalars(
            sa.select(SchoolClass)
            .where(SchoolClass.id.in_(enrolled or {-1}))
            .order_by(SchoolClass.name)
        )
    )
    school_class = None
    if args.get("class"):
        school_class = _chosen_class(args, classes)
    class_ids = {school_class.id} if school_class is not None else enrolled
    held = sa.select(IssuedCredential.badge_id).where(IssuedCredential.recipient_id == student.id)
    open_to_student = sa.and_(
        Badge.state == BadgeState.PUBLISHED,
        sa.or_(Badge.class_id.is_(None), Badge.class_id.in_(class_ids or {-1})),
        sa.or_(Badge.personal_for_id.is_(None), Badge.personal_for_id == student.id),
    )
    # Without a class filter, a badge the student earned in a class since left still counts.
    badges = _badges(
        open_to_student if school_class else sa.or_(open_to_student, Badge.id.in_(held))
    )
    choices = _narrowed(args, badges, term=term, school_class=school_class, classes=classes)
    chosen_badges, standards = _in_choices(choices)
    return LearnerScope(choices, student, chosen_badges, standards)
