"""`laurel backup FILE` and `laurel restore FILE`: the whole installation in one archive.

The backup runs beside a serving, issuing server. The restore fills an empty
installation (SQLite or PostgreSQL, whichever DATABASE_URL names), which is also
how a school moves from SQLite to PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext
from flask_migrate import downgrade
from flask_migrate import upgrade

from app.badges.image_store import image_bucket
from app.badges.image_store import move_into_bucket
from app.commands import TranslatedCommand
from app.commands import fail
from app.credentials.errors import CredentialError
from app.errors import Unavailable
from app.evidence.storage import configured_storage
from app.extensions import db
from app.extensions import migrate
from app.i18n import N_
from app.keyring import issuing_context
from app.models_base import utcnow
from app.records.backup import write_backup
from app.records.backup_format import BackupError
from app.records.backup_format import checked_archive
from app.records.restore import check_empty
from app.records.restore import check_passphrase
from app.records.restore import check_revision
from app.records.restore import fill_badge_image_rows
from app.records.restore import insert_rows
from app.records.restore import write_badge_images
from app.records.restore import write_evidence
from app.records.restore import write_keys
from app.storage.files import FileStore

REFUSED = 2


def _print_counts(counts: dict[str, int]) -> None:
    for name, count in counts.items():
        click.echo(f"  {name:<22} {count:>8}")


@click.command(
    "backup",
    cls=TranslatedCommand,
    help=N_("Write the database, signing keys and evidence files to FILE, while the server runs."),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(file: Path) -> None:
    if file.exists():
        fail(
            gettext(
                "%(file)s exists already; choose a new file name (a backup never overwrites).",
                file=file,
            ),
            REFUSED,
        )
    if not file.parent.is_dir():
        fail(gettext("the folder %(parent)s does not exist.", parent=file.parent), REFUSED)
    config = current_app.config
    try:
        summary = write_backup(
            file,
            database_url=db.engine.url.render_as_string(hide_password=False),
            keystore=issuing_context().keystore,
            storage=configured_storage(config),
            images=image_bucket(config),
            now=utcnow(),
        )
    except (CredentialError, Unavailable) as error:
        fail(error, REFUSED)
    click.echo(gettext("Backup written to %(file)s:", file=file))
    _print_counts(summary.counts)
    for key in summary.missing_evidence:
        click.echo(
            gettext(
                "Warning: evidence file %(key)s is named by the database but missing.", key=key
            ),
            err=True,
        )
    for key in summary.missing_badge_images:
        click.echo(
            gettext("Warning: badge image %(key)s is named by the database but missing.", key=key),
            err=True,
        )


def _migrate_to(scripts: ScriptDirectory, revision: str) -> None:
    """Bring the (empty) target database to exactly the backup's schema revision."""
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == revision:
        return
    if current is not None and revision in {
        r.revision for r in scripts.iterate_revisions(current, "base")
    }:
        downgrade(revision=revision)
    else:
        upgrade(revision=revision)


@click.command(
    "restore",
    cls=TranslatedCommand,
    help=N_("Restore a backup FILE into this empty installation (SQLite or PostgreSQL)."),
)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    config = current_app.config
    keys_dir = Path(config["LAUREL_KEYS_DIR"])
    scripts = ScriptDirectory.from_config(migrate.get_config())
    written_keys: list[Path] = []
    written_files: list[str] = []
    written_images: list[str] = []
    storage = configured_storage(config)
    images = image_bucket(config)
    try:
        with checked_archive(file) as archive:
            revision = archive.manifest["schema_revision"]
            check_revision(scripts, revision)
            check_empty(db.engine, keys_dir, storage)
            check_passphrase(archive, config["LAUREL_KEY_PASSPHRASE"])
            click.echo(
                gettext(
                    "Backup checked: every part matches its checksum (schema %(revision)s).",
                    revision=revision,
                )
            )
            _migrate_to(scripts, revision)
            try:
                written_keys = write_keys(archive, keys_dir)
                written_files = write_evidence(archive, storage)
                if images is not None:
                    written_images = write_badge_images(archive, images)
                with db.engine.begin() as connection:
                    counts = insert_rows(archive, connection)
                    if images is None:
                        fill_badge_image_rows(archive, connection)
                counts["badge_image_objects"] = len(archive.names("badge-images/"))
            except BaseException:
                for path in written_keys:
                    path.unlink(missing_ok=True)
                for key in written_files:
                    storage.delete(key)
                for key in written_images:
                    cast(FileStore, images).delete(key)
                raise
    except (BackupError, Unavailable) as error:
        fail(error, REFUSED)
    except sa.exc.DBAPIError as error:
        fail(gettext("the database refused the backup's rows: %(orig)s", orig=error.orig), REFUSED)
    upgrade()
    if images is not None:
        try:
            counts["badge_images_moved"] = move_into_bucket(db.engine, images)
        except Unavailable as error:
            click.echo(
                gettext(
                    "Warning: %(error)s Badge images stay in the database until "
                    "`laurel storage move-badge-images` moves them.",
                    error=error,
                ),
                err=True,
            )
    counts["key_files"] = len(written_keys)
    counts["evidence_files"] = len(written_files)
    click.echo(gettext("Restored %(file)s:", file=file))
    _print_counts(counts)


commands = [backup, restore]
