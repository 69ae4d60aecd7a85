"""The status slots a VC-API credential takes name it, as a badge credential's name theirs;
migration 0025doors links the slots of credentials kept before it by their indexes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.badges.models import StatusSlot
from app.extensions import db
from tests.fixtures.app import _config
from tests.fixtures.app import postgres_url

from .test_kept import _kept
from .test_kept import _nameless
from .test_vcapi import _issue

NOW = "2026-12-04 10:00:00"


def test_the_slots_of_a_kept_credential_name_it(vcapi):
    document = _issue(vcapi, _nameless()).json()["verifiableCredential"]
    kept = _kept(document)
    slots = db.session.scalars(
        sa.select(StatusSlot).where(StatusSlot.api_credential_id == kept.id)
    ).all()
    assert sorted(slot.index for slot in slots) == sorted(
        [kept.revocation_index, kept.suspension_index]
    )
    assert all(slot.credential_id is None for slot in slots)


@pytest.fixture
def old_database_url(tmp_path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = sa.make_url(base)
    name = f"{server.database}_slots_0025"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def before_0025(tmp_path, keys_dir, old_database_url):
    application = create_app(_config(tmp_path, old_database_url, keys_dir))
    with application.app_context():
        upgrade(revision="0024doors")
        with db.engine.begin() as connection:
            for number, purpose in ((1, "REVOCATION"), (2, "SUSPENSION")):
                connection.execute(
                    sa.text(
                        "INSERT INTO status_list (id, purpose, number, size, bits, updated_at)"
                        " VALUES (:id, :purpose, 1, 131072, :bits, :now)"
                    ),
                    {"id": number, "purpose": purpose, "bits": b"\0", "now": NOW},
                )
            connection.execute(
                sa.text(
                    "INSERT INTO api_credential (id, credential_id, issuer_id, json_text,"
                    " client_id, issued_at, revocation_index, suspension_index, state) VALUES"
                    " ('a-1', 'https://laurel.test/api-credentials/a-1', 'did:web:laurel.test',"
                    " '{}', 'office', :now, 17, 17, 'ACTIVE'), ('a-2', NULL, 'did:key:z6Mk',"
                    " '{}', 'office', :now, NULL, NULL, 'ACTIVE')"
                ),
                {"now": NOW},
            )
            connection.execute(
                sa.text(
                    'INSERT INTO status_slot (id, status_list_id, "index") VALUES'
                    " (1, 1, 17), (2, 2, 17), (3, 1, 99)"
                )
            )
        yield application
        db.engine.dispose()


def test_migration_links_the_slots_of_credentials_kept_before(before_0025):
    upgrade(revision="0025doors")
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT id, api_credential_id FROM status_slot ORDER BY id")
        ).all()
    # Slot 3 (index 99) belongs to no kept credential: it stays unnamed.
    assert [tuple(row) for row in rows] == [(1, "a-1"), (2, "a-1"), (3, None)]
