"""The role-aware main navigation and the school name shown in every page header."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request
from flask import url_for
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString
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
NAVIGATION: tuple[tuple[LazyString, str, frozenset[Role]], ...] = (
    (lazy_gettext("Badges"), "badges.catalogue", frozenset(Role)),
    (lazy_gettext("Pathways"), "pathways.index", frozenset(Role)),
    (lazy_gettext("My dashboard"), "evidence.student_dashboard", frozenset({Role.STUDENT})),
    (lazy_gettext("My record"), "share.my_record", frozenset({Role.STUDENT})),
    (lazy_gettext("Goals"), "goals.index", frozenset({Role.STUDENT})),
    (lazy_gettext("Reflections"), "goals.reflections", frozenset({Role.STUDENT})),
    (lazy_gettext("My profile"), "goals.profile", frozenset({Role.STUDENT})),
    (lazy_gettext("My students"), "goals.counselor_dashboard", frozenset({Role.COUNSELOR})),
    (lazy_gettext("My progress"), "progress.learner_page", frozenset({Role.STUDENT})),
    (lazy_gettext("Proposals"), "proposals.index", frozenset(Role)),
    (lazy_gettext("Review queue"), "evidence.queue", frozenset({Role.INSTRUCTOR, Role.ADMIN})),
    (
        lazy_gettext("Dashboard"),
        "evidence.instructor_dashboard",
        frozenset({Role.INSTRUCTOR, Role.ADMIN}),
    ),
    (lazy_gettext("Progress"), "progress.class_page", frozenset({Role.INSTRUCTOR, Role.ADMIN})),
    (lazy_gettext("Users"), "accounts.users", frozenset({Role.ADMIN})),
    (lazy_gettext("Roster"), "roster.upload", frozenset({Role.ADMIN})),
    (lazy_gettext("Classes"), "accounts.classes", frozenset({Role.ADMIN})),
    (lazy_gettext("Counselors"), "counselors.index", frozenset({Role.ADMIN})),
    (lazy_gettext("School profile"), "badges.issuer", frozenset({Role.ADMIN})),
    (lazy_gettext("Trust list"), "verify.trust.index", frozenset({Role.ADMIN})),
    (lazy_gettext("Single sign-on"), "sso.admin", frozenset({Role.ADMIN})),
    (lazy_gettext("LTI"), "lti.admin", frozenset({Role.ADMIN})),
)


def main_navigation() -> list[NavItem]:
    """The links the signed-in user may follow, the current section marked."""
    if not current_user.is_authenticated:
        return []
    items = []
    # The links carry the mount point (a path on the school's site); request.path does not.
    here = request.script_root + request.path
    for label, endpoint, roles in NAVIGATION:
        if current_user.role not in roles:
            continue
        url = url_for(endpoint)
        current = here == url or here.startswith(url.rstrip("/") + "/")
        items.append(NavItem(label=str(label), url=url, current=current))
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
