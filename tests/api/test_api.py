"""POST /api/v1/verify, GET /api/v1/credentials/<id> and the OpenAPI document."""

from __future__ import annotations

import io
import json

import pytest

from app.credentials.baking import bake_png
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.share.images import badge_png


def test_api_verify_json_body_verified_with_record(client, issued):
    response = client.post(
        "/api/v1/verify", data=issued.json_text, content_type="application/vc+ld+json"
    )
    body = response.get_json()
    assert response.status_code == 200
    assert body["verified"] is True and body["verdict"] == "verified"
    assert body["issuer"]["is_own"] is True
    assert body["record"] == {
        "learner_name": "Sam Student",
        "level": "Proficient",
        "state": "active",
        "status_reason": None,
    }
    assert {check["outcome"] for check in body["checks"]} == {"passed"}


def test_api_verify_jwt_text_verified(client, issued):
    response = client.post("/api/v1/verify", data=issued.jwt_text, content_type="text/plain")
    assert response.get_json()["verdict"] == "verified"
    assert response.get_json()["source_format"] == "jwt"


def test_api_verify_vc_api_wrapper(client, issued):
    body = {"verifiableCredential": json.loads(issued.json_text), "options": {}}
    assert client.post("/api/v1/verify", json=body).get_json()["verdict"] == "verified"


@pytest.fixture
def shared(issued):
    """The credential, shared by its learner: its document is public."""
    issued.share_enabled = True
    db.session.commit()
    return issued


def test_api_verify_url_of_own_credential_no_network(client, shared):
    body = {"url": f"https://laurel.test/credentials/{shared.id}"}
    result = client.post("/api/v1/verify", json=body).get_json()
    assert result["verdict"] == "verified"
    assert result["source_url"] == body["url"]


def test_api_verify_multipart_baked_png(client, app, issued):
    with app.app_context():
        png = bake_png(badge_png(db.session.merge(issued).badge), issued.json_text)
    response = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(png), "badge.png")},
        content_type="multipart/form-data",
    )
    assert response.get_json()["source_format"] == "png"
    assert response.get_json()["verdict"] == "verified"


def test_api_verify_revoked_reason(client, issued, now):
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Issued in error",
        now=now,
    )
    db.session.commit()
    body = client.post(
        "/api/v1/verify", data=issued.json_text, content_type="application/json"
    ).get_json()
    assert body["verdict"] == "revoked"
    assert body["status_reason"] == "Issued in error"
    assert body["record"]["state"] == "revoked"


def test_api_verify_tampered_422_with_report(client, issued):
    document = json.loads(issued.json_text)
    document["credentialSubject"]["achievement"]["name"] = "Rocket Science"
    response = client.post("/api/v1/verify", json=document)
    assert response.status_code == 422
    assert response.get_json()["verdict"] == "not verified"
    assert "record" not in response.get_json()


def test_api_verify_no_csrf_needed(app_config, issued):
    from app import create_app

    app_config["WTF_CSRF_ENABLED"] = True
    csrf_app = create_app(app_config)
    response = csrf_app.test_client().post(
        "/api/v1/verify", data=issued.json_text, content_type="application/json"
    )
    with csrf_app.app_context():
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("accept", "mimetype", "stored"),
    [
        ("application/vc+ld+json", "application/vc+ld+json", "json"),
        ("application/ld+json", "application/ld+json", "json"),
        ("application/json", "application/json", "json"),
        ("*/*", "application/vc+ld+json", "json"),
        ("application/vc+jwt", "application/vc+jwt", "jwt"),
        ("text/plain", "text/plain", "jwt"),
    ],
)
def test_api_credential_content_negotiation(client, shared, accept, mimetype, stored):
    response = client.get(f"/api/v1/credentials/{shared.id}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    expected = shared.json_text if stored == "json" else shared.jwt_text
    assert response.get_data(as_text=True) == expected
    assert "Accept" in response.headers["Vary"]


def test_api_credential_no_accept_header_json(client, shared):
    response = client.get(f"/api/v1/credentials/{shared.id}")
    assert response.mimetype == "application/vc+ld+json"
    assert response.get_data(as_text=True) == shared.json_text


def test_api_credential_unacceptable_406_json(client, shared):
    response = client.get(f"/api/v1/credentials/{shared.id}", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/vc+ld+json" in response.get_json()["message"]


def test_api_credential_unshared_404_json_without_document(client, issued):
    response = client.get(f"/api/v1/credentials/{issued.id}")
    assert response.status_code == 404 and response.is_json
    assert "proof" not in response.get_data(as_text=True)


def test_api_credential_unknown_404_json(client, issued):
    response = client.get("/api/v1/credentials/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.is_json


def test_api_openapi_document_describes_endpoints(client, issued):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/verify",
        "/credentials/{id}",
        "/health",
        "/openapi.json",
        "/credentials/issue",
        "/credentials/verify",
        "/presentations/verify",
        "/credentials/status",
    }
    verify = document["paths"]["/verify"]["post"]
    assert {"application/json", "multipart/form-data", "application/vc+jwt"} <= set(
        verify["requestBody"]["content"]
    )
    assert {"200", "400", "413", "422"} <= set(verify["responses"])
    assert document["servers"] == [{"url": "https://laurel.test/api/v1"}]
    report_schema = document["components"]["schemas"]["Report"]
    body = client.post(
        "/api/v1/verify", data=issued.json_text, content_type="application/json"
    ).get_json()
    assert set(report_schema["required"]) <= set(body)
    assert set(body) <= set(report_schema["properties"])


def test_api_health_ok(client):
    assert client.get("/api/v1/health").get_json() == {"status": "ok"}
