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
from app.commands import TranslatedGroup
from app.commands import fail
from app.errors import Unavailable
from app.evidence.storage import configured_storage
from app.extensions import db
from app.i18n import N_
from app.main.filters import say

UNAVAILABLE = 1


@click.group(
    "storage", cls=TranslatedGroup, help=N_("Where evidence files and badge images are stored.")
)
def storage_group() -> None:
    pass


@storage_group.command(
    "check", help=N_("Check that the evidence store can be reached and written.")
)
@with_appcontext
def check() -> None:
    storage = configured_storage(current_app.config)
    try:
        storage.check()
    except Unavailable as error:
        fail(error, UNAVAILABLE)
    click.echo(
        gettext(
            "Evidence files are stored in %(describe)s: reachable.", describe=storage.describe()
        )
    )
    bucket = image_bucket(current_app.config)
    if bucket is None:
        click.echo(gettext("Badge images are stored in the database (the badge rows)."))
    else:
        click.echo(gettext("Badge images are stored in %(where)s.", where=bucket.describe()))


@storage_group.command(
    "move-badge-images",
    help=N_("Move the badge images held in the database into the bucket of LAUREL_STORAGE_URL."),
)
@with_appcontext
def move_badge_images() -> None:
    bucket = image_bucket(current_app.config)
    if bucket is None:
        fail(
            gettext(
                "LAUREL_STORAGE_URL is not set, so badge images belong in the database, "
                "where they are. Set it to the bucket first."
            ),
            UNAVAILABLE,
        )
    try:
        moved = move_into_bucket(db.engine, bucket)
    except Unavailable as error:
        fail(
            gettext("%(error)s The images moved so far stay moved.", error=say(error)),
            UNAVAILABLE,
        )
    click.echo(
        ngettext(
            "Moved the images of %(num)s badge into %(describe)s.",
            "Moved the images of %(num)s badges into %(describe)s.",
            moved,
            describe=bucket.describe(),
        )
    )


commands = [storage_group]
