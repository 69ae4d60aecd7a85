"""`laurel storage check`: is the evidence store (directory or bucket) there and writable?

Run it after setting LAUREL_STORAGE_URL and before starting the servers: a missing
bucket, a wrong endpoint or refused credentials are named here in one sentence
(exit status 1) instead of surfacing as 503 pages on the first upload.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from app.errors import Unavailable
from app.evidence.storage import configured_storage

UNAVAILABLE = 1


@click.group("storage")
def storage_group() -> None:
    """Where evidence files are stored."""


@storage_group.command("check")
@with_appcontext
def check() -> None:
    """Check that the evidence store can be reached and written."""
    storage = configured_storage(current_app.config)
    try:
        storage.check()
    except Unavailable as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(UNAVAILABLE) from None
    click.echo(f"Evidence files are stored in {storage.describe()}: reachable.")


commands = [storage_group]
