"""The bulk issuance tasks on the job queue: run a job, and take up unfinished ones.

A huey message is lost when its worker is killed, so the database is the truth: every
consumer start and a periodic sweep queue each confirmed job that is not done; the lease
(app.bulk.runner) makes the duplicates harmless.
"""

from __future__ import annotations

from flask import current_app

from app.bulk.runner import LEASE_SECONDS
from app.bulk.runner import run_job
from app.bulk.services import RUN_TASK
from app.bulk.services import unfinished_job_ids
from app.jobs.queue import job_queue
from app.jobs.queue import on_worker_start
from app.jobs.queue import periodic
from app.jobs.queue import task
from app.keyring import issuing_context
from app.models_base import utcnow


def lease_seconds() -> int:
    return int(current_app.config.get("LAUREL_JOBS_LEASE_SECONDS") or LEASE_SECONDS)


@task(RUN_TASK)
def run(job_id: str) -> None:
    """Issue the job's pending rows; if another worker holds it, look again when its lease ends."""
    retry_at = run_job(job_id, issuing_context(), lease_seconds=lease_seconds())
    if retry_at is not None:
        delay = max((retry_at - utcnow()).total_seconds(), 0) + 1
        job_queue().enqueue_in(delay, RUN_TASK, job_id)


@on_worker_start
def resume_all() -> None:
    """At a worker's start: queue every confirmed job that is not done.

    A job whose lease still holds (its worker may just have been killed) is looked at
    again when the lease ends (see `run`).
    """
    for job_id in unfinished_job_ids():
        job_queue().enqueue(RUN_TASK, job_id)


@periodic("bulk.resume", minutes=1)
def resume_unclaimed() -> None:
    """Every minute: queue the unfinished jobs no worker holds (their message was lost)."""
    for job_id in unfinished_job_ids(unclaimed_at=utcnow()):
        job_queue().enqueue(RUN_TASK, job_id)
