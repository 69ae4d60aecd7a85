"""The huey queue of an application, and the tasks features register on it.

Tasks receive plain values (ids), run inside an application context and keep their own
state in the database: a huey message is only a wake-up call, which a killed worker may lose.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask import current_app
from huey import Huey
from huey import MemoryHuey
from huey import RedisHuey
from huey import SqliteHuey
from huey import crontab
from huey.consumer import Consumer

from app.config import ConfigurationError

log = logging.getLogger(__name__)

QUEUE_NAME = "laurel"
IMMEDIATE = "immediate"


@dataclass(frozen=True)
class _Periodic:
    function: Callable[[], None]
    minutes: int


_tasks: dict[str, Callable[..., None]] = {}
_periodic: dict[str, _Periodic] = {}
_on_start: list[Callable[[], None]] = []


def task(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register `function` as the task `name`; `job_queue().enqueue(name, *args)` runs it."""

    def register(function: Callable[..., None]) -> Callable[..., None]:
        _tasks[name] = function
        return function

    return register


def periodic(name: str, *, minutes: int) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register `function` to run every `minutes` minutes in the consumer."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        _periodic[name] = _Periodic(function, minutes)
        return function

    return register


def on_worker_start(function: Callable[[], None]) -> Callable[[], None]:
    """Register `function` to run (in an application context) when a consumer starts."""
    _on_start.append(function)
    return function


def default_worker_count() -> int:
    """One worker thread per core: jobs mostly sign credentials and write to the database."""
    return max(os.cpu_count() or 1, 1)


def build_huey(url: str | None, instance_path: str) -> Huey:
    """The huey instance LAUREL_JOBS_URL names.

    - unset: SQLite in the instance folder (`jobs.db`), so `make run` needs nothing else;
    - `sqlite:///PATH`: SQLite at PATH;
    - `redis://HOST:PORT/DB`: Redis, for several app servers and `laurel jobs worker`;
    - `immediate`: run each task at once in the caller (tests whose point is not the queue).
    """
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(Path(instance_path) / "jobs.db"), results=False)
    if url == IMMEDIATE:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(QUEUE_NAME, filename=url.removeprefix("sqlite:///"), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    raise ConfigurationError(
        f"LAUREL_JOBS_URL must be redis://HOST:PORT/DB, sqlite:///PATH or {IMMEDIATE}; got {url!r}."
    )


class JobQueue:
    """One application's huey instance, with every registered task bound to that application."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.huey = build_huey(app.config.get("LAUREL_JOBS_URL"), app.config["INSTANCE_PATH"])
        self._wrappers = {
            name: self.huey.task(name=name)(self._in_context(function))
            for name, function in _tasks.items()
        }
        for name, job in _periodic.items():
            self.huey.periodic_task(crontab(minute=f"*/{job.minutes}"), name=name)(
                self._in_context(job.function)
            )
        self._threads: Consumer | None = None
        self._lock = threading.Lock()

    def _in_context(self, function: Callable[..., None]) -> Callable[..., None]:
        app = self.app

        def run(*args: Any) -> None:
            with app.app_context():
                function(*args)

        run.__name__ = function.__name__
        return run

    def enqueue(self, name: str, *args: Any) -> None:
        """Queue the task `name` (run at once in immediate mode)."""
        self._wrappers[name](*args)

    def enqueue_in(self, seconds: float, name: str, *args: Any) -> None:
        """Queue the task `name` to run in `seconds` (dropped in immediate mode: no worker)."""
        if self.huey.immediate:
            return
        self._wrappers[name].schedule(args=args, delay=seconds)

    def run_start_hooks(self) -> None:
        """Run what features asked for at consumer start (re-queueing unfinished work)."""
        for hook in _on_start:
            self._in_context(hook)()

    def consumer(self, workers: int) -> Consumer:
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)

    def start_threads(self, workers: int = 1) -> None:
        """Run a consumer in daemon threads of this process (the development server).

        Only the scheduler and worker threads start: huey's `Consumer.run` would also take
        over the process's signals, which belong to the web server.
        """
        with self._lock:
            if self._threads is not None or self.huey.immediate:
                return
            consumer = self._threads = self.consumer(workers)
        consumer.scheduler.start()
        for _, thread in consumer.worker_threads:
            thread.start()
        threading.Thread(target=self.run_start_hooks, name="jobs-resume", daemon=True).start()
        log.info("Job consumer running in this process, threads: %d.", workers)

    def stop_threads(self) -> None:
        """Stop the in-process consumer (it finishes the task it runs)."""
        if self._threads is not None:
            self._threads.stop(graceful=True)


def job_queue(app: Flask | None = None) -> JobQueue:
    """The queue of `app` (default: the current app), built on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    queue = app.extensions.get("laurel_jobs")
    if queue is None:
        queue = app.extensions["laurel_jobs"] = JobQueue(app)
    return queue


def enqueue(name: str, *args: Any) -> None:
    """Queue the task `name` on the current app's queue.

    In development without LAUREL_JOBS_URL the consumer runs in this process: it starts with
    the first job, so `make run` needs no second command.
    """
    queue = job_queue()
    if current_app.config.get("LAUREL_JOBS_IN_PROCESS"):
        queue.start_threads()
    queue.enqueue(name, *args)


def start_with_first_request(app: Flask) -> None:
    """Run the consumer in this process from its first request on (the development server).

    A restarted server thus takes up unfinished jobs before anyone queues a new one.
    """

    def start() -> None:
        job_queue(app).start_threads()

    app.before_request(start)
