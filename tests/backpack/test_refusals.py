"""What the backpack refuses, case by case: each bad request by name, and the answer it gets."""

from __future__ import annotations

import json
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import requests
import sqlalchemy as sa

from app.backpack.models import HeldCredential
from app.backpack.models import OAuthToken
from app.backpack.scopes import CREDENTIAL_READONLY
from app.extensions import db
from tests.backpack.conftest import REDIRECT_URI
from tests.backpack.conftest import authorization_request
from tests.backpack.conftest import code_from
from tests.backpack.conftest import pkce_pair
from tests.backpack.conftest import registration


def _error_in_redirect(answer: requests.Response) -> dict:
    assert answer.status_code == 302, answer.text[:500]
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return parse_qs(urlsplit(location).query)


def _exchange(backpack, client, code: str, verifier: str, redirect_uri: str = REDIRECT_URI):
    return requests.post(
        backpack.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )


def _assert_imsx(answer: requests.Response, status: int) -> dict:
    assert answer.status_code == status, answer.text[:500]
    body = answer.json()
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_severity"] == "error"
    assert body["imsx_description"]
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
    return body


# --- authorization: PKCE, redirect URIs, clients ---------------------------------------------


def test_authorize_missing_pkce_refused(backpack, school):
    client = backpack.register()
    answer = backpack.signed_in(school.student).get(
        authorization_request(backpack, client), allow_redirects=False, timeout=30
    )
    error = _error_in_redirect(answer)
    assert error["error"] == ["invalid_request"]
    assert error["state"] == ["state-123"]


def test_authorize_plain_pkce_refused(backpack, school):
    client = backpack.register()
    verifier, challenge = pkce_pair("plain")
    url = authorization_request(
        backpack, client, code_challenge=challenge, code_challenge_method="plain"
    )
    answer = backpack.signed_in(school.student).get(url, allow_redirects=False, timeout=30)
    assert _error_in_redirect(answer)["error"] == ["invalid_request"]


def test_authorize_challenge_without_method_refused(backpack, school):
    """No method means plain (RFC 7636 §4.3), which is refused."""
    client = backpack.register()
    _verifier, challenge = pkce_pair()
    url = authorization_request(backpack, client, code_challenge=challenge)
    answer = backpack.signed_in(school.student).get(url, allow_redirects=False, timeout=30)
    assert _error_in_redirect(answer)["error"] == ["invalid_request"]


def test_authorize_plain_pkce_by_requests_oauthlib_refused(backpack, school):
    client = backpack.register()
    from requests_oauthlib import OAuth2Session

    oauth = OAuth2Session(client["client_id"], redirect_uri=REDIRECT_URI, pkce="plain")
    url, _state = oauth.authorization_url(backpack.authorize_url)
    answer = backpack.signed_in(school.student).get(url, allow_redirects=False, timeout=30)
    assert _error_in_redirect(answer)["error"] == ["invalid_request"]


