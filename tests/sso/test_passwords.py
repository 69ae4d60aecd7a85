"""Password sign-in can be turned off for everyone but admins."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.models_base import utcnow
from app.sso import services
from app.sso.policy import passwords_for_everyone
from tests.fixtures.users import DEFAULT_PASSWORD
from tests.sso.school_idp import signed_in_id


def _password_sign_in(client, user):
    return client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})


@pytest.fixture
def passwords_for_admins_only(make_user):
    """The setting turned off (by the service: an admin's request would leave Flask-Login's
    user cached on the test's shared app context); returns an admin."""
    admin = make_user(Role.ADMIN)
    services.set_passwords_for_everyone(False, now=utcnow())
    db.session.commit()
    return admin


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR])
def test_a_non_admin_is_refused_with_a_clear_message(
    client, make_user, passwords_for_admins_only, role
):
    user = make_user(role)

    answer = _password_sign_in(client, user)

    assert answer.status_code == 403
    assert "Password sign-in is turned off for students and instructors" in answer.get_data(
        as_text=True
    )
    assert signed_in_id(client) is None


def test_a_wrong_password_still_reads_as_wrong(client, make_user, passwords_for_admins_only):
    user = make_user(Role.STUDENT)

    answer = client.post("/login", data={"email": user.email, "password": "not-the-password"})

    assert answer.status_code == 401
    assert "turned off" not in answer.get_data(as_text=True)


def test_admins_keep_their_password(client, passwords_for_admins_only):
    answer = _password_sign_in(client, passwords_for_admins_only)

    assert answer.status_code == 302
    assert signed_in_id(client) == passwords_for_admins_only.get_id()


def test_turned_on_again_everyone_signs_in(client, make_user, passwords_for_admins_only):
    services.set_passwords_for_everyone(True, now=utcnow())
    db.session.commit()
    student = make_user(Role.STUDENT)

    assert _password_sign_in(client, student).status_code == 302
    assert signed_in_id(client) == student.get_id()


@pytest.mark.parametrize(("choice", "for_everyone"), [("admins", False), ("everyone", True)])
def test_the_admin_page_sets_it(login, make_user, choice, for_everyone):
    admin_client = login(make_user(Role.ADMIN))

    answer = admin_client.post("/admin/sso/passwords", data={"passwords": choice})

    assert answer.status_code == 302
    assert passwords_for_everyone() is for_everyone


def test_an_unknown_choice_is_refused(login, make_user):
    admin_client = login(make_user(Role.ADMIN))

    answer = admin_client.post("/admin/sso/passwords", data={"passwords": "nobody"})

    assert answer.status_code == 400
    assert "Choose who may sign in with a password." in answer.get_data(as_text=True)
