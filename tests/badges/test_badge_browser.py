"""The badge editor and the credential page in a real browser (screenshots to look at)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.badges.models import Badge
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.keyring import issuing_context
from tests.badges.test_images import HOSTILE_SVG
from tests.fixtures.users import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_badge_editor_in_browser_creates_publishes_and_revokes(
    live_server, make_user, make_class, browser_page, new_browser_page, artifacts, now
):
    shop = make_class("Auto Shop 1")
    instructor = make_user(Role.INSTRUCTOR, name="Ines Instructor", classes=[shop])
    student = make_user(Role.STUDENT, name="Sam Student", classes=[shop])
    page = browser_page

    def shot(name: str, target=page) -> None:
        target.screenshot(path=artifacts / f"{name}.png", full_page=True)

    sign_in(page, live_server, instructor.email)
    page.goto(f"{live_server}/badges")
    shot("0-catalogue-empty")
    page.goto(f"{live_server}/badges/new")
    page.fill("#name", "Vehicle Restoration")
    page.fill("#description", "Refurbish a truck from frame to paint.")
    page.fill("#criteria_narrative", "Document the **whole** restoration, stage by stage.")
    page.fill("#criteria_items", "Photo log of each stage\nParts budget in a spreadsheet")
    page.fill("#evidence_prompt", "Show me how you like: photos, a workbook, a video link.")
    page.get_by_role("button", name="Add a level").click()
    page.fill("#levels-3-name", "Expert")
    page.fill("#levels-3-description", "Could teach it")
    page.check("#required-2")
    page.fill("#alignments-0-framework", "ASE")
    page.fill("#alignments-0-code", "A5")
    page.fill("#alignments-0-name", "Brakes")
    page.fill("#alignments-0-url", "https://standards.example/ase/a5")
    page.get_by_role("button", name="Add a standard").click()
    page.fill("#alignments-2-name", "Suspension and steering")
    page.fill("#alignments-2-url", "https://standards.example/ase/a4")
    page.select_option("#class_id", label="Auto Shop 1")
    page.fill("#tags", "automotive, shop")
    page.set_input_files(
        "#image", files=[{"name": "truck.svg", "mimeType": "image/svg+xml", "buffer": HOSTILE_SVG}]
    )
    shot("1-new-badge-form")
    page.get_by_role("button", name="Save as draft").click()
    assert "saved as a draft" in page.inner_text("main")

    badge = db.session.scalars(select(Badge)).one()
    assert [lv["name"] for lv in badge.rubric_levels] == [
        "Developing",
        "Proficient",
        "Mastery",
        "Expert",
    ]
    assert badge.required_level_id == badge.rubric_levels[2]["id"]
    assert [a["name"] for a in badge.alignments] == ["Brakes", "Suspension and steering"]
    assert b"script" not in badge.image

    page.get_by_role("button", name="Publish").click()
    assert "Published" in page.inner_text("main")
    shot("2-badge-published")

    page.goto(f"{live_server}/badges/{badge.slug}/edit")
    shot("3-edit-form")
    phone = new_browser_page(width=390, height=844)
    sign_in(phone, live_server, instructor.email)
    phone.goto(f"{live_server}/badges/{badge.slug}/edit")
    shot("3b-edit-form-phone", phone)

    db.session.expire_all()
    credential = issue_credential(
        issuing_context(),
        badge=db.session.get(Badge, badge.id),
        recipient=student,
        level_id=badge.rubric_levels[3]["id"],
        issued_by=instructor,
        now=now,
    )
    db.session.commit()
    page.goto(f"{live_server}/credentials/{credential.id}")
    assert "Sam Student" in page.inner_text("main") and "Expert" in page.inner_text("main")
    shot("4-credential-page")
    page.fill("#reason", "The photo log belongs to another student.")
    page.get_by_role("button", name="Revoke this credential").click()
    page.get_by_label("I understand that revoking is permanent").check()
    page.get_by_role("button", name="Revoke permanently").click()
    assert "Revoked" in page.inner_text("main")
    shot("5-credential-revoked")
    db.session.expire_all()
    assert db.session.get(IssuedCredential, credential.id).state == CredentialState.REVOKED

    learner = new_browser_page()
    sign_in(learner, live_server, student.email)
    learner.goto(f"{live_server}/badges")
    shot("6-student-catalogue", learner)
    learner.goto(f"{live_server}/badges/{badge.slug}")
    shot("7-student-badge", learner)

    admin = new_browser_page()
    sign_in(admin, live_server, make_user(Role.ADMIN).email)
    admin.goto(f"{live_server}/admin/issuer")
    admin.fill("#name", "Riverside High School")
    admin.get_by_role("button", name="Save").click()
    assert "issuer profile is saved" in admin.inner_text("main")
    shot("8-issuer-profile", admin)
