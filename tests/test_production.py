"""Production hardening: no demo school outside development, a login limit that holds
across gunicorn workers (Redis), and clear refusals of settings that would break it."""

from __future__ import annotations

import collections
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from app import PROJECT_ROOT
from app import create_app
from app.accounts.models import User
from app.cli import cli
from app.config import ConfigurationError
from app.extensions import db
from tests.fixtures.redis import redis_url
from tests.fixtures.users import csrf_token_from

BIN = Path(sys.executable).parent
REDIS_URL = redis_url("production")
LOGIN_LIMIT = 10
WRONG_LOGINS = 25


def _production_env(app_config: dict, **extra: str) -> dict[str, str]:
    """The environment of a production server (LAUREL_ENV unset) on the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
    env.update(
        LAUREL_INSTANCE_PATH=app_config["INSTANCE_PATH"],
        DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
        LAUREL_KEYS_DIR=app_config["LAUREL_KEYS_DIR"],
        LAUREL_KEY_PASSPHRASE=app_config["LAUREL_KEY_PASSPHRASE"],
        **extra,
    )
    return env


@pytest.fixture
def make_app(app_config):
    """make_app(**settings): a test app with these settings, its database closed afterwards."""
    made = []

    def make(**settings):
        application = create_app({**app_config, **settings})
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


# --- laurel demo seed ---------------------------------------------------------------------


@pytest.mark.parametrize("env", ["production", "staging", "Development", "development ", "testing"])
def test_demo_seed_outside_development_or_test_exits_2_creates_nobody(make_app, env):
    application = make_app(LAUREL_ENV=env, LAUREL_DEMO=True)
    result = application.test_cli_runner().invoke(cli, ["demo", "seed"])
    assert result.exit_code == 2
    assert f"not created with LAUREL_ENV={env}" in result.stderr
    assert "published password" in result.stderr
    assert _count_users(application) == 0


def test_demo_seed_command_with_laurel_env_unset_exits_2_with_reason(app_config):
    result = subprocess.run(
        [str(BIN / "laurel"), "demo", "seed"],
        env=_production_env(app_config),
        cwd=app_config["INSTANCE_PATH"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "not created with LAUREL_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "maplegrove" not in result.stdout


# --- the limiter store ----------------------------------------------------------------------


def test_production_app_with_memory_limits_logs_a_warning(make_app, caplog, monkeypatch):
    # In a whole run this test once saw no record at all while it passes alone: whatever an
    # earlier test left on the app's logger (its level, propagation, a disabled flag),
    # the warning is read from a handler of the logger itself.
    logger = logging.getLogger("app")
    monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logger, "propagate", True)
    with caplog.at_level(logging.WARNING, logger="app"):
        logger.addHandler(caplog.handler)
        try:
            application = make_app(LAUREL_ENV="production")
        finally:
            logger.removeHandler(caplog.handler)
    assert application.config["RATELIMIT_STORAGE_URI"].startswith("memory://")
    assert logging.root.manager.disable < logging.WARNING
    assert "LAUREL_RATELIMIT_STORAGE_URI is memory://" in caplog.text


@pytest.mark.parametrize(("env", "storage"), [("production", REDIS_URL), ("test", "memory://")])
def test_shared_store_or_test_app_no_warning(make_app, caplog, env, storage):
    make_app(LAUREL_ENV=env, RATELIMIT_STORAGE_URI=storage)
    assert "LAUREL_RATELIMIT_STORAGE_URI" not in caplog.text


@pytest.mark.parametrize(
    "storage",
    [
        pytest.param("nonsense://", id="unknown-scheme"),
        pytest.param("http://127.0.0.1:6379", id="http-scheme"),
        pytest.param("redis:/", id="redis-missing-slash"),
        pytest.param("redis://127.0.0.1:notaport/5", id="redis-port-not-a-number"),
        pytest.param("127.0.0.1:6379", id="no-scheme"),
    ],
)
def test_unusable_limiter_store_refused_with_reason(app_config, storage):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage)
    with pytest.raises(ConfigurationError, match="LAUREL_RATELIMIT_STORAGE_URI=.* cannot be used"):
        create_app(app_config)


def test_laurel_command_unusable_limiter_store_exits_2_no_traceback(app_config):
    env = _production_env(app_config, LAUREL_RATELIMIT_STORAGE_URI="nonsense://")
    result = subprocess.run(
        [str(BIN / "laurel"), "users", "list"],
        env=env,
        cwd=app_config["INSTANCE_PATH"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "LAUREL_RATELIMIT_STORAGE_URI=nonsense:// cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_login_with_redis_down_still_answers_and_limits_per_process(make_app):
    """Is a dead limiter store a 500? No: each process counts on its own until it is back."""
    application = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/5")
    client = application.test_client()
    with application.app_context():
        statuses = [
            client.post("/login", data={"email": "x@school.test", "password": "wrong"}).status_code
            for _ in range(LOGIN_LIMIT + 1)
        ]
    assert statuses == [401] * LOGIN_LIMIT + [429]


# --- gunicorn -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the shipped gunicorn.conf.py, its output in files."""

    def __init__(self, env: dict[str, str], folder: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.stdout = folder / "gunicorn.out"
        self.stderr = folder / "gunicorn.err"
        env = {**env, "LAUREL_BIND": f"127.0.0.1:{self.port}"}
        with self.stdout.open("w") as out, self.stderr.open("w") as err:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "-c",
                    str(PROJECT_ROOT / "gunicorn.conf.py"),
                    "--access-logformat",
                    "%(p)s %(m)s %(U)s %(s)s",
                ],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=err,
            )

    def wait_ready(self, workers: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stderr.read_text()
            # A worker serves once it has warmed up its PDF renderer (slow on a busy machine).
            warmed = self.stderr.read_text().count("Warmed up the PDF renderer")
            try:
                if warmed >= workers and requests.get(self.url + "/login", timeout=10).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not start: {self.stderr.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def redis_db5():
    """Redis database 5, empty before and after the test.

    Redis runs wherever Laurel's suite runs (CI included): a dead server fails the test,
    it never skips it, unless LAUREL_ALLOW_NO_REDIS=1 says this machine has none.
    """
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("LAUREL_ALLOW_NO_REDIS") == "1" and os.environ.get("CI") != "true":
            pytest.skip("Redis does not answer on 127.0.0.1:6379 and LAUREL_ALLOW_NO_REDIS=1")
        pytest.fail("Redis does not answer on 127.0.0.1:6379 (set LAUREL_ALLOW_NO_REDIS=1 to skip)")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def test_gunicorn_several_workers_memory_limits_refused(app_config, tmp_path):
    env = _production_env(app_config, LAUREL_WORKERS="4")
    server = Server(env, tmp_path)
    try:
        returncode = server.process.wait(timeout=120)
    finally:
        server.stop()
    assert returncode != 0
    error = server.stderr.read_text()
    assert "4 workers with LAUREL_RATELIMIT_STORAGE_URI=memory://" in error
    assert "Booting worker" not in error


@pytest.mark.slow
def test_gunicorn_four_workers_redis_login_limit_holds_across_workers(
    app_config, tmp_path, redis_db5
):
    env = _production_env(app_config, LAUREL_WORKERS="4", LAUREL_RATELIMIT_STORAGE_URI=REDIS_URL)
    server = Server(env, tmp_path)
    try:
        server.wait_ready(workers=4)
        page = requests.get(server.url + "/login", timeout=10)
        token = csrf_token_from(page.text)
        assert token, "the production login form carries a CSRF token"

        def wrong_login(number: int) -> int:
            response = requests.post(
                server.url + "/login",
                data={
                    "email": f"guess{number}@school.test",
                    "password": "wrong",
                    "csrf_token": token,
                },
                cookies=page.cookies,
                allow_redirects=False,
                timeout=60,
            )
            return response.status_code

        # Several at once, so that the attempts land on several workers.
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(wrong_login, range(WRONG_LOGINS)))
    finally:
        server.stop()
    assert collections.Counter(statuses) == {401: LOGIN_LIMIT, 429: WRONG_LOGINS - LOGIN_LIMIT}
    answered_by = re.findall(r"^<(\d+)> POST /login (\d+)$", server.stdout.read_text(), re.M)
    assert len(answered_by) == WRONG_LOGINS
    assert len({pid for pid, _ in answered_by}) >= 2, "all attempts went to one worker"
    assert redis_db5.keys("LIMITS:LIMITER/laurel/*/accounts.login/*"), "the count is in Redis"


LIMITER_REDIS_URL = redis_url("limiter")


@pytest.mark.slow
@pytest.mark.parametrize("setting", ["LAUREL_WORKERS", "WEB_CONCURRENCY"])
def test_gunicorn_shipped_config_two_workers_serve_and_warm_up_pdfs(app_config, tmp_path, setting):
    env = _production_env(
        app_config, **{setting: "2"}, LAUREL_RATELIMIT_STORAGE_URI=LIMITER_REDIS_URL
    )
    server = Server(env, tmp_path)
    try:
        server.wait_ready(workers=2)
        assert requests.get(server.url + "/verify", timeout=30).status_code == 200
        deadline = time.monotonic() + 60
        while server.stderr.read_text().count("Warmed up the PDF renderer") < 2:
            assert time.monotonic() < deadline, server.stderr.read_text()
            time.sleep(0.2)
    finally:
        server.stop()
    log = server.stderr.read_text()
    booted = re.findall(r"Booting worker with pid: (\d+)", log)
    warmed = re.findall(r"Warmed up the PDF renderer in \d+ ms \(pid (\d+)\)", log)
    assert len(booted) == 2, log
    assert sorted(warmed) == sorted(booted)
    assert "Traceback" not in log