def test_authorize_unregistered_redirect_uri_not_followed(backpack, school):
    client = backpack.register()
    _verifier, challenge = pkce_pair()
    url = authorization_request(
        backpack,
        client,
        redirect_uri="https://attacker.example/steal",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    answer = backpack.signed_in(school.student).get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert "cannot be used" in answer.text


def test_authorize_unknown_client_not_followed(backpack, school):
    _verifier, challenge = pkce_pair()
    url = authorization_request(
        backpack,
        {"client_id": "no-such-client"},
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    answer = backpack.signed_in(school.student).get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_authorize_staff_may_not_consent(backpack, school):
    client = backpack.register()
    _verifier, challenge = pkce_pair()
    url = authorization_request(
        backpack, client, code_challenge=challenge, code_challenge_method="S256"
    )
    answer = backpack.signed_in(school.instructor).get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 403


def test_authorize_signed_out_goes_to_login(backpack):
    client = backpack.register()
    _verifier, challenge = pkce_pair()
    url = authorization_request(
        backpack, client, code_challenge=challenge, code_challenge_method="S256"
    )
    answer = requests.get(url, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


# --- the token endpoint ----------------------------------------------------------------------


@pytest.fixture
def code_and_verifier(backpack, school):
    """(client, code, verifier): a fresh code Sam granted with an S256 challenge."""
    client = backpack.register()
    verifier, challenge = pkce_pair()
    url = authorization_request(
        backpack, client, code_challenge=challenge, code_challenge_method="S256"
    )
    return client, code_from(backpack.consent(school.student, url)), verifier


def test_token_wrong_verifier_refused(backpack, code_and_verifier):
    client, code, _verifier = code_and_verifier
    answer = _exchange(backpack, client, code, pkce_pair()[0])
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_token_missing_verifier_refused(backpack, code_and_verifier):
    client, code, _verifier = code_and_verifier
    answer = requests.post(
        backpack.token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


def test_token_reused_code_refused_and_its_token_revoked(backpack, code_and_verifier):
    client, code, verifier = code_and_verifier
    first = _exchange(backpack, client, code, verifier)
    assert first.status_code == 200
    again = _exchange(backpack, client, code, verifier)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    bearer = {"Authorization": f"Bearer {first.json()['access_token']}"}
    _assert_imsx(requests.get(backpack.credentials_url, headers=bearer, timeout=30), 401)


def test_token_wrong_redirect_uri_refused(backpack, code_and_verifier):
    client, code, verifier = code_and_verifier
    answer = _exchange(backpack, client, code, verifier, redirect_uri="http://127.0.0.1:9/other")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_token_unknown_client_refused(backpack, code_and_verifier):
    _client, code, verifier = code_and_verifier
    answer = _exchange(backpack, {"client_id": "nobody", "client_secret": "x"}, code, verifier)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_token_wrong_client_secret_refused(backpack, code_and_verifier):
    client, code, verifier = code_and_verifier
    answer = _exchange(backpack, {**client, "client_secret": "wrong"}, code, verifier)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_token_another_clients_code_refused(backpack, code_and_verifier):
    _client, code, verifier = code_and_verifier
    answer = _exchange(backpack, backpack.register(), code, verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


# --- the resource endpoints --------------------------------------------------------------------


def test_api_without_token_401_imsx(backpack):
    answer = requests.get(backpack.credentials_url, timeout=30)
    _assert_imsx(answer, 401)
    assert answer.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_api_garbage_token_401_imsx(backpack):
    answer = requests.get(
        backpack.credentials_url, headers={"Authorization": "Bearer nonsense"}, timeout=30
    )
    _assert_imsx(answer, 401)


def test_api_expired_token_401_imsx(backpack, school, app):
    oauth = backpack.connect(backpack.register(), school.student)
    with app.app_context():
        db.session.execute(sa.update(OAuthToken).values(issued_at=OAuthToken.issued_at - 7200))
        db.session.commit()
    _assert_imsx(oauth.get(backpack.credentials_url, timeout=30), 401)


def test_api_upsert_with_readonly_token_403_imsx(backpack, school, issued):
    oauth = backpack.connect(backpack.register(), school.student, scope=[CREDENTIAL_READONLY])
    answer = oauth.post(backpack.credentials_url, data=issued.jwt_text, timeout=30)
    _assert_imsx(answer, 403)
    assert oauth.get(backpack.profile_url, timeout=30).status_code == 403


def test_api_token_reads_only_its_students_credentials(backpack, school, make_credential):
    sams = make_credential()
    client = backpack.register()
    other = backpack.connect(client, school.other_student)
    answer = other.get(backpack.credentials_url, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["X-Total-Count"] == "0"
    assert sams.id not in answer.text
    sam = backpack.connect(client, school.student)
    assert sams.id in sam.get(backpack.credentials_url, timeout=30).text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(b"this is not json", "application/json", id="not-json"),
        pytest.param(b"[1, 2, 3]", "application/json", id="json-array"),
        pytest.param(b"42", "application/json", id="json-number"),
        pytest.param(b'"eyJ.a.b"', "application/json", id="json-string"),
        pytest.param(b"\xff\xfe\x00garbage", "application/json", id="not-utf8"),
        pytest.param(b"", "application/json", id="empty"),
        pytest.param(b"a.b", "text/plain", id="two-part-jws"),
        pytest.param(
            json.dumps({"pad": "x" * (600 * 1024)}).encode(), "application/json", id="huge"
        ),
        pytest.param(
            json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": 5}).encode(),
            "application/json",
            id="wrong-types",
        ),
    ],
)
def test_api_upsert_garbage_400_imsx_nothing_kept(backpack, school, app, body, content_type):
    oauth = backpack.connect(backpack.register(), school.student)
    answer = oauth.post(
        backpack.credentials_url, data=body, headers={"Content-Type": content_type}, timeout=60
    )
    _assert_imsx(answer, 400)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HeldCredential.id))) == 0


def test_api_upsert_tampered_credential_refused(backpack, school, issued, app):
    oauth = backpack.connect(backpack.register(), school.student)
    document = json.loads(issued.json_text)
    document["name"] = "Something else"
    answer = oauth.post(backpack.credentials_url, json=document, timeout=60)
    body = _assert_imsx(answer, 400)
    assert "not accepted" in body["imsx_description"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(HeldCredential.id))) == 0


