"""A term of known progress in Auto Shop 1, made through the real services.

Term: Monday 2026-09-07 to Sunday 2026-11-29 (twelve weeks). Badges of Auto Shop 1:
"Brakes" (standards A5 and A6) and "Engines" (A6); Algebra 2 has "Algebra Only" (M1).

* Sam sends Brakes on 09-10, approved at Proficient on 09-12 (2 days).
* Olga sends Engines on 09-20; changes requested on 09-21 (1 day); she sends it again
  on 09-22 and it is approved at Mastery on 09-25 (3 days).
* Olga's Brakes, approved on 10-05, is revoked: it counts nowhere.
* Sam sends Engines on 11-18: still waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

import pytest

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.services import AlignmentInput
from app.evidence import services
from app.evidence.models import Submission
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.pathways.services import PathwayInput
from app.pathways.services import StepInput
from app.pathways.services import create_pathway

TERM = {"from": "2026-09-07", "to": "2026-11-29"}
A5 = AlignmentInput(name="Brakes", url="https://standards.example/a5", framework="ASE", code="A5")
A6 = AlignmentInput(
    name="Suspension and steering", url="https://standards.example/a6", framework="ASE", code="A6"
)
M1 = AlignmentInput(name="Linear functions", url="https://standards.example/m1", code="M1")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def level(badge: Badge, name: str) -> str:
    return next(lv["id"] for lv in badge.rubric_levels if lv["name"] == name)


def send(badge: Badge, student: User, when: datetime, submission: Submission | None = None):
    """Start (or reuse) a submission with a text and a reflection, and send it for review."""
    if submission is None:
        submission = services.start_submission(badge, student=student, now=when)
        services.add_text(submission, student=student, text="My log.", now=when)
    services.save_draft(
        submission, student=student, reflection="Done.", criteria_reflections={}, now=when
    )
    services.submit(submission, student=student, now=when)
    return submission


@dataclass
class Term:
    brakes: Badge
    engines: Badge
    algebra_badge: Badge


@pytest.fixture
def term_badges(school, make_badge) -> Term:
    """The term's badges, before anyone sends anything."""
    teacher = school.instructor
    created = at("2026-09-01")
    kinds = ["text", "link"]

    def make(owner: User, name: str, alignments, school_class) -> Badge:
        return make_badge(
            owner,
            now=created,
            name=name,
            alignments=alignments,
            class_id=school_class.id,
            accepted_kinds=kinds,
        )

    return Term(
        brakes=make(teacher, "Brakes", [A5, A6], school.auto_shop),
        engines=make(teacher, "Engines", [A6], school.auto_shop),
        algebra_badge=make(school.other_instructor, "Algebra Only", [M1], school.algebra),
    )


@pytest.fixture
def term(school, term_badges) -> Term:
    """The term's badges, and its submissions, feedback and credentials."""
    teacher = school.instructor
    brakes, engines = term_badges.brakes, term_badges.engines
    ctx = issuing_context()
    sam, olga = school.student, school.classmate

    first = send(brakes, sam, at("2026-09-10"))
    services.approve(
        first,
        ctx=ctx,
        reviewer=teacher,
        level_id=level(brakes, "Proficient"),
        feedback="",
        now=at("2026-09-12"),
    )
    second = send(engines, olga, at("2026-09-20"))
    services.request_changes(second, reviewer=teacher, feedback="More.", now=at("2026-09-21"))
    send(engines, olga, at("2026-09-22"), submission=second)
    services.approve(
        second,
        ctx=ctx,
        reviewer=teacher,
        level_id=level(engines, "Mastery"),
        feedback="",
        now=at("2026-09-25"),
    )
    revoked = send(brakes, olga, at("2026-10-01"))
    credential = services.approve(
        revoked, ctx=ctx, reviewer=teacher, level_id=None, feedback="", now=at("2026-10-05")
    )
    change_credential_status(
        credential,
        StatusChange.REVOKE,
        ctx=ctx,
        actor=teacher,
        reason="Not her work.",
        now=at("2026-10-06"),
    )
    send(engines, sam, at("2026-11-18"))
    db.session.commit()
    return term_badges


@pytest.fixture
def term_pathways(school, term_badges):
    """Two pathways of Auto Shop 1, made before the term's work: "Shop Basics" needs both
    badges, "Either Way" any one of them; and Algebra 2's own, which Auto Shop never shows."""

    def make(name, badges, actor, school_class, required_count=None):
        return create_pathway(
            PathwayInput(
                name=name,
                description=f"{name}, a route through the term's badges.",
                class_id=school_class.id,
                steps=[StepInput(b.id, ()) for b in badges],
                required_count=required_count,
                auto_issue=False,
            ),
            actor=actor,
            now=at("2026-09-02"),
        )

    made = (
        make(
            "Shop Basics",
            [term_badges.brakes, term_badges.engines],
            school.instructor,
            school.auto_shop,
        ),
        make(
            "Either Way",
            [term_badges.brakes, term_badges.engines],
            school.instructor,
            school.auto_shop,
            required_count=1,
        ),
        make("Algebra Route", [term_badges.algebra_badge], school.other_instructor, school.algebra),
    )
    db.session.commit()
    return made
