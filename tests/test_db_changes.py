"""Version reads kept while nothing changed (`app.db_changes`): never a row older than a commit.

`read_one` keeps the rows it read per connection under a stamp (SQLite's data version,
PostgreSQL's change notifications) and reads again once the stamp moved. These tests
count the statements that reach the database and change the rows every way a school's
data changes: the ORM, a Core UPDATE of this process, another process's raw SQL, a
listener connection the server dropped.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from app import db_changes
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusList
from app.badges.signed_documents import _ACCESS
from app.extensions import db
from app.extensions import read_one
from app.share.kept_pages import _STATEMENTS
from app.verify.service import _OWN_RECORD
from tests.fixtures.app import postgres_url

postgres_only = pytest.mark.skipif(not postgres_url(), reason="notifications are PostgreSQL's")

STATE = sa.select(IssuedCredential.state).where(IssuedCredential.id == sa.bindparam("id"))
LISTS = sa.select(sa.func.count(StatusList.id)).where(StatusList.id > sa.bindparam("above"))
STATE_READ = "SELECT issued_credential.state \nFROM"
LISTS_READ = "SELECT count(status_list.id)"


def _reads(sent: list[str], prefix: str) -> int:
    """How many of the statements sent start with `prefix` (a version read's own text)."""
    return sum(statement.startswith(prefix) for statement in sent)


def _set_state_in_core(credential_id: str, state: CredentialState) -> None:
    """An UPDATE and its commit through Core: no ORM session, none of its events."""
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(IssuedCredential)
            .where(IssuedCredential.id == credential_id)
            .values(state=state)
        )


def _state(credential_id: str) -> CredentialState:
    row = read_one(STATE, {"id": credential_id})
    assert row is not None
    return row[0]


def test_an_unchanged_row_is_read_once(app_ctx, make_credential, sql_statements):
    credential_id = make_credential().id
    with sql_statements() as sent:
        assert _state(credential_id) == CredentialState.ACTIVE
        assert _state(credential_id) == CredentialState.ACTIVE
        assert _state(credential_id) == CredentialState.ACTIVE
    assert _reads(sent, STATE_READ) == 1


def test_an_orm_commit_shows_on_the_next_read(app_ctx, make_credential):
    credential = make_credential()
    assert _state(credential.id) == CredentialState.ACTIVE

    credential.state = CredentialState.REVOKED
    db.session.commit()

    assert _state(credential.id) == CredentialState.REVOKED


def test_a_core_update_of_this_process_shows_on_the_next_read(app_ctx, make_credential):
    credential = make_credential()
    assert _state(credential.id) == CredentialState.ACTIVE

    _set_state_in_core(credential.id, CredentialState.SUSPENDED)

    assert _state(credential.id) == CredentialState.SUSPENDED


def test_a_commit_by_another_process_shows_on_the_next_read(app_ctx, make_credential):
    """Raw SQL from another program, as an IT person or a second server writes."""
    credential = make_credential()
    assert _state(credential.id) == CredentialState.ACTIVE
    url = db.engine.url.render_as_string(hide_password=False)
    script = textwrap.dedent(
        f"""
        import sqlalchemy as sa
        engine = sa.create_engine({url!r})
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE issued_credential SET state = 'REVOKED' WHERE id = :id"),
                {{"id": {credential.id!r}}},
            )
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)

    assert _state(credential.id) == CredentialState.REVOKED


def test_a_row_that_appears_is_seen(app_ctx, make_credential):
    """An unknown id is kept as "none" only until a commit: a new credential answers at once."""
    first = make_credential()
    assert read_one(STATE, {"id": "00000000-0000-4000-8000-000000000000"}) is None
    assert _state(first.id) == CredentialState.ACTIVE

    second = make_credential()

    assert _state(second.id) == CredentialState.ACTIVE


def test_every_version_read_is_of_watched_tables():
    """A version read of another table would be read from the database on every request."""
    for statement in (STATE, _ACCESS, _OWN_RECORD, *_STATEMENTS.values()):
        assert db_changes.keeps_rows(statement, "postgresql")
    assert not db_changes.keeps_rows(LISTS, "postgresql")
    assert db_changes.keeps_rows(LISTS, "sqlite")


@postgres_only
def test_the_triggers_watch_exactly_the_watched_tables(app_ctx):
    watched = set(db.session.execute(db_changes._WATCHED).scalars())
    assert watched == db_changes.WATCHED_TABLES


@postgres_only
def test_an_unwatched_table_is_read_every_time(app_ctx, sql_statements):
    with sql_statements() as sent:
        read_one(LISTS, {"above": 0})
        read_one(LISTS, {"above": 0})
    assert _reads(sent, LISTS_READ) == 2


@postgres_only
def test_a_dropped_listener_means_reading_every_time(app_ctx, make_credential, sql_statements):
    credential = make_credential()
    assert db_changes.listeners.stamp(db.engine) is not None
    listening = db.session.scalars(
        sa.text(
            "SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN laurel_changes' "
            "AND datname = current_database()"
        )
    ).all()
    assert listening
    for pid in listening:
        db.session.execute(sa.select(sa.func.pg_terminate_backend(pid)))
    db.session.commit()

    with sql_statements() as sent:
        assert _state(credential.id) == CredentialState.ACTIVE
        assert _state(credential.id) == CredentialState.ACTIVE
    assert _reads(sent, STATE_READ) == 2

    _set_state_in_core(credential.id, CredentialState.REVOKED)
    assert _state(credential.id) == CredentialState.REVOKED


@postgres_only
def test_no_triggers_means_no_keeping(app_ctx, make_credential, sql_statements):
    """A database not upgraded to the triggers' revision: the listener's self-test fails, and
    the process does not try again (each try would hold a request for the probe's wait)."""
    credential = make_credential()
    db.engine.dispose()
    db.session.execute(sa.text('DROP TRIGGER laurel_notify_change ON "badge"'))
    db.session.commit()
    try:
        assert db_changes.listeners.stamp(db.engine) is None
        with sql_statements() as sent:
            _state(credential.id)
            _state(credential.id)
        assert _reads(sent, STATE_READ) == 2
    finally:
        db.session.execute(
            sa.text(
                "CREATE TRIGGER laurel_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                'ON "badge" FOR EACH STATEMENT EXECUTE FUNCTION laurel_notify_change()'
            )
        )
        db.session.commit()
    with sql_statements() as sent:
        assert db_changes.listeners.stamp(db.engine) is None
    assert not any("pg_trigger" in statement for statement in sent)

    db.engine.dispose()
    assert db_changes.listeners.stamp(db.engine) is not None
