"""`laurel backup` while another process issues, revokes and suspends; restored, all holds.

The source is the test school (SQLite in WAL mode by default). Two worker threads
run `laurel issue` then `laurel revoke` / `laurel suspend` as separate processes
while `laurel backup` runs in a third. The archive is restored into a fresh
PostgreSQL database (with LAUREL_TEST_POSTGRES; a fresh SQLite file otherwise) by
`laurel restore`, and the restored installation is checked from outside:
Digital Bazaar's verifier accepts every credential with the restored DID document
and status lists; the lists agree with each credential's state (one snapshot);
every evidence file downloads with its original sha256; and a new credential can
be issued and verifies.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import UTC
from datetime import datetime
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import StatusList as StatusListRow
from app.badges.models import StatusSlot
from app.credentials.document import format_datetime
from app.credentials.status import StatusList
from app.evidence.models import EvidenceItem
from app.extensions import db
from app.storage.files import LocalStorage
from tests.fixtures.signin import sign_in

from .helpers import Installation
from .helpers import fresh_postgres_database
from .helpers import manifest_of

pytestmark = pytest.mark.node

WORKERS = 2
ROUNDS_AFTER_BACKUP = 1


class Worker:
    """Issues credentials in a loop; of each three, one is revoked, one suspended, one kept.

    `first` (0, 1, 2) is where in that cycle the worker starts.
    """

    ACTIONS = ("revoke", "suspend", None)

    def __init__(self, source: Installation, laurel: str, badge: str, email: str, first: int):
        self.source, self.laurel, self.badge, self.email = source, laurel, badge, email
        self.first = first
        self.rounds = 0
        self.busy: list[tuple[float, float]] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _run(self, *args: str) -> str:
        started = time.monotonic()
        result = self.source.run(self.laurel, *args)
        self.busy.append((started, time.monotonic()))
        if result.returncode != 0:
            self.failures.append(f"{args}: {result.stderr}")
        return result.stdout.strip()

    def _loop(self) -> None:
        while not self.stop.is_set() and not self.failures:
            url = self._run("issue", "--badge", self.badge, "--email", self.email)
            credential_id = url.rsplit("/", 1)[-1]
            action = self.ACTIONS[(self.first + self.rounds) % len(self.ACTIONS)]
            if action is not None:
                self._run(action, credential_id, "--reason", f"{action} in round {self.rounds}")
            self.rounds += 1


def _wait(condition, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the workers made no progress"
        time.sleep(0.2)


def _status_entry(document: dict) -> dict:
    status = document["credentialStatus"]
    return status[0] if isinstance(status, list) else status


def test_backup_while_issuing_and_revoking_restores_into_a_fresh_database(
    app_config, school, issued, submitted, laurel, node_scripts, tmp_path
):
    source = Installation.from_config(app_config)
    badge, instructor_email = school.badge.slug, school.instructor.email
    emails = (school.student.email, school.classmate.email)
    db.session.remove()  # no transaction of this test holds the source database
    workers = [
        Worker(source, laurel, badge, email, first) for first, email in enumerate(emails[:WORKERS])
    ]
    for worker in workers:
        worker.thread.start()
    _wait(lambda: all(w.rounds >= 1 or w.failures for w in workers))

    backup_file = tmp_path / "online.laurel"
    started = time.monotonic()
    backup = source.run(laurel, "backup", str(backup_file))
    finished = time.monotonic()
    rounds_at_end = [w.rounds for w in workers]
    _wait(
        lambda: all(
            w.rounds >= r + ROUNDS_AFTER_BACKUP or w.failures
            for w, r in zip(workers, rounds_at_end, strict=True)
        )
    )
    for worker in workers:
        worker.stop.set()
        worker.thread.join(timeout=120)

    assert backup.returncode == 0, backup.stderr
    assert [f for w in workers for f in w.failures] == []
    assert any(start < finished and end > started for w in workers for start, end in w.busy), (
        "no issuance or status change ran while the backup did"
    )
    manifest = manifest_of(backup_file)

    target_url = fresh_postgres_database("restore") or f"sqlite:///{tmp_path / 'target.db'}"
    target = Installation.empty(tmp_path / "target", target_url, source.passphrase)
    restored = target.run(laurel, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "every part matches its checksum" in restored.stdout
    for name in ("issued_credential", "evidence_files", "key_files"):
        assert f"{name} " in restored.stdout

    source_engine = sa.create_engine(source.database_url)
    with source_engine.connect() as connection:
        source_documents = dict(
            connection.execute(sa.select(IssuedCredential.id, IssuedCredential.json_text)).all()
        )
    source_engine.dispose()

    target_app = create_app(target.config(app_config))
    with target_app.app_context():
        client = target_app.test_client()
        credentials = db.session.scalars(sa.select(IssuedCredential)).all()
        assert len(credentials) == manifest["counts"]["issued_credential"]
        assert 1 < len(credentials) < len(source_documents)
        for credential in credentials:  # the bytes as issued, byte for byte
            assert credential.json_text == source_documents[credential.id]

        did_document = client.get("/.well-known/did.json").get_json()
        lists = {}
        for row in db.session.scalars(sa.select(StatusListRow)).all():
            response = client.get(f"/status/{row.purpose.value}/{row.number}")
            assert response.status_code == 200
            lists[row.id] = response.get_json()
        now = format_datetime(datetime.now(UTC))
        documents = [did_document, *lists.values()]

        results = node_scripts.run(
            "verify-di",
            {
                "credentials": [json.loads(c.json_text) for c in credentials]
                + list(lists.values()),
                "documents": documents,
                "now": now,
            },
        )
        by_id = dict(zip([c.id for c in credentials], results, strict=False))
        for credential in credentials:
            result = by_id[credential.id]
            revoked = credential.state == CredentialState.REVOKED
            assert result["statuses"][0]["status"] is revoked, credential.id
            if not revoked:
                assert result["verified"] is True, result["error"]
        for result in results[len(credentials) :]:  # the status list credentials themselves
            assert result["verified"] is True, result["error"]

        # Suspensions hold: each list's signed bits match the states of the same snapshot.
        slots = db.session.execute(
            sa.select(StatusSlot.status_list_id, StatusSlot.index, StatusSlot.credential_id)
        ).all()
        states = {c.id: c.state for c in credentials}
        suspended = revoked_count = 0
        for list_id, index, credential_id in slots:
            if credential_id is None:
                continue
            document = lists[list_id]
            bits = StatusList.decode(document["credentialSubject"]["encodedList"])
            purpose = document["credentialSubject"]["statusPurpose"]
            expected = states[credential_id] == (
                CredentialState.REVOKED if purpose == "revocation" else CredentialState.SUSPENDED
            )
            assert bits.get(index) is expected, (purpose, credential_id)
            suspended += expected and purpose == "suspension"
            revoked_count += expected and purpose == "revocation"
        assert revoked_count >= 1 and suspended >= 1

        # Every evidence file downloads with the sha256 it had.
        instructor = db.session.scalar(sa.select(User).where(User.email == instructor_email))
        sign_in(client, instructor)
        items = db.session.scalars(
            sa.select(EvidenceItem).where(EvidenceItem.storage_key.is_not(None))
        ).all()
        assert len(items) == manifest["counts"]["evidence_files"] >= 1
        source_files = LocalStorage(source.storage_dir)
        for item in items:
            response = client.get(f"/files/{item.id}")
            assert response.status_code == 200
            with source_files.open(item.storage_key) as original:
                expected = hashlib.sha256(original.read()).hexdigest()
            assert hashlib.sha256(response.data).hexdigest() == expected
            response.close()
        db.session.remove()

    # The restored school issues again, with the restored keys and the next free ids.
    issued_again = target.run(laurel, "issue", "--badge", badge, "--email", emails[0])
    assert issued_again.returncode == 0, issued_again.stderr
    new_id = issued_again.stdout.strip().rsplit("/", 1)[-1]
    with target_app.app_context():
        new = db.session.get(IssuedCredential, new_id)
        assert new is not None
        document = json.loads(new.json_text)
        status_url = urlparse(_status_entry(document)["statusListCredential"]).path
        status_list = target_app.test_client().get(status_url).get_json()
        result = node_scripts.run(
            "verify-di",
            {
                "credential": document,
                "documents": [did_document, status_list],
                "now": format_datetime(datetime.now(UTC)),
            },
        )
        assert result["verified"] is True, result["error"]
        db.session.remove()
        db.engine.dispose()
