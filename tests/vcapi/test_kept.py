"""What POST /credentials/issue signs is kept, with the school's status entries when due,
and POST /credentials/status revokes or suspends it for the client that issued it.

Bad inputs tried: options.credentialStatus of another type or not an object; status asked
for a did:key credential, a credential with its own id, one with its own credentialStatus,
a VC 1.1 credential; a status change by another client, for an unknown uuid, for a
non-uuid tail, for a urn:uuid id, for a foreign URL, for a credential without Laurel's
entries; undoing a revocation.
"""

from __future__ import annotations

import json

import pytest
import requests

from app.badges.models import CredentialState
from app.cli import cli
from app.extensions import db
from app.vcapi.models import ApiCredential
from tests.credentials.vc_samples import v1_credential

from .test_vcapi import _issue
from .test_vcapi import _status
from .test_vcapi import _unissued


def _nameless() -> dict:
    """A credential naming neither an issuer nor an id: Laurel names both."""
    credential = _unissued()
    del credential["id"]
    return credential


def _kept(document: dict) -> ApiCredential:
    db.session.expire_all()
    uuid = document["id"].rsplit("/", 1)[-1]
    kept = db.session.get(ApiCredential, uuid)
    assert kept is not None
    return kept


def _served(vcapi, url: str) -> dict:
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200, url
    return answer.json()


def _digital_bazaar(vcapi, node_scripts, document: dict) -> dict:
    """vc-js with the Bitstring Status List checker, given the documents Laurel serves."""
    lists = {entry["statusListCredential"] for entry in document["credentialStatus"]}
    documents = [_served(vcapi, f"{vcapi.base}/.well-known/did.json")]
    documents += [_served(vcapi, url) for url in sorted(lists)]
    result = node_scripts.run("verify-di", {"credential": document, "documents": documents})
    return {entry["statusPurpose"]: entry["status"] for entry in result["statuses"]} | {
        "verified": result["verified"]
    }


