"""Fixtures for the sharing tests: a school, a badge and an issued credential."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.credentials.document import EvidenceData
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.keyring import issuing_context
from tests.fixtures.badges import badge_input

PUBLIC_EVIDENCE = EvidenceData(
    id="https://laurel.test/evidence/public/1",
    name="Photo log of the restoration",
    narrative="Twelve photos from frame to paint.",
    genre="Photo",
)


@dataclass(frozen=True)
class School:
    auto_shop: SchoolClass
    instructor: User
    student: User
    other_student: User
    admin: User


@pytest.fixture
def school(make_user, make_class) -> School:
    """A class with its instructor and a student, another student and an admin."""
    instructor = make_user(Role.INSTRUCTOR, name="Ines Instructor")
    student = make_user(Role.STUDENT, name="Sam Student")
    auto_shop = make_class("Auto Shop 1", instructors=[instructor], students=[student])
    return School(
        auto_shop=auto_shop,
        instructor=instructor,
        student=student,
        other_student=make_user(Role.STUDENT),
        admin=make_user(Role.ADMIN),
    )

@pytest.fixture
def make_credential(school, now):
    """make_credential(level=, recipient=, evidence=, issued_at=, **badge fields) -> credential."""

    def make(
        level: str = "Proficient",
        recipient=None,
        evidence=(PUBLIC_EVIDENCE,),
        issued_at=None,
        **badge_fields,
    ):
        moment = issued_at or now
        badge_fields.setdefault("class_id", school.auto_shop.id)
        badge = create_badge(badge_input(**badge_fields), actor=school.instructor, now=moment)
        publish_badge(badge, actor=school.instructor, now=moment)
        level_id = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == level)
        credential = issue_credential(
            issuing_context(),
            badge=badge,
            recipient=recipient or school.student,
            level_id=level_id,
            issued_by=school.instructor,
            now=moment,
            evidence=evidence,
        )
        db.session.commit()
        return credential

    return make


@pytest.fixture
def issued(make_credential):
    """A credential for the student at Proficient, expiring after 12 months."""
    return make_credential(expiry_months=12)
