"""Has anything a version read rests on changed? A stamp per reading connection says.

The version reads of kept answers (`app.extensions.read_one`: a credential's status,
its sharing, its badge, the school's name) are the one query left on Laurel's busiest
public paths. Their rows change rarely, so each reading connection keeps the rows it
read under a stamp, and reads again only once the stamp moved:

- SQLite: `PRAGMA data_version` of the reading connection, which moves when any other
  connection, of any process, commits to the file (microseconds, no table read). The
  reading connection itself never writes, so every write moves it.
- PostgreSQL: a trigger on each table in WATCHED_TABLES (revision 0030changenotify)
  sends a notification on CHANNEL when a write to it commits. One connection per
  process LISTENs, drained by a daemon thread (so an idle worker's socket never fills
  and stalls the server's notification queue) and at each stamp; the stamp is the
  number received, with this process's own commits counted as they happen. A
  statement that reads any other table is never kept (`keeps_rows`).

A notification reaches the other processes some microseconds after the commit (20 µs
at p99 measured here), well before the next request a person can make. When the
listener cannot work (a pooler in transaction mode drops LISTEN, the connection is
lost), its self-test or its next drain fails and the stamp is None: every version read
goes to the database, as it would without this module.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from collections.abc import Hashable
from typing import Any
from typing import cast

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql import visitors
from sqlalchemy.sql.expression import Executable

CHANNEL = "laurel_changes"
# The tables revision 0030changenotify watches: exactly those a version read may read.
WATCHED_TABLES = frozenset({"issued_credential", "user", "badge", "issuer_profile"})
# How long the listener's self-test waits for its own probe before giving up on LISTEN.
PROBE_SECONDS = 2.0
# How long a process reads every version from the database after its listener failed.
RETRY_SECONDS = 30.0
# How often the draining thread of a listener looks whether it was closed meanwhile.
WAKE_SECONDS = 5.0

log = logging.getLogger(__name__)

# The tables of the current schema that carry the trigger.
_WATCHED = sa.text(
    "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "WHERE t.tgname = 'laurel_notify_change' AND c.relnamespace = to_regnamespace(current_schema())"
)

_local_commits = 0


def _count_commit(*_args: Any) -> None:
    global _local_commits
    _local_commits += 1


# Before each commit of this process (a reader of this process may store an old row under
# the new count, so the ORM's commits are counted again once done) and after the ORM's.
event.listen(Engine, "commit", _count_commit)
event.listen(Session, "after_commit", _count_commit)


def keeps_rows(statement: Executable, dialect: str) -> bool:
    """May rows of `statement` be kept under a stamp? On SQLite always (its stamp moves with
    any write), on PostgreSQL only when every table it reads is watched, elsewhere never."""
    if dialect == "sqlite":
        return True
    if dialect != "postgresql":
        return False
    tables = {
        element.name
        for element in visitors.iterate(cast(Any, statement))
        if isinstance(element, sa.Table)
    }
    return bool(tables) and tables <= WATCHED_TABLES


def stamp(engine: Engine, connection: Connection) -> Hashable | None:
    """What moves whenever a row kept by `connection` (the reading connection) may have
    changed; None when nothing can say so (every read then goes to the database)."""
    if engine.dialect.name == "sqlite":
        return _sqlite_stamp(connection)
    if engine.dialect.name == "postgresql":
        return listeners.stamp(engine)
    return None


def _sqlite_stamp(connection: Connection) -> Hashable:
    """The reading connection's data version: it moves with every commit by another one."""
    cursor = cast(Any, connection.connection.dbapi_connection).cursor()
    try:
        cursor.execute("PRAGMA data_version")
        return cursor.fetchone()[0]
    finally:
        cursor.close()


