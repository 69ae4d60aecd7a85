"""`laurel suspend` and `laurel reinstate`: the stored state and the signed suspension bit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.cli import cli
from app.credentials.keys import public_key_from_multikey
from app.credentials.proofs.eddsa_rdfc_2022 import verify_proof
from app.credentials.status import StatusList
from app.extensions import db
from tests.fixtures.badges import badge_input


@pytest.fixture
def credential(make_user, runner, now) -> IssuedCredential:
    """A credential issued by `laurel issue`, as an office backfilling records would."""
    teacher = make_user(Role.INSTRUCTOR)
    student = make_user(Role.STUDENT)
    badge = create_badge(badge_input(), actor=teacher, now=now)
    publish_badge(badge, actor=teacher, now=now)
    db.session.commit()
    result = runner.invoke(cli, args=["issue", "--badge", badge.slug, "--email", student.email])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(IssuedCredential)).one()


def signed_bit(client, purpose: str, index: int) -> bool:
    """The bit at `index` of the served status list, after checking the list's signature."""
    listed = json.loads(client.get(f"/status/{purpose}/1").data)
    did_document = client.get("/.well-known/did.json").get_json()
    methods = {m["id"]: m for m in did_document["verificationMethod"]}
    for proof in listed["proof"]:
        key = public_key_from_multikey(methods[proof["verificationMethod"]]["publicKeyMultibase"])
        verify_proof(listed, proof, public_key=key)
    return StatusList.decode(listed["credentialSubject"]["encodedList"]).get(index)


def stored(credential: IssuedCredential) -> IssuedCredential:
    db.session.expire_all()
    return db.session.get(IssuedCredential, credential.id)


def test_suspend_command_sets_state_reason_and_signed_bit(credential, runner, client):
    result = runner.invoke(cli, args=["suspend", credential.id, "--reason", "Photos under review"])
    assert result.exit_code == 0, result.output
    assert "Suspended" in result.output
    row = stored(credential)
    assert row.state == CredentialState.SUSPENDED
    assert row.status_reason == "Photos under review"
    assert row.status_changed_by_id is None
    assert signed_bit(client, "suspension", row.suspension_index) is True
    assert signed_bit(client, "revocation", row.revocation_index) is False


def test_reinstate_command_clears_signed_bit(credential, runner, client):
    url = f"https://laurel.test/credentials/{credential.id}/"
    assert runner.invoke(cli, args=["suspend", url, "--reason", "Review"]).exit_code == 0
    result = runner.invoke(cli, args=["reinstate", url, "--reason", "Review done: all fine"])
    assert result.exit_code == 0, result.output
    row = stored(credential)
    assert row.state == CredentialState.ACTIVE
    assert row.status_reason == "Review done: all fine"
    assert signed_bit(client, "suspension", row.suspension_index) is False


def test_reinstate_command_without_reason_records_default(credential, runner, client):
    assert runner.invoke(cli, args=["suspend", credential.id, "--reason", "x"]).exit_code == 0
    result = runner.invoke(cli, args=["reinstate", credential.id])
    assert result.exit_code == 0, result.output
    assert stored(credential).status_reason == "Reinstated"


def test_revoke_then_suspend_command_exits_2_and_keeps_bits(credential, runner, client):
    assert runner.invoke(cli, args=["revoke", credential.id, "--reason", "Copied"]).exit_code == 0
    result = runner.invoke(cli, args=["suspend", credential.id, "--reason", "Also"])
    assert result.exit_code == 2
    assert "Only an active credential can be suspended" in result.output
    row = stored(credential)
    assert row.state == CredentialState.REVOKED and row.status_reason == "Copied"
    assert signed_bit(client, "revocation", row.revocation_index) is True
    assert signed_bit(client, "suspension", row.suspension_index) is False


def test_reinstate_active_credential_exits_2(credential, runner):
    result = runner.invoke(cli, args=["reinstate", credential.id])
    assert result.exit_code == 2
    assert "Only a suspended credential can be reinstated" in result.output
    assert stored(credential).state == CredentialState.ACTIVE


@pytest.mark.parametrize(
    "reason", ["", "   ", "\n\t"], ids=["empty-reason", "spaces-reason", "whitespace-reason"]
)
def test_suspend_command_blank_reason_exits_2(credential, runner, reason):
    result = runner.invoke(cli, args=["suspend", credential.id, "--reason", reason])
    assert result.exit_code == 2
    assert "Give a reason" in result.output
    assert stored(credential).state == CredentialState.ACTIVE


@pytest.mark.parametrize(
    "credential_id",
    [
        "not-a-credential",
        "abc\x00def",
        "00000000-0000-0000-0000-000000000000",
        "../../etc/passwd",
        "x" * 5000,
        "'; DROP TABLE issued_credential; --",
    ],
    ids=["word", "nul-byte", "unknown-uuid", "path-traversal", "5000-chars", "sql-injection"],
)
@pytest.mark.parametrize("command", ["suspend", "reinstate"])
def test_status_command_hostile_id_exits_2(app_ctx, runner, command, credential_id):
    result = runner.invoke(cli, args=[command, credential_id, "--reason", "x"])
    assert result.exit_code == 2
    assert "no credential" in result.output
    assert "Traceback" not in result.output
