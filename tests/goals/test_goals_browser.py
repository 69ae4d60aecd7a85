"""Goals, reflections, the learner profile and the counselor's list in a real browser.

axe-core finds no serious or critical violation on any of them, at a desktop's and a
phone's width (screenshots of each in test-artifacts/).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.evidence import goals
from app.evidence.goals import GoalInput
from app.evidence.models import GoalKind
from app.extensions import db
from app.goals import services
from tests.e2e.test_accessibility import check_at_both_widths
from tests.fixtures.browser import sign_in_with_form

pytestmark = pytest.mark.browser


def test_goal_profile_and_counselor_pages_pass_axe(
    live_server, school, counselor, browser_page, new_browser_page, artifacts, now
):
    sam = school.student
    goal = goals.create_goal(
        GoalInput(
            GoalKind.BADGE, "Restore the truck", now.date() + timedelta(days=10), school.badge.id
        ),
        student=sam,
        now=now,
    )
    services.write_reflection(
        student=sam, text="The brakes took two tries.", submission_id=None, goal_id=goal.id, now=now
    )
    services.save_profile(
        student=sam, interests="Old trucks, welding.", strengths="Patience.", now=now
    )
    db.session.commit()

    page = browser_page
    sign_in_with_form(page, live_server, sam.email)
    for name, path in (
        ("goals", "/goals"),
        ("goal-edit", f"/goals/{goal.id}/edit"),
        ("reflections", "/reflections"),
        ("profile-edit", "/profile"),
        ("learner-profile", f"/learners/{sam.id}/profile"),
        ("student-dashboard", "/dashboard/student"),
    ):
        page.goto(f"{live_server}{path}")
        assert "Restore the truck" in page.inner_text("main") or name == "profile-edit", name
        check_at_both_widths(page, artifacts, f"student-{name}")
    # A refused goal shows its message, and the page stays accessible.
    page.goto(f"{live_server}/goals")
    page.get_by_role("button", name="Set the goal").click()
    assert "Give the goal a title" in page.inner_text("main")
    check_at_both_widths(page, artifacts, "student-goals-refused")

    cora = new_browser_page()
    sign_in_with_form(cora, live_server, counselor.email)
    cora.goto(f"{live_server}/dashboard/counselor")
    assert "Sam Student" in cora.inner_text("main")
    check_at_both_widths(cora, artifacts, "counselor-students")
    cora.goto(f"{live_server}/learners/{sam.id}/profile")
    assert "Old trucks, welding." in cora.inner_text("main")
    check_at_both_widths(cora, artifacts, "counselor-learner-profile")
