"""`write_backup`: one archive of the database, the key store, evidence files and badge images.

The database is read inside ONE read transaction, a consistent snapshot while the
server keeps issuing: on SQLite an explicit BEGIN on one connection (WAL keeps the
snapshot of the first read), on PostgreSQL SERIALIZABLE READ ONLY DEFERRABLE. The
keys, evidence files and bucket-kept badge images are read after the snapshot: a
key is never deleted, a file or image is stored before its row commits and a
replaced image is not deleted, so everything the snapshot names is found.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import cast

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.pool import NullPool

from app.config import laurel_version
from app.credentials.keys import KeyStore
from app.errors import NotFound
from app.records.backup_format import FORMAT
from app.records.backup_format import FORMAT_VERSION
from app.records.backup_format import ArchiveWriter
from app.records.backup_format import Part
from app.records.backup_format import sha256_of
from app.records.rows import ALEMBIC_TABLE
from app.records.rows import column_kind
from app.records.rows import data_tables
from app.records.rows import encode_row
from app.records.rows import reflect
from app.storage.files import FileStore

EVIDENCE_TABLE = "evidence_item"
BADGE_TABLE = "badge"
# Badge image columns: the bytes when kept in the row, else the digest naming the object.
IMAGE_COLUMNS = (("image", "image_sha256"), ("image_png", "image_png_sha256"))


@dataclass
class BackupSummary:
    counts: dict[str, int]
    missing_evidence: list[str] = field(default_factory=list)
    missing_badge_images: list[str] = field(default_factory=list)


@contextmanager
def snapshot(database_url: str) -> Iterator[sa.Connection]:
    """A connection inside one read transaction that sees the database as of its first read."""
    engine = sa.create_engine(database_url, poolclass=NullPool)
    options: dict[str, Any] = {}
    if engine.dialect.name == "sqlite":
        # pysqlite would not begin a transaction for SELECTs: begin it ourselves.
        @sa.event.listens_for(engine, "connect")
        def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN")

    elif engine.dialect.name == "postgresql":
        options = {
            "isolation_level": "SERIALIZABLE",
            "postgresql_readonly": True,
            "postgresql_deferrable": True,
        }
    try:
        with engine.connect().execution_options(**options) as connection, connection.begin():
            yield connection
    finally:
        engine.dispose()


def _stored_elsewhere(table: sa.Table, row: sa.Row) -> list[tuple[str, str]]:
    """The stored files a row names: ("evidence", key) or ("badge-images", sha256)."""
    values = row._mapping
    if table.name == EVIDENCE_TABLE and values["storage_key"]:
        return [("evidence", values["storage_key"])]
    if table.name == BADGE_TABLE and "image_sha256" in values:
        return [
            ("badge-images", values[digest])
            for data, digest in IMAGE_COLUMNS
            if values[data] is None and values[digest] is not None
        ]
    return []


def _dump_table(
    connection: sa.Connection, table: sa.Table, path: Path
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Write the table's rows to `path`; its manifest entry, and the stored files it names."""
    columns = [column.name for column in table.columns]
    kinds = [column_kind(column.type) for column in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    rows = 0
    keys: list[tuple[str, str]] = []
    with open(path, "wb") as out:
        for row in connection.execute(sa.select(table).order_by(*order)):
            out.write(encode_row(row, kinds))
            rows += 1
            keys.extend(_stored_elsewhere(table, row))
    entry = {"name": table.name, "columns": columns, "kinds": kinds, "rows": rows}
    return entry, keys


def _file_part(name: str, path: Path) -> Part:
    with open(path, "rb") as stream:
        size, digest = sha256_of(stream)
    return Part(name=name, size=size, sha256=digest)


def write_backup(
    out: Path,
    *,
    database_url: str,
    keystore: KeyStore,
    storage: FileStore,
    images: FileStore | None,
    now: datetime,
) -> BackupSummary:
    """Write the archive to `out` (through a temporary file: `out` appears whole or not at all).

    `storage` holds the evidence files; `images` the badge images kept in the bucket
    (None without one: a badge naming an object then counts it missing).
    """
    out = Path(out)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".laurel-backup-") as work:
        workdir = Path(work)
        tables: list[dict[str, Any]] = []
        parts: list[tuple[Part, Path | None]] = []
        stored: list[tuple[str, str]] = []
        with snapshot(database_url) as connection:
            revision = connection.execute(
                sa.text(f"SELECT version_num FROM {ALEMBIC_TABLE}")
            ).scalar_one()
            dialect = connection.dialect.name
            for table in data_tables(reflect(connection)):
                path = workdir / f"{table.name}.jsonl"
                entry, keys = _dump_table(connection, table, path)
                tables.append(entry)
                stored.extend(keys)
                parts.append((_file_part(f"database/{table.name}.jsonl", path), path))
        for name, data in keystore.stored_files().items():
            path = workdir / f"key-{name}"
            path.write_bytes(data)
            parts.append((_file_part(f"keys/{name}", path), path))
        stores = {"evidence": storage, "badge-images": images}
        missing: dict[str, list[str]] = {"evidence": [], "badge-images": []}
        for folder, key in sorted(set(stored)):
            store = stores[folder]
            try:
                if store is None:
                    raise NotFound(gettext("No bucket is set."))
                with store.open(key) as stream:
                    size, digest = sha256_of(stream)
            except NotFound:
                missing[folder].append(key)
                continue
            parts.append((Part(name=f"{folder}/{key}", size=size, sha256=digest), None))
        counts = {entry["name"]: entry["rows"] for entry in tables}
        counts["key_files"] = sum(1 for part, _ in parts if part.name.startswith("keys/"))
        counts["evidence_files"] = sum(1 for part, _ in parts if part.name.startswith("evidence/"))
        counts["badge_images"] = _badge_images(tables, workdir)
        counts["badge_image_objects"] = sum(
            1 for part, _ in parts if part.name.startswith("badge-images/")
        )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "laurel_version": laurel_version(),
            "created": now.isoformat(),
            "database": dialect,
            "schema_revision": revision,
            "counts": counts,
            "tables": tables,
            "missing_evidence": missing["evidence"],
            "missing_badge_images": missing["badge-images"],
            "parts": [
                {"name": part.name, "size": part.size, "sha256": part.sha256} for part, _ in parts
            ],
        }
        partial = workdir / "archive.tar.gz"
        writer = ArchiveWriter(partial, manifest)
        try:
            for part, spooled in parts:
                if spooled is None:
                    folder, key = part.name.split("/", 1)
                    with cast(FileStore, stores[folder]).open(key) as stream:
                        writer.add(part, stream)
                else:
                    with open(spooled, "rb") as stream:
                        writer.add(part, stream)
        finally:
            writer.close()
        os.chmod(partial, 0o600)
        os.replace(partial, out)
    return BackupSummary(
        counts=counts,
        missing_evidence=missing["evidence"],
        missing_badge_images=missing["badge-images"],
    )


def _badge_images(tables: list[dict[str, Any]], workdir: Path) -> int:
    """How many badges carry an uploaded image (in their row or in the bucket)."""
    entry = next((t for t in tables if t["name"] == BADGE_TABLE), None)
    if entry is None or "image" not in entry["columns"]:
        return 0
    named = "image_sha256" if "image_sha256" in entry["columns"] else "image"
    position = entry["columns"].index(named)
    with open(workdir / "badge.jsonl", "rb") as rows:
        return sum(1 for line in rows if json.loads(line)[position] is not None)
