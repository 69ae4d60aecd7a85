"""Factories for the evidence tests: a small school, a badge, submissions, signed-in clients.

Imported by tests/evidence/conftest.py and tests/test_concurrency.py.
"""

from __future__ import annotations

import io
import itertools

import pytest

from app.accounts.models import ClassMembership
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.services import BadgeInput
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.demo_files import truck_photo
from app.evidence import services
from app.evidence.storage import LocalStorage
from app.extensions import db
from tests.fixtures.badges import badge_input

_numbers = itertools.count(1)
PASSWORD = "correct horse battery staple"


def _user(role: Role, school_class: SchoolClass | None, name: str) -> User:
    number = next(_numbers)
    user = User(email=f"{role.value}{number}@school.test", name=name, role=role)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    if school_class is not None:
        db.session.add(ClassMembership(class_id=school_class.id, user_id=user.id, role=role))
    return user


def restoration_input(**changes) -> BadgeInput:
    """The shared test badge, accepting every kind of evidence the evidence tests upload."""
    changes.setdefault("accepted_kinds", ["photo", "spreadsheet", "document", "link", "text"])
    changes.setdefault("tags", [])
    return badge_input(**changes)


@pytest.fixture
def school(app_ctx, now):
    """Auto Shop with its instructor and student, plus another of each, an admin and a badge."""

    class School:
        auto_shop = SchoolClass(name="Auto Shop 1")
        algebra = SchoolClass(name="Algebra 2")
        db.session.add_all([auto_shop, algebra])
        db.session.flush()
        instructor = _user(Role.INSTRUCTOR, auto_shop, "Ines Instructor")
        student = _user(Role.STUDENT, auto_shop, "Sam Student")
        other_student = _user(Role.STUDENT, auto_shop, "Olga Other")
        other_instructor = _user(Role.INSTRUCTOR, algebra, "Oscar Otherclass")
        admin = _user(Role.ADMIN, None, "Ada Admin")
        db.session.flush()
        badge = create_badge(restoration_input(class_id=auto_shop.id), actor=instructor, now=now)
        publish_badge(badge, actor=instructor, now=now)
        db.session.commit()

    return School


@pytest.fixture
def storage(app_ctx) -> LocalStorage:
    from flask import current_app

    return LocalStorage(current_app.config["LAUREL_STORAGE_DIR"])


@pytest.fixture
def submitted(school, storage, now):
    """Sam's submission with a photo and a reflection, sent for review."""
    submission = services.start_submission(school.badge, student=school.student, now=now)
    services.add_file(
        submission,
        student=school.student,
        stream=io.BytesIO(truck_photo()),
        filename="truck.jpg",
        storage=storage,
        max_bytes=10**7,
        public=True,
        now=now,
    )
    services.save_draft(
        submission,
        student=school.student,
        reflection="I rebuilt the brakes.",
        criteria_reflections={"Photo log of each stage": "See the photo."},
        now=now,
    )
    services.submit(submission, student=school.student, now=now)
    db.session.commit()
    return submission


@pytest.fixture
def login(client):
    """login(user): the test client is signed in as `user` (None: signed out)."""

    def sign_in(user: User | None):
        from flask import g

        # The test's app context is shared with the requests, and Flask-Login caches the
        # signed-in user on `g`: forget it so the next request loads the new user.
        g.pop("_login_user", None)
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        return client

    return sign_in
