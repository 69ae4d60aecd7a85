"""With CSRF protection on (as in production), a POST without its token changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import db
from tests.fixtures.users import DEFAULT_PASSWORD
from tests.fixtures.users import csrf_token_from


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_csrf_login_without_token_400_not_signed_in(client, make_user):
    student = make_user(Role.STUDENT)
    response = client.post("/login", data={"email": student.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302


def test_csrf_login_with_token_signs_in(client, make_user):
    student = make_user(Role.STUDENT)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    form = {"email": student.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    assert client.get("/account/password").status_code == 200


def test_csrf_create_user_without_token_400_nothing_created(client, make_user, login):
    login(make_user(Role.ADMIN))
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = client.post(
        "/admin/users",
        data={"name": "Eve", "email": "eve@school.test", "role": "admin", "class_id": "0"},
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before


def test_csrf_change_role_without_token_400_unchanged(client, make_user, login):
    student = make_user(Role.STUDENT)
    login(make_user(Role.ADMIN))
    assert client.post(f"/admin/users/{student.id}/role", data={"role": "admin"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, student.id).role == Role.STUDENT


def test_csrf_create_class_with_token_from_page_works(client, make_user, login):
    login(make_user(Role.ADMIN))
    token = csrf_token_from(client.get("/admin/classes").get_data(as_text=True))
    assert (
        client.post("/admin/classes", data={"name": "Auto Shop 1", "csrf_token": token}).status_code
        == 302
    )
    assert client.post("/admin/classes", data={"name": "Algebra 2"}).status_code == 400
    assert list(db.session.scalars(sa.select(SchoolClass.name))) == ["Auto Shop 1"]


def test_csrf_logout_without_token_400_still_signed_in(client, make_user, login):
    login(make_user(Role.STUDENT))
    assert client.post("/logout").status_code == 400
    assert client.get("/account/password").status_code == 200
