"""What Laurel's benchmarks share: a throwaway instance, a seeded school, a server under wrk.

- `instance(url)`: a temporary folder with a fresh key store and a database built by the
  migrations (a SQLite file in the folder, or the PostgreSQL database at `url`, whose
  public schema is dropped and made again), and the app bound to it.
- `seed_*`: a published badge, students, submitted evidence, shared credentials.
- `server(instance)`: the app under gunicorn with the shipped gunicorn.conf.py, SERVER_WORKERS
  sync workers on a free loopback port; `wrk_rate` loads one of its paths and counts, from
  the server's access log, the answers other than the one the path should give.

BENCH_QUICK=1 shrinks every count and duration (the test of the bench runs that way);
BENCH_POSTGRES_URL names the PostgreSQL database the bench may wipe; BENCH_REDIS_URL the
Redis that gunicorn.conf.py requires for several workers (the limits are off in the bench).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK") == "1"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
PASSPHRASE = "bench-passphrase"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# The route every web path is compared with: no database, no keys, no template.
TRIVIAL_PATH = "/api/v1/health"
SERVER_WORKERS = 2
WRK_SECONDS = 1 if QUICK else 3
WRK_THREADS = 2
WRK_CONNECTIONS = 8
GUNICORN = Path(sys.executable).parent / "gunicorn"
WRK = "wrk"


class BenchError(RuntimeError):
    """The bench cannot run here (a server is down, a tool is missing, a path failed)."""


def postgres_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL


def check_services() -> None:
    """Stop with a clear message unless PostgreSQL, Redis and wrk are there."""
    import psycopg
    import redis

    url = postgres_url()
    try:
        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
    except psycopg.Error as error:
        raise BenchError(
            f"PostgreSQL does not answer at {url} ({str(error).strip()}). Start it, or set "
            "BENCH_POSTGRES_URL to a database the bench may wipe."
        ) from None
    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise BenchError(
            f"Redis does not answer at {redis_url()} ({error}); gunicorn.conf.py needs it for "
            "several workers. Start it, or set BENCH_REDIS_URL."
        ) from None
    if shutil.which(WRK) is None:
        raise BenchError("wrk is missing: install the Debian package wrk.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Instance:
    """One throwaway Laurel: its folder, database and the port its server will listen on.

    The port is chosen first because the public URL (the issuer's did:web, credential
    ids, share links) is part of every credential the bench issues.
    """

    label: str
    workdir: Path
    database_url: str
    port: int

    @property
    def postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> dict[str, Any]:
        """create_app's settings for the bench's own process."""
        return {
            "LAUREL_ENV": "bench",
            "INSTANCE_PATH": str(self.workdir),
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "LAUREL_KEYS_DIR": str(self.workdir / "keys"),
            "LAUREL_KEY_PASSPHRASE": PASSPHRASE,
            "LAUREL_PUBLIC_URL": self.base_url,
            "LAUREL_STORAGE_DIR": str(self.workdir / "evidence"),
            "LAUREL_DEMO": False,
            "RATELIMIT_STORAGE_URI": redis_url(),
            "RATELIMIT_ENABLED": False,
        }

    def environment(self) -> dict[str, str]:
        """The same settings as the environment of a gunicorn server."""
        return {
            "LAUREL_ENV": "bench",
            "LAUREL_INSTANCE_PATH": str(self.workdir),
            "LAUREL_SECRET_KEY": "bench",
            "DATABASE_URL": self.database_url,
            "LAUREL_KEYS_DIR": str(self.workdir / "keys"),
            "LAUREL_KEY_PASSPHRASE": PASSPHRASE,
            "LAUREL_PUBLIC_URL": self.base_url,
            "LAUREL_STORAGE_DIR": str(self.workdir / "evidence"),
            "LAUREL_DEMO": "0",
            "LAUREL_RATELIMIT_STORAGE_URI": redis_url(),
        }


@contextlib.contextmanager
def instance(database_url: str | None) -> Iterator[Instance]:
    """A migrated, empty Laurel with keys; inside its app context. None means SQLite."""
    from flask_migrate import upgrade

    from app import create_app
    from app.credentials.keys import KeyStore
    from app.extensions import db

    with tempfile.TemporaryDirectory(prefix="laurel-bench-") as directory:
        workdir = Path(directory)
        made = Instance(
            label="PostgreSQL" if database_url else "SQLite",
            workdir=workdir,
            database_url=database_url or f"sqlite:///{workdir / 'laurel.db'}",
            port=_free_port(),
        )
        KeyStore(workdir / "keys", PASSPHRASE).init(now=NOW)
        application = create_app(made.settings())
        with application.app_context():
            if made.postgres:
                with db.engine.begin() as connection:
                    connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                    connection.execute(sa.text("CREATE SCHEMA public"))
            # Alembic logs every revision it runs; the bench's output is the table.
            with contextlib.redirect_stderr(io.StringIO()):
                upgrade()
            try:
                yield made
            finally:
                db.session.remove()
                db.engine.dispose()


# --- The school ---------------------------------------------------------------------------


def seed_badge() -> tuple[int, int]:
    """A teacher and a published rubric badge: (instructor id, badge id)."""
    from app.accounts.models import Role
    from app.accounts.models import User
    from app.badges.services import BadgeInput
    from app.badges.services import RubricLevelInput
    from app.badges.services import create_badge
    from app.badges.services import publish_badge
    from app.extensions import db

    instructor = User(email="teacher@school.example", name="Ines Teacher", role=Role.INSTRUCTOR)
    db.session.add(instructor)
    db.session.flush()
    badge = create_badge(
        BadgeInput(
            name="Vehicle Restoration",
            description="Refurbish a truck from **frame** to paint.",
            criteria_narrative="Document the restoration with photos and a parts budget.",
            criteria_items=("Photo log", "Budget"),
            accepted_kinds=("text", "link"),
            rubric_levels=(RubricLevelInput("Developing"), RubricLevelInput("Proficient")),
            required_level="Proficient",
        ),
        actor=instructor,
        now=NOW,
    )
    publish_badge(badge, actor=instructor, now=NOW)
    db.session.commit()
    return instructor.id, badge.id


def seed_students(count: int, prefix: str) -> list[int]:
    """`count` students named after `prefix`; their ids."""
    from app.accounts.models import Role
    from app.accounts.models import User
    from app.extensions import db

    students = [
        User(email=f"{prefix}{n}@school.example", name=f"Student {prefix}{n}", role=Role.STUDENT)
        for n in range(count)
    ]
    db.session.add_all(students)
    db.session.commit()
    return [student.id for student in students]


def seed_submissions(badge_id: int, student_ids: Sequence[int]) -> list[int]:
    """A submitted text and reflection from each student: the submission ids."""
    from app.accounts.models import User
    from app.badges.models import Badge
    from app.evidence import services
    from app.extensions import db

    badge = db.session.get(Badge, badge_id)
    ids = []
    for student_id in student_ids:
        student = db.session.get(User, student_id)
        submission = services.start_submission(badge, student=student, now=NOW)
        services.add_text(submission, student=student, text="My restoration log.", now=NOW)
        services.save_draft(
            submission, student=student, reflection="I did it.", criteria_reflections={}, now=NOW
        )
        services.submit(submission, student=student, now=NOW)
        ids.append(submission.id)
    db.session.commit()
    return ids


@dataclass(frozen=True)
class Shared:
    """A credential as the public sees it: its id and its two private links' tokens."""

    id: str
    share_token: str
    verify_token: str
    json_text: str


