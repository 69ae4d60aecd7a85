"""The VC-API end to end against a live server: tokens, issue, verify, presentations, status."""

from __future__ import annotations

import json

import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session

from app.cli import cli
from app.credentials.vc import sign_presentation
from app.models_base import utcnow
from app.vcapi.clients import revoke_api_client
from tests.credentials.vc_samples import V2
from tests.credentials.vc_samples import did_key_signer
from tests.credentials.vc_samples import plain_credential

HOLDER = did_key_signer(31)


def _unissued() -> dict:
    """A credential naming no issuer: the service signs it as the school (did:web)."""
    credential = plain_credential("")
    del credential["issuer"]
    return credential


def _issue(vcapi, credential, options=None, session=None):
    session = session or vcapi.session("vc:issue")
    return vcapi.post(
        "/credentials/issue", {"credential": credential, "options": options or {}}, session
    )


def test_token_by_client_credentials_with_http_basic_too(vcapi):
    client_id, secret = vcapi.client("vc:issue")
    oauth = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
    token = oauth.fetch_token(
        vcapi.token_url, client_id=client_id, client_secret=secret, timeout=30
    )
    assert token["token_type"].lower() == "bearer"
    assert token["scope"] == ["vc:issue"] or token["scope"] == "vc:issue"
    assert "refresh_token" not in token


def test_wrong_secret_gets_no_token(vcapi):
    client_id, _secret = vcapi.client("vc:issue")
    answer = requests.post(
        vcapi.token_url,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "nope"},
        timeout=30,
    )
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_issue_as_did_web_then_verified_here(vcapi):
    answer = _issue(vcapi, _unissued())
    assert answer.status_code == 201, answer.text
    signed = answer.json()["verifiableCredential"]
    assert signed["issuer"] == f"did:web:{vcapi.base.split('://')[1].replace(':', '%3A')}"
    proofs = signed["proof"] if isinstance(signed["proof"], list) else [signed["proof"]]
    assert proofs[0]["verificationMethod"].startswith(signed["issuer"] + "#key-")

    verified = vcapi.post(
        "/credentials/verify", {"verifiableCredential": signed, "options": {"checks": ["proof"]}}
    )
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["verified"] is True and body["errors"] == []
    assert "proof" in body["checks"]


def test_issued_did_web_credential_verified_by_digital_bazaar(vcapi, node_scripts):
    signed = _issue(vcapi, _unissued()).json()["verifiableCredential"]
    did_document = requests.get(f"{vcapi.base}/.well-known/did.json", timeout=30).json()
    result = node_scripts.run("verify-di", {"credential": signed, "documents": [did_document]})
    assert result["verified"] is True, result["error"]


def test_did_key_issuer_when_enabled(vcapi, node_scripts, runner):
    enabled = runner.invoke(cli, args=["api-clients", "did-key", "enable"])
    assert enabled.exit_code == 0, enabled.output
    did = enabled.output.strip()
    assert did.startswith("did:key:z6Mk")

    by_option = _issue(vcapi, _unissued(), {"issuer": did})
    by_credential = _issue(vcapi, plain_credential({"id": did, "name": "Test issuer"}))
    for answer in (by_option, by_credential):
        assert answer.status_code == 201, answer.text
        signed = answer.json()["verifiableCredential"]
        issuer = signed["issuer"]
        assert (issuer["id"] if isinstance(issuer, dict) else issuer) == did
        result = node_scripts.run("verify-di", {"credential": signed})
        assert result["verified"] is True, result["error"]


def test_other_issuer_is_400(vcapi):
    answer = _issue(vcapi, _unissued(), {"issuer": "did:web:elsewhere.example"})
    assert answer.status_code == 400
    assert "another issuer" in answer.json()["message"]
    answer = _issue(vcapi, plain_credential("did:example:someone"))
    assert answer.status_code == 400
    assert "another issuer" in answer.json()["message"]
    # A did:key issuer while it is not enabled is another issuer too.
    answer = _issue(vcapi, plain_credential(did_key_signer(5).did))
    assert answer.status_code == 400


