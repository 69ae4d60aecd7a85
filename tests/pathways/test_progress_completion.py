"""A learner's map (earned, in review, pursuing, open, locked), the class grid, and completion."""

from __future__ import annotations

import pytest

from app.badges.models import IssuedCredential
from app.errors import UserError
from app.evidence import services as evidence
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.pathways.completion import completion_of
from app.pathways.completion import confirm_completion
from app.pathways.models import CompletionState
from app.pathways.progress import StepState
from app.pathways.progress import class_progress
from app.pathways.progress import learner_progress
from tests.pathways.conftest import send_for_review


def _states(progress):
    return [s.state for s in progress.steps]


def test_progress_states_and_next_step(school, shop_badges, make_badge, make_pathway, earn, now):
    restoration, diagnostics, safety = shop_badges
    welding = make_badge(
        school.instructor,
        now=now,
        name="Welding",
        class_id=school.auto_shop.id,
        accepted_kinds=["text"],
    )
    pathway = make_pathway(badges=[*shop_badges, welding], requires={3: [1]})
    earn(restoration)
    send_for_review(diagnostics, school.student, now)
    evidence.start_goal(safety, student=school.student, now=now)
    db.session.commit()
    progress = learner_progress(pathway, school.student)
    assert _states(progress) == [
        StepState.EARNED,
        StepState.IN_REVIEW,
        StepState.PURSUING,
        StepState.LOCKED,
    ]
    assert progress.steps[3].missing == (diagnostics,)
    assert [s.badge for s in progress.next_steps] == [safety]
    assert progress.earned == 1 and not progress.complete


def test_student_map_page_and_class_grid(client, login, school, shop_badges, make_pathway, earn):
    pathway = make_pathway(requires={1: [2]})
    earn(shop_badges[0])
    login(school.student)
    page = client.get(f"/pathways/{pathway.id}").get_data(as_text=True)
    assert "1</strong> of 3 badges earned" in page
    assert "What to do next" in page and "Earn “Shop Safety” first." in page
    assert "Locked" in page and "Earned" in page
    login(school.instructor)
    grid = client.get(f"/pathways/{pathway.id}").get_data(as_text=True)
    assert "Sam Student" in grid and "Olga Other" in grid
    assert "(after Shop Safety)" in grid
    rows = class_progress(pathway)
    assert [r.learner.name for r in rows] == ["Olga Other", "Sam Student"]
    assert _states(rows[1])[0] == StepState.EARNED
    # Shop Safety moved before Engine Diagnostics, which requires it.
    assert [s.badge.name for s in rows[0].steps] == [
        "Vehicle Restoration",
        "Shop Safety",
        "Engine Diagnostics",
    ]
    assert _states(rows[0]) == [StepState.OPEN, StepState.OPEN, StepState.LOCKED]
    listing = client.get("/pathways").get_data(as_text=True)
    assert "Automotive Technician, Level 1" in listing


def test_completion_offered_then_confirmed_by_instructor(
    client, login, school, shop_badges, make_pathway, earn
):
    pathway = make_pathway()
    for badge in shop_badges[:2]:
        earn(badge)
    assert completion_of(pathway, school.student) is None
    earn(shop_badges[2])
    completion = completion_of(pathway, school.student)
    assert completion.state == CompletionState.OFFERED and completion.credential_id is None
    login(school.student)
    assert "your instructor will confirm" in client.get(f"/pathways/{pathway.id}").get_data(
        as_text=True
    )
    login(school.other_instructor)
    url = f"/pathways/{pathway.id}/completions/{completion.id}/confirm"
    assert client.post(url).status_code == 403
    login(school.instructor)
    assert "Confirm and issue" in client.get(f"/pathways/{pathway.id}").get_data(as_text=True)
    assert client.post(url).status_code == 302
    db.session.refresh(completion)
    assert completion.state == CompletionState.ISSUED
    credential = db.session.get(IssuedCredential, completion.credential_id)
    assert credential.badge_id == pathway.badge_id
    assert credential.recipient_id == school.student.id
    assert credential.issued_by_id == school.instructor.id
    # Confirming twice says so.
    response = client.post(url)
    assert response.status_code == 400
    assert "already holds" in response.get_data(as_text=True)


def test_completion_issued_automatically(client, login, school, shop_badges, make_pathway, earn):
    pathway = make_pathway(required_count=2, auto_issue=True)
    earn(shop_badges[0])
    assert completion_of(pathway, school.student) is None
    earn(shop_badges[2])
    completion = completion_of(pathway, school.student)
    assert completion.state == CompletionState.ISSUED
    credential = completion.credential
    assert credential.badge.achievement_type == "LearningProgram"
    assert '"achievementType": "LearningProgram"' in credential.json_text
    login(school.student)
    page = client.get(f"/pathways/{pathway.id}").get_data(as_text=True)
    assert "You completed this pathway" in page
    assert f"/credentials/{credential.id}" in page
    # A third badge after completion issues nothing more.
    earn(shop_badges[1])
    assert db.session.query(IssuedCredential).filter_by(badge_id=pathway.badge_id).count() == 1


def test_edit_lowering_any_n_settles_learners_already_there(
    client, login, school, shop_badges, make_pathway, earn
):
    pathway = make_pathway()
    earn(shop_badges[0])
    login(school.instructor)
    response = client.post(
        f"/pathways/{pathway.id}/edit",
        data={
            "name": pathway.name,
            "description": "Any one.",
            "class_id": str(school.auto_shop.id),
            "rule": "any",
            "any_count": "1",
            "badges": [str(b.id) for b in shop_badges],
        },
    )
    assert response.status_code == 302
    assert completion_of(pathway, school.student).state == CompletionState.OFFERED


def test_confirm_refused_when_a_badge_was_revoked_since(
    school, shop_badges, make_pathway, earn, now
):
    pathway = make_pathway(badges=shop_badges[:1])
    credential = earn(shop_badges[0])
    completion = completion_of(pathway, school.student)
    change_credential_status(
        credential,
        StatusChange.REVOKE,
        actor=school.instructor,
        reason="Issued in error.",
        ctx=issuing_context(),
        now=now,
    )
    with pytest.raises(UserError, match="no longer completes"):
        confirm_completion(completion, ctx=issuing_context(), actor=school.instructor, now=now)


def test_other_instructor_sees_pathway_but_not_the_class(
    client, login, school, shop_badges, make_pathway, earn
):
    pathway = make_pathway()
    earn(shop_badges[0])
    login(school.other_instructor)
    page = client.get(f"/pathways/{pathway.id}").get_data(as_text=True)
    assert "Engine Diagnostics" in page
    assert "Sam Student" not in page
    assert "Only the instructors of this pathway’s class" in page


def test_cli_issue_completes_an_automatic_pathway(school, shop_badges, make_pathway, runner):
    from app.cli import cli

    pathway = make_pathway(badges=shop_badges[:1], auto_issue=True)
    result = runner.invoke(
        cli, args=["issue", "--badge", shop_badges[0].slug, "--email", school.student.email]
    )
    assert result.exit_code == 0, result.output
    completion = completion_of(pathway, school.student)
    assert completion.state == CompletionState.ISSUED
    assert completion.credential.issued_by_id is None