def seed_shared_credentials(instructor_id: int, badge_id: int, count: int) -> list[Shared]:
    """`count` new students, each with the badge, shared, the certificate link on."""
    from app.accounts.models import User
    from app.badges.models import Badge
    from app.extensions import db
    from app.issuing.issuance import issue_credential
    from app.keyring import issuing_context
    from app.share.services import set_sharing

    badge = db.session.get(Badge, badge_id)
    instructor = db.session.get(User, instructor_id)
    ctx = issuing_context()
    shared = []
    for student_id in seed_students(count, "shared"):
        student = db.session.get(User, student_id)
        credential = issue_credential(
            ctx, badge=badge, recipient=student, level_id=None, issued_by=instructor, now=NOW
        )
        set_sharing(credential, actor=student, enabled=True)
        shared.append(
            Shared(
                credential.id,
                credential.share_token,
                credential.verify_token,
                credential.json_text,
            )
        )
    db.session.commit()
    return shared


# --- A server under load ------------------------------------------------------------------


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within {timeout:.0f} s:\n{log.read_text()}")


@dataclass(frozen=True)
class Server:
    """A running gunicorn: where it answers and the file its access log goes to."""

    base_url: str
    log: Path


@contextlib.contextmanager
def server(made: Instance) -> Iterator[Server]:
    """gunicorn with the shipped gunicorn.conf.py on the instance's port.

    The rate limits are off (wrk from one address would hit them at once); the access
    log goes to a file in the instance folder like any other output. Workers are not
    replaced after max_requests: at wrk's rate gunicorn.conf.py's 1,000 requests last a
    worker about a second, and every new worker pays its PDF warm-up (1-2 s of CPU) and
    starts with empty per-process caches (the kept /s/ and /v/ pages, the kept verdicts),
    so every path would be measured re-rendering all its credentials' pages after each
    restart, not serving them: the PostgreSQL share page measured 0.01-0.06 of the
    trivial route that way, 0.4-0.6 once workers live through the run.
    """
    from app.extensions import db

    db.session.remove()
    db.engine.dispose()
    log = made.workdir / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--workers",
                str(SERVER_WORKERS),
                "--max-requests",
                "0",
                "--bind",
                f"127.0.0.1:{made.port}",
                "app:create_app({'RATELIMIT_ENABLED': False})",
            ],
            cwd=ROOT,
            env={**os.environ, **made.environment()},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(made.base_url + TRIVIAL_PATH, process, log)
        yield Server(made.base_url, log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True)
