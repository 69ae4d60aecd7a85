"""Gunicorn settings for a Laurel production server.

Run from the project folder: `gunicorn` reads this file from the working directory
(or name it: `gunicorn -c gunicorn.conf.py`). LAUREL_BIND and LAUREL_WORKERS change the
address and the number of workers; command-line options still win.

Several workers count the login limit together only in a shared store, so the server
refuses to start them while LAUREL_RATELIMIT_STORAGE_URI is memory:// (per process).
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "app:create_app()"
bind = os.environ.get("LAUREL_BIND") or "127.0.0.1:8000"
# Gunicorn's rule of thumb for sync workers: signing, password hashing and PDF rendering
# keep a worker busy on its core, and a second worker per core covers database waits.
workers = int(os.environ.get("LAUREL_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
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


def post_fork(server, worker) -> None:
    """Each worker opens its own database connections: none may be shared across a fork."""
    from app.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
