"""A counselor for the school of tests/fixtures/school.py, assigned to Sam."""

from __future__ import annotations

import pytest

from app.accounts.counselors import assign_counselor
from app.accounts.models import Role
from app.extensions import db


@pytest.fixture
def counselor(school, make_user, now):
    """Cora, Sam's counselor: in no class."""
    cora = make_user(Role.COUNSELOR, name="Cora Counselor")
    assign_counselor(cora, school.student, now=now)
    db.session.commit()
    return cora


@pytest.fixture
def other_counselor(make_user):
    """Carl, a counselor with no student assigned."""
    return make_user(Role.COUNSELOR, name="Carl Counselor")
