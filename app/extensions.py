"""Flask extensions, created unbound and initialised by `init_extensions`."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING
from typing import Any

from flask_babel import Babel
from flask_babel import lazy_gettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.errors import ConfigurationError as LimitsConfigurationError
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import MetaData
from sqlalchemy import Row
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.expression import Executable

from app import db_changes
from app.config import ConfigurationError
from app.config import is_production
from app.i18n import compile_catalogs
from app.i18n import select_locale
from app.i18n import translations_directory
from app.i18n import vary_on_language

if TYPE_CHECKING:
    from flask import Flask

# Named constraints let SQLite batch migrations drop and alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# The base of every model. Flask-SQLAlchemy builds db.Model at run time (adding table names
# and the query property to Base), which a type checker cannot follow; it sees Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Set here, not from app.config: Flask-Limiter keeps these from the first init_app of the
# process. When the shared store (Redis) is down, each process counts on its own rather
# than failing the request.
limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[],
    key_prefix="laurel",
    in_memory_fallback_enabled=True,
)


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL with synchronous=NORMAL: ~15x faster commits, still crash-safe (DESIGN.md)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def init_extensions(app: Flask) -> None:
    """Bind every extension to `app`."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from pathlib import Path

        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _tune_sqlite)
    from app import PROJECT_ROOT

    migrate.init_app(app, db, render_as_batch=True, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = lazy_gettext("Please sign in to see that page.")
    login_manager.login_message_category = "info"
    # Flashed in the visitor's language: the lazy message becomes text when it is flashed.
    login_manager.localize_callback = str
    csrf.init_app(app)
    compile_catalogs(translations_directory())
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(translations_directory()))
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(vary_on_language)
    try:
        limiter.init_app(app)
    except (LimitsConfigurationError, ValueError) as error:  # unknown scheme, malformed URL
        raise ConfigurationError(
            f"LAUREL_RATELIMIT_STORAGE_URI={app.config['RATELIMIT_STORAGE_URI']} cannot be "
            f"used ({error}). Use memory:// for a single process, or redis://HOST:6379/0 for "
            "several workers or servers."
        ) from error
    _warn_unshared_limits(app)


def _warn_unshared_limits(app: Flask) -> None:
    """Say at start-up when a production server counts the login limit per process."""
    if is_production(app.config["LAUREL_ENV"]) and app.config["RATELIMIT_STORAGE_URI"].startswith(
        "memory://"
    ):
        app.logger.warning(
            "LAUREL_RATELIMIT_STORAGE_URI is memory://: every server process counts sign-in "
            "attempts on its own, so with several workers an address gets several times the "
            "login limit. Set it to a shared store such as redis://127.0.0.1:6379/0 "
            "(gunicorn.conf.py refuses to start several workers without one)."
        )


def read_one(statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    """One row of what is committed now, for the version reads of kept answers.

    The request's session would wrap a lone SELECT in BEGIN and ROLLBACK (three round
    trips on PostgreSQL); a connection kept in autocommit makes it one, and none at all
    while nothing it rests on has changed (`_read_connections`). A version read must
    see what is committed at that moment anyway, and a page rendered afterwards in the
    session can only be newer, never older, than the version read. `statement` is built
    once (a module constant): its rows are kept by the statement and its parameters.
    """
    engine = db.engine
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        # One connection per thread serves every session there: no second one to keep.
        return db.session.connection().execute(statement, params).one_or_none()
    return _read_connections.read_one(engine, statement, params)


# Rows kept per reading connection, at most (a version row is a few hundred bytes).
MAX_KEPT_ROWS = 4096


class _Kept:
    """One thread's kept connection and the rows it read under its last stamp; the
    connection goes back to the pool when the thread ends.

    Not at interpreter exit: a forked worker inherits its parent's holders, and closing
    those would speak on the parent's sockets.
    """

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pid = os.getpid()
        self.stamp: Hashable | None = None
        self.rows: dict[tuple[Executable, tuple[tuple[str, Any], ...]], Row[Any] | None] = {}
        weakref.finalize(self, connection.close).atexit = False


class _ReadConnections:
    """Per process, thread and engine, one autocommit connection kept open for `read_one`,
    and the rows it read while nothing they rest on changed (`app.db_changes`).

    Borrowing a pooled connection for each version read, switching it to autocommit and
    back and handing it back cost about as much of a worker's time as the read itself
    (profiled on /v/<token> and /credentials/<id> against PostgreSQL); a connection kept
    in autocommit needs none of that, and PostgreSQL keeps the reads' prepared plans on
    it. Each statement is a transaction of its own, so every read sees what is committed
    at that moment, as before. A connection the server dropped is replaced and the read
    tried once more; a thread's connection goes back to the pool when the thread ends
    (a threaded server's request threads hold none for long); the engine's `dispose`
    closes them all; a forked worker opens its own.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: dict[int, weakref.WeakSet[_Kept]] = {}
        self._keeps: dict[tuple[Executable, str], bool] = {}

    def read_one(
        self, engine: Engine, statement: Executable, params: dict[str, Any]
    ) -> Row[Any] | None:
        for attempt in (1, 2):
            kept = self._kept(engine)
            try:
                return self._read(engine, kept, statement, params)
            except DBAPIError as error:
                self._held().pop((os.getpid(), id(engine)), None)
                kept.connection.close()
                if attempt == 2 or not error.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def _read(
        self, engine: Engine, kept: _Kept, statement: Executable, params: dict[str, Any]
    ) -> Row[Any] | None:
        """The kept row while the stamp, taken before reading, has not moved; else read it.

        A commit between the stamp and the read moves the stamp, so the row kept under
        the older stamp is read again next time.
        """
        if not self._keeps_rows(statement, engine.dialect.name):
            return kept.connection.execute(statement, params).one_or_none()
        stamp = db_changes.stamp(engine, kept.connection)
        if stamp is None or stamp != kept.stamp or len(kept.rows) >= MAX_KEPT_ROWS:
            kept.rows.clear()
            kept.stamp = stamp
        key = (statement, tuple(sorted(params.items())))
        if stamp is not None and key in kept.rows:
            return kept.rows[key]
        row = kept.connection.execute(statement, params).one_or_none()
        if stamp is not None:
            kept.rows[key] = row
        return row

    def _keeps_rows(self, statement: Executable, dialect: str) -> bool:
        key = (statement, dialect)
        keeps = self._keeps.get(key)
        if keeps is None:
            keeps = self._keeps[key] = db_changes.keeps_rows(statement, dialect)
        return keeps

    def _held(self) -> dict[tuple[int, int], _Kept]:
        held: dict[tuple[int, int], _Kept] = self._local.__dict__.setdefault("held", {})
        return held

    def _kept(self, engine: Engine) -> _Kept:
        key = (os.getpid(), id(engine))
        kept = self._held().get(key)
        if kept is None or kept.connection.closed or kept.connection.invalidated:
            kept = _Kept(engine.connect().execution_options(isolation_level="AUTOCOMMIT"))
            self._held()[key] = kept
            with self._lock:
                if not event.contains(engine, "engine_disposed", self._close_all):
                    event.listen(engine, "engine_disposed", self._close_all)
                self._open.setdefault(id(engine), weakref.WeakSet()).add(kept)
        return kept

    def _close_all(self, engine: Engine) -> None:
        with self._lock:
            kept = list(self._open.pop(id(engine), ()))
        for holder in kept:
            if holder.pid == os.getpid() and not holder.connection.closed:
                # Closed for good: handed back, it would go to the pool `dispose` just let go of.
                holder.connection.invalidate()
                holder.connection.close()


_read_connections = _ReadConnections()
