"""The demo school's Vehicle Restoration badge is endorsed by a local garage."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.cli import cli
from app.endorsements.models import Endorsement
from app.extensions import db
from tests.evidence.test_demo import demo_app  # noqa: F401 (the fixture)


def test_demo_seed_has_a_garage_endorsement_of_vehicle_restoration(demo_app):  # noqa: F811
    result = demo_app.test_cli_runner().invoke(cli, args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        endorsement = db.session.scalars(sa.select(Endorsement)).one()
        assert endorsement.badge.name == "Vehicle Restoration"
        assert endorsement.credential_id is None
        document = json.loads(endorsement.json_text)
        assert document["issuer"]["description"] == "Owner, Riverside Garage"
        assert ":endorsers:" in document["issuer"]["id"]
        slug = endorsement.badge.achievement_uuid
    page = demo_app.test_client().get(f"/achievements/{slug}")
    assert "Riverside Garage" in page.text
