"""`laurel storage check` and `laurel storage move-badge-images`.

Run `check` after setting LAUREL_STORAGE_URL and before starting the servers: a
missing bucket, a wrong endpoint or refused credentials are named here in one
sentence (exit status 1) instead of surfacing as 503 pages on the first upload.
Then `move-badge-images` moves the badge images saved before into the bucket
(app.badges.image_store); run it again at any time, it moves only what is left.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext
from flask_babel import ngettext

from app.badges.image_store import image_bucket
from app.badges.image_store import move_into_bucket
from app.errors import Unavailable
from app.evidence.storage import configured_storage
from app.extensions import db

UNAVAILABLE = 1


@click.group("storage")
def storage_group() -> None:
    """Where evidence files and badge images are stored."""


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
    click.echo(
        gettext(
            "Evidence files are stored in %(describe)s: reachable.", describe=storage.describe()
        )
    )
    bucket = image_bucket(current_app.config)
    where = bucket.describe() if bucket is not None else "the database (the badge rows)"
    click.echo(gettext("Badge images are stored in %(where)s.", where=where))


@storage_group.command("move-badge-images")
@with_appcontext
def move_badge_images() -> None:
    """Move the badge images held in the database into the bucket of LAUREL_STORAGE_URL."""
    bucket = image_bucket(current_app.config)
    if bucket is None:
        click.echo(
            gettext(
                "Error: LAUREL_STORAGE_URL is not set, so badge images "
                "belong in the database, where they are. Set it to the "
                "bucket first."
            ),
            err=True,
        )
        raise SystemExit(UNAVAILABLE)
    try:
        moved = move_into_bucket(db.engine, bucket)
    except Unavailable as error:
        click.echo(
            gettext("Error: %(error)s (the images moved so far stay moved)", error=error), err=True
        )
        raise SystemExit(UNAVAILABLE) from None
    click.echo(
        ngettext(
            "Moved the images of %(num)s badge into %(describe)s.",
            "Moved the images of %(num)s badges into %(describe)s.",
            moved,
            describe=bucket.describe(),
        )
    )


commands = [storage_group]
