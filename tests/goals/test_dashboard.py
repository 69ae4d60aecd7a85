"""The student dashboard: goals, what is due, feedback to answer, progress by standard."""

from __future__ import annotations

from datetime import timedelta

from app.evidence import goals
from app.evidence.dashboards import student_overview
from app.evidence.goals import GoalInput
from app.evidence.models import GoalKind
from app.evidence.services import approve
from app.evidence.services import request_changes
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow

BRAKES = "ASE A5 — Brakes"


def _goal(school, title, *, days, kind=GoalKind.STANDARD, now):
    return goals.create_goal(
        GoalInput(
            kind,
            title,
            now.date() + timedelta(days=days),
            badge_id=school.badge.id if kind == GoalKind.BADGE else None,
            standard=BRAKES if kind == GoalKind.STANDARD else None,
        ),
        student=school.student,
        now=now,
    )


def test_overview_due_lists_late_and_soon_goals_soonest_first(school, now):
    school.badge  # noqa: B018 -- the badge that aligns to the standard
    _goal(school, "Far off", days=60, now=now)
    _goal(school, "Next week", days=7, now=now)
    _goal(school, "Truck", days=1, kind=GoalKind.BADGE, now=now)
    later = now.date() + timedelta(days=3)
    overview = student_overview(school.student, today=later)
    assert [g.goal.title for g in overview.goals] == ["Truck", "Next week", "Far off"]
    assert [(g.goal.title, g.days_left, g.overdue) for g in overview.due] == [
        ("Truck", -2, True),
        ("Next week", 4, False),
    ]
    assert [(p.standard, p.earned, p.total) for p in overview.standards] == [(BRAKES, 0, 1)]


def test_overview_earned_badge_reaches_badge_and_standard_goals(school, submitted, now):
    """Submitting set the badge goal; the standard goal is the student's own."""
    _goal(school, "Brakes", days=10, now=now)
    approve(
        submitted,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=None,
        feedback="",
        now=now,
    )
    statuses = goals.goal_statuses(school.student, today=now.date())
    assert [(s.target, s.progress, s.reached) for s in statuses] == [
        (f"Standard: {BRAKES}", "1 of 1 badges earned", True),
        ("Badge: Vehicle Restoration", "earned", True),
    ]
    overview = student_overview(school.student, today=now.date())
    assert overview.goals == [] and overview.due == []
    assert [(p.earned, p.total, p.mastered) for p in overview.standards] == [(1, 1, True)]


def test_dashboard_page_shows_goals_due_feedback_and_standards(client, login, school, submitted):
    today = utcnow()
    _goal(school, "Bleed the brakes", days=5, now=today)
    request_changes(submitted, reviewer=school.instructor, feedback="Add the budget.", now=today)
    db.session.commit()
    login(school.student)
    page = client.get("/dashboard/student").get_data(as_text=True)
    assert "Feedback to answer" in page and "Add the budget." in page
    assert "Bleed the brakes" in page and "in 5 days" in page
    assert "Progress by standard" in page and BRAKES in page and "0 of 1" in page
    # The badge goal that submitting set shows where it stands.
    assert "Badge: Vehicle Restoration" in page and "changes requested" in page
