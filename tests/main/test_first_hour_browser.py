"""In Chromium, the pages a school meets in its first hour: links, notes, labels, messages."""

from __future__ import annotations

import pytest

from app.evidence import services
from app.extensions import db
from app.keyring import issuing_context
from tests.fixtures.users import DEFAULT_PASSWORD

NOTE = "A careful photo log: the brake lines are documented step by step."


@pytest.fixture
def not_found(browser_page):
    """Every answer of 404 the browser received, page or asset (the favicon included)."""
    missing: list[str] = []
    browser_page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    return missing


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def approved(school, submitted, now):
    """Sam's submission approved by the instructor with a note; the credential it yielded."""
    credential = services.approve(
        submitted,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=None,
        feedback=NOTE,
        now=now,
    )
    db.session.commit()
    return credential


def test_staff_follow_issued_count_to_credential_and_read_approval_note(
    live_server, school, approved, browser_page, not_found
):
    page = browser_page
    sign_in(page, live_server, school.instructor.email)
    page.goto(f"{live_server}/badges/{approved.badge.slug}")
    page.get_by_role("link", name="Issued 1 time").click()
    page.locator("#issued").get_by_role("link", name=school.student.name).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/credentials/{approved.id}")
    note = page.locator(".approval-note")
    assert NOTE in note.inner_text() and school.instructor.name in note.inner_text()
    assert not_found == []


def test_student_sees_approval_note_but_no_issued_list(live_server, school, approved, browser_page):
    page = browser_page
    sign_in(page, live_server, school.student.email)
    page.goto(f"{live_server}/credentials/{approved.id}")
    assert NOTE in page.locator(".approval-note").inner_text()
    page.goto(f"{live_server}/badges/{approved.badge.slug}")
    assert page.locator("#issued").count() == 0
    assert "Issued 1 time" not in page.locator("main").inner_text()


@pytest.mark.parametrize("who", ["instructor", "admin"])
def test_staff_opening_record_land_on_their_dashboard(live_server, school, browser_page, who):
    page = browser_page
    user = getattr(school, who)
    sign_in(page, live_server, user.email)
    page.goto(f"{live_server}/record")
    body = page.locator("main").inner_text()
    assert "Staff have no learner record" in body
    assert "Learner record of" not in body
    assert not page.url.endswith("/record")


def test_empty_suspend_reason_shows_one_message(live_server, school, issued, browser_page):
    page = browser_page
    sign_in(page, live_server, school.instructor.email)
    page.goto(f"{live_server}/credentials/{issued.id}")
    page.get_by_role("button", name="Suspend").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert body.count("Give a reason") == 1, body
    assert "could not be read" not in body


def test_achievement_types_alphabetical_with_hyphens(live_server, school, browser_page):
    page = browser_page
    sign_in(page, live_server, school.instructor.email)
    page.goto(f"{live_server}/badges/new")
    labels = page.locator("select#achievement_type option").all_inner_texts()
    assert labels == sorted(labels, key=str.casefold)
    assert "Co-curricular" in labels and "Micro-credential" in labels
    assert "Co curricular" not in labels


def test_evidence_file_picker_label_is_not_cut_off(live_server, school, browser_page, now):
    submission = services.start_submission(school.badge, student=school.student, now=now)
    db.session.commit()
    page = browser_page
    sign_in(page, live_server, school.student.email)
    page.goto(f"{live_server}/submissions/{submission.id}/edit")
    picker = page.locator("input[type=file]")
    # Chromium draws "Choose File" and "No file chosen" inside the input and elides what does
    # not fit ("No …sen"): the input must be wider than both texts in its own font.
    room = picker.evaluate(
        """input => {
            const style = getComputedStyle(input);
            const canvas = document.createElement("canvas").getContext("2d");
            canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const text = canvas.measureText("Choose File").width
                + canvas.measureText("No file chosen").width;
            const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
            return input.clientWidth - padding - text;
        }"""
    )
    assert room >= 40, room


def test_favicon_answers_on_every_page(live_server, school, browser_page, not_found):
    page = browser_page
    for path in ("/", "/verify", "/login"):
        page.goto(f"{live_server}{path}")
    sign_in(page, live_server, school.student.email)
    page.goto(f"{live_server}/badges")
    response = page.request.get(f"{live_server}/favicon.ico")
    assert response.status == 200
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert not_found == []
