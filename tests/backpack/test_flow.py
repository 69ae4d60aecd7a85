"""The Open Badges 3.0 API end to end, as an application in another place would use it."""

from __future__ import annotations

import json

import requests

from app.backpack.scopes import CREDENTIAL_READONLY
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack.scopes import PROFILE_READONLY
from app.backpack.scopes import PROFILE_UPDATE
from tests.verify.factory import did_key_forgery


def test_discovery_names_scopes_and_endpoints(backpack):
    document = requests.get(f"{backpack.base}/ims/ob/v3p0/discovery", timeout=30).json()
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["authorizationCode"]
    assert set(flow["scopes"]) == {
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly",
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update",
    }
    assert flow["refreshUrl"] == flow["tokenUrl"] == f"{backpack.base}/oauth/token"
    assert scheme["x-imssf-registrationUrl"] == f"{backpack.base}/oauth/register"
    assert document["info"]["x-imssf-privacyPolicyUrl"]
    assert document["servers"] == [{"url": f"{backpack.base}/ims/ob/v3p0"}]


def test_registration_answers_201_with_secret(backpack):
    client = backpack.register()
    assert client["client_id"] and client["client_secret"]
    assert client["client_secret_expires_at"] == 0
    assert client["redirect_uris"] == ["http://127.0.0.1:9/callback"]


def test_get_credentials_pages_with_total_and_links(backpack, school, make_credential):
    for _ in range(3):
        make_credential()
    oauth = backpack.connect(backpack.register(), school.student)
    first = oauth.get(backpack.credentials_url, params={"limit": 2}, timeout=30)
    assert first.status_code == 200, first.text
    assert first.headers["X-Total-Count"] == "3"
    assert len(first.json()["credential"]) == 2
    links = first.links
    assert set(links) == {"first", "last", "next"}
    assert "offset=2" in links["next"]["url"] and "offset=2" in links["last"]["url"]
    second = oauth.get(links["next"]["url"], timeout=30)
    assert len(second.json()["credential"]) == 1
    assert set(second.links) == {"first", "last", "prev"}
    ids = {c["id"] for c in first.json()["credential"] + second.json()["credential"]}
    assert len(ids) == 3


def test_get_credentials_since_filters(backpack, school, make_credential):
    make_credential()
    oauth = backpack.connect(backpack.register(), school.student)
    later = oauth.get(backpack.credentials_url, params={"since": "2030-01-01T00:00:00Z"})
    assert later.json() == {"credential": [], "compactJwsString": []}
    assert later.headers["X-Total-Count"] == "0"


def test_upsert_other_issuer_kept_byte_for_byte(backpack, school, issued, app):
    oauth = backpack.connect(backpack.register(), school.student)
    document = json.loads(issued.json_text)
    document["id"] = "urn:uuid:7d7e1f0a-0d5e-4c39-9d5c-0a3c9d0e0001"
    foreign, did = did_key_forgery(document)
    # Spacing of its own: what comes back must be these bytes, not a re-serialization.
    body = json.dumps(foreign, indent=3, ensure_ascii=False).encode()
    created = oauth.post(
        backpack.credentials_url,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    assert created.content == body
    again = oauth.post(
        backpack.credentials_url,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert again.status_code == 200
    listed = oauth.get(backpack.credentials_url, timeout=30)
    assert listed.headers["X-Total-Count"] == "2"
    assert body.decode() in listed.text
    assert did in listed.text
    record = backpack.signed_in(school.student).get(
        f"{backpack.base}/learners/{school.student.id}/record", timeout=30
    )
    assert "Kept from other issuers" in record.text
    assert did in record.text
    assert "Unknown issuer" in record.text


def test_upsert_vc_jwt_answers_text(backpack, school, issued):
    oauth = backpack.connect(backpack.register(), school.student)
    answer = oauth.post(
        backpack.credentials_url,
        data=issued.jwt_text,
        headers={"Content-Type": "text/plain"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    assert answer.text == issued.jwt_text
    assert answer.headers["Content-Type"].startswith("text/plain")
    listed = oauth.get(backpack.credentials_url, timeout=30).json()
    assert listed["compactJwsString"] == [issued.jwt_text]


def test_refresh_then_revoke_then_401(backpack, school):
    client = backpack.register()
    oauth = backpack.connect(client, school.student)
    old = dict(oauth.token)
    fresh = oauth.refresh_token(
        backpack.token_url,
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert fresh["access_token"] != old["access_token"]
    assert fresh["token_type"].lower() == "bearer"
    stale = requests.get(
        backpack.credentials_url,
        headers={"Authorization": f"Bearer {old['access_token']}"},
        timeout=30,
    )
    assert stale.status_code == 401
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 200
    revoked = requests.post(
        f"{backpack.base}/oauth/revoke",
        data={"token": fresh["access_token"], "token_type_hint": "access_token"},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert revoked.status_code == 200
    answer = oauth.get(backpack.credentials_url, timeout=30)
    assert answer.status_code == 401
    assert answer.json()["imsx_codeMajor"] == "failure"


def test_profile_get_and_put(backpack, school):
    oauth = backpack.connect(backpack.register(), school.student)
    profile = oauth.get(backpack.profile_url, timeout=30)
    assert profile.status_code == 200
    document = profile.json()
    assert document["name"] == school.student.name
    assert "Profile" in document["type"]
    document["description"] = "Restores old trucks."
    put = oauth.put(backpack.profile_url, json=document, timeout=30)
    assert put.status_code == 200, put.text
    assert put.json()["description"] == "Restores old trucks."
    assert oauth.get(backpack.profile_url, timeout=30).json() == put.json()


def test_consent_denied_redirects_with_access_denied(backpack, school):
    oauth = backpack.session(backpack.register())
    url, state = oauth.authorization_url(backpack.authorize_url)
    answer = backpack.consent(school.student, url, decision="deny")
    assert answer.status_code == 302
    assert "error=access_denied" in answer.headers["Location"]
    assert f"state={state}" in answer.headers["Location"]


def test_scopes_are_the_ones_granted(backpack, school):
    oauth = backpack.connect(backpack.register(), school.student, scope=[CREDENTIAL_READONLY])
    assert oauth.token["scope"] == [CREDENTIAL_READONLY]
    for scope in (CREDENTIAL_UPSERT, PROFILE_READONLY, PROFILE_UPDATE):
        assert scope not in oauth.token["scope"]