def test_credential_without_subject_is_400_naming_the_rule(vcapi):
    credential = _unissued()
    del credential["credentialSubject"]
    answer = _issue(vcapi, credential)
    assert answer.status_code == 400
    body = answer.json()
    assert "credentialSubject" in body["message"]
    assert body["rule"]


def test_no_token_is_401_and_wrong_scope_is_403(vcapi):
    credential = _unissued()
    bare = vcapi.post("/credentials/issue", {"credential": credential})
    assert bare.status_code == 401
    assert bare.headers["WWW-Authenticate"].lower().startswith("bearer")
    status_only = _issue(vcapi, credential, session=vcapi.session("vc:status"))
    assert status_only.status_code == 403
    issue_only = vcapi.post(
        "/credentials/status",
        {
            "credentialId": "x",
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}],
        },
        vcapi.session("vc:issue"),
    )
    assert issue_only.status_code == 403


def test_revoked_client_token_is_401(vcapi, runner):
    client_id, secret = vcapi.client("vc:issue")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {vcapi.token(client_id, secret)}"
    assert _issue(vcapi, _unissued(), session=session).status_code == 201
    revoked = runner.invoke(cli, args=["api-clients", "revoke", client_id])
    assert revoked.exit_code == 0, revoked.output
    assert _issue(vcapi, _unissued(), session=session).status_code == 401
    again = requests.post(
        vcapi.token_url,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    )
    # Authlib answers an unknown client with 400 invalid_client (RFC 6749 §5.2 allows it).
    assert again.status_code == 400, again.text
    assert again.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "path",
    ["/credentials/issue", "/credentials/verify", "/presentations/verify", "/credentials/status"],
)
def test_malformed_json_is_400(vcapi, path):
    session = vcapi.session()
    answer = session.post(
        f"{vcapi.base}{path}",
        data=b'{"credential": ',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code == 400
    assert "JSON object" in answer.json()["message"]


def test_tampered_credential_is_not_verified(vcapi):
    signed = _issue(vcapi, _unissued()).json()["verifiableCredential"]
    signed["credentialSubject"]["alumniOf"] = "Another School"
    answer = vcapi.post("/credentials/verify", {"verifiableCredential": signed})
    assert answer.status_code == 422
    body = answer.json()
    assert body["verified"] is False and body["errors"]


def _presentation(credential, challenge):
    return sign_presentation(
        {
            "@context": [V2],
            "type": ["VerifiablePresentation"],
            "holder": HOLDER.did,
            "verifiableCredential": [credential],
        },
        private_key=HOLDER.private_key,
        verification_method=HOLDER.verification_method,
        now=utcnow(),
        challenge=challenge,
        domain="verifier.example",
    ).document


def test_presentation_verified_and_wrong_challenge_is_not(vcapi):
    signed = _issue(vcapi, _unissued()).json()["verifiableCredential"]
    presentation = _presentation(signed, "c-1")
    good = vcapi.post(
        "/presentations/verify",
        {
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-1", "domain": "verifier.example"},
        },
    )
    assert good.status_code == 200, good.text
    assert good.json()["verified"] is True
    wrong = vcapi.post(
        "/presentations/verify",
        {
            "verifiablePresentation": presentation,
            "options": {"challenge": "c-2", "domain": "verifier.example"},
        },
    )
    assert wrong.status_code == 422
    assert wrong.json()["verified"] is False and wrong.json()["errors"]


def _status(vcapi, credential_id, status="revoked", session=None):
    return vcapi.post(
        "/credentials/status",
        {
            "credentialId": credential_id,
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": status}],
        },
        session or vcapi.session("vc:status"),
    )


def test_revoked_by_status_update_then_not_verified(vcapi, make_credential):
    issued = make_credential()
    document = json.loads(issued.json_text)
    before = vcapi.post("/credentials/verify", {"verifiableCredential": document})
    assert before.status_code == 200, before.text

    answer = _status(vcapi, document["id"])
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "revoked"

    after = vcapi.post("/credentials/verify", {"verifiableCredential": document})
    assert after.status_code == 422
    assert after.json()["verified"] is False
    assert any(error["name"] == "status" for error in after.json()["errors"])


def test_suspend_then_reinstate(vcapi, make_credential):
    document = json.loads(make_credential().json_text)
    assert _status(vcapi, document["id"], "suspended").json()["state"] == "suspended"
    assert _status(vcapi, document["id"], "active").json()["state"] == "active"


def test_status_of_unknown_credential_is_404_and_of_a_foreign_id_400(vcapi, make_credential):
    document = json.loads(make_credential().json_text)
    unknown = document["id"].rsplit("/", 1)[0] + "/00000000-0000-4000-8000-000000000000"
    assert _status(vcapi, unknown).status_code == 404
    foreign = _status(vcapi, "https://elsewhere.example/credentials/1")
    assert foreign.status_code == 400
    assert "must be an id Laurel minted" in foreign.json()["message"]
    assert _status(vcapi, document["id"], "obliterated").status_code == 400


def test_cli_create_prints_secret_once_and_lists(runner, app_ctx):
    created = runner.invoke(
        cli,
        args=[
            "api-clients",
            "create",
            "--name",
            "Records office",
            "--scopes",
            "vc:issue vc:status",
        ],
    )
    assert created.exit_code == 0, created.output
    lines = dict(line.split(": ", 1) for line in created.output.splitlines() if ": " in line)
    listed = runner.invoke(cli, args=["api-clients", "list"])
    assert lines["client_id"] in listed.output
    assert lines["client_secret"] not in listed.output
    bad = runner.invoke(
        cli, args=["api-clients", "create", "--name", "X", "--scopes", "vc:everything"]
    )
    assert bad.exit_code == 2
    assert "Unknown scope: vc:everything" in bad.output


def test_secret_is_stored_hashed(app_ctx, school):
    from app.vcapi.clients import create_api_client

    created = create_api_client("Records office", "vc:issue")
    assert created.client_secret not in (created.client.client_secret or "")
    assert created.client.check_client_secret(created.client_secret)
    assert not created.client.check_client_secret("wrong")
    revoke_api_client(created.client.client_id)


def test_admin_page_creates_shows_secret_once_and_revokes(client, login, school, app_ctx):
    login(school.admin)
    created = client.post(
        "/admin/api-clients", data={"name": "Records office", "scopes": ["vc:issue", "vc:status"]}
    )
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    assert "Copy the secret now" in page
    from app.vcapi.clients import api_clients

    (made,) = api_clients()
    assert made.scope == "vc:issue vc:status"
    listed = client.get("/admin/api-clients").get_data(as_text=True)
    assert made.client_id in listed and "Copy the secret now" not in listed
    assert "<script>" not in listed
    revoked = client.post(f"/admin/api-clients/{made.client_id}/revoke")
    assert revoked.status_code == 302
    assert api_clients() == []
    no_scope = client.post("/admin/api-clients", data={"name": "Office"})
    assert no_scope.status_code == 400
    assert "Choose at least one scope." in no_scope.get_data(as_text=True)


def test_openapi_describes_the_vc_api(client, app_ctx):
    document = client.get("/api/v1/openapi.json").get_json()
    rules = {
        rule.rule
        for rule in client.application.url_map.iter_rules()
        if rule.endpoint.startswith("vcapi.")
    }
    assert rules == {
        "/credentials/issue",
        "/credentials/verify",
        "/presentations/verify",
        "/credentials/status",
    }
    for path in rules:
        item = document["paths"][path]
        assert item["servers"] == [{"url": "https://laurel.test"}]
        assert {"200", "400"} & set(item["post"]["responses"])
    issue = document["paths"]["/credentials/issue"]["post"]
    assert issue["security"] == [{"VcApiClientCredentials": ["vc:issue"]}]
    assert {"201", "400", "401", "403"} <= set(issue["responses"])
    scheme = document["components"]["securitySchemes"]["VcApiClientCredentials"]
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == "https://laurel.test/oauth/token"
    assert set(scheme["flows"]["clientCredentials"]["scopes"]) == {"vc:issue", "vc:status"}
