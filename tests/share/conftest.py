"""Fixtures for the sharing tests: a school, a badge and an issued credential."""

from __future__ import annotations

import pytest

from app.badges.services import issue_credential
from app.credentials.document import EvidenceData
from app.extensions import db
from tests.badges.conftest import login  # noqa: F401  (fixtures re-exported for these tests)
from tests.badges.conftest import make_badge  # noqa: F401
from tests.badges.conftest import make_class  # noqa: F401
from tests.badges.conftest import make_user  # noqa: F401
from tests.badges.conftest import school  # noqa: F401

PUBLIC_EVIDENCE = EvidenceData(
    id="https://laurel.test/evidence/public/1",
    name="Photo log of the restoration",
    narrative="Twelve photos from frame to paint.",
    genre="Photo",
)


@pytest.fixture
def make_credential(school, make_badge, now):  # noqa: F811
    """make_credential(level="Proficient", **badge fields) -> a committed IssuedCredential."""

    def make(level: str = "Proficient", recipient=None, evidence=(PUBLIC_EVIDENCE,), **badge_fields):
        badge_fields.setdefault("class_id", school.auto_shop.id)
        badge = make_badge(school.instructor, now=now, **badge_fields)
        level_id = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == level)
        credential = issue_credential(
            badge=badge,
            recipient=recipient or school.student,
            level_id=level_id,
            issued_by=school.instructor,
            now=now,
            evidence=evidence,
        )
        db.session.commit()
        return credential

    return make


@pytest.fixture
def issued(make_credential):
    """A credential for the student at Proficient, expiring after 12 months."""
    return make_credential(expiry_months=12)
