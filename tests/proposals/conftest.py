"""A proposal by the school's student, in Auto Shop 1, ready to be sent or decided."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal

STANDARD_URL = "https://standards.example/ase/a5"


def proposal_input(**changes) -> services.ProposalInput:
    """A complete ProposalInput; keyword arguments replace any field."""
    values = dict(
        title="Bicycle Wheel Builder",
        learning="Lacing, tensioning and truing a bicycle wheel.",
        criteria="Build a **true** wheel that keeps its tension after a ride.",
        evidence_plan="A video of the truing stand and a tension log.",
        standards=[STANDARD_URL],
    )
    values.update(changes)
    return services.ProposalInput(**values)


@pytest.fixture
def make_proposal(school, now):
    """make_proposal(submitted=True, **ProposalInput fields) -> a committed Proposal by Sam.

    The school's badge is made first, so its standard (ASE A5 Brakes) is a known one.
    """

    def make(*, submitted: bool = True, **changes) -> Proposal:
        assert school.badge.alignments
        proposal = services.create_proposal(
            proposal_input(**changes), student=school.student, class_id=school.auto_shop.id, now=now
        )
        if submitted:
            services.submit_proposal(proposal, student=school.student, expected_version=1, now=now)
        db.session.commit()
        return proposal

    return make
