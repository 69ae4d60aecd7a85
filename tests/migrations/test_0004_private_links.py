"""Migration 0004 on a database holding data: tokens drawn per row, sharing kept, reversible."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from tests.fixtures.app import _config

NOW = "2026-11-23 10:00:00"
ROWS = [
    "INSERT INTO user (id, email, name, role, learner_uuid, identity_salt, is_active_account,"
    " created_at) VALUES (1, 'sam@school.test', 'Sam', 'STUDENT', 'u-1', 'salt', 1, :now)",
    "INSERT INTO badge (id, slug, achievement_uuid, name, description, criteria_narrative,"
    " criteria_items, evidence_prompt, accepted_kinds, rubric_levels, alignments, tags,"
    " achievement_type, state, version, revision, created_at, updated_at) VALUES (1, 'b', 'a-1',"
    " 'B', 'd', 'c', '[]', '', '[]', '[]', '[]', '[]', 'Badge', 'PUBLISHED', 1, 1, :now, :now)",
    "INSERT INTO submission (id, badge_id, badge_version, student_id, state, reflection,"
    " criteria_reflections, round, created_at, updated_at) VALUES (1, 1, 1, 1, 'APPROVED', 'r',"
    " '{}', 1, :now, :now)",
    "INSERT INTO evidence_item (id, submission_id, position, kind, title, description, public,"
    " created_at) VALUES (1, 1, 0, 'FILE', 'Photo', '', 1, :now), (2, 1, 1, 'TEXT', 'Notes', '',"
    " 0, :now)",
    "INSERT INTO issued_credential (id, badge_id, badge_version, recipient_id, issued_at,"
    " json_text, revocation_index, suspension_index, state, share_enabled, share_token)"
    " VALUES ('c-shared', 1, 1, 1, :now, '{}', 1, 1, 'ACTIVE', 1, 'share-token-1'),"
    " ('c-private', 1, 1, 1, :now, '{}', 2, 2, 'ACTIVE', 0, 'share-token-2')",
]


@pytest.fixture
def old_database(tmp_path, keys_dir):
    """A SQLite database at revision 0001 with two credentials and two evidence items."""
    application = create_app(_config(tmp_path, f"sqlite:///{tmp_path / 'old.db'}", keys_dir))
    with application.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            for statement in ROWS:
                connection.execute(sa.text(statement), {"now": NOW})
        yield application
        db.engine.dispose()


def _rows(query: str) -> list:
    with db.engine.connect() as connection:
        return connection.execute(sa.text(query)).all()


def test_migration_0004_upgrade_with_data_distinct_tokens_sharing_kept(old_database):
    upgrade(revision="0004")
    credentials = _rows(
        "SELECT id, share_enabled, share_token, verify_enabled, verify_token"
        " FROM issued_credential ORDER BY id"
    )
    assert [(row[0], bool(row[1]), row[2]) for row in credentials] == [
        ("c-private", False, "share-token-2"),
        ("c-shared", True, "share-token-1"),
    ]
    assert all(row[3] for row in credentials)
    tokens = [row[4] for row in credentials] + [
        row[0] for row in _rows("SELECT public_token FROM evidence_item")
    ]
    assert len(set(tokens)) == 4 and all(len(token) >= 32 for token in tokens)


def test_migration_0004_downgrade_keeps_rows(old_database):
    upgrade(revision="0004")
    downgrade(revision="0001")
    assert len(_rows("SELECT id FROM issued_credential")) == 2
    assert len(_rows("SELECT id FROM evidence_item")) == 2
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("issued_credential")}
    assert "verify_token" not in columns
