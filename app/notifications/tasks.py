"""The email tasks on the job queue, and the wake-up after a transaction that queued email.

A huey message only wakes a worker: the outbox table holds the work. Every minute a sweep
sends what is due (retries, and anything whose wake-up was lost while the worker was
down); every quarter of an hour the digests whose time has come are made.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from app.config import shown_url
from app.jobs.queue import enqueue
from app.jobs.queue import job_queue
from app.jobs.queue import on_worker_start
from app.jobs.queue import periodic
from app.jobs.queue import task
from app.models_base import utcnow
from app.notifications.delivery import make_digests
from app.notifications.delivery import send_due
from app.notifications.outbox import WAKE_FLAG

log = logging.getLogger(__name__)

SEND_TASK = "email.send"


@task(SEND_TASK)
def send() -> None:
    """Send every email that is due."""
    send_due(utcnow())


@on_worker_start
def announce_and_send() -> None:
    """At a worker's start: say whether email is on, and send what waited for a worker."""
    url = current_app.config.get("LAUREL_SMTP_URL")
    if url:
        log.info("Email notifications go through %s.", shown_url(url))
    else:
        log.warning("LAUREL_SMTP_URL is not set: Laurel sends no email notifications.")
    send_due(utcnow())


@periodic("email.sweep", minutes=1)
def sweep() -> None:
    """Send what is due: retries, and what was queued while no worker ran."""
    send_due(utcnow())


@periodic("email.digest", minutes=15)
def digests() -> None:
    """Make the daily digests whose time has come, and send them."""
    if make_digests(utcnow()):
        send_due(utcnow())


def _wake(session: Session) -> None:
    """After a commit that queued email: wake a worker (never in the committing request).

    The queue being down must not undo or fail what was committed: the sweep sends later.
    In `immediate` mode (tests of other things) the task would run inside this hook,
    where the session may not be used, so the sweep is left to do it.
    """
    if not session.info.pop(WAKE_FLAG, False):
        return
    try:
        if not job_queue().huey.immediate:
            enqueue(SEND_TASK)
    except Exception:
        log.exception("Could not wake the email worker; the minute sweep will send.")


def _forget(session: Session) -> None:
    session.info.pop(WAKE_FLAG, None)


sa.event.listen(Session, "after_commit", _wake)
sa.event.listen(Session, "after_rollback", _forget)
