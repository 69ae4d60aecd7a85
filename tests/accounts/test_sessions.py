"""Sessions that really end: a saved session cookie replayed after logout, a password
change, a deactivation or an admin's "sign out everywhere" is sent to sign in.

Every request runs in its own application context, as in production: the test's context
would otherwise let Flask-Login reuse the user it cached on `g` and skip the user loader.
"""

from __future__ import annotations

import pytest

from app.accounts import services
from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from tests.fixtures.users import DEFAULT_PASSWORD

PRIVATE_PAGE = "/account/password"
NEW_PASSWORD = "another-long-passphrase"


def _request(app, client, method: str, path: str, **kwargs):
    with app.app_context():
        return client.open(path, method=method, **kwargs)


def _sign_in(app, user: User, password: str = DEFAULT_PASSWORD):
    """A new browser signed in as `user` through the login form, and its session cookie."""
    client = app.test_client()
    response = _request(
        app, client, "POST", "/login", data={"email": user.email, "password": password}
    )
    assert response.status_code == 302, f"sign-in as {user.email} failed"
    return client, client.get_cookie("session").value


def _replay(app, cookie: str):
    """GET a private page from another browser holding a copy of `cookie`."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return _request(app, thief, "GET", PRIVATE_PAGE)


def _assert_sent_to_sign_in(response) -> None:
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_saved_cookie_works_until_an_event(app, make_user):
    """Is the replay real? A copied cookie opens the private page while the session lives."""
    _, cookie = _sign_in(app, make_user(Role.STUDENT))
    assert _replay(app, cookie).status_code == 200


def test_saved_cookie_after_logout_sent_to_sign_in(app, make_user):
    browser, cookie = _sign_in(app, make_user(Role.STUDENT))
    assert _request(app, browser, "POST", "/logout").status_code == 302
    _assert_sent_to_sign_in(_replay(app, cookie))


def test_logout_on_one_device_ends_the_other_devices(app, make_user):
    student = make_user(Role.STUDENT)
    laptop, _ = _sign_in(app, student)
    phone, _ = _sign_in(app, student)
    _request(app, laptop, "POST", "/logout")
    _assert_sent_to_sign_in(_request(app, phone, "GET", PRIVATE_PAGE))


def test_saved_cookie_after_password_change_sent_to_sign_in_this_device_stays(app, make_user):
    student = make_user(Role.STUDENT)
    browser, cookie = _sign_in(app, student)
    response = _request(
        app,
        browser,
        "POST",
        PRIVATE_PAGE,
        data={
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    _assert_sent_to_sign_in(_replay(app, cookie))
    assert _request(app, browser, "GET", PRIVATE_PAGE).status_code == 200


def test_password_change_wrong_current_password_ends_no_session(app, make_user):
    browser, cookie = _sign_in(app, make_user(Role.STUDENT))
    response = _request(
        app,
        browser,
        "POST",
        PRIVATE_PAGE,
        data={
            "current_password": "not-the-password",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert _replay(app, cookie).status_code == 200


def test_saved_cookie_after_deactivation_sent_to_sign_in_even_once_reactivated(app, make_user):
    student = make_user(Role.STUDENT)
    admin_browser, _ = _sign_in(app, make_user(Role.ADMIN))
    _, cookie = _sign_in(app, student)
    assert (
        _request(app, admin_browser, "POST", f"/admin/users/{student.id}/deactivate").status_code
        == 302
    )
    _assert_sent_to_sign_in(_replay(app, cookie))
    assert (
        _request(app, admin_browser, "POST", f"/admin/users/{student.id}/reactivate").status_code
        == 302
    )
    _assert_sent_to_sign_in(_replay(app, cookie))
    _sign_in(app, student)


def test_saved_cookie_after_admin_sign_out_everywhere_sent_to_sign_in(app, make_user):
    student = make_user(Role.STUDENT)
    admin_browser, _ = _sign_in(app, make_user(Role.ADMIN))
    _, cookie = _sign_in(app, student)
    response = _request(app, admin_browser, "POST", f"/admin/users/{student.id}/sign-out")
    assert response.status_code == 302
    _assert_sent_to_sign_in(_replay(app, cookie))
    fresh_browser, _ = _sign_in(app, student)
    assert _request(app, fresh_browser, "GET", PRIVATE_PAGE).status_code == 200
    assert _request(app, admin_browser, "GET", "/admin/users").status_code == 200


def test_admin_sign_out_everywhere_by_student_forbidden_and_ends_nothing(app, make_user):
    victim = make_user(Role.STUDENT)
    attacker_browser, _ = _sign_in(app, make_user(Role.STUDENT))
    _, cookie = _sign_in(app, victim)
    response = _request(app, attacker_browser, "POST", f"/admin/users/{victim.id}/sign-out")
    assert response.status_code == 403
    assert _replay(app, cookie).status_code == 200


def test_admin_sign_out_everywhere_unknown_user_404(app, make_user):
    admin_browser, _ = _sign_in(app, make_user(Role.ADMIN))
    assert _request(app, admin_browser, "POST", "/admin/users/999999/sign-out").status_code == 404


def test_users_page_offers_sign_out_everywhere_for_others_not_self(app, make_user):
    admin = make_user(Role.ADMIN)
    student = make_user(Role.STUDENT)
    admin_browser, _ = _sign_in(app, admin)
    page = _request(app, admin_browser, "GET", "/admin/users").get_data(as_text=True)
    assert f"/admin/users/{student.id}/sign-out" in page
    assert f"/admin/users/{admin.id}/sign-out" not in page


def test_password_page_offers_own_sign_out_everywhere(app, make_user):
    browser, _ = _sign_in(app, make_user(Role.STUDENT))
    page = _request(app, browser, "GET", PRIVATE_PAGE).get_data(as_text=True)
    assert 'action="/logout"' in page
    assert "Sign out everywhere" in page


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda user: str(user.id), id="bare-user-id-cookie-from-before-tokens"),
        pytest.param(lambda user: f"{user.id}:", id="empty-token"),
        pytest.param(lambda user: f":{user.session_token}", id="empty-user-id"),
        pytest.param(lambda user: f"{user.id}:{'0' * 32}", id="wrong-token"),
        pytest.param(lambda user: f"{user.id}:{user.session_token}:x", id="token-with-suffix"),
        pytest.param(lambda user: f"{user.id}:{user.session_token[:-1]}", id="token-prefix"),
        pytest.param(lambda user: f"999999:{user.session_token}", id="other-user-id"),
        pytest.param(lambda user: f"-{user.id}:{user.session_token}", id="negative-user-id"),
        pytest.param(lambda user: f" {user.id}:{user.session_token}", id="space-padded-user-id"),
        pytest.param(lambda user: f"{user.id}\x00:{user.session_token}", id="nul-in-user-id"),
        pytest.param(lambda user: "é:ü", id="non-ascii"),
    ],
)
def test_user_for_session_hostile_ids_none(make_user, forge):
    user = make_user(Role.STUDENT)
    assert services.user_for_session(forge(user)) is None
    assert services.user_for_session(user.get_id()) == user


def test_end_all_sessions_new_token_each_time(make_user):
    user = make_user(Role.STUDENT)
    seen = {user.session_token}
    for _ in range(3):
        services.end_all_sessions(user)
        seen.add(user.session_token)
    db.session.commit()
    assert len(seen) == 4


def test_new_users_get_different_session_tokens(make_user):
    first, second = make_user(Role.STUDENT), make_user(Role.STUDENT)
    assert len(first.session_token) == 32
    assert first.session_token != second.session_token
