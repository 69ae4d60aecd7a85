"""The shutdown kit: `laurel export-static DIR`, served by a plain static file server.

Once the directory is written nothing of Laurel answers: `python -m http.server`
on loopback stands in for the school's web host, and verifiers (Digital Bazaar's,
and Laurel's own pipeline as any outside tool) fetch the DID document and the
status lists from it.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from app.badges.models import IssuedCredential
from app.cli import cli
from app.credentials.document import format_datetime
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.records.archive import build_learner_archive
from app.verify.core.pipeline import verify
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver
from app.verify.documents import issuer_key_documents
from tests.fixtures.node import NodeScripts

from .static_host import StaticHost
from .static_host import static_host


class Kit:
    """A shared credential, a shared revoked one and an unshared one, exported into `directory`."""

    def __init__(self, directory: Path, shared, revoked, unshared) -> None:
        self.directory = directory
        self.shared: IssuedCredential = shared
        self.revoked: IssuedCredential = revoked
        self.unshared: IssuedCredential = unshared
        self.documents = {c.id: json.loads(c.json_text) for c in (shared, revoked, unshared)}


@pytest.fixture
def kit(runner, make_credential, now, tmp_path) -> Kit:
    shared = make_credential(expiry_months=12)
    revoked = make_credential(name="Brake Service")
    unshared = make_credential(name="Peer Tutor")
    shared.share_enabled = revoked.share_enabled = True
    change_credential_status(
        revoked,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Awarded to the wrong student.",
        now=now,
    )
    db.session.commit()
    directory = tmp_path / "site"
    result = runner.invoke(cli, args=["export-static", str(directory)])
    assert result.exit_code == 0, result.output
    assert "2 shared credentials" in result.output
    return Kit(directory, shared, revoked, unshared)


def test_export_writes_the_keys_exactly_as_served(kit: Kit) -> None:
    did_json, jwks_json = issuer_key_documents(issuing_context())
    assert (kit.directory / ".well-known/did.json").read_bytes() == did_json
    assert (kit.directory / ".well-known/jwks.json").read_bytes() == jwks_json


def test_export_resigns_status_lists_with_a_long_validity(kit: Kit) -> None:
    status_list = json.loads((kit.directory / "status/revocation/1").read_text())
    valid_from = datetime.fromisoformat(status_list["validFrom"])
    valid_until = datetime.fromisoformat(status_list["validUntil"])
    assert valid_until - valid_from > timedelta(days=99 * 365)
    assert status_list["credentialSubject"]["ttl"] == 365 * 24 * 60 * 60 * 1000
    assert status_list["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_export_publishes_shared_credentials_byte_for_byte_with_their_pages(kit: Kit) -> None:
    for credential in (kit.shared, kit.revoked):
        document = kit.directory / "credentials" / credential.id
        assert document.read_bytes() == credential.json_text.encode("utf-8")
        assert (
            kit.directory / f"credentials/{credential.id}.jwt"
        ).read_text() == credential.jwt_text
        for page in (
            f"credentials/{credential.id}.html",
            f"s/{credential.share_token}/index.html",
            f"v/{credential.verify_token}/index.html",
        ):
            html = (kit.directory / page).read_text()
            assert credential.badge.name in html
            assert "<script" not in html
    revoked_page = (kit.directory / f"s/{kit.revoked.share_token}/index.html").read_text()
    assert "The school revoked this credential." in revoked_page


def test_export_leaves_unshared_credentials_out(kit: Kit) -> None:
    """Privacy: no file names the unshared credential, its tokens, or its learner's record."""
    secrets = (kit.unshared.id, kit.unshared.share_token, kit.unshared.verify_token)
    for path in kit.directory.rglob("*"):
        assert not any(secret in str(path) for secret in secrets)
        if path.is_file():
            assert not any(secret.encode() in path.read_bytes() for secret in secrets), path


def test_static_host_serves_the_kit_at_laurels_paths(kit: Kit) -> None:
    with static_host(kit.directory) as host:
        assert host.status_of("/.well-known/did.json") == 200
        assert host.status_of("/status/revocation/1") == 200
        assert host.status_of(f"/credentials/{kit.shared.id}") == 200
        assert host.status_of(f"/s/{kit.shared.share_token}/") == 200
        assert host.status_of(f"/v/{kit.shared.verify_token}/") == 200
        assert host.status_of(f"/credentials/{kit.unshared.id}") == 404
        assert host.status_of(f"/v/{kit.unshared.verify_token}/") == 404


