"""Goals: a badge or a standard, with a target date; the bad inputs each get a clear 4xx."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.evidence import goals
from app.evidence.goals import GoalInput
from app.evidence.models import Goal
from app.evidence.models import GoalKind
from app.extensions import db
from app.models_base import utcnow

BRAKES = "ASE A5 — Brakes"


def _badge_goal(badge_id, *, title="Restore the truck", target_date=None) -> GoalInput:
    return GoalInput(GoalKind.BADGE, title, target_date, badge_id=badge_id)


def test_create_goal_badge_with_date_is_stored(school, now):
    target = now.date() + timedelta(days=30)
    goal = goals.create_goal(
        _badge_goal(school.badge.id, target_date=target), student=school.student, now=now
    )
    assert (goal.kind, goal.badge_id, goal.title, goal.target_date) == (
        GoalKind.BADGE,
        school.badge.id,
        "Restore the truck",
        target,
    )


def test_create_goal_standard_of_an_open_badge_is_stored(school, now):
    school.badge  # noqa: B018 -- the badge aligned to the standard must exist
    goal = goals.create_goal(
        GoalInput(GoalKind.STANDARD, "Master brakes", None, standard=BRAKES),
        student=school.student,
        now=now,
    )
    assert (goal.kind, goal.standard, goal.badge_id) == (GoalKind.STANDARD, BRAKES, None)


def test_standards_open_to_lists_labels_of_visible_badges(school):
    school.badge  # noqa: B018
    assert list(goals.standards_open_to(school.student)) == [BRAKES]
    # Otto is in no class, so the class badge and its standard are not his.
    assert goals.standards_open_to(school.other_student) == {}


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_create_goal_bad_title_refused(school, now, title):
    with pytest.raises(UserError, match="title"):
        goals.create_goal(
            _badge_goal(school.badge.id, title=title), student=school.student, now=now
        )


def test_create_goal_date_in_the_past_refused(school, now):
    yesterday = now.date() - timedelta(days=1)
    with pytest.raises(UserError, match="already passed"):
        goals.create_goal(
            _badge_goal(school.badge.id, target_date=yesterday), student=school.student, now=now
        )


def test_create_goal_date_today_accepted_and_far_future_refused(school, now):
    goal = goals.create_goal(
        _badge_goal(school.badge.id, target_date=now.date()), student=school.student, now=now
    )
    assert goal.target_date == now.date()
    with pytest.raises(UserError, match="within 10 years"):
        goals.create_goal(
            GoalInput(GoalKind.STANDARD, "Later", date(now.year + 11, 1, 1), standard=BRAKES),
            student=school.student,
            now=now,
        )


def test_create_goal_badge_of_another_class_refused(school, make_badge, now):
    algebra_badge = make_badge(
        school.other_instructor, name="Linear Equations", class_id=school.algebra.id
    )
    with pytest.raises(UserError, match="badges open to you"):
        goals.create_goal(_badge_goal(algebra_badge.id), student=school.student, now=now)


def test_create_goal_draft_or_unknown_badge_refused(school, make_badge, now):
    draft = make_badge(
        school.instructor, name="Unpublished", class_id=school.auto_shop.id, published=False
    )
    for badge_id in (draft.id, 999999, None):
        with pytest.raises(UserError, match="badges open to you"):
            goals.create_goal(_badge_goal(badge_id), student=school.student, now=now)


def test_create_goal_same_badge_twice_conflicts(school, now):
    goals.create_goal(_badge_goal(school.badge.id), student=school.student, now=now)
    with pytest.raises(Conflict, match="already one of your goals"):
        goals.create_goal(_badge_goal(school.badge.id), student=school.student, now=now)


def test_create_goal_unknown_standard_refused(school, now):
    for standard in ("ASE Z9 — Flying", "", None):
        with pytest.raises(UserError, match="standards your badges align to"):
            goals.create_goal(
                GoalInput(GoalKind.STANDARD, "Fly", None, standard=standard),
                student=school.student,
                now=now,
            )


def test_create_goal_by_staff_not_allowed(school, now):
    with pytest.raises(NotAllowed):
        goals.create_goal(_badge_goal(school.badge.id), student=school.instructor, now=now)


def test_update_and_delete_goal_of_another_student_not_found(school, now):
    goal = goals.create_goal(_badge_goal(school.badge.id), student=school.student, now=now)
    with pytest.raises(NotFound):
        goals.own_goal(goal.id, school.classmate)
    with pytest.raises(NotFound):
        goals.update_goal(goal, student=school.classmate, title="Mine", target_date=None, now=now)
    with pytest.raises(NotFound):
        goals.delete_goal(goal, student=school.classmate)
    assert db.session.get(Goal, goal.id).title == "Restore the truck"


def test_update_goal_keeps_a_past_date_it_already_had(school, now):
    """A goal whose date has passed can still be renamed without moving its date."""
    goal = goals.create_goal(
        _badge_goal(school.badge.id, target_date=now.date()), student=school.student, now=now
    )
    later = now + timedelta(days=3)
    goals.update_goal(
        goal, student=school.student, title="Renamed", target_date=now.date(), now=later
    )
    assert (goal.title, goal.target_date) == ("Renamed", now.date())
    with pytest.raises(UserError, match="already passed"):
        goals.update_goal(
            goal,
            student=school.student,
            title="Renamed",
            target_date=now.date() + timedelta(days=1),
            now=later,
        )


def test_pursue_button_goal_gets_the_badge_name_as_title(client, login, school):
    login(school.student)
    response = client.post(f"/badges/{school.badge.slug}/pursue")
    assert response.status_code == 302
    goal = db.session.scalar(sa.select(Goal).where(Goal.student_id == school.student.id))
    assert (goal.title, goal.kind) == ("Vehicle Restoration", GoalKind.BADGE)


# --- Through the pages ---------------------------------------------------------------------------


def _form(badge, **changes) -> dict[str, str]:
    return {"title": "Restore the truck", "kind": "badge", "badge_id": str(badge), **changes}


def test_goals_page_create_edit_delete(client, login, school):
    login(school.student)
    target = (utcnow().date() + timedelta(days=20)).isoformat()
    response = client.post("/goals", data=_form(school.badge.id, target_date=target))
    assert response.status_code == 302
    goal = db.session.scalar(sa.select(Goal).where(Goal.student_id == school.student.id))
    page = client.get("/goals").get_data(as_text=True)
    assert "Restore the truck" in page and "Badge: Vehicle Restoration" in page

    response = client.post(
        f"/goals/{goal.id}/edit", data={"title": "Brakes first", "target_date": ""}
    )
    assert response.status_code == 302
    db.session.refresh(goal)
    assert (goal.title, goal.target_date) == ("Brakes first", None)

    assert client.post(f"/goals/{goal.id}/delete").status_code == 302
    assert db.session.get(Goal, goal.id) is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the goal a title"),
        ({"target_date": "2001-01-01"}, "has already passed"),
        ({"target_date": "next tuesday"}, "Not a valid date value"),
        ({"badge_id": "not-a-number"}, "Invalid Choice"),
        ({"kind": "quest"}, "Not a valid choice"),
        ({"kind": "pathway"}, "Choose one of the pathways open to you"),
        ({"kind": "pathway", "pathway_id": "99999"}, "Choose one of the pathways open to you"),
        ({"kind": "standard", "standard": "Made Up — Standard"}, "standards your badges align"),
    ],
)
def test_goals_page_bad_input_is_400_with_message(client, login, school, changes, message):
    login(school.student)
    response = client.post("/goals", data=_form(school.badge.id, **changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Goal)) == 0


def test_goals_page_badge_of_another_class_is_400(client, login, school, make_badge):
    algebra_badge = make_badge(
        school.other_instructor, name="Linear Equations", class_id=school.algebra.id
    )
    login(school.student)
    response = client.post("/goals", data=_form(algebra_badge.id))
    assert response.status_code == 400
    assert "Choose one of the badges open to you" in response.get_data(as_text=True)


def test_goal_pages_of_another_student_are_404(client, login, school, now):
    goal = goals.create_goal(_badge_goal(school.badge.id), student=school.student, now=now)
    db.session.commit()
    login(school.classmate)
    assert client.get(f"/goals/{goal.id}/edit").status_code == 404
    assert client.post(f"/goals/{goal.id}/edit", data={"title": "Mine"}).status_code == 404
    assert client.post(f"/goals/{goal.id}/delete").status_code == 404
    assert db.session.get(Goal, goal.id) is not None
