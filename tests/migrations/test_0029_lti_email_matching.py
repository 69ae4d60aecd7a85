"""Migration 0029: platforms registered before it keep matching by email; new ones do not."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.fixtures.app import _config

NOW = "2026-12-04 10:00:00"
PLATFORM = (
    "INSERT INTO lti_platform (id, name, issuer, client_id, auth_login_url, auth_token_url,"
    " key_set_url, token_audience, created_at) VALUES (:id, 'LMS', :issuer, 'laurel',"
    " 'https://lms.test/auth', 'https://lms.test/token', 'https://lms.test/jwks', '', :now)"
)


@pytest.fixture
def database(tmp_path, keys_dir):
    application = create_app(_config(tmp_path, f"sqlite:///{tmp_path / 'old.db'}", keys_dir))
    with application.app_context():
        upgrade(revision="0028counselorroster")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(PLATFORM), {"id": 1, "issuer": "https://old.lms.test", "now": NOW}
            )
        yield application
        db.engine.dispose()


def _matching() -> dict[int, bool]:
    with db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, match_by_email FROM lti_platform"))
        return {row.id: bool(row.match_by_email) for row in rows}


def test_an_upgrade_keeps_email_matching_for_the_platforms_there_were(database):
    upgrade(revision="0029ltiemail")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(PLATFORM), {"id": 2, "issuer": "https://new.lms.test", "now": NOW}
        )
    assert _matching() == {1: True, 2: False}
    downgrade(revision="0028counselorroster")
    assert "match_by_email" not in {
        column["name"] for column in sa.inspect(db.engine).get_columns("lti_platform")
    }
