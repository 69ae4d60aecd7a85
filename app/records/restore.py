"""`restore_archive`: a checked backup into an empty installation.

The archive was checked whole before this runs (`archive.checked_archive`). Then:
the target must be empty (no rows, no keys, no evidence files) and its passphrase
must open the backed-up keys; its schema is
brought to the backup's revision; key files (0600) and evidence files are
written; every row is inserted in one transaction, parents first; PostgreSQL
sequences are moved past the restored ids; last, the schema is upgraded to this
Laurel's head, so the migrations carry the restored data forward.

Badge images follow this installation's store, whatever the backed-up one was:
with a bucket, the backup's image objects go into it and images that came in badge
rows are moved there after the upgrade (app.badges.image_store); without one, the
backup's image objects are written into the badge rows that name them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from flask_babel import gettext
from flask_babel import ngettext

from app.badges.image_store import put_object
from app.badges.image_store import sha256_hex
from app.credentials.errors import CredentialError
from app.credentials.keys import KINDS as KINDS_OF_KEYS
from app.credentials.keys import KeyStore
from app.records.backup import BADGE_TABLE
from app.records.backup import IMAGE_COLUMNS
from app.records.backup_format import BackupError
from app.records.backup_format import CheckedArchive
from app.records.rows import KINDS
from app.records.rows import data_tables
from app.records.rows import decode_row
from app.records.rows import reflect
from app.storage.files import FileStore

BATCH_ROWS = 500


class TargetNotEmpty(BackupError):
    """The installation already holds records: a restore would mix two schools."""


def check_revision(scripts: ScriptDirectory, revision: str) -> None:
    """Refuse a backup whose schema this Laurel does not know (made by a newer Laurel)."""
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            gettext(
                "This backup's database is at schema revision %(revision)s, which this Laurel "
                "does not know: it was made by a newer Laurel. Upgrade Laurel, then restore.",
                revision=repr(revision),
            )
        )


def check_empty(engine: sa.Engine, keys_dir: Path, storage: FileStore | None) -> None:
    """:raises TargetNotEmpty: any table has a row, a key file exists, or evidence is stored."""
    with engine.connect() as connection:
        for table in data_tables(reflect(connection)):
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                raise TargetNotEmpty(
                    gettext(
                        "This installation is not empty (its table %(table)s has rows). "
                        "Restore into a new, empty database.",
                        table=repr(table.name),
                    )
                )
    if keys_dir.is_dir() and any(not p.name.startswith(".") for p in keys_dir.iterdir()):
        raise TargetNotEmpty(
            gettext(
                "This installation already has signing keys in %(folder)s. Restore into an "
                "installation with an empty key directory (LAUREL_KEYS_DIR).",
                folder=keys_dir,
            )
        )
    if storage is not None and not storage.is_empty():
        raise TargetNotEmpty(
            gettext(
                "This installation already stores evidence files in %(store)s. Restore into "
                "an installation with an empty evidence store (LAUREL_STORAGE_DIR or the "
                "bucket of LAUREL_STORAGE_URL).",
                store=storage.describe(),
            )
        )


def check_passphrase(archive: CheckedArchive, passphrase: str) -> None:
    """Refuse keys this installation could not open: it would restore a school that cannot sign.

    The key files are written to a private temporary folder and each current key is
    decrypted with this installation's LAUREL_KEY_PASSPHRASE.
    """
    with tempfile.TemporaryDirectory(prefix=".laurel-restore-keys-") as scratch:
        try:
            write_keys(archive, Path(scratch) / "keys")
            store = KeyStore(Path(scratch) / "keys", passphrase)
            for kind in KINDS_OF_KEYS:
                store.private_key(store.current(kind))
        except CredentialError:
            raise BackupError(
                gettext(
                    "The backup's signing keys cannot be opened with this installation's "
                    "LAUREL_KEY_PASSPHRASE: set the passphrase the backed-up school used."
                )
            ) from None


def write_keys(archive: CheckedArchive, keys_dir: Path) -> list[Path]:
    """The key store's files as they were stored, mode 0600, in a 0700 directory."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for name in archive.names("keys/"):
        path = keys_dir / name.split("/", 1)[1]
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        written.append(path)
        with os.fdopen(descriptor, "wb") as out, archive.open(name) as stream:
            while chunk := stream.read(1024 * 1024):
                out.write(chunk)
    return written


def write_evidence(archive: CheckedArchive, storage: FileStore) -> list[str]:
    """Each evidence file under its own storage key (the rows name it)."""
    written = []
    for name in archive.names("evidence/"):
        key = name.split("/", 1)[1]
        with archive.open(name) as stream:
            storage.put(key, stream, max_bytes=archive.parts[name].size or 1)
        written.append(key)
    return written


