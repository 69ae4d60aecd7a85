"""The demo school has a pathway of two badges, with Maya part-way through."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.cli import cli
from app.extensions import db
from app.pathways.models import Pathway
from app.pathways.progress import StepState
from app.pathways.progress import learner_progress
from tests.evidence.test_demo import demo_app  # noqa: F401 (the fixture)


def test_demo_seed_has_a_pathway_with_maya_part_way(demo_app):  # noqa: F811
    result = demo_app.test_cli_runner().invoke(cli, args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        pathway = db.session.scalars(sa.select(Pathway)).one()
        assert pathway.name == "Automotive Technician, Level 1"
        assert [s.badge.name for s in pathway.steps] == [
            "Data Plotting in Excel",
            "Vehicle Restoration",
        ]
        maya = db.session.scalars(sa.select(User).where(User.name == "Maya Chen")).one()
        progress = learner_progress(pathway, maya)
        assert [s.state for s in progress.steps] == [StepState.EARNED, StepState.PURSUING]
        assert progress.earned == 1 and not progress.complete
        sam = db.session.scalars(sa.select(User).where(User.name == "Sam Ortiz")).one()
        assert learner_progress(pathway, sam).steps[1].state == StepState.IN_REVIEW
