"""Sign-in costs one password hash check whatever the account, so its answer time does not
tell an invited, deactivated or unknown account from one with a wrong password.

The checks are counted with a spy that calls the real hasher; no test measures a duration.
"""

from __future__ import annotations

import pytest
from werkzeug import security

from app.accounts import services
from app.accounts.models import Role
from app.extensions import db
from tests.fixtures.users import DEFAULT_PASSWORD

ATTEMPT = "a-guessed-password"


@pytest.fixture
def hash_checks(monkeypatch):
    """Every (stored hash, password) the sign-in code checks, in order."""
    calls: list[tuple[str, str]] = []

    def spy(pwhash: str, password: str) -> bool:
        calls.append((pwhash, password))
        return security.check_password_hash(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", spy)
    monkeypatch.setattr("app.accounts.models.check_password_hash", spy)
    return calls


def _method(pwhash: str) -> str:
    """The algorithm and cost part of a werkzeug hash, e.g. `scrypt:32768:8:1`."""
    return pwhash.split("$", 1)[0]


@pytest.mark.parametrize(
    "account", ["wrong-password", "unknown-email", "invited-no-password", "deactivated"]
)
def test_authenticate_refused_account_checks_one_full_cost_hash(make_user, hash_checks, account):
    real = make_user(Role.STUDENT)
    email = real.email
    if account == "unknown-email":
        email = "nobody@school.test"
    elif account == "invited-no-password":
        email = make_user(Role.STUDENT, password=None).email
    elif account == "deactivated":
        real.is_active_account = False
        db.session.commit()
    assert services.authenticate(email, ATTEMPT) is None
    assert len(hash_checks) == 1
    checked_hash, checked_password = hash_checks[0]
    assert checked_password == ATTEMPT
    assert _method(checked_hash) == _method(real.password_hash)


def test_authenticate_deactivated_right_password_refused_after_the_check(make_user, hash_checks):
    student = make_user(Role.STUDENT)
    student.is_active_account = False
    db.session.commit()
    assert services.authenticate(student.email, DEFAULT_PASSWORD) is None
    assert len(hash_checks) == 1


def test_authenticate_right_password_one_check_returns_user(make_user, hash_checks):
    student = make_user(Role.STUDENT)
    assert services.authenticate(student.email, DEFAULT_PASSWORD) == student
    assert hash_checks == [(student.password_hash, DEFAULT_PASSWORD)]


def test_authenticate_invited_account_never_matches_the_stand_in_hash(make_user):
    """Can anyone sign in to an invited account? The stand-in hash is for timing only."""
    invited = make_user(Role.STUDENT, password=None)
    for guess in ("", " ", "None", "null", DEFAULT_PASSWORD):
        assert services.authenticate(invited.email, guess) is None


def test_login_form_invited_account_401_generic_message(client, make_user, hash_checks):
    invited = make_user(Role.STUDENT, password=None)
    response = client.post("/login", data={"email": invited.email, "password": ATTEMPT})
    assert response.status_code == 401
    assert "The email or password is wrong." in response.get_data(as_text=True)
    assert len(hash_checks) == 1
