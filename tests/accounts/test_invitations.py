"""Creating users as admin and joining through a single-use, expiring invitation link.

The views read the real clock, so invitations used through them are made with `utcnow()`.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import Invitation
from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from app.models_base import utcnow

INVITE_PATH = re.compile(r"https://laurel\.test(/invite/[A-Za-z0-9_-]+)")


def _create(client, **data):
    values = {"name": "Nina New", "email": "nina@school.test", "role": "student", "class_id": "0"}
    values.update(data)
    return client.post("/admin/users", data=values)


def _invite_path(response) -> str:
    match = INVITE_PATH.search(response.get_data(as_text=True))
    assert match, "no invitation link on the page"
    return match.group(1)


def test_admin_create_user_shows_link_and_stores_only_hash(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = _create(client)
    assert response.status_code == 200
    path = _invite_path(response)
    token = path.rsplit("/", 1)[1]
    invitation = db.session.scalar(sa.select(Invitation))
    assert invitation.token_hash != token and token not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    user = db.session.scalar(sa.select(User).where(User.email == "nina@school.test"))
    assert user.password_hash is None and user.role == Role.STUDENT


def test_admin_create_user_with_class_adds_membership(client, make_user, make_class, login):
    school_class = make_class("Auto Shop 1")
    login(make_user(Role.ADMIN))
    _create(client, role="instructor", class_id=str(school_class.id))
    user = db.session.scalar(sa.select(User).where(User.email == "nina@school.test"))
    assert [(m.class_id, m.role) for m in user.memberships] == [(school_class.id, Role.INSTRUCTOR)]


def test_admin_create_user_duplicate_email_409_nothing_added(client, make_user, login):
    login(make_user(Role.ADMIN))
    make_user(Role.STUDENT, email="nina@school.test")
    response = _create(client, email="NINA@school.test")
    assert response.status_code == 409
    assert "already an account" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2


def test_admin_create_user_bad_email_400(client, make_user, login):
    login(make_user(Role.ADMIN))
    response = _create(client, email="not-an-email")
    assert response.status_code == 400
    assert "not a valid email address" in response.get_data(as_text=True)


def test_invitation_accept_sets_password_and_signs_in(client, make_user, login):
    login(make_user(Role.ADMIN))
    path = _invite_path(_create(client))
    client.post("/logout")
    page = client.get(path)
    assert page.status_code == 200 and "nina@school.test" in page.get_data(as_text=True)
    response = client.post(
        path,
        data={
            "name": "Nina Newton",
            "new_password": "nina-long-pass",
            "confirm_password": "nina-long-pass",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200
    user = db.session.scalar(sa.select(User).where(User.email == "nina@school.test"))
    assert user.name == "Nina Newton" and user.check_password("nina-long-pass")


def test_invitation_used_twice_second_refused(client, make_user):
    user = make_user(Role.STUDENT, password=None)
    token = services.invite_user(user, created_by=None, now=utcnow())
    db.session.commit()
    form = {"name": "Sam", "new_password": "first-long-pass", "confirm_password": "first-long-pass"}
    assert client.post(f"/invite/{token}", data=form).status_code == 302
    client.post("/logout")
    again = client.post(
        f"/invite/{token}",
        data={**form, "new_password": "second-long-pass", "confirm_password": "second-long-pass"},
    )
    assert again.status_code == 409
    assert "already been used" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("first-long-pass")


def test_invitation_expired_refused_with_message(client, make_user):
    user = make_user(Role.STUDENT, password=None)
    token = services.invite_user(user, created_by=None, now=utcnow() - timedelta(days=15))
    db.session.commit()
    response = client.get(f"/invite/{token}")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_invitation_unknown_token_404(client):
    response = client.get("/invite/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_invitation_new_link_invalidates_old(client, make_user):
    user = make_user(Role.STUDENT, password=None)
    old = services.invite_user(user, created_by=None, now=utcnow())
    new = services.invite_user(user, created_by=None, now=utcnow())
    db.session.commit()
    assert client.get(f"/invite/{old}").status_code == 404
    assert client.get(f"/invite/{new}").status_code == 200


def test_invitation_weak_password_400_token_still_usable(client, make_user):
    user = make_user(Role.STUDENT, password=None)
    token = services.invite_user(user, created_by=None, now=utcnow())
    db.session.commit()
    response = client.post(
        f"/invite/{token}",
        data={"name": "Sam", "new_password": "short", "confirm_password": "short"},
    )
    assert response.status_code == 400
    assert client.get(f"/invite/{token}").status_code == 200


def test_reinvite_gives_new_link(client, make_user, login):
    invited = make_user(Role.STUDENT, password=None)
    login(make_user(Role.ADMIN))
    response = client.post(f"/admin/users/{invited.id}/invite")
    assert response.status_code == 200
    assert client.get(_invite_path(response)).status_code == 200


def test_change_role_and_deactivate(client, make_user, login):
    admin = make_user(Role.ADMIN)
    student = make_user(Role.STUDENT)
    login(admin)
    assert (
        client.post(f"/admin/users/{student.id}/role", data={"role": "instructor"}).status_code
        == 302
    )
    assert client.post(f"/admin/users/{student.id}/deactivate").status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, student.id)
    assert changed.role == Role.INSTRUCTOR and not changed.is_active_account
    assert client.post(f"/admin/users/{student.id}/reactivate").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).is_active_account


def test_change_role_unknown_value_400(client, make_user, login):
    student = make_user(Role.STUDENT)
    login(make_user(Role.ADMIN))
    assert (
        client.post(f"/admin/users/{student.id}/role", data={"role": "superuser"}).status_code
        == 400
    )


def test_admin_cannot_demote_or_deactivate_self(client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)
    assert client.post(f"/admin/users/{admin.id}/role", data={"role": "student"}).status_code == 403
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_class_create_add_and_remove_member(client, make_user, login):
    student = make_user(Role.STUDENT)
    login(make_user(Role.ADMIN))
    response = client.post("/admin/classes", data={"name": "  Auto   Shop 1 "})
    assert response.status_code == 302
    class_path = response.location
    assert (
        client.post(
            f"{class_path}/members", data={"user_id": student.id, "role": "student"}
        ).status_code
        == 302
    )
    page = client.get(class_path).get_data(as_text=True)
    assert "Auto Shop 1" in page and student.name in page
    db.session.expire_all()
    assert len(db.session.get(User, student.id).memberships) == 1
    assert client.post(f"{class_path}/members/{student.id}/remove").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, student.id).memberships == []


def test_class_duplicate_name_409(client, make_user, make_class, login):
    make_class("Algebra 2")
    login(make_user(Role.ADMIN))
    response = client.post("/admin/classes", data={"name": "Algebra 2"})
    assert response.status_code == 409
    assert "already a class" in response.get_data(as_text=True)


def test_invitation_of_deactivated_user_refused(client, make_user):
    user = make_user(Role.STUDENT, password=None)
    token = services.invite_user(user, created_by=None, now=utcnow())
    user.is_active_account = False
    db.session.commit()
    assert client.get(f"/invite/{token}").status_code == 404
