"""The stairway: a school planted at each revision upgrades to head and keeps working.

For every revision R in migrations/versions (a new one is covered as soon as its file
is there): migrate an empty database to R, plant a school with SQL valid at R
(tests/migrations/old_school.py), upgrade to head, and check that every row and
evidence file survived, that the columns added after R got their backfilled values,
that `laurel db check` finds no drift, that badge images are still served from their rows
(and move into a bucket afterwards), that `laurel badges list` and `laurel issue`
work on it (as a subprocess at the oldest revision and at head, through the CLI runner in
between), that the old credentials still verify (active, revoked, suspended), and
that downgrading to R and upgrading again loses nothing. On PostgreSQL
(LAUREL_TEST_POSTGRES) each revision gets a database of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from app.cli import cli
from app.credentials.keys import KeyStore
from app.extensions import db
from app.storage.files import LocalStorage
from app.verify.core.report import Verdict
from app.verify.service import run_verification
from tests.fixtures.app import _config
from tests.fixtures.app import postgres_url
from tests.fixtures.keys import KeysDir
from tests.fixtures.object_storage import objects_in
from tests.migrations.old_school import ACTIVE_ID
from tests.migrations.old_school import PASSWORD
from tests.migrations.old_school import REVOKED_ID
from tests.migrations.old_school import SUSPENDED_ID
from tests.migrations.old_school import OldSchool
from tests.migrations.old_school import seed_school

ROOT = Path(__file__).resolve().parents[2]
REVISIONS = [
    script.revision
    for script in reversed(list(ScriptDirectory(str(ROOT / "migrations")).walk_revisions()))
]
HEAD = REVISIONS[-1]
# The last revision whose badge rows hold images without their digests.
BEFORE_IMAGE_DIGESTS = next(
    script.down_revision
    for script in ScriptDirectory(str(ROOT / "migrations")).walk_revisions()
    if script.path.endswith("_badge_image_objects.py")
)


def _plain(value: Any) -> Any:
    """A value as SQLite and PostgreSQL both give it back: naive UTC datetimes, bytes."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, memoryview):
        return bytes(value)
    return value


@pytest.fixture
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    base = postgres_url()
    if base is None:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = sa.make_url(base)
    name = f"{server.database}_stairway_{request.node.callspec.id}".lower()
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def school_keys(tmp_path, keys_dir) -> KeysDir:
    """A key store of this database's own (a copy of the session's: RSA keys are slow to make)."""
    path = tmp_path / "keys"
    shutil.copytree(keys_dir.path, path)
    return KeysDir(
        path=path, passphrase=keys_dir.passphrase, store=KeyStore(path, keys_dir.passphrase)
    )