def test_issued_credential_is_kept_byte_for_byte_with_two_status_entries(vcapi):
    session = vcapi.session("vc:issue")
    answer = _issue(vcapi, _nameless(), session=session)
    assert answer.status_code == 201, answer.text
    document = answer.json()["verifiableCredential"]
    assert document["id"].startswith(f"{vcapi.base}/api-credentials/")
    entries = document["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    assert {entry["type"] for entry in entries} == {"BitstringStatusListEntry"}
    assert entries[0]["statusListCredential"] == f"{vcapi.base}/status/revocation/1"

    kept = _kept(document)
    assert kept.json_text in answer.text
    assert json.loads(kept.json_text) == document
    assert kept.issuer_id == document["issuer"]
    assert kept.credential_id == document["id"]
    assert kept.revocation_index == int(entries[0]["statusListIndex"])
    assert kept.suspension_index == int(entries[1]["statusListIndex"])
    assert kept.state is CredentialState.ACTIVE
    assert kept.client_id and kept.issued_at is not None


def test_revoked_through_the_status_door_laurel_and_digital_bazaar_see_it(vcapi, node_scripts):
    session = vcapi.session()
    document = _issue(vcapi, _nameless(), session=session).json()["verifiableCredential"]
    before = vcapi.post("/credentials/verify", {"verifiableCredential": document})
    assert before.status_code == 200, before.text
    assert _digital_bazaar(vcapi, node_scripts, document) == {
        "verified": True,
        "revocation": False,
        "suspension": False,
    }

    answer = _status(vcapi, document["id"], "revoked", session=session)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "revoked"
    assert _kept(document).state is CredentialState.REVOKED

    after = vcapi.post("/credentials/verify", {"verifiableCredential": document})
    assert after.status_code == 422
    assert any(error["name"] == "status" for error in after.json()["errors"])
    assert _digital_bazaar(vcapi, node_scripts, document)["revocation"] is True
    # A revocation is final.
    again = _status(vcapi, document["id"], "active", session=session)
    assert again.status_code == 409


def test_suspend_and_reinstate_by_purpose_and_flag(vcapi, node_scripts):
    session = vcapi.session()
    document = _issue(
        vcapi,
        _nameless(),
        {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        session=session,
    ).json()["verifiableCredential"]

    def flag(value: bool) -> requests.Response:
        body = {
            "credentialId": document["id"],
            "credentialStatus": {"type": "BitstringStatusList", "statusPurpose": "suspension"},
            "status": value,
        }
        return vcapi.post("/credentials/status", body, session)

    assert flag(True).json()["state"] == "suspended"
    assert _digital_bazaar(vcapi, node_scripts, document)["suspension"] is True
    suspended = vcapi.post("/credentials/verify", {"verifiableCredential": document})
    assert suspended.status_code == 422
    assert flag(False).json()["state"] == "active"
    assert _digital_bazaar(vcapi, node_scripts, document)["suspension"] is False
    assert vcapi.post("/credentials/verify", {"verifiableCredential": document}).ok


def test_only_the_issuing_client_changes_the_status(vcapi):
    document = _issue(vcapi, _nameless()).json()["verifiableCredential"]
    other = _status(vcapi, document["id"], "revoked", session=vcapi.session("vc:status"))
    unknown_id = document["id"].rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    unknown = _status(vcapi, unknown_id)
    not_uuid = _status(vcapi, document["id"] + "x")
    assert other.status_code == unknown.status_code == not_uuid.status_code == 404
    # The same answer either way: another client learns nothing about the credential.
    assert other.json()["message"] == unknown.json()["message"] == not_uuid.json()["message"]
    assert _kept(document).state is CredentialState.ACTIVE


def test_an_admin_changes_any_clients_credential_on_the_command_line(vcapi, runner):
    document = _issue(vcapi, _nameless()).json()["verifiableCredential"]
    suspended = runner.invoke(cli, args=["suspend", document["id"], "--reason", "Audit."])
    assert suspended.exit_code == 0, suspended.output
    assert _kept(document).state is CredentialState.SUSPENDED
    missing = runner.invoke(
        cli,
        args=["revoke", document["id"].rsplit("/", 1)[0] + "/nope", "--reason", "Audit."],
    )
    assert missing.exit_code != 0
    assert "no VC-API credential with that id" in missing.output


@pytest.mark.parametrize(
    "credential_id",
    [
        "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "https://elsewhere.example/api-credentials/1",
    ],
)
def test_an_id_laurel_did_not_mint_is_400(vcapi, credential_id):
    answer = _status(vcapi, credential_id)
    assert answer.status_code == 400
    assert "must be an id Laurel minted" in answer.json()["message"]


def test_by_default_only_a_nameless_did_web_v2_credential_gets_entries(vcapi, runner):
    session = vcapi.session()
    named = _issue(vcapi, _unissued(), session=session)
    assert named.status_code == 201, named.text
    document = named.json()["verifiableCredential"]
    assert document["id"] == _unissued()["id"] and "credentialStatus" not in document
    db.session.expire_all()
    kept = db.session.scalars(db.select(ApiCredential).filter_by(credential_id=document["id"]))
    (row,) = kept.all()
    assert not row.has_status and row.json_text
    assert _status(vcapi, document["id"], session=session).status_code == 400

    v1 = v1_credential("")
    del v1["issuer"], v1["id"]
    assert "credentialStatus" not in _issue(vcapi, v1).json()["verifiableCredential"]

    did = runner.invoke(cli, args=["api-clients", "did-key", "enable"]).output.strip()
    as_did_key = _issue(vcapi, _nameless(), {"issuer": did}).json()["verifiableCredential"]
    assert "credentialStatus" not in as_did_key and "id" not in as_did_key


@pytest.mark.parametrize(
    ("credential", "option", "says"),
    [
        (_nameless(), {"type": "StatusList2021Entry"}, "the only status Laurel gives"),
        (_nameless(), "yes", "the only status Laurel gives"),
        (_unissued(), {"type": "BitstringStatusListEntry"}, "leave out the credential's “id”"),
        (
            _nameless() | {"credentialStatus": {"id": "https://x.example/1", "type": "X"}},
            {"type": "BitstringStatusListEntry"},
            "of its own",
        ),
        (
            {k: v for k, v in v1_credential("").items() if k not in ("id", "issuer")},
            {"type": "BitstringStatusListEntry"},
            "VC 2.0 term",
        ),
    ],
)
def test_status_asked_for_a_credential_that_cannot_have_it_is_400(vcapi, credential, option, says):
    answer = _issue(vcapi, credential, {"credentialStatus": option})
    assert answer.status_code == 400
    assert says in answer.json()["message"]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiCredential)) == 0


def test_status_asked_for_the_did_key_issuer_is_400(vcapi, runner):
    did = runner.invoke(cli, args=["api-clients", "did-key", "enable"]).output.strip()
    answer = _issue(
        vcapi,
        _nameless(),
        {"issuer": did, "credentialStatus": {"type": "BitstringStatusListEntry"}},
    )
    assert answer.status_code == 400
    assert "verifiers require the same issuer" in answer.json()["message"]


def test_a_badge_credential_is_still_changed_by_any_status_client(vcapi, make_credential):
    document = json.loads(make_credential().json_text)
    assert _status(vcapi, document["id"], "suspended").json()["state"] == "suspended"


def test_openapi_describes_kept_credentials_and_who_changes_them(client, app_ctx):
    document = client.get("/api/v1/openapi.json").get_json()
    issue = document["paths"]["/credentials/issue"]["post"]
    body = issue["requestBody"]["content"]["application/json"]["schema"]
    status_option = body["properties"]["options"]["properties"]["credentialStatus"]
    assert "BitstringStatusListEntry" in status_option["properties"]["type"]["enum"]
    assert "https://laurel.test/api-credentials/<uuid>" in issue["description"]
    status = document["paths"]["/credentials/status"]["post"]
    assert "another client issued" in status["responses"]["404"]["description"]
    assert "Laurel minted" in status["responses"]["400"]["description"]
    assert "only the client that issued it" in status["description"]
