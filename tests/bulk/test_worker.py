"""The real queue: `laurel jobs worker` processes, killed with SIGKILL in the middle of a job.

The worker runs as a separate process on the test database (a SQLite file, or PostgreSQL
with LAUREL_TEST_POSTGRES) and on a real queue (huey's SQLite storage, and Redis DB 7).
After a kill -9 and a restart every row holds exactly one credential.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.bulk.models import BulkJob
from app.bulk.models import BulkRow
from app.bulk.models import JobState
from app.bulk.models import RowState
from app.bulk.services import RUN_TASK
from app.extensions import db
from app.jobs.queue import job_queue
from tests.bulk.helpers import confirmed_job
from tests.fixtures.redis import redis_url

REDIS_URL = redis_url("bulk-worker")
ROWS = 300


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def queue_url(request, tmp_path) -> str:
    if request.param == "sqlite-queue":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    return REDIS_URL


@pytest.fixture
def app_config(app_config, queue_url):
    app_config["LAUREL_JOBS_URL"] = queue_url
    return app_config


def _worker(laurel: str, config: dict, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "LAUREL_ENV": "test",
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "LAUREL_INSTANCE_PATH": config["INSTANCE_PATH"],
        "LAUREL_KEYS_DIR": config["LAUREL_KEYS_DIR"],
        "LAUREL_KEY_PASSPHRASE": config["LAUREL_KEY_PASSPHRASE"],
        "LAUREL_PUBLIC_URL": config["LAUREL_PUBLIC_URL"],
        "LAUREL_SECRET_KEY": "worker-test",
        "LAUREL_DEMO": "0",
        "LAUREL_JOBS_URL": config["LAUREL_JOBS_URL"],
        "LAUREL_JOBS_LEASE_SECONDS": "2",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [laurel, "jobs", "worker", "--workers", "2"], env=env, stdout=out, stderr=out
        )


def _counts(job_id: str) -> dict[RowState, int]:
    db.session.rollback()  # a fresh snapshot of what the worker committed
    return dict(
        db.session.execute(
            sa.select(BulkRow.state, sa.func.count())
            .where(BulkRow.job_id == job_id)
            .group_by(BulkRow.state)
        ).all()
    )


def _wait(predicate, *, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")
        time.sleep(0.02)


@pytest.mark.slow
def test_worker_killed_mid_job_and_restarted_issues_every_row_once(
    app, app_ctx, app_config, school, make_user, laurel, tmp_path
):
    from app.accounts.models import Role

    students = [
        make_user(
            Role.STUDENT, email=f"k{i}@school.test", password=None, classes=[school.auto_shop]
        )
        for i in range(ROWS)
    ]
    job = confirmed_job(school.instructor, students, school.badge)
    job_id = job.id
    job_queue(app).enqueue(RUN_TASK, job_id)
    log = tmp_path / "worker.log"

    first = _worker(laurel, app_config, log)
    try:
        _wait(
            lambda: _counts(job_id).get(RowState.ISSUED, 0) >= 50,
            timeout=120,
            what="the first chunks",
            log=log,
        )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    after_kill = _counts(job_id)
    assert 0 < after_kill.get(RowState.ISSUED, 0) < ROWS, after_kill
    credentials = db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential))
    # The killed transaction is gone as a whole: no credential without its row marked.
    assert credentials == after_kill[RowState.ISSUED]

    second = _worker(laurel, app_config, log)
    try:
        _wait(
            lambda: (
                _counts(job_id).get(RowState.ISSUED, 0) == ROWS
                and db.session.get(BulkJob, job_id).state == JobState.DONE
            ),
            timeout=180,
            what="the job to finish after the restart",
            log=log,
        )
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    rows = db.session.scalars(sa.select(BulkRow).where(BulkRow.job_id == job_id)).all()
    assert all(row.state == RowState.ISSUED and row.credential_id for row in rows)
    issued = db.session.scalars(sa.select(IssuedCredential)).all()
    assert len(issued) == ROWS
    assert {c.id for c in issued} == {row.credential_id for row in rows}
    assert sorted(c.recipient_id for c in issued) == sorted(s.id for s in students)