class Laurel:
    """The `laurel` command on the upgraded database, as an operator runs it."""

    def __init__(self, executable: str, config: dict[str, Any]) -> None:
        self.executable = executable
        self.env = {
            **os.environ,
            "LAUREL_ENV": "development",
            "LAUREL_INSTANCE_PATH": config["INSTANCE_PATH"],
            "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "LAUREL_KEYS_DIR": config["LAUREL_KEYS_DIR"],
            "LAUREL_KEY_PASSPHRASE": config["LAUREL_KEY_PASSPHRASE"],
            "LAUREL_PUBLIC_URL": config["LAUREL_PUBLIC_URL"],
            "LAUREL_STORAGE_DIR": config["LAUREL_STORAGE_DIR"],
            "LAUREL_DEMO": "0",
        }

    def __call__(self, *args: str) -> str:
        result = subprocess.run(
            [self.executable, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"laurel {' '.join(args)}: {result.stdout}{result.stderr}"
        return result.stdout


class LaurelInProcess:
    """The same commands through the app's own CLI runner: the subprocess costs seconds,
    and its launch is already shown at the oldest revision and at head."""

    def __init__(self, application: Any) -> None:
        self.runner = application.test_cli_runner()

    def __call__(self, *args: str) -> str:
        result = self.runner.invoke(cli, args=list(args))
        assert result.exit_code == 0, f"laurel {' '.join(args)}: {result.output}"
        return result.output


def _table_rows(name: str) -> dict[Any, dict[str, Any]]:
    """The rows of `name` by id, read through the table as the database describes it now."""
    table = sa.Table(name, sa.MetaData(), autoload_with=db.engine)
    with db.engine.connect() as connection:
        rows = connection.execute(sa.select(table)).mappings().all()
    return {row["id"]: {column: _plain(value) for column, value in row.items()} for row in rows}


def _assert_rows_kept(school: OldSchool) -> None:
    """Every planted row is still there with every value it was written with."""
    for table, planted in school.rows.items():
        stored = _table_rows(table)
        for row in planted:
            assert row["id"] in stored, f"{table} {row['id']} is gone"
            kept = {name: stored[row["id"]][name] for name in row}
            assert kept == {name: _plain(value) for name, value in row.items()}, table


def _columns_of_revision(school: OldSchool) -> dict[str, dict[Any, dict[str, Any]]]:
    """Every row now stored, with only the columns the planted revision had."""
    return {
        table: {
            key: {name: row[name] for name in planted[0]} for key, row in _table_rows(table).items()
        }
        for table, planted in school.rows.items()
    }


def _distinct_tokens(values: list[Any], length: int) -> bool:
    return len(set(values)) == len(values) and all(len(v) >= length for v in values)


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


# What each column added by a revision must hold in rows written before it.
BACKFILLS = {
    ("user", "session_token"): lambda rows, _: _distinct_tokens(
        [r["session_token"] for r in rows.values()], 32
    ),
    ("badge", "image_png"): lambda rows, school: all(
        rows[b["id"]]["image_png"] == b["image"] for b in school.rows["badge"]
    ),
    ("badge", "image_sha256"): lambda rows, school: all(
        rows[b["id"]]["image_sha256"] == _sha256(b["image"]) for b in school.rows["badge"]
    ),
    ("badge", "image_png_sha256"): lambda rows, _: all(
        r["image_png_sha256"] == _sha256(r["image_png"]) for r in rows.values()
    ),
    ("issued_credential", "verify_enabled"): lambda rows, _: all(
        r["verify_enabled"] for r in rows.values()
    ),
    ("issued_credential", "verify_token"): lambda rows, _: _distinct_tokens(
        [r["verify_token"] for r in rows.values()], 32
    ),
    ("evidence_item", "public_token"): lambda rows, _: _distinct_tokens(
        [r["public_token"] for r in rows.values()], 32
    ),
    # Badges made before proposals existed were all made by staff.
    ("badge", "student_proposed"): lambda rows, _: (
        not any(r["student_proposed"] for r in rows.values())
    ),
    # Goals set before standards could be aimed at were badges, named as their badge.
    ("goal", "kind"): lambda rows, _: all(r["kind"] == "BADGE" for r in rows.values()),
    ("goal", "title"): lambda rows, school: all(
        rows[g["id"]]["title"]
        == next(b["name"] for b in school.rows["badge"] if b["id"] == g["badge_id"])
        for g in school.rows["goal"]
    ),
}


def _assert_backfilled(school: OldSchool) -> None:
    """The columns added after the planted revision hold what BACKFILLS says."""
    for table, planted in school.rows.items():
        for column in sa.Table(table, sa.MetaData(), autoload_with=db.engine).columns:
            if column.name in planted[0] or column.nullable:
                continue
            assert (table, column.name) in BACKFILLS, (
                f"{table}.{column.name} is a NOT NULL column added by a later revision: say in "
                "BACKFILLS (tests/migrations/test_stairway.py) what rows written before it hold"
            )
    for (table, added), holds in BACKFILLS.items():
        if added in school.rows[table][0]:
            continue  # the column existed already: _assert_rows_kept checked the planted value
        assert holds(_table_rows(table), school), f"{table}.{added} was not backfilled"


def _verdicts() -> dict[str, Verdict]:
    with db.engine.connect() as connection:
        documents = connection.execute(sa.text("SELECT id, json_text FROM issued_credential"))
        texts: dict[str, str] = {key: text for key, text in documents}
    return {
        key: run_verification(text, now=datetime.now(UTC)).report.verdict
        for key, text in texts.items()
    }


@pytest.fixture
def config(database_url, school_keys, tmp_path) -> dict[str, Any]:
    return _config(tmp_path, database_url, school_keys)


@pytest.fixture
def application(config):
    """The app on the database; its connections are closed even when the test fails."""
    application = create_app(config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("revision", REVISIONS)
def test_school_at_revision_upgrades_to_head_and_keeps_working(
    revision, config, application, school_keys, tmp_path, laurel
):
    storage_dir = Path(config["LAUREL_STORAGE_DIR"])
    with application.app_context():
        upgrade(revision=revision)
        with db.engine.begin() as connection:
            school = seed_school(
                connection,
                keystore=school_keys.store,
                storage_dir=storage_dir,
                now=datetime.now(UTC),
            )
        upgrade()

        _assert_rows_kept(school)
        _assert_backfilled(school)
        storage = LocalStorage(storage_dir)
        for file in school.files:
            with storage.open(file.storage_key) as stored:
                assert stored.read() == file.content
        assert _verdicts() == {
            ACTIVE_ID: Verdict.VERIFIED,
            REVOKED_ID: Verdict.REVOKED,
            SUSPENDED_ID: Verdict.SUSPENDED,
        }
        db.session.remove()

        if revision in (REVISIONS[0], HEAD):
            command: Laurel | LaurelInProcess = Laurel(laurel, config)
        else:
            command = LaurelInProcess(application)
        command("db", "check")
        listed = command("badges", "list")
        assert "vehicle-restoration" in listed and "Auto Shop 2026" in listed
        out = tmp_path / "new.json"
        url = command(
            "issue",
            "--badge",
            "data-plotting",
            "--email",
            "SAM@maplegrove.example",
            "--out",
            str(out),
        )
        new_id = url.strip().rsplit("/", 1)[-1]
        assert json.loads(out.read_text())["id"] == url.strip()
        assert _verdicts()[new_id] is Verdict.VERIFIED
        slots = _table_rows("status_slot")
        assert len(slots) == 8
        assert len({(s["status_list_id"], s["index"]) for s in slots.values()}) == 8

        browser = application.test_client()
        signed_in = browser.post(
            "/login", data={"email": "sam@maplegrove.example", "password": PASSWORD}
        )
        assert signed_in.location == "/dashboard", signed_in.get_data(as_text=True)[:500]
        page = browser.get("/dashboard", follow_redirects=True)
        assert page.status_code == 200 and "Vehicle Restoration" in page.get_data(as_text=True)
        for item, file in zip((1, 2), school.files, strict=True):
            with closing(browser.get(f"/files/{item}")) as download:
                assert download.data == file.content
        # The image named in the credentials issued before, served from the badge row.
        truck = school.row("badge", slug="vehicle-restoration")["image"]
        image = browser.get("/achievements/a0000000-0000-4000-8000-000000000001/image")
        assert image.status_code == 200 and image.data == truck
        assert image.headers["ETag"] == f'"{_sha256(truck)}"'
        share_token = school.row("issued_credential", id=ACTIVE_ID)["share_token"]
        shared = application.test_client().get(f"/s/{share_token}")
        assert shared.status_code == 200 and "Genuine" in shared.get_data(as_text=True)
        db.session.remove()

        if revision != HEAD:
            before = _columns_of_revision(school)
            downgrade(revision=revision)
            upgrade()
            assert _columns_of_revision(school) == before
            command("db", "check")
            assert _verdicts() == {
                ACTIVE_ID: Verdict.VERIFIED,
                REVOKED_ID: Verdict.REVOKED,
                SUSPENDED_ID: Verdict.SUSPENDED,
                new_id: Verdict.VERIFIED,
            }


# Parametrized for the id alone: on PostgreSQL it names this test's database.
@pytest.mark.parametrize("revision", [BEFORE_IMAGE_DIGESTS], ids=["images-into-bucket"])
def test_images_planted_in_rows_move_into_a_bucket_after_the_upgrade(
    revision, config, application, school_keys, make_bucket, s3_client
):
    with application.app_context():
        upgrade(revision=revision)
        with db.engine.begin() as connection:
            school = seed_school(
                connection,
                keystore=school_keys.store,
                storage_dir=Path(config["LAUREL_STORAGE_DIR"]),
                now=datetime.now(UTC),
            )
        upgrade()
        truck = school.row("badge", slug="vehicle-restoration")["image"]
        name, url = make_bucket()
        application.config["LAUREL_STORAGE_URL"] = url
        runner = application.test_cli_runner()
        for moved in ("1 badge ", "0 badges "):
            result = runner.invoke(cli, args=["storage", "move-badge-images"])
            assert f"Moved the images of {moved}" in result.output, result.output
        assert objects_in(s3_client, name) == {f"evidence/badge-images/{_sha256(truck)}": truck}
        row = _table_rows("badge")[1]
        assert (row["image"], row["image_png"], row["image_sha256"]) == (None, None, _sha256(truck))
        image = application.test_client().get(
            "/achievements/a0000000-0000-4000-8000-000000000001/image"
        )
        assert image.status_code == 200 and image.data == truck
        db.session.remove()
