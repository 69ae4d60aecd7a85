"""Registering LMSs on the admin page, and what Laurel publishes for the LMS admin."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.lti.models import LtiDeployment
from app.lti.models import LtiPlatform
from app.lti.models import LtiToolKey
from tests.fixtures.app import TEST_PUBLIC_URL

CANVAS = {
    "name": "District Canvas",
    "issuer": "https://canvas.instructure.com",
    "client_id": "10000000000042",
    "deployment_ids": "12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb\n13:other",
    "auth_login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
    "auth_token_url": "https://sso.canvaslms.com/login/oauth2/token",
    "key_set_url": "https://sso.canvaslms.com/api/lti/security/jwks",
    "token_audience": "",
}


def _deployments() -> list[str]:
    return list(
        db.session.scalars(sa.select(LtiDeployment.deployment_id).order_by(LtiDeployment.id))
    )


def test_an_admin_registers_edits_and_removes_a_platform(client, login, make_user):
    login(make_user(Role.ADMIN))

    added = client.post("/admin/lti/platforms", data=CANVAS)

    assert added.status_code == 302, added.get_data(as_text=True)[:800]
    platform = db.session.scalar(sa.select(LtiPlatform))
    assert (platform.issuer, platform.client_id) == (CANVAS["issuer"], CANVAS["client_id"])
    assert platform.match_by_email is False
    assert _deployments() == ["12:8865aa05b4b79b64a91a86042e43af5ea8ae79eb", "13:other"]
    page = client.get("/admin/lti").get_data(as_text=True)
    assert "District Canvas" in page and f"{TEST_PUBLIC_URL}/lti/login" in page
    assert client.get(f"/admin/lti/platforms/{platform.id}").status_code == 200

    edited = client.post(
        f"/admin/lti/platforms/{platform.id}",
        data={**CANVAS, "deployment_ids": "13:other, 14:new", "match_by_email": "y"},
    )

    assert edited.status_code == 302
    assert platform.match_by_email is True
    assert _deployments() == ["13:other", "14:new"]
    assert client.post(f"/admin/lti/platforms/{platform.id}/remove").status_code == 302
    assert db.session.scalar(sa.select(LtiPlatform)) is None


def test_the_same_issuer_and_client_id_cannot_be_registered_twice(client, login, make_user):
    login(make_user(Role.ADMIN))
    client.post("/admin/lti/platforms", data=CANVAS)

    again = client.post("/admin/lti/platforms", data={**CANVAS, "name": "Again"})

    assert again.status_code == 409
    assert "already registered" in again.get_data(as_text=True)


def test_canvas_cloud_schools_share_an_issuer_with_their_own_client_ids(client, login, make_user):
    login(make_user(Role.ADMIN))
    client.post("/admin/lti/platforms", data=CANVAS)

    other = client.post("/admin/lti/platforms", data={**CANVAS, "client_id": "10000000000043"})

    assert other.status_code == 302


def test_bad_registrations_are_refused_with_a_sentence(client, login, make_user):
    login(make_user(Role.ADMIN))
    cases = {
        "key_set_url": ("ftp://lms.example/jwks", "is not a web address"),
        "issuer": ("canvas", "is not a web address"),
        "deployment_ids": ("d\u00e9ploiement-1", "is not a deployment id"),
        "client_id": ("", "Give the client id"),
    }
    for field, (value, words) in cases.items():
        answer = client.post("/admin/lti/platforms", data={**CANVAS, field: value})
        assert answer.status_code == 400, field
        assert words in answer.get_data(as_text=True), field
    assert db.session.scalar(sa.select(LtiPlatform)) is None


def test_an_unknown_platform_is_a_404(client, login, make_user):
    login(make_user(Role.ADMIN))

    assert client.get("/admin/lti/platforms/999").status_code == 404


def test_the_tool_publishes_one_key_made_on_first_use(client, app_ctx):
    first = client.get("/lti/jwks").get_json()
    second = client.get("/lti/jwks").get_json()

    assert first == second
    [key] = first["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key
    assert db.session.scalar(sa.select(LtiToolKey)).sealed_private_key.startswith("gAAAA")


def test_a_new_secret_key_makes_a_new_tool_key_beside_the_old(client, app_ctx):
    old = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    app_ctx.config["SECRET_KEY"] = "another-secret-key"

    kids = [key["kid"] for key in client.get("/lti/jwks").get_json()["keys"]]

    assert len(kids) == 2 and kids[0] == old


def test_the_configuration_json_names_laurels_addresses(client):
    config = client.get("/lti/config.json").get_json()

    assert config["oidc_initiation_url"] == f"{TEST_PUBLIC_URL}/lti/login"
    assert config["target_link_uri"] == f"{TEST_PUBLIC_URL}/lti/launch"
    assert config["public_jwk_url"] == f"{TEST_PUBLIC_URL}/lti/jwks"
    assert config["scopes"] == [
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    ]
    [canvas] = config["extensions"]
    assert canvas["privacy_level"] == "public"
    assert {p["message_type"] for p in canvas["settings"]["placements"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    assert config["urls"]["redirect_uri"] == f"{TEST_PUBLIC_URL}/lti/launch"
