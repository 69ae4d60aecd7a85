"""The Single sign-on admin page: adding providers (the secret sealed, never shown again),
removing them, and refusing bad input with a message."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.sealing import Sealer
from app.sso.models import SsoProvider
from app.sso.providers import SEALING_PURPOSE
from app.sso.providers import all_providers

SECRET = "a-very-secret-client-secret"
PROVIDER = {
    "name": "Google",
    "key": "google",
    "issuer": "https://accounts.google.com/",
    "client_id": "laurel.apps.googleusercontent.com",
    "client_secret": SECRET,
    "allowed_domains": "MapleGrove.test, @students.maplegrove.test",
}


@pytest.fixture
def admin_client(login, make_user):
    return login(make_user(Role.ADMIN))


def test_an_admin_adds_a_provider_whose_secret_is_sealed_and_never_shown(admin_client, app):
    added = admin_client.post("/admin/sso/providers", data=PROVIDER)

    assert added.status_code == 302
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    assert "laurel.apps.googleusercontent.com" in page
    assert "https://laurel.test/sso/google/callback" in page
    assert "maplegrove.test, students.maplegrove.test" in page
    assert SECRET not in page
    stored = db.session.scalar(sa.select(SsoProvider))
    assert stored.issuer == "https://accounts.google.com"
    assert SECRET not in stored.sealed_client_secret
    sealer = Sealer(app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)
    assert sealer.open(stored.sealed_client_secret) == SECRET
    assert [(p.key, p.client_secret()) for p in all_providers()] == [("google", SECRET)]


@pytest.mark.parametrize(
    ("field", "value", "status", "message"),
    [
        ("key", "Google Accounts", 400, "cannot be a provider"),
        ("issuer", "accounts.google.com", 400, "is not an issuer URL"),
        ("issuer", "https://accounts.google.com/?tenant=1", 400, "is not an issuer URL"),
        ("allowed_domains", "not a domain!", 400, "is not an email domain"),
        ("client_secret", "", 400, "Give the client secret."),
        ("name", "", 400, "Give the provider a name."),
    ],
    ids=[
        "key-with-spaces",
        "issuer-without-scheme",
        "issuer-with-query",
        "bad-domain",
        "no-secret",
        "no-name",
    ],
)
def test_bad_input_is_refused_with_a_message(admin_client, field, value, status, message):
    answer = admin_client.post("/admin/sso/providers", data={**PROVIDER, field: value})

    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(SsoProvider)) is None


def test_a_key_in_use_is_refused(admin_client, app_ctx):
    assert admin_client.post("/admin/sso/providers", data=PROVIDER).status_code == 302
    app_ctx.config["LAUREL_OIDC_PROVIDERS"] = (
        '[{"key": "district", "name": "District", "issuer": "https://id.district.example",'
        ' "client_id": "c", "client_secret": "s", "allowed_domains": ["district.example"]}]'
    )

    for key in ("google", "district"):
        answer = admin_client.post("/admin/sso/providers", data={**PROVIDER, "key": key})
        assert answer.status_code == 409
        assert f"A provider is already named “{key}”" in answer.get_data(as_text=True)


def test_an_admin_removes_a_stored_provider_but_not_an_environment_one(admin_client, app_ctx):
    admin_client.post("/admin/sso/providers", data=PROVIDER)
    app_ctx.config["LAUREL_OIDC_PROVIDERS"] = (
        '[{"key": "district", "name": "District", "issuer": "https://id.district.example",'
        ' "client_id": "c", "client_secret": "s", "allowed_domains": ["district.example"]}]'
    )
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    assert "Set in LAUREL_OIDC_PROVIDERS" in page

    assert admin_client.post("/admin/sso/providers/google/remove").status_code == 302
    assert admin_client.post("/admin/sso/providers/district/remove").status_code == 404
    assert db.session.scalar(sa.select(SsoProvider)) is None
