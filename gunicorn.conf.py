"""Gunicorn settings for a Laurel production server.

Run from the project folder: `gunicorn` reads this file from the working directory
(or name it: `gunicorn -c gunicorn.conf.py`). LAUREL_BIND and LAUREL_WORKERS (or the
common WEB_CONCURRENCY) change the address and the number of workers; command-line
options still win.

Several workers count the login limit together only in a shared store, so the server
refuses to start them while LAUREL_RATELIMIT_STORAGE_URI is memory:// (per process).
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

wsgi_app = "app:create_app()"
bind = os.environ.get("LAUREL_BIND") or "127.0.0.1:8000"
# Gunicorn's rule of thumb for sync workers: signing, password hashing and PDF rendering
# keep a worker busy on its core, and a second worker per core covers database waits.
# More than MAX_WORKERS only costs memory (about 170 MiB each): the database is the limit.
MAX_WORKERS = 12
workers = int(
    os.environ.get("LAUREL_WORKERS")
    or os.environ.get("WEB_CONCURRENCY")
    or min(2 * multiprocessing.cpu_count() + 1, MAX_WORKERS)
)
# A PDF certificate with its badge image takes a few seconds on a slow machine.
timeout = 60
graceful_timeout = 30
# Behind a TLS proxy that keeps connections open to the app server.
keepalive = 5
# The application is created once, in the master: its first run writes instance/secret_key
# once (not raced by every worker), bad settings stop the server before any worker starts,
# and the workers share the loaded code's memory.
preload_app = True
accesslog = "-"
# Who, what, the answer, its size and the time taken in microseconds (%(D)s).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'
# A safety net, not a cure: a worker is replaced after about a thousand requests, so a
# slow leak in a library can never grow it for good. The jitter staggers the restarts.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file of each worker, in memory rather than on a disk that may stall.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
# Gunicorn 25+ opens a control socket at one path in the home folder, which a second
# server on the machine would take over; Laurel is run and stopped by signals instead.
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse several workers that would each count the login limit on their own."""
    storage = server.app.wsgi().config["RATELIMIT_STORAGE_URI"]
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        raise RuntimeError(
            f"{server.cfg.workers} workers with LAUREL_RATELIMIT_STORAGE_URI={storage}: each "
            "worker would count sign-in attempts on its own, multiplying the login limit. Set "
            "LAUREL_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a Redis every worker and "
            "server reaches), or LAUREL_WORKERS=1."
        )


def post_worker_init(worker) -> None:
    """Pay the first PDF's cost (0.8-0.9 s: WeasyPrint, fonts, stylesheets) before any visitor.

    It runs in the worker's main thread, which serves every request of a sync worker.
    """
    from app.share.certificate import warm_up_worker

    with worker.app.wsgi().app_context():
        seconds = warm_up_worker()
    worker.log.info("Warmed up the PDF renderer in %.0f ms (pid %s)", seconds * 1000, worker.pid)


def post_fork(server, worker) -> None:
    """Each worker opens its own database connections: none may be shared across a fork."""
    from app.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
