"""The demo school shows Sam's goals, reflection and profile, and a counselor who follows him."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.counselors import assigned_students
from app.accounts.models import User
from app.cli import cli
from app.evidence.models import Goal
from app.extensions import db
from app.goals.models import Reflection
from tests.evidence.test_demo import demo_app  # noqa: F401 (the fixture)
from tests.fixtures.signin import sign_in


def test_demo_seed_has_sams_goals_and_a_counselor(demo_app):  # noqa: F811
    result = demo_app.test_cli_runner().invoke(cli, args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "counselor@maplegrove.example" in result.output
    with demo_app.app_context():
        sam = db.session.scalar(sa.select(User).where(User.email == "sam@maplegrove.example"))
        titles = db.session.scalars(
            sa.select(Goal.title).where(Goal.student_id == sam.id).order_by(Goal.id)
        ).all()
        # The demo term (app/demo_term.py) gives Sam badge goals of its own besides these.
        assert {
            "Finish the truck and show the whole restoration",
            "Chart the engine temperature data",
            "Get good at breaking big jobs down",
        } <= set(titles)
        reflection = db.session.scalars(sa.select(Reflection)).one()
        assert reflection.student_id == sam.id and reflection.submission_id is not None
        dana = db.session.scalar(sa.select(User).where(User.name == "Morgan Brooks"))
        assert sam in assigned_students(dana) and len(assigned_students(dana)) == 4

        client = sign_in(demo_app.test_client(), sam)
        page = client.get("/dashboard/student").get_data(as_text=True)
        assert "Chart the engine temperature data" in page and "in 10 days" in page
        assert "NGSS HS-ETS1-2" in page
        client = sign_in(demo_app.test_client(), dana)
        profile = client.get(f"/learners/{sam.id}/profile").get_data(as_text=True)
        assert "Old trucks, welding" in profile
