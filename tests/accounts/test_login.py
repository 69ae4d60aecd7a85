"""Signing in and out, the rate limit, and password changes."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from tests.fixtures.users import DEFAULT_PASSWORD


def test_login_right_password_signs_in_and_goes_to_dashboard(client, make_user):
    student = make_user(Role.STUDENT)
    response = client.post("/login", data={"email": student.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert response.location == "/dashboard"
    assert client.get("/account/password").status_code == 200


def test_login_email_in_other_case_signs_in(client, make_user):
    student = make_user(Role.STUDENT, email="sam.student@school.test")
    response = client.post(
        "/login", data={"email": "  Sam.Student@School.TEST ", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert student.email == "sam.student@school.test"


@pytest.mark.parametrize("email_kind", ["known", "unknown"])
def test_login_wrong_password_or_unknown_email_same_generic_message(client, make_user, email_kind):
    student = make_user(Role.STUDENT)
    email = student.email if email_kind == "known" else "nobody@school.test"
    response = client.post("/login", data={"email": email, "password": "wrong-password"})
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "The email or password is wrong." in page
    assert client.get("/account/password").status_code == 302


def test_login_deactivated_account_refused(client, make_user):
    student = make_user(Role.STUDENT)
    student.is_active_account = False
    db.session.commit()
    response = client.post("/login", data={"email": student.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 401


def test_login_next_parameter_offsite_ignored(client, make_user):
    student = make_user(Role.STUDENT)
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": student.email, "password": DEFAULT_PASSWORD},
    )
    assert response.location == "/dashboard"


def test_login_next_parameter_local_followed(client, make_user):
    student = make_user(Role.STUDENT)
    response = client.post(
        "/login?next=/badges", data={"email": student.email, "password": DEFAULT_PASSWORD}
    )
    assert response.location == "/badges"


def test_login_empty_form_is_400_with_field_errors(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert "field-error" in response.get_data(as_text=True)


@pytest.fixture
def limited_app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def test_login_eleventh_attempt_in_a_minute_rate_limited(limited_app_config, make_user):
    from app import create_app

    application = create_app(limited_app_config)
    client = application.test_client()
    with application.app_context():
        statuses = [
            client.post(
                "/login", data={"email": "x@school.test", "password": "wrong-password"}
            ).status_code
            for _ in range(11)
        ]
        assert statuses[:10] == [401] * 10
        assert statuses[10] == 429
        page = client.post("/login", data={"email": "x@school.test", "password": "nope"}).get_data(
            as_text=True
        )
        assert "Too many sign-in attempts" in page
        assert client.get("/login").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_logout_signs_out(client, make_user, login):
    login(make_user(Role.STUDENT))
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 302


def test_logout_by_get_not_allowed(client, make_user, login):
    login(make_user(Role.STUDENT))
    assert client.get("/logout").status_code == 405
    assert client.get("/account/password").status_code == 200


def test_deactivated_user_signed_out_on_next_request(client, make_user, login):
    student = make_user(Role.STUDENT)
    login(student)
    student.is_active_account = False
    db.session.commit()
    assert client.get("/account/password").status_code == 302


def test_password_change_right_current_password_changes_it(client, make_user, login):
    student = make_user(Role.STUDENT)
    login(student)
    response = client.post(
        "/account/password",
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": "a-new-long-one",
            "confirm_password": "a-new-long-one",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).check_password("a-new-long-one")


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong-password", "a-new-long-one", "a-new-long-one", "current password is not right"),
        (DEFAULT_PASSWORD, "short", "short", "at least 10"),
        (DEFAULT_PASSWORD, "a-new-long-one", "another-long-one", "not the same"),
    ],
)
def test_password_change_bad_input_400_and_unchanged(
    client, make_user, login, current, new, confirm, message
):
    student = make_user(Role.STUDENT)
    login(student)
    response = client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, student.id).check_password(DEFAULT_PASSWORD)