class Request:
    """One request wrk sends; a path loads the server with several, in turn."""

    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None


def _lua_string(text: str) -> str:
    """A Lua string literal for any text (decimal escapes for all but plain characters)."""
    plain = re.compile(r"[A-Za-z0-9 _./:;,=+\-*#@!?()\[\]{}<>|~^%&$']")
    escaped = "".join(
        char if plain.fullmatch(char) else "".join(f"\\{byte:03d}" for byte in char.encode())
        for char in text
    )
    return f'"{escaped}"'


def _lua_script(requests: Sequence[Request]) -> str:
    lines = ["local requests = {}"]
    for request in requests:
        headers = ", ".join(
            f"[{_lua_string(name)}] = {_lua_string(value)}" for name, value in request.headers
        )
        body = _lua_string(request.body) if request.body is not None else "nil"
        lines.append(
            f"requests[#requests + 1] = wrk.format({_lua_string(request.method)}, "
            f"{_lua_string(request.path)}, {{{headers}}}, {body})"
        )
    lines += [
        "local next_request = 0",
        "request = function()",
        "  next_request = next_request % #requests + 1",
        "  return requests[next_request]",
        "end",
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Load:
    """What one wrk run measured: requests per second, and the answers that were not `expected`.

    `unexpected` counts the access log's statuses other than `expected` on the run's
    paths: a redirect, a 404 or a rate limit's 429 is answered faster than the page, so
    a path that gives them would be measured as something else than itself.
    """

    rate: float
    expected: int
    unexpected: Counter[int]

    @property
    def unexpected_count(self) -> int:
        return sum(self.unexpected.values())

    def describe_unexpected(self) -> str:
        return ", ".join(f"{count} x HTTP {status}" for status, count in self.unexpected.items())


def wrk_rate(
    served: Server, requests: Sequence[Request], seconds: int = WRK_SECONDS, expected: int = 200
) -> Load:
    """Requests per second wrk reaches on `requests`, sent in turn by every connection.

    When no request finished within the window (a quick run on a loaded machine: wrk then
    reports 0.00), the window doubles, up to 8 times the first: a rate of zero is no figure.
    A socket error fails the bench with wrk's report; answers other than `expected` are
    counted in the result (the caller reports them).
    """
    window = seconds
    while True:
        start = served.log.stat().st_size
        rate = _wrk_window_rate(served.base_url, requests, window)
        unexpected = _unexpected_answers(served.log, start, requests, expected)
        if rate > 0:
            return Load(rate, expected, unexpected)
        if window >= seconds * 8:
            raise BenchError(f"no request to {requests[0].path} finished within {window} s")
        window *= 2


# gunicorn.conf.py's access_log_format: the client, "the request line", then the status.
_ACCESS_LINE = re.compile(r'^\S+ "(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) ')


def _unexpected_answers(
    log: Path, start: int, requests: Sequence[Request], expected: int
) -> Counter[int]:
    """The statuses other than `expected` logged from byte `start` on for `requests`' paths.

    Only the run's own paths count: an answer to the run before it may be logged late.
    """
    sent = {(request.method, request.path) for request in requests}
    with log.open("rb") as file:
        file.seek(start)
        text = file.read().decode("utf-8", "replace")
    statuses: Counter[int] = Counter()
    for line in text.splitlines():
        match = _ACCESS_LINE.match(line)
        if match and (match["method"], match["path"]) in sent:
            status = int(match["status"])
            if status != expected:
                statuses[status] += 1
    return statuses


def _wrk_window_rate(base_url: str, requests: Sequence[Request], seconds: int) -> float:
    """wrk's Requests/sec over one window of `seconds`."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua_script(requests))
    try:
        result = subprocess.run(
            [
                WRK,
                "--threads",
                str(WRK_THREADS),
                "--connections",
                str(WRK_CONNECTIONS),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                script.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    finally:
        Path(script.name).unlink()
    report = result.stdout + result.stderr
    rate = re.search(r"Requests/sec:\s+([0-9.]+)", report)
    if result.returncode != 0 or rate is None:
        raise BenchError(f"wrk failed on {requests[0].path} (exit {result.returncode}):\n{report}")
    if "Socket errors" in report:
        raise BenchError(f"{requests[0].path} lost connections under load:\n{report}")
    return float(rate.group(1))


# --- PDF certificates ---------------------------------------------------------------------
