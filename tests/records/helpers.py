"""Installations for backup tests: their environment, a fresh target, archives taken apart."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.app import postgres_url


@dataclass(frozen=True)
class Installation:
    """Where one Laurel keeps its records: database, keys, evidence files."""

    root: Path
    database_url: str
    keys_dir: Path
    storage_dir: Path
    passphrase: str

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Installation:
        return cls(
            root=Path(config["INSTANCE_PATH"]),
            database_url=config["SQLALCHEMY_DATABASE_URI"],
            keys_dir=Path(config["LAUREL_KEYS_DIR"]),
            storage_dir=Path(config["LAUREL_STORAGE_DIR"]),
            passphrase=config["LAUREL_KEY_PASSPHRASE"],
        )

    @classmethod
    def empty(cls, root: Path, database_url: str, passphrase: str) -> Installation:
        root.mkdir(parents=True, exist_ok=True)
        return cls(root, database_url, root / "keys", root / "evidence", passphrase)

    def config(self, base: dict[str, Any]) -> dict[str, Any]:
        return {
            **base,
            "INSTANCE_PATH": str(self.root),
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "LAUREL_KEYS_DIR": str(self.keys_dir),
            "LAUREL_STORAGE_DIR": str(self.storage_dir),
        }

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
        env.update(
            LAUREL_ENV="test",
            LAUREL_SECRET_KEY="test-secret-key",
            LAUREL_INSTANCE_PATH=str(self.root),
            DATABASE_URL=self.database_url,
            LAUREL_KEYS_DIR=str(self.keys_dir),
            LAUREL_KEY_PASSPHRASE=self.passphrase,
            LAUREL_STORAGE_DIR=str(self.storage_dir),
            LAUREL_PUBLIC_URL=TEST_PUBLIC_URL,
        )
        return env

    def run(self, laurel: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [laurel, *args], env=self.env(), capture_output=True, text=True, timeout=300
        )

    def is_untouched(self) -> bool:
        """No key, no evidence file, no table: what a refused restore must leave."""
        if self.keys_dir.exists() and any(self.keys_dir.iterdir()):
            return False
        if self.storage_dir.exists() and any(self.storage_dir.rglob("*")):
            return False
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return not sa.inspect(connection).get_table_names()
        finally:
            engine.dispose()


def fresh_postgres_database(suffix: str) -> str | None:
    """A new, empty database beside LAUREL_TEST_POSTGRES's (None when that is not set)."""
    base = postgres_url()
    if base is None:
        return None
    url = make_url(base)
    name = f"{url.database}_{suffix}"
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def members(path: Path) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """Every member of an archive with its data, in order."""
    with tarfile.open(path, "r:*") as tar:
        return [
            (member, tar.extractfile(member).read() if member.isreg() else None)  # type: ignore[union-attr]
            for member in tar
        ]


def manifest_of(path: Path) -> dict[str, Any]:
    info, data = members(path)[0]
    assert info.name == "manifest.json" and data is not None
    return json.loads(data)


def write_members(path: Path, entries: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in entries:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def parts_by_name(path: Path) -> dict[str, bytes]:
    return {info.name: data for info, data in members(path)[1:] if data is not None}
