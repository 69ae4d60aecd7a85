"""The role-aware main navigation and the school name shown in every page header."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request
from flask import url_for
from flask_login import current_user

from app.accounts.models import Role
from app.issuing.profile import current_issuer_name
from app.issuing.profile import default_issuer_name
from app.keyring import issuing_context


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (label, endpoint, roles that see it). The order is the order in the header.
NAVIGATION: tuple[tuple[str, str, frozenset[Role]], ...] = (
    ("Badges", "badges.catalogue", frozenset(Role)),
    ("Pathways", "pathways.index", frozenset(Role)),
    ("My dashboard", "evidence.student_dashboard", frozenset({Role.STUDENT})),
    ("My record", "share.my_record", frozenset({Role.STUDENT})),
    ("Goals", "goals.index", frozenset({Role.STUDENT})),
    ("Reflections", "goals.reflections", frozenset({Role.STUDENT})),
    ("My profile", "goals.profile", frozenset({Role.STUDENT})),
    ("My students", "goals.counselor_dashboard", frozenset({Role.COUNSELOR})),
    ("My progress", "progress.learner_page", frozenset({Role.STUDENT})),
    ("Proposals", "proposals.index", frozenset(Role)),
    ("Review queue", "evidence.queue", frozenset({Role.INSTRUCTOR, Role.ADMIN})),
    ("Dashboard", "evidence.instructor_dashboard", frozenset({Role.INSTRUCTOR, Role.ADMIN})),
    ("Progress", "progress.class_page", frozenset({Role.INSTRUCTOR, Role.ADMIN})),
    ("Users", "accounts.users", frozenset({Role.ADMIN})),
    ("Roster", "roster.upload", frozenset({Role.ADMIN})),
    ("Classes", "accounts.classes", frozenset({Role.ADMIN})),
    ("Counselors", "counselors.index", frozenset({Role.ADMIN})),
    ("School profile", "badges.issuer", frozenset({Role.ADMIN})),
    ("Trust list", "verify.trust.index", frozenset({Role.ADMIN})),
    ("Single sign-on", "sso.admin", frozenset({Role.ADMIN})),
    ("LTI", "lti.admin", frozenset({Role.ADMIN})),
)


def main_navigation() -> list[NavItem]:
    """The links the signed-in user may follow, the current section marked."""
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, roles in NAVIGATION:
        if current_user.role not in roles:
            continue
        url = url_for(endpoint)
        current = request.path == url or request.path.startswith(url.rstrip("/") + "/")
        items.append(NavItem(label=label, url=url, current=current))
    return items


# Where a request that has already read the school's name leaves it (request.environ), so
# the header asks no second time (a kept public page's version query reads it).
SCHOOL_NAME = "laurel.school_name"


def school_name() -> str:
    """The issuer's name as credentials carry it, without creating the profile on a read.

    An error page must still render when the request's transaction has failed, so a
    database error here falls back to the name a new profile would get.
    """
    public_url = issuing_context().public_url
    try:
        return current_issuer_name(public_url)
    except sa.exc.SQLAlchemyError:
        return default_issuer_name(public_url)
