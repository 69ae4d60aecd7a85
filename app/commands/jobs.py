"""`laurel jobs worker`: the consumer that runs background jobs (bulk issuance) in production."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from app.commands import TranslatedGroup
from app.commands import option
from app.i18n import N_
from app.jobs.queue import default_worker_count
from app.jobs.queue import job_queue


@click.group("jobs", cls=TranslatedGroup, help=N_("Background jobs (bulk issuance)."))
def jobs_group() -> None:
    pass


@jobs_group.command(
    "worker",
    help=N_(
        "Run queued jobs until stopped (SIGINT, Ctrl-C: after the running chunk).\n"
        "\n"
        "The queue is LAUREL_JOBS_URL (redis://HOST:6379/N in production), or SQLite in the "
        "instance folder. Unfinished jobs are taken up again at start."
    ),
)
@option(
    "--workers",
    "-w",
    type=click.IntRange(1, 256),
    default=None,
    help=N_("Worker threads; default: one per core."),
)
@with_appcontext
def worker(workers: int | None) -> None:
    queue = job_queue(current_app._get_current_object())  # type: ignore[attr-defined]
    if queue.huey.immediate:
        click.echo(
            gettext("Error: LAUREL_JOBS_URL=immediate runs jobs in the caller: no worker."),
            err=True,
        )
        raise SystemExit(2)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("huey", "app"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    consumer = queue.consumer(workers or default_worker_count())
    queue.run_start_hooks()
    consumer.run()


commands = [jobs_group]
