"""The job queue: which huey LAUREL_JOBS_URL builds, and the development server's own consumer."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from huey import MemoryHuey
from huey import RedisHuey
from huey import SqliteHuey

from app.config import ConfigurationError
from app.config import load_settings
from app.jobs.queue import build_huey
from app.jobs.queue import job_queue
from tests.bulk.helpers import csv_for
from tests.bulk.helpers import make_students


def test_build_huey_default_is_sqlite_in_the_instance_folder(tmp_path):
    huey = build_huey(None, str(tmp_path / "instance"))
    assert isinstance(huey, SqliteHuey)
    huey.storage.conn  # noqa: B018  (opens the file)
    assert (tmp_path / "instance" / "jobs.db").exists()


def test_build_huey_redis_sqlite_and_immediate(tmp_path):
    assert isinstance(build_huey("redis://127.0.0.1:6379/7", str(tmp_path)), RedisHuey)
    assert isinstance(build_huey(f"sqlite:///{tmp_path}/q.db", str(tmp_path)), SqliteHuey)
    immediate = build_huey("immediate", str(tmp_path))
    assert isinstance(immediate, MemoryHuey) and immediate.immediate


@pytest.mark.parametrize("url", ["amqp://broker/1", "postgres://db/laurel", "redis"])
def test_build_huey_unknown_url_is_a_configuration_error(tmp_path, url):
    with pytest.raises(ConfigurationError, match="LAUREL_JOBS_URL must be"):
        build_huey(url, str(tmp_path))


def test_settings_development_runs_jobs_in_process_unless_a_queue_is_named(tmp_path):
    base = {"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x", "LAUREL_ENV": "development"}
    assert load_settings(base)["LAUREL_JOBS_IN_PROCESS"] is True
    named = load_settings({**base, "LAUREL_JOBS_URL": "redis://127.0.0.1:6379/7"})
    assert named["LAUREL_JOBS_IN_PROCESS"] is False
    production = load_settings({**base, "LAUREL_ENV": "production", "LAUREL_KEY_PASSPHRASE": "p"})
    assert production["LAUREL_JOBS_IN_PROCESS"] is False


@pytest.fixture
def app_config(app_config):
    """As `make run` serves: no LAUREL_JOBS_URL, the consumer in the server's own threads."""
    app_config["LAUREL_JOBS_IN_PROCESS"] = True
    return app_config


@pytest.mark.slow
def test_development_server_runs_a_confirmed_job_with_no_worker(app, school, make_user, login):
    students = make_students(make_user, 4, classes=[school.auto_shop])
    client = login(school.instructor)
    try:
        response = client.post(
            "/bulk",
            data={"csv_file": (io.BytesIO(csv_for(students, school.badge)), "year.csv")},
            content_type="multipart/form-data",
        )
        job_url = response.headers["Location"]
        assert client.post(f"{job_url}/confirm").status_code == 302
        deadline = time.monotonic() + 60
        while (state := client.get(f"{job_url}/progress.json").get_json())["state"] != "done":
            assert time.monotonic() < deadline, state
            time.sleep(0.1)
        assert state["issued"] == 4
        assert isinstance(job_queue(app).huey, SqliteHuey)
        assert (Path(app.instance_path) / "jobs.db").is_file()
    finally:
        job_queue(app).stop_threads()
