"""Revision 0002 gives every existing account its own session token, and goes back cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from app.extensions import db

USERS = [
    {"id": 1, "email": "ada@school.test", "name": "Ada", "role": "ADMIN"},
    {"id": 2, "email": "sam@school.test", "name": "Sam", "role": "STUDENT"},
    {"id": 3, "email": "ivy@school.test", "name": "Ivy", "role": "INSTRUCTOR"},
]


def _insert_users(connection) -> None:
    for number, user in enumerate(USERS):
        connection.execute(
            sa.text(
                'INSERT INTO "user" (id, email, name, role, learner_uuid, identity_salt, '
                "is_active_account, created_at) VALUES (:id, :email, :name, :role, :uuid, :salt, "
                "true, '2026-11-30 08:00:00')"
            ),
            {
                **user,
                "uuid": f"00000000-0000-4000-8000-00000000000{number}",
                "salt": f"salt{number}",
            },
        )


def _user_columns(connection) -> set[str]:
    return {column["name"] for column in sa.inspect(connection).get_columns("user")}


def test_migration_0002_existing_users_get_distinct_tokens_and_downgrade_keeps_them(
    app_config, tmp_path
):
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'upgrade.db'}"
    application = create_app(app_config)
    with application.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            _insert_users(connection)
        upgrade(revision="0002")
        with db.engine.connect() as connection:
            tokens = dict(connection.execute(sa.text('SELECT id, session_token FROM "user"')).all())
            columns = {c["name"]: c for c in sa.inspect(connection).get_columns("user")}
        assert columns["session_token"]["nullable"] is False
        assert sorted(tokens) == [1, 2, 3]
        assert all(len(token) == 32 for token in tokens.values())
        assert len(set(tokens.values())) == 3

        downgrade(revision="0001")
        with db.engine.connect() as connection:
            assert "session_token" not in _user_columns(connection)
            names = (
                connection.execute(sa.text('SELECT name FROM "user" ORDER BY id')).scalars().all()
            )
        assert names == ["Ada", "Sam", "Ivy"]
        db.engine.dispose()