def test_api_upsert_refusal_stays_in_the_protocols_english(backpack, school, app):
    """A program asking for Spanish still reads the refusal in English (the API's language)."""
    oauth = backpack.connect(backpack.register(), school.student)
    answer = oauth.post(
        backpack.credentials_url,
        data=b"\xff\xfe\x00garbage",
        headers={"Content-Type": "application/json", "Accept-Language": "es"},
        timeout=60,
    )
    body = _assert_imsx(answer, 400)
    assert body["imsx_description"] == "The body is not UTF-8 text."


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=-1", "limit=ten", "offset=-5", "since=yesterday"],
)
def test_api_bad_paging_400_imsx(backpack, school, query):
    oauth = backpack.connect(backpack.register(), school.student)
    body = _assert_imsx(oauth.get(f"{backpack.credentials_url}?{query}", timeout=30), 400)
    field = body["imsx_codeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == "invalid_query_parameter"


@pytest.mark.parametrize(
    ("profile", "words"),
    [
        pytest.param({"type": ["Profile"], "name": "Someone Else"}, "school office", id="new-name"),
        pytest.param({"type": ["Profile"], "id": "urn:uuid:x"}, "cannot be changed", id="new-id"),
        pytest.param({"type": ["Achievement"]}, "Profile", id="not-a-profile"),
        pytest.param([1, 2], "JSON object", id="array"),
    ],
)
def test_api_put_profile_refused_400_imsx(backpack, school, profile, words):
    oauth = backpack.connect(backpack.register(), school.student)
    answer = oauth.put(backpack.profile_url, json=profile, timeout=30)
    assert words in _assert_imsx(answer, 400)["imsx_description"]


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        pytest.param({"client_name": None}, "client_name", id="missing-client-name"),
        pytest.param({"redirect_uris": None}, "redirect_uris", id="missing-redirect-uris"),
        pytest.param({"scope": "openid email"}, "scope", id="unknown-scope"),
        pytest.param(
            {"redirect_uris": ["http://wallet.example/callback"]}, "https", id="http-redirect"
        ),
        pytest.param({"redirect_uris": "https://wallet.example/cb"}, "", id="redirect-not-list"),
        pytest.param({"token_endpoint_auth_method": "none"}, "", id="public-client-auth-method"),
    ],
)
def test_registration_refused_400(backpack, changes, words):
    answer = requests.post(backpack.registration_url, json=registration(**changes), timeout=30)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["error"] in ("invalid_client_metadata", "invalid_redirect_uri")
    assert words in body.get("error_description", "")


def test_registration_not_json_refused(backpack):
    answer = requests.post(backpack.registration_url, data="client_name=x", timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client_metadata"


def test_revoke_by_another_client_leaves_token(backpack, school):
    oauth = backpack.connect(backpack.register(), school.student)
    other = backpack.register()
    requests.post(
        f"{backpack.base}/oauth/revoke",
        data={"token": oauth.token["access_token"]},
        auth=(other["client_id"], other["client_secret"]),
        timeout=30,
    )
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 200
