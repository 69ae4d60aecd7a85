"""`read_one`, the version read of kept answers: each commit seen at once, one kept connection.

On PostgreSQL each thread keeps an autocommit connection for these reads
(`app.extensions._ReadConnections`); these tests hold it to what the per-request
connection it replaced guaranteed.
"""

from __future__ import annotations

import gc
import threading
import time

import pytest
import sqlalchemy as sa

from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.extensions import db
from app.extensions import read_one
from tests.fixtures.app import postgres_url

postgres_only = pytest.mark.skipif(not postgres_url(), reason="the kept connection is PostgreSQL's")

STATE = sa.select(IssuedCredential.state).where(IssuedCredential.id == sa.bindparam("id"))
BACKEND = sa.select(sa.func.pg_backend_pid())


def test_read_one_sees_each_commit_at_once(app_ctx, make_credential):
    credential = make_credential()
    assert read_one(STATE, {"id": credential.id}) == (CredentialState.ACTIVE,)

    credential.state = CredentialState.REVOKED
    db.session.commit()

    assert read_one(STATE, {"id": credential.id}) == (CredentialState.REVOKED,)
    assert read_one(STATE, {"id": "not-a-credential"}) is None


@postgres_only
def test_read_one_keeps_one_connection_per_thread(app_ctx):
    [first] = read_one(BACKEND, {})
    assert read_one(BACKEND, {}) == (first,)

    other: list[int] = []

    def read() -> None:
        with app_ctx.app_context():
            other.extend(read_one(BACKEND, {}))

    checked_out = db.engine.pool.checkedout()
    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert other and other[0] != first
    # The thread ended: its connection went back to the pool (a threaded server's
    # request threads keep none).
    del thread
    gc.collect()
    assert db.engine.pool.checkedout() == checked_out


@postgres_only
def test_read_one_replaces_a_connection_the_server_dropped(app_ctx):
    [dropped] = read_one(BACKEND, {})
    db.session.execute(sa.select(sa.func.pg_terminate_backend(dropped)))
    db.session.commit()

    [replacement] = read_one(BACKEND, {})

    assert replacement != dropped


@postgres_only
def test_dispose_closes_the_kept_connections(app_ctx):
    [kept] = read_one(BACKEND, {})

    db.engine.dispose()

    alive = (
        sa.select(sa.func.count())
        .select_from(sa.text("pg_stat_activity"))
        .where(sa.text("pid = :pid"))
    )
    deadline = time.monotonic() + 5
    while db.session.scalar(alive, {"pid": kept}) and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.05)
    assert db.session.scalar(alive, {"pid": kept}) == 0
