"""An endorsement in a real browser: the instructor makes a link, the endorser signs, the
admin sees it. axe-core finds no serious or critical violation on any of these pages, at a
desktop's and a phone's width."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_accessibility import check_at_both_widths
from tests.endorsements.conftest import ENDORSER
from tests.fixtures.browser import sign_in_with_form

pytestmark = pytest.mark.browser


def test_invite_endorse_and_staff_pages_pass_axe(
    live_server, school, browser_page, new_browser_page, artifacts
):
    badge = school.badge
    page = browser_page
    sign_in_with_form(page, live_server, school.instructor.email)
    page.goto(f"{live_server}/endorsements")
    check_at_both_widths(page, artifacts, "0-invite")
    page.select_option("#badge_id", value=str(badge.id))
    page.fill("#invitee", "Dana Ruiz, Riverside Garage")
    page.get_by_role("button", name="Make the link").click()
    link = page.input_value("#endorse-link")
    check_at_both_widths(page, artifacts, "1-link")

    endorser = new_browser_page()
    endorser.goto(live_server + re.search(r"/endorse/\S+$", link).group(0))
    check_at_both_widths(endorser, artifacts, "2-endorser-form")
    # Sent empty first: the page names what is missing, and stays accessible.
    endorser.get_by_role("button", name="Sign my endorsement").click()
    check_at_both_widths(endorser, artifacts, "3-endorser-form-refused")
    for field in ("name", "organisation", "email", "url", "comment"):
        endorser.fill(f"#{field}", ENDORSER[field])
    endorser.get_by_role("button", name="Sign my endorsement").click()
    assert "Dana Ruiz" in endorser.inner_text("main")
    check_at_both_widths(endorser, artifacts, "4-endorser-thanks")

    admin = new_browser_page()
    sign_in_with_form(admin, live_server, school.admin.email)
    admin.goto(f"{live_server}/endorsements")
    assert "Riverside Garage" in admin.inner_text("main")
    check_at_both_widths(admin, artifacts, "5-admin-list")
    admin.goto(f"{live_server}/badges/{badge.slug}")
    check_at_both_widths(admin, artifacts, "6-badge-with-endorsement")