def _laurel_verdict(host: StaticHost, document: dict, now: datetime) -> Verdict:
    report = verify(
        json.dumps(document).encode("utf-8"),
        filename="credential.json",
        resolver=build_resolver(fetcher=host.fetch),
        fetcher=host.fetch,
        now=now,
    )
    return report.verdict


def test_static_host_verifies_with_laurels_pipeline_as_an_outside_tool(kit: Kit, now) -> None:
    with static_host(kit.directory) as host:
        shared = json.loads(host.fetch(f"https://laurel.test/credentials/{kit.shared.id}"))
        assert _laurel_verdict(host, shared, now) is Verdict.VERIFIED
        assert _laurel_verdict(host, kit.documents[kit.revoked.id], now) is Verdict.REVOKED
        # The unshared credential is not published, yet its holder's file verifies.
        assert _laurel_verdict(host, kit.documents[kit.unshared.id], now) is Verdict.VERIFIED


def _from_archive(credential: IssuedCredential, now: datetime) -> dict:
    """The credential's JSON file as its learner's archive holds it."""
    data = build_learner_archive(credential.recipient, ctx=issuing_context(), now=now)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        name = next(n for n in bundle.namelist() if credential.id[:8] in n and n.endswith(".json"))
        document: dict = json.loads(bundle.read(name))
    return document


@pytest.mark.node
def test_static_host_verifies_with_digital_bazaar(node_scripts: NodeScripts, kit: Kit, now) -> None:
    """vc-js fetches did:web:laurel.test and the status list from the static host alone.

    The unshared credential comes from its learner's archive, as a holder would give it.
    """
    from_archive = _from_archive(kit.unshared, now)
    with static_host(kit.directory) as host:
        shared = json.loads(host.fetch(f"https://laurel.test/credentials/{kit.shared.id}"))
        revoked = json.loads(host.fetch(f"https://laurel.test/credentials/{kit.revoked.id}"))
        results = node_scripts.run(
            "verify-di",
            {
                "credentials": [shared, revoked, from_archive],
                "host": {"origin": host.origin, "server": host.server},
                "now": format_datetime(now),
            },
        )
    shared_result, revoked_result, unshared_result = results
    for result in (shared_result, unshared_result):
        assert result["verified"] is True, result["error"]
        assert [s["status"] for s in result["statuses"]] == [False]
    assert [s["status"] for s in revoked_result["statuses"]] == [True]
    assert f"{host.server}/.well-known/did.json" in shared_result["fetched"]
    assert f"{host.server}/status/revocation/1" in shared_result["fetched"]


def test_export_into_a_folder_with_files_exit_2(runner, issued, tmp_path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "keep.txt").write_text("mine")
    result = runner.invoke(cli, args=["export-static", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "not an empty folder" in result.output
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["keep.txt"]


@pytest.mark.parametrize(
    "years", ["0", "-5", "many", "100000"], ids=["zero", "negative", "word", "huge"]
)
def test_export_bad_years_exit_2(runner, issued, tmp_path, years) -> None:
    result = runner.invoke(cli, args=["export-static", str(tmp_path / "site"), "--years", years])
    assert result.exit_code == 2
    assert not (tmp_path / "site").exists()


def test_export_onto_a_file_exit_2(runner, issued, tmp_path) -> None:
    target = tmp_path / "site"
    target.write_text("a file")
    result = runner.invoke(cli, args=["export-static", str(target)])
    assert result.exit_code == 2


def test_export_with_a_suspended_credential_exit_2_nothing_written(
    runner, issued, now, tmp_path
) -> None:
    """Static files cannot publish a suspension: the school decides first."""
    change_credential_status(
        issued,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=None,
        reason="Under review",
        now=now,
    )
    db.session.commit()
    result = runner.invoke(cli, args=["export-static", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "suspended" in result.output and "reinstate or revoke" in result.output
    assert not (tmp_path / "site").exists()
