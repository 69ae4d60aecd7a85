"""`laurel demo seed`: the first-run demo school, once, and never over real data."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.cli import cli
from app.evidence.models import Submission
from app.evidence.models import SubmissionState
from app.extensions import db
from app.pathways.models import Pathway

# Maya's "Data Plotting in Excel", and the thirteen of the term of progress.
DEMO_CREDENTIALS = 14


@pytest.fixture
def demo_app(app_config):
    app_config["LAUREL_DEMO"] = True
    from app import create_app

    application = create_app(app_config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_seed_creates_school_then_is_idempotent(demo_app):
    runner = demo_app.test_cli_runner()
    result = runner.invoke(cli, args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Maple Grove High School" in result.output
    assert (
        "admin@maplegrove.example" in result.output and "Password: maplegrove-demo" in result.output
    )
    with demo_app.app_context():
        assert _count(User) == 8
        # The pathway's own badge is checked in tests/pathways/test_demo_pathway.py.
        pathway_badges = sa.select(Pathway.badge_id)
        badges = db.session.scalars(sa.select(Badge).where(Badge.id.not_in(pathway_badges))).all()
        assert {b.name for b in badges} == {
            "Vehicle Restoration",
            "Data Plotting in Excel",
            "Peer Tutor",
            # The term of progress (app/demo_term.py).
            "Shop Safety",
            "Brake Service",
            "Engine Diagnostics",
            "Summary Statistics",
            "Linear Trends",
        }
        assert all(
            b.state == BadgeState.PUBLISHED and b.alignments and len(b.rubric_levels) == 3
            for b in badges
        )
        waiting = db.session.scalars(
            sa.select(Submission).where(Submission.state == SubmissionState.SUBMITTED)
        ).one()
        assert sorted(i.mime_type for i in waiting.items) == [
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/jpeg",
        ]
        credential = db.session.scalars(
            sa.select(IssuedCredential).join(Badge).where(Badge.name == "Data Plotting in Excel")
        ).one()
        assert credential.level_name == "Proficient"
        assert (
            json.loads(credential.json_text)["credentialSubject"]["achievement"]["name"]
            == "Data Plotting in Excel"
        )

    again = runner.invoke(cli, args=["demo", "seed"])
    assert again.exit_code == 0
    assert "already has users" in again.output
    with demo_app.app_context():
        assert _count(User) == 8 and _count(IssuedCredential) == DEMO_CREDENTIALS


def test_demo_seed_disabled_by_setting_does_nothing(runner, app):
    result = runner.invoke(cli, args=["demo", "seed"])
    assert result.exit_code == 0
    assert "LAUREL_DEMO=0" in result.output
    with app.app_context():
        assert _count(User) == 0
