"""The proposal pages in a real browser, the student's and the instructor's: axe-core finds no
serious or critical violation on any of them, at a desktop's and a phone's width."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.proposals import services
from tests.e2e.test_accessibility import check_at_both_widths
from tests.fixtures.browser import sign_in_with_form
from tests.proposals.conftest import proposal_input

pytestmark = pytest.mark.browser


def test_proposal_pages_pass_axe(
    live_server, school, make_proposal, browser_page, new_browser_page, artifacts, now
):
    proposal = make_proposal()
    services.edit_proposal(
        proposal,
        proposal_input(criteria="Build a true wheel; log its tension before and after a ride."),
        actor=school.instructor,
        expected_version=1,
        now=now,
    )
    services.comment_on_proposal(
        proposal, actor=school.instructor, message="Add a **ride log**, please.", now=now
    )
    db.session.commit()
    base = f"{live_server}/proposals/{proposal.id}"

    page = browser_page
    sign_in_with_form(page, live_server, school.student.email)
    for name, url in (
        ("list", f"{live_server}/proposals"),
        ("new", f"{live_server}/proposals/new"),
        ("detail", base),
        ("edit", f"{base}/edit"),
        ("compare", f"{base}/compare"),
    ):
        page.goto(url)
        check_at_both_widths(page, artifacts, f"student-{name}")
    assert "ride" in page.inner_text("main")
    # A new proposal sent empty: the refusal names the fields, and stays accessible.
    page.goto(f"{live_server}/proposals/new")
    page.locator("main form button[type=submit]").first.click()
    check_at_both_widths(page, artifacts, "student-new-refused")

    teacher = new_browser_page()
    sign_in_with_form(teacher, live_server, school.instructor.email)
    teacher.goto(base)
    assert "Bicycle Wheel Builder" in teacher.inner_text("main")
    check_at_both_widths(teacher, artifacts, "instructor-detail")
    teacher.goto(f"{live_server}/proposals")
    check_at_both_widths(teacher, artifacts, "instructor-list")
