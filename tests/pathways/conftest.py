"""Auto Shop's three badges, a pathway factory, and earning a badge the way a student does."""

from __future__ import annotations

import pytest

from app.evidence import services as evidence
from app.extensions import db
from app.keyring import issuing_context
from app.pathways.services import PathwayInput
from app.pathways.services import StepInput
from app.pathways.services import create_pathway
from tests.fixtures.school import ALL_EVIDENCE_KINDS


@pytest.fixture
def shop_badges(school, make_badge, now):
    """Vehicle Restoration, Engine Diagnostics and Shop Safety, published for Auto Shop 1."""
    return [
        make_badge(
            school.instructor,
            now=now,
            name=name,
            class_id=school.auto_shop.id,
            accepted_kinds=ALL_EVIDENCE_KINDS,
            tags=[],
        )
        for name in ("Vehicle Restoration", "Engine Diagnostics", "Shop Safety")
    ]


@pytest.fixture
def make_pathway(school, shop_badges, now):
    """make_pathway(requires={index: [indexes]}, required_count=None, auto_issue=False)."""

    def make(*, requires=None, required_count=None, auto_issue=False, badges=None, actor=None):
        chosen = shop_badges if badges is None else badges
        requires = requires or {}
        pathway = create_pathway(
            PathwayInput(
                name="Automotive Technician, Level 1",
                description="Restores, diagnoses and works safely in the shop.",
                class_id=school.auto_shop.id,
                steps=[
                    StepInput(b.id, tuple(chosen[i].id for i in requires.get(n, ())))
                    for n, b in enumerate(chosen)
                ],
                required_count=required_count,
                auto_issue=auto_issue,
            ),
            actor=actor or school.instructor,
            now=now,
        )
        db.session.commit()
        return pathway

    return make


def send_for_review(badge, student, now):
    """A text and a reflection, submitted: the submission waits in the review queue."""
    submission = evidence.start_submission(badge, student=student, now=now)
    evidence.add_text(submission, student=student, text="My work log.", now=now)
    evidence.save_draft(
        submission,
        student=student,
        reflection="It meets the criteria.",
        criteria_reflections={},
        now=now,
    )
    evidence.submit(submission, student=student, now=now)
    return submission


@pytest.fixture
def earn(school, now):
    """earn(badge, student=None) -> the credential, through submission and approval."""

    def run(badge, student=None):
        submission = send_for_review(badge, student or school.student, now)
        credential = evidence.approve(
            submission,
            ctx=issuing_context(),
            reviewer=school.instructor,
            level_id=None,
            feedback="",
            now=now,
        )
        db.session.commit()
        return credential

    return run
