"""Revoking is permanent, so it takes two steps: the reason, then a page that confirms it."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.keyring import issuing_context
from tests.fixtures.badges import badge_input
from tests.fixtures.users import DEFAULT_PASSWORD

REASON = "The photo log belongs to another student."


@pytest.fixture
def credential(make_user, make_class, now):
    instructor = make_user(Role.INSTRUCTOR, name="Ines Instructor")
    student = make_user(Role.STUDENT, name="Sam Student")
    school_class = make_class(instructors=[instructor], students=[student])
    badge = create_badge(badge_input(class_id=school_class.id), actor=instructor, now=now)
    publish_badge(badge, actor=instructor, now=now)
    level_id = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == "Proficient")
    issued = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=student,
        level_id=level_id,
        issued_by=instructor,
        now=now,
    )
    db.session.commit()
    return issued


def state_of(credential) -> CredentialState:
    db.session.expire_all()
    return db.session.get(IssuedCredential, credential.id).state


def test_revoke_first_click_asks_for_confirmation_and_changes_nothing(client, login, credential):
    login(credential.issued_by)
    response = client.post(f"/credentials/{credential.id}/revoke", data={"reason": REASON})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Revoke this credential?" in page and "Revoking is permanent" in page
    assert REASON in page and 'value="confirm"' in page
    assert state_of(credential) == CredentialState.ACTIVE


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"step": "confirm"}, id="box-not-ticked"),
        pytest.param({"understood": "y"}, id="ticked-without-confirm-step"),
    ],
)
def test_revoke_without_both_steps_not_revoked(client, login, credential, data):
    login(credential.issued_by)
    response = client.post(f"/credentials/{credential.id}/revoke", data={"reason": REASON, **data})
    assert response.status_code in (200, 400)
    assert "Revoke permanently" in response.get_data(as_text=True)
    if data.get("step") == "confirm":
        assert response.status_code == 400
        assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert state_of(credential) == CredentialState.ACTIVE


def test_revoke_confirmed_with_empty_reason_400(client, login, credential):
    login(credential.issued_by)
    response = client.post(
        f"/credentials/{credential.id}/revoke",
        data={"reason": " ", "step": "confirm", "understood": "y"},
    )
    assert response.status_code == 400
    assert state_of(credential) == CredentialState.ACTIVE


def test_revoke_confirmed_revokes_with_reason(client, login, credential):
    login(credential.issued_by)
    response = client.post(
        f"/credentials/{credential.id}/revoke",
        data={"reason": REASON, "step": "confirm", "understood": "y"},
    )
    assert response.status_code == 302
    assert state_of(credential) == CredentialState.REVOKED


def test_suspend_still_one_step(client, login, credential):
    """Suspending can be undone, so it needs no confirmation."""
    login(credential.issued_by)
    response = client.post(f"/credentials/{credential.id}/suspend", data={"reason": "On hold."})
    assert response.status_code == 302
    assert state_of(credential) == CredentialState.SUSPENDED


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_revoke_in_browser_cancel_then_confirm(live_server, browser_page, credential):
    page = browser_page
    _sign_in(page, live_server, credential.issued_by.email)
    page.goto(f"{live_server}/credentials/{credential.id}")
    page.fill("#reason", REASON)
    page.get_by_role("button", name="Revoke this credential").click()
    assert page.get_by_role("heading", name="Revoke this credential?").is_visible()
    assert state_of(credential) == CredentialState.ACTIVE

    page.get_by_role("link", name="Cancel, keep it").click()
    assert "Active." in page.inner_text("main")
    assert state_of(credential) == CredentialState.ACTIVE

    page.fill("#reason", REASON)
    page.get_by_role("button", name="Revoke this credential").click()
    page.get_by_role("button", name="Revoke permanently").click()
    assert "Tick the box to confirm" in page.inner_text("main")
    assert state_of(credential) == CredentialState.ACTIVE

    assert page.input_value("#reason") == REASON
    page.get_by_label("I understand that revoking is permanent").check()
    page.get_by_role("button", name="Revoke permanently").click()
    assert "Revoked" in page.inner_text("main") and REASON in page.inner_text("main")
    assert state_of(credential) == CredentialState.REVOKED