class Listener:
    """One process's LISTEN connection to PostgreSQL and the count of notifications it got."""

    def __init__(self, engine: Engine) -> None:
        raw = engine.raw_connection()
        connection = cast(Any, raw.driver_connection)
        # Kept for the life of the process (or the engine), never handed back to the pool.
        raw.detach()
        try:
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception:
            connection.close()
            raise
        self._connection = connection
        self._lock = threading.Lock()
        self._received = 0
        self._closed = False
        self.pid = os.getpid()
        self.on_broken: Callable[[], None] = lambda: None
        try:
            self.healthy = self._probe(engine)
        except Exception:
            connection.close()
            raise
        if self.healthy:
            threading.Thread(
                target=self._drain_forever, name="laurel-change-listener", daemon=True
            ).start()
        else:
            log.warning(
                "PostgreSQL notifications on %s do not arrive (a pooler in transaction mode?): "
                "every kept page reads its version from the database on every request.",
                CHANNEL,
            )
            self.close()

    def received(self) -> int | None:
        """Notifications received so far, after taking in what has arrived; None once broken."""
        with self._lock:
            if not self.healthy:
                return None
            try:
                self._take_in()
            except Exception:  # the connection is gone: no stamp can be trusted any more
                self.healthy = False
                log.warning("The PostgreSQL change listener lost its connection.", exc_info=True)
                self.on_broken()
                return None
            return self._received

    def close(self) -> None:
        with self._lock:
            self.healthy = False
            self._closed = True
            if self.pid == os.getpid():
                self._connection.close()

    def _take_in(self) -> None:
        pgconn = self._connection.pgconn
        pgconn.consume_input()
        while pgconn.notifies() is not None:
            self._received += 1

    def _probe(self, engine: Engine) -> bool:
        """Are the triggers there (the schema is upgraded)? Then send a notification through
        the pool and wait for it here."""
        before = self._received
        with engine.begin() as connection:
            watched = set(connection.execute(_WATCHED).scalars())
            if watched != WATCHED_TABLES:
                return False
            connection.execute(sa.select(sa.func.pg_notify(CHANNEL, "probe")))
        fileno = self._connection.pgconn.socket
        waited = 0.0
        while waited < PROBE_SECONDS:
            select.select([fileno], [], [], 0.1)
            waited += 0.1
            self._take_in()
            if self._received > before:
                return True
        return False

    def _drain_forever(self) -> None:
        fileno = self._connection.pgconn.socket
        while True:
            try:
                # Woken by a notification, or now and then to see whether it was closed.
                select.select([fileno], [], [], WAKE_SECONDS)
            except (OSError, ValueError):  # closed under us
                return
            if self._closed or self.received() is None:
                return


class Listeners:
    """Per process and engine, one Listener, made at the first stamp and closed with the engine.

    A listener that lost its connection is replaced, at most once per RETRY_SECONDS; one
    whose self-test failed is not tried again in this process (each try would hold a
    request for PROBE_SECONDS).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[tuple[int, int], Listener] = {}
        # When a process may try again to listen, by engine.
        self._next_try: dict[tuple[int, int], float] = {}

    def stamp(self, engine: Engine) -> Hashable | None:
        """This process's commits and the notifications received; None when they cannot say."""
        key = (os.getpid(), id(engine))
        listener = self._made.get(key) or self._start(engine, key)
        received = None if listener is None else listener.received()
        if received is None:
            return None
        return (_local_commits, received)

    def _start(self, engine: Engine, key: tuple[int, int]) -> Listener | None:
        with self._lock:
            listener = self._made.get(key)
            if listener is not None:
                return listener
            if time.monotonic() < self._next_try.get(key, 0.0):
                return None
            if not event.contains(engine, "engine_disposed", self._close):
                event.listen(engine, "engine_disposed", self._close)
            try:
                listener = Listener(engine)
            except Exception:  # the pool's, the driver's: not listening is never a failed page
                log.warning("Could not listen for PostgreSQL notifications.", exc_info=True)
                self._next_try[key] = time.monotonic() + RETRY_SECONDS
                return None
            if not listener.healthy:
                self._next_try[key] = float("inf")
                return None
            self._made[key] = listener
            listener.on_broken = lambda: self._forget(key)
            return listener

    def _forget(self, key: tuple[int, int]) -> None:
        with self._lock:
            self._made.pop(key, None)
            self._next_try[key] = time.monotonic() + RETRY_SECONDS

    def _close(self, engine: Engine) -> None:
        key = (os.getpid(), id(engine))
        with self._lock:
            listener = self._made.pop(key, None)
            self._next_try.pop(key, None)
        if listener is not None:
            listener.close()


listeners = Listeners()
