"""A backup moves between SQLite and PostgreSQL and back with nothing changed.

The test school is backed up, restored into a SQLite file, backed up again,
restored into a fresh PostgreSQL database, backed up, restored into SQLite: every
table's rows (bytes, times, JSON, booleans), every key file and every evidence
file are the same in each archive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app import create_app
from app.cli import cli
from app.extensions import db

from .helpers import Installation
from .helpers import fresh_postgres_database
from .helpers import manifest_of
from .helpers import parts_by_name


def _restore_then_backup(app_config, place: Installation, backup: Path, out: Path) -> Path:
    application = create_app(place.config(app_config))
    try:
        with application.app_context():
            runner = application.test_cli_runner()
            restored = runner.invoke(cli, args=["restore", str(backup)])
            assert restored.exit_code == 0, restored.output
            again = runner.invoke(cli, args=["backup", str(out)])
            assert again.exit_code == 0, again.output
    finally:
        with application.app_context():
            db.engine.dispose()
    return out


def test_sqlite_to_postgresql_to_sqlite_keeps_every_row_key_and_file(
    runner, school, issued, submitted, app_config, keys_dir, tmp_path
):
    postgres = fresh_postgres_database("portable")
    if postgres is None:
        pytest.skip("LAUREL_TEST_POSTGRES is not set: the move to PostgreSQL needs a server")
    first = tmp_path / "0-source.laurel"
    assert runner.invoke(cli, args=["backup", str(first)]).exit_code == 0
    sqlite_a = Installation.empty(
        tmp_path / "a", f"sqlite:///{tmp_path / 'a' / 'laurel.db'}", keys_dir.passphrase
    )
    pg = Installation.empty(tmp_path / "pg", postgres, keys_dir.passphrase)
    sqlite_b = Installation.empty(
        tmp_path / "b", f"sqlite:///{tmp_path / 'b' / 'laurel.db'}", keys_dir.passphrase
    )

    second = _restore_then_backup(app_config, sqlite_a, first, tmp_path / "1-sqlite.laurel")
    third = _restore_then_backup(app_config, pg, second, tmp_path / "2-postgresql.laurel")
    fourth = _restore_then_backup(app_config, sqlite_b, third, tmp_path / "3-sqlite.laurel")

    assert [manifest_of(p)["database"] for p in (second, third, fourth)] == [
        "sqlite",
        "postgresql",
        "sqlite",
    ]
    parts = [parts_by_name(p) for p in (first, second, third, fourth)]
    assert parts[0]["database/issued_credential.jsonl"].count(b"\n") == 1
    assert any(name.startswith("evidence/") for name in parts[0])
    for later in parts[1:]:
        assert later.keys() == parts[0].keys()
        for name, data in parts[0].items():
            assert later[name] == data, name
