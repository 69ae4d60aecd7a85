"""A goal may aim at a pathway: its progress is the pathway's own count, on every page that
lists goals, and an archived or removed pathway leaves the goal readable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.errors import Conflict
from app.errors import UserError
from app.evidence import goals
from app.evidence.goals import GoalInput
from app.evidence.models import Goal
from app.evidence.models import GoalKind
from app.extensions import db
from app.pathways.archive import archive_pathway
from app.pathways.archive import delete_pathway
from app.pathways.progress import learner_progress


def _pathway_goal(pathway_id, title="Become a technician") -> GoalInput:
    return GoalInput(GoalKind.PATHWAY, title, None, pathway_id=pathway_id)


def _status(student, now):
    """The student's pathway goal (starting a submission adds a badge goal beside it)."""
    statuses = goals.goal_statuses(student, today=now.date())
    (status,) = [s for s in statuses if s.goal.kind == GoalKind.PATHWAY]
    return status


def test_pathway_goal_progress_counts_as_the_pathway_map(school, make_pathway, earn, now):
    pathway = make_pathway(required_count=2)
    goal = goals.create_goal(_pathway_goal(pathway.id), student=school.student, now=now)
    db.session.commit()
    assert (goal.kind, goal.pathway_id, goal.badge_id) == (GoalKind.PATHWAY, pathway.id, None)
    status = _status(school.student, now)
    assert (status.target, status.progress, status.reached) == (
        "Pathway: Automotive Technician, Level 1",
        "0 of 2 badges earned",
        False,
    )

    earn(pathway.steps[0].badge)
    status = _status(school.student, now)
    assert learner_progress(pathway, school.student).earned == 1
    assert status.progress == "1 of 2 badges earned" and not status.reached

    earn(pathway.steps[2].badge)
    status = _status(school.student, now)
    assert (status.progress, status.reached) == ("2 of 2 badges earned", True)
    assert learner_progress(pathway, school.student).complete


def test_pathways_open_to_are_those_of_the_students_class(school, make_pathway):
    pathway = make_pathway()
    assert goals.pathways_open_to(school.student) == [pathway]
    # Otto is in no class: Auto Shop's pathway is not his to aim at.
    assert goals.pathways_open_to(school.other_student) == []


def test_pathway_goal_of_another_class_unknown_or_twice_refused(school, make_pathway, now):
    pathway = make_pathway()
    for student, pathway_id in ((school.other_student, pathway.id), (school.student, None)):
        with pytest.raises(UserError, match="pathways open to you"):
            goals.create_goal(_pathway_goal(pathway_id), student=student, now=now)
    with pytest.raises(UserError, match="pathways open to you"):
        goals.create_goal(_pathway_goal(pathway.id + 1000), student=school.student, now=now)
    goals.create_goal(_pathway_goal(pathway.id), student=school.student, now=now)
    with pytest.raises(Conflict, match="already one of your goals"):
        goals.create_goal(_pathway_goal(pathway.id, "Again"), student=school.student, now=now)


def test_archived_pathway_refused_for_new_goals_and_named_on_old_ones(
    school, make_pathway, client, login, now
):
    pathway = make_pathway()
    goals.create_goal(_pathway_goal(pathway.id), student=school.student, now=now)
    archive_pathway(pathway, actor=school.instructor, now=now)
    db.session.commit()
    assert goals.pathways_open_to(school.student) == []
    assert _status(school.student, now).progress == "0 of 3 badges earned (the pathway is archived)"
    login(school.student)
    for url in ("/goals", "/dashboard/student", f"/learners/{school.student.id}/profile"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "the pathway is archived" in response.get_data(as_text=True), url


def test_removed_pathway_leaves_the_goal_in_the_students_words(
    school, make_pathway, client, login, now
):
    pathway = make_pathway()
    goal = goals.create_goal(_pathway_goal(pathway.id), student=school.student, now=now)
    db.session.commit()
    # Nobody has started it (a goal is no start), so its instructor may delete it.
    assert delete_pathway(pathway, actor=school.instructor) == "Automotive Technician, Level 1"
    db.session.commit()
    db.session.refresh(goal)
    assert (goal.kind, goal.pathway_id, goal.title) == (
        GoalKind.PATHWAY,
        None,
        "Become a technician",
    )
    status = _status(school.student, now)
    assert (status.target, status.progress, status.reached) == (
        "Pathway: no longer offered",
        "the pathway was removed",
        False,
    )
    login(school.student)
    for url in ("/goals", "/dashboard/student", f"/goals/{goal.id}/edit"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no longer offered" in response.get_data(as_text=True), url


def test_goals_page_offers_pathways_and_sets_a_pathway_goal(school, make_pathway, client, login):
    pathway = make_pathway()
    login(school.student)
    page = client.get("/goals").get_data(as_text=True)
    assert f'<option value="{pathway.id}">Automotive Technician, Level 1</option>' in page
    response = client.post(
        "/goals",
        data={"title": "Level 1 by June", "kind": "pathway", "pathway_id": str(pathway.id)},
    )
    assert response.status_code == 302
    goal = db.session.scalar(sa.select(Goal).where(Goal.student_id == school.student.id))
    assert (goal.kind, goal.pathway_id) == (GoalKind.PATHWAY, pathway.id)
    dashboard = client.get("/dashboard/student").get_data(as_text=True)
    assert "Level 1 by June" in dashboard and "0 of 3 badges earned" in dashboard
