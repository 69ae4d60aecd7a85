"""The demo school has a student-proposed badge in discussion."""

from __future__ import annotations

import sqlalchemy as sa

from app.cli import cli
from app.extensions import db
from app.proposals.models import Proposal
from app.proposals.models import ProposalState
from tests.evidence.test_demo import demo_app  # noqa: F401 (the fixture)


def test_demo_seed_has_a_proposal_in_discussion(demo_app):  # noqa: F811
    result = demo_app.test_cli_runner().invoke(cli, args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        proposal = db.session.scalars(sa.select(Proposal)).one()
        assert proposal.student.name == "Leo Okafor"
        assert proposal.state == ProposalState.SUBMITTED
        assert [v.author.name for v in proposal.versions] == [
            "Leo Okafor",
            "Jordan Lee",
            "Leo Okafor",
        ]
        assert [e.kind.value for e in proposal.events] == ["submitted", "comment", "comment"]
        assert proposal.current.standards[0]["code"] == "HS-ETS1-2"
