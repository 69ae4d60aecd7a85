"""Ten years on: issue, rotate the keys three times, carry the records over, export, switch off.

The school issues credentials under four successive keys, revokes one, moves its
records to a new home (`carry_records_over`: a backup restored into a fresh database),
writes the shutdown kit and stops.
Ten years later, with only a static file server answering for the school, every
credential still verifies: expired ones as expired and genuine, revoked as revoked.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app import create_app
from app.cli import cli
from app.credentials.document import format_datetime
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from tests.fixtures.node import NodeScripts

from .helpers import Installation
from .helpers import fresh_postgres_database
from .static_host import StaticHost
from .static_host import static_host

ROTATIONS = 3
TEN_YEARS = timedelta(days=3653)


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The test settings with a key store of this test's own: it is rotated."""
    keys = tmp_path / "keys"
    shutil.copytree(app_config["LAUREL_KEYS_DIR"], keys)
    return {**app_config, "LAUREL_KEYS_DIR": str(keys)}


def carry_records_over(config: dict[str, Any], home: Path) -> Flask:
    """The school's records moved to a new home by `laurel backup` and `laurel restore`.

    The new home is a fresh PostgreSQL database on the PostgreSQL pass (the move a
    growing school makes), a fresh SQLite file otherwise; keys and evidence are restored
    from the archive into the new home's own folders.
    """
    backup = home.parent / "school.laurel"
    source = create_app(config)
    with source.app_context():
        made = source.test_cli_runner().invoke(cli, args=["backup", str(backup)])
        db.engine.dispose()
    assert made.exit_code == 0, made.output
    url = fresh_postgres_database("time_travel") or f"sqlite:///{home / 'laurel.db'}"
    place = Installation.empty(home, url, config["LAUREL_KEY_PASSPHRASE"])
    target = create_app(place.config(config))
    with target.app_context():
        restored = target.test_cli_runner().invoke(cli, args=["restore", str(backup)])
    assert restored.exit_code == 0, restored.output
    return target


def switch_off(application: Flask) -> None:
    """Stop the app: its database connections close; nothing of Laurel answers any more.

    The caller ends its own session first (db.session.remove() in its app context).
    """
    with application.app_context():
        db.engine.dispose()


def _verify_later(host: StaticHost, document: dict[str, Any], later: datetime):
    return verify(
        json.dumps(document).encode("utf-8"),
        filename="credential.json",
        resolver=build_resolver(fetcher=host.fetch),
        fetcher=host.fetch,
        now=later,
    )


@pytest.mark.node
def test_credentials_verify_ten_years_after_the_school_switched_off(
    app: Flask, app_config, make_credential, now, tmp_path, node_scripts: NodeScripts
) -> None:
    expiring = make_credential(expiry_months=12)
    lasting = {0: make_credential(name="Peer Tutor")}
    keystore = issuing_context().keystore
    for rotation in range(1, ROTATIONS + 1):
        keystore.rotate(now=now + timedelta(days=rotation))
        lasting[rotation] = make_credential(
            name=f"Shop Safety {rotation}", issued_at=now + timedelta(days=rotation, hours=1)
        )
    revoked = make_credential(name="Brake Service")
    change_credential_status(
        revoked,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Awarded to the wrong student.",
        now=now + timedelta(days=ROTATIONS + 1),
    )
    for credential in (expiring, revoked, lasting[0]):
        credential.share_enabled = True
    db.session.commit()
    signing_keys = {
        json.loads(c.json_text)["proof"][0]["verificationMethod"] for c in lasting.values()
    }
    assert len(signing_keys) == ROTATIONS + 1
    # What the learners hold: their files, whatever the school publishes.
    held = {c.id: json.loads(c.json_text) for c in (expiring, revoked, *lasting.values())}
    db.session.remove()
    switch_off(app)

    new_home = carry_records_over(app_config, tmp_path / "new-home")
    site = tmp_path / "site"
    result = new_home.test_cli_runner().invoke(cli, args=["export-static", str(site)])
    assert result.exit_code == 0, result.output
    switch_off(new_home)

    later = now + TEN_YEARS
    with static_host(site) as host:
        reports = {key: _verify_later(host, document, later) for key, document in held.items()}
        node_results = node_scripts.run(
            "verify-di",
            {
                "credentials": list(held.values()),
                "host": {"origin": host.origin, "server": host.server},
                "now": format_datetime(later),
            },
        )

    for report in reports.values():
        assert any(c.name == "proof" and c.outcome is Outcome.PASSED for c in report.checks)
    assert reports[expiring.id].verdict is Verdict.EXPIRED
    assert reports[expiring.id].genuine
    assert reports[revoked.id].verdict is Verdict.REVOKED
    for credential in lasting.values():
        assert reports[credential.id].verdict is Verdict.VERIFIED, reports[credential.id].checks

    by_id = dict(zip(held, node_results, strict=True))
    assert by_id[expiring.id]["verified"] is False
    assert "validUntil" in by_id[expiring.id]["error"]
    assert [s["status"] for s in by_id[revoked.id]["statuses"]] == [True]
    for credential in lasting.values():
        assert by_id[credential.id]["verified"] is True, by_id[credential.id]["error"]
