"""Prerequisites block evidence for a badge until the badges it requires are earned."""

from __future__ import annotations

import pytest

from app.errors import NotAllowed
from app.evidence import services as evidence
from app.extensions import db
from app.pathways.services import PathwayInput
from app.pathways.services import StepInput
from app.pathways.services import update_pathway


def test_start_submission_blocked_until_prerequisite_earned(
    client, login, school, shop_badges, make_pathway, earn
):
    restoration, diagnostics, safety = shop_badges
    make_pathway(requires={1: [2]})  # Engine Diagnostics after Shop Safety
    login(school.student)
    response = client.post(f"/badges/{diagnostics.slug}/submission")
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    assert "“Engine Diagnostics” needs “Shop Safety” first" in text
    earn(safety)
    login(school.student)
    response = client.post(f"/badges/{diagnostics.slug}/submission")
    assert response.status_code == 302 and "/submissions/" in response.headers["Location"]


def test_submit_blocked_when_prerequisite_added_after_draft(school, shop_badges, make_pathway, now):
    restoration, diagnostics, safety = shop_badges
    pathway = make_pathway()
    draft = evidence.start_submission(diagnostics, student=school.student, now=now)
    evidence.add_text(draft, student=school.student, text="Log.", now=now)
    evidence.save_draft(
        draft, student=school.student, reflection="Done.", criteria_reflections={}, now=now
    )
    update_pathway(
        pathway,
        PathwayInput(
            name=pathway.name,
            description="Safety first.",
            class_id=school.auto_shop.id,
            steps=[
                StepInput(safety.id),
                StepInput(diagnostics.id, (safety.id, restoration.id)),
                StepInput(restoration.id),
            ],
        ),
        actor=school.instructor,
        now=now,
    )
    db.session.commit()
    with pytest.raises(NotAllowed, match="needs “Shop Safety” and “Vehicle Restoration” first"):
        evidence.submit(draft, student=school.student, now=now)


def test_prerequisites_of_another_class_pathway_do_not_apply(school, make_badge, now):
    """A school-wide badge required only in Auto Shop's pathway stays open to other learners."""
    from app.pathways.services import create_pathway

    second = make_badge(school.instructor, now=now, name="Lift Use", accepted_kinds=["text"])
    shop_only_first = make_badge(
        school.instructor,
        now=now,
        name="Shop Tour",
        class_id=school.auto_shop.id,
        accepted_kinds=["text"],
    )
    create_pathway(
        PathwayInput(
            name="Shop pathway",
            description="Auto Shop only.",
            class_id=school.auto_shop.id,
            steps=[StepInput(shop_only_first.id), StepInput(second.id, (shop_only_first.id,))],
        ),
        actor=school.instructor,
        now=now,
    )
    db.session.commit()
    with pytest.raises(NotAllowed):
        evidence.start_submission(second, student=school.student, now=now)
    assert evidence.start_submission(second, student=school.other_student, now=now).id


def test_pathway_badge_itself_takes_no_evidence(client, login, school, make_pathway):
    pathway = make_pathway()
    login(school.student)
    response = client.post(f"/badges/{pathway.badge.slug}/submission")
    assert response.status_code == 403
    assert "earned by completing its pathway" in response.get_data(as_text=True)


def test_badge_page_says_what_to_earn_first_instead_of_start(
    client, login, school, shop_badges, make_pathway
):
    restoration, diagnostics, safety = shop_badges
    pathway = make_pathway(requires={1: [2]})
    login(school.student)
    page = client.get(f"/badges/{diagnostics.slug}").get_data(as_text=True)
    assert "Earn “Shop Safety” before you submit evidence for this badge." in page
    assert "Start a submission" not in page
    assert "Start a submission" in client.get(f"/badges/{safety.slug}").get_data(as_text=True)
    page = client.get(f"/badges/{pathway.badge.slug}").get_data(as_text=True)
    assert "is earned by completing" in page and "Start a submission" not in page
