"""The pathway pages in a real browser: an instructor composes one, a student sees the map.

axe-core finds no serious or critical violation on the form, the map or the class's grid.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.pathways.models import Pathway
from tests.badges.test_badge_browser import sign_in
from tests.e2e.test_accessibility import check_at_both_widths

pytestmark = pytest.mark.browser


def test_instructor_composes_and_student_sees_map_in_browser(
    live_server, school, shop_badges, earn, browser_page, new_browser_page, artifacts
):
    restoration, diagnostics, safety = shop_badges
    page = browser_page
    sign_in(page, live_server, school.instructor.email)
    page.goto(f"{live_server}/pathways/new")
    page.fill("#name", "Automotive Technician, Level 1")
    page.fill("#description", "Restores, diagnoses and works safely in the shop.")
    page.select_option("#class_id", label="Auto Shop 1")
    for badge in shop_badges:
        page.check(f"#badge-{badge.id}")
    page.select_option(f"#requires-{diagnostics.id}", value=str(safety.id))
    check_at_both_widths(page, artifacts, "0-compose")
    page.get_by_role("button", name="Publish the pathway").click()
    page.wait_for_load_state()
    assert "The class on this pathway" in page.inner_text("main")
    pathway = db.session.scalars(sa.select(Pathway)).one()
    requires = {step.badge_id: step.requires for step in pathway.steps}
    assert requires == {diagnostics.id: [safety.id], safety.id: [], restoration.id: []}

    earn(restoration)
    student_page = new_browser_page()
    sign_in(student_page, live_server, school.student.email)
    student_page.goto(f"{live_server}/pathways/{pathway.id}")
    text = student_page.inner_text("main")
    assert "of 3 badges earned" in text
    # Prerequisites come first on the map: Shop Safety before Engine Diagnostics.
    assert text.index("Shop Safety\nOpen to start") < text.index("Engine Diagnostics\nLocked")
    assert "Earn “Shop Safety” first." in text
    assert student_page.locator(".pathway-stop").count() == 3
    earned = student_page.locator(".pathway-stop.stop-earned")
    locked = student_page.locator(".pathway-stop.stop-locked")
    assert earned.inner_text().startswith("Vehicle Restoration")
    assert locked.inner_text().startswith("Engine Diagnostics")
    check_at_both_widths(student_page, artifacts, "1-student-map")
    student_page.goto(f"{live_server}/pathways")
    check_at_both_widths(student_page, artifacts, "1-student-pathways")

    page.goto(f"{live_server}/pathways/{pathway.id}")
    assert page.locator(".pathway-grid tbody tr").count() == 2
    check_at_both_widths(page, artifacts, "2-class-grid")