def write_badge_images(archive: CheckedArchive, bucket: FileStore) -> list[str]:
    """The backup's bucket-kept badge images into this bucket; the keys newly written."""
    written = []
    for name in archive.names("badge-images/"):
        with archive.open(name) as stream:
            data = stream.read()
        if put_object(bucket, data):
            written.append(sha256_hex(data))
    return written


def fill_badge_image_rows(archive: CheckedArchive, connection: sa.Connection) -> int:
    """The backup's bucket-kept badge images into the badge rows naming them (no bucket here).

    Runs on the restored rows at the backup's revision, which has the digest columns
    if the backup holds any image object.
    """
    badge = sa.table(BADGE_TABLE, *(sa.column(name) for pair in IMAGE_COLUMNS for name in pair))
    filled = 0
    for name in archive.names("badge-images/"):
        digest = name.split("/", 1)[1]
        with archive.open(name) as stream:
            data = stream.read()
        for data_column, digest_column in IMAGE_COLUMNS:
            result = connection.execute(
                badge.update()
                .where(badge.c[digest_column] == digest, badge.c[data_column].is_(None))
                .values({data_column: data})
            )
            filled += result.rowcount
    return filled


def _table_entries(archive: CheckedArchive) -> dict[str, dict[str, Any]]:
    entries = {}
    try:
        for entry in archive.manifest["tables"]:
            name, columns, kinds = entry["name"], list(entry["columns"]), list(entry["kinds"])
            if len(columns) != len(kinds) or not set(kinds) <= KINDS:
                raise BackupError(
                    gettext(
                        "The backup's manifest describes table %(table)s wrongly.",
                        table=repr(name),
                    )
                )
            entries[name] = {"columns": columns, "kinds": kinds, "rows": int(entry["rows"])}
    except (KeyError, TypeError, ValueError):
        raise BackupError(
            gettext("The backup's manifest is damaged: its table list is unreadable.")
        ) from None
    return entries


def insert_rows(archive: CheckedArchive, connection: sa.Connection) -> dict[str, int]:
    """Every row of the backup, parents first, in the caller's transaction; rows per table."""
    entries = _table_entries(archive)
    tables = data_tables(reflect(connection))
    names = {table.name for table in tables}
    if set(entries) != names:
        raise BackupError(
            gettext(
                "The backup's tables differ from this database's at the same schema revision: "
                "%(tables)s.",
                tables=sorted(set(entries) ^ names),
            )
        )
    counts = {}
    for table in tables:
        entry = entries[table.name]
        unknown = set(entry["columns"]) - set(table.columns.keys())
        if unknown:
            raise BackupError(
                gettext(
                    "The backup's table %(table)s has unknown columns %(columns)s.",
                    table=table.name,
                    columns=sorted(unknown),
                )
            )
        part = f"database/{table.name}.jsonl"
        if part not in archive.parts:
            raise BackupError(
                gettext("The backup lacks the rows of table %(table)s.", table=table.name)
            )
        batch: list[dict[str, Any]] = []
        count = 0
        with archive.open(part) as stream:
            for number, line in enumerate(stream, start=1):
                try:
                    batch.append(decode_row(line, entry["columns"], entry["kinds"]))
                except ValueError as error:
                    raise BackupError(
                        gettext(
                            "Row %(number)s of table %(table)s in the backup is damaged: "
                            "%(error)s.",
                            number=number,
                            table=table.name,
                            error=error,
                        )
                    ) from None
                if len(batch) == BATCH_ROWS:
                    connection.execute(table.insert(), batch)
                    count += len(batch)
                    batch = []
        if batch:
            connection.execute(table.insert(), batch)
            count += len(batch)
        if count != entry["rows"]:
            raise BackupError(
                ngettext(
                    "The backup's table %(table)s holds %(num)d row; its manifest says "
                    "%(expected)s.",
                    "The backup's table %(table)s holds %(num)d rows; its manifest says "
                    "%(expected)s.",
                    count,
                    table=table.name,
                    expected=entry["rows"],
                )
            )
        counts[table.name] = count
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection, tables)
    return counts


def _reset_sequences(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """Move each id sequence past the restored ids, or the next insert collides with row 1."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = connection.execute(
                sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": f'"{table.name}"', "column": column.name},
            ).scalar()
            if sequence is None:
                continue
            connection.execute(
                sa.text(
                    f'SELECT setval(:sequence, COALESCE(MAX("{column.name}"), 1), '
                    f'MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
                ),
                {"sequence": sequence},
            )
