"""One application and one populated school per security test module.

The hostile requests of this suite must all be refused, so they can share a
database: each case checks that the database and the evidence folder are exactly
as before. The school is the authorization matrix's world (people, classes,
badges, submissions, a shared credential), built once per module.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests.fixtures.app import _config
from tests.fixtures.app import empty_all_tables
from tests.fixtures.app import postgres_url
from tests.fixtures.signin import sign_in_by_id
from tests.test_authz_matrix import build_world
from tests.test_authz_matrix import people_of


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory, migrated_database, keys_dir):
    """An application on its own migrated database, shared by the tests of one module."""
    import shutil

    url, template = migrated_database
    instance = tmp_path_factory.mktemp("security")
    if postgres_url():
        empty_all_tables(url)
    else:
        shutil.copy(template, instance / "laurel.db")
        url = f"sqlite:///{instance / 'laurel.db'}"
    application = create_app(_config(instance, url, keys_dir))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def world(shared_app) -> dict:
    """The authorization matrix's school: ids, slugs and tokens by name, and the people."""
    with shared_app.app_context():
        built = build_world()
        built["people"] = people_of(built)
    return built


@pytest.fixture
def client_as(shared_app, world):
    """client_as(role) -> a test client signed in as that person of the world (or anonymous)."""

    def make(role: str):
        return sign_in_by_id(shared_app.test_client(), world["people"].get(role))

    return make


def fill(template: str, world: dict) -> str:
    """`template` with {names} of the world filled in."""
    return template.format(**{k: v for k, v in world.items() if isinstance(v, (int, str))})


def snapshot(application) -> str:
    """A digest of every row of every table and of every stored evidence file name."""
    import app.models  # noqa: F401  (every table must be known)

    digest = hashlib.sha256()
    with application.app_context():
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                rows = connection.execute(sa.select(table)).all()
                digest.update(table.name.encode())
                for row in sorted(repr(tuple(row)) for row in rows):
                    digest.update(row.encode())
    storage = Path(application.config["LAUREL_STORAGE_DIR"])
    for path in sorted(storage.rglob("*")) if storage.exists() else ():
        digest.update(str(path.relative_to(storage)).encode())
    return digest.hexdigest()


def send(client, method: str, path: str, **options) -> tuple[int, str]:
    """Send one request; return its status and body text (the response is closed)."""
    with client.open(path, method=method, **options) as response:
        return response.status_code, response.get_data(as_text=True)


def message_of(body: str) -> str:
    """The message of a JSON error, or the text of an HTML page (entities decoded)."""
    import html
    import json

    try:
        return json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return html.unescape(body)
