"""Badge test fixtures: a small school, badges, a client signed in without the login form."""

from __future__ import annotations

import pytest
from flask import g

from app.accounts.models import Role
from app.accounts.models import User
from app.badges.models import BadgeState
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.extensions import db
from tests.fixtures.badges import badge_input


@pytest.fixture
def make_badge(app_ctx):
    """make_badge(actor, published=True, **BadgeInput fields) -> a committed Badge."""

    def make(actor: User, *, published: bool = True, now=None, **changes):
        from app.models_base import utcnow

        moment = now or utcnow()
        badge = create_badge(badge_input(**changes), actor=actor, now=moment)
        if published:
            publish_badge(badge, actor=actor, now=moment)
        db.session.commit()
        assert badge.state == (BadgeState.PUBLISHED if published else BadgeState.DRAFT)
        return badge

    return make


@pytest.fixture
def school(make_class, make_user):
    """A class with its instructor and a student, another instructor, another student, an admin."""

    # No passwords: `login` signs in through the session, and scrypt is slow.
    class School:
        auto_shop = make_class("Auto Shop 1")
        instructor = make_user(
            Role.INSTRUCTOR, name="Ines Instructor", classes=[auto_shop], password=None
        )
        student = make_user(Role.STUDENT, name="Sam Student", classes=[auto_shop], password=None)
        other_instructor = make_user(
            Role.INSTRUCTOR, classes=[make_class("Algebra 2")], password=None
        )
        other_student = make_user(Role.STUDENT, password=None)
        admin = make_user(Role.ADMIN, password=None)

    return School


@pytest.fixture
def login(client):
    """login(user): the test client is signed in as `user` (Flask-Login session)."""

    def sign_in(user: User):
        # The test's app context (and its `g`) is shared with the requests: forget the last user.
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return sign_in
