"""Migration 0005 (the trust list table): upgrades a database with data, and is reversible."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.fixtures.app import _config

NOW = "2026-12-03 10:00:00"


@pytest.fixture
def database(tmp_path, keys_dir):
    application = create_app(_config(tmp_path, f"sqlite:///{tmp_path / 'old.db'}", keys_dir))
    with application.app_context():
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO user (id, email, name, role, learner_uuid, identity_salt,"
                    " is_active_account, session_token, created_at) VALUES (1, 'a@school.test',"
                    " 'Ada', 'ADMIN', 'u-1', 'salt', 1, 'token', :now)"
                ),
                {"now": NOW},
            )
        yield application
        db.engine.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_migration_0005_upgrade_downgrade_upgrade(database):
    upgrade(revision="0005")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO trusted_issuer (identifier, name, note, added_at, added_by)"
                " VALUES ('did:web:district.example', 'Lakeside', '', :now, 'a@school.test')"
            ),
            {"now": NOW},
        )
        with pytest.raises(sa.exc.IntegrityError):
            with connection.begin_nested():
                connection.execute(
                    sa.text(
                        "INSERT INTO trusted_issuer (identifier, name, note, added_at, added_by)"
                        " VALUES ('did:web:district.example', 'Again', '', :now, 'x')"
                    ),
                    {"now": NOW},
                )
    downgrade(revision="0004")
    assert "trusted_issuer" not in _tables()
    assert "user" in _tables()
    upgrade(revision="0005")
    assert "trusted_issuer" in _tables()
