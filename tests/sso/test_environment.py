"""Providers named in LAUREL_OIDC_PROVIDERS: they sign people in like stored ones, and a
malformed value names its problem."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from app.sso.providers import parse_environment
from tests.sso.school_idp import environment_provider
from tests.sso.school_idp import sign_in_through
from tests.sso.school_idp import signed_in_id


def test_an_environment_provider_signs_in_and_creates_students(client, app_ctx, school_idp):
    app_ctx.config["LAUREL_OIDC_PROVIDERS"] = environment_provider(school_idp, create_students=True)
    school_idp.next_account(
        sub="idp-new", email="new@maplegrove.test", email_verified=True, name="New Student"
    )

    assert "Sign in with District Accounts" in client.get("/login").get_data(as_text=True)
    answer = sign_in_through(client, school_idp, key="district")

    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    new = db.session.scalar(sa.select(User).where(User.email == "new@maplegrove.test"))
    assert new.role == Role.STUDENT
    assert signed_in_id(client) == new.get_id()


def test_a_provider_whose_configuration_names_another_issuer_is_refused(
    client, app_ctx, school_idp
):
    # localhost is the same server, but not the issuer its configuration names (127.0.0.1).
    other_name = school_idp.origin.replace("127.0.0.1", "localhost")
    app_ctx.config["LAUREL_OIDC_PROVIDERS"] = environment_provider(school_idp, issuer=other_name)

    answer = client.get("/sso/district/start")

    assert answer.status_code == 400
    assert "configuration names another issuer" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "LAUREL_OIDC_PROVIDERS is not valid JSON."),
        ('{"key": "google"}', "must be a JSON list of provider objects"),
        ('[{"key": "google"}]', "provider number 1 has no “name”"),
        (
            json.dumps(
                [
                    {
                        "key": "Google!",
                        "name": "Google",
                        "issuer": "https://accounts.google.com",
                        "client_id": "id",
                        "client_secret": "secret",
                        "allowed_domains": ["school.test"],
                    }
                ]
            ),
            "“Google!” cannot be a provider",
        ),
        (
            json.dumps(
                [
                    {
                        "key": "google",
                        "name": "Google",
                        "issuer": "accounts.google.com",
                        "client_id": "id",
                        "client_secret": "secret",
                        "allowed_domains": ["school.test"],
                    }
                ]
            ),
            "is not an issuer URL",
        ),
        (
            json.dumps(
                [
                    {
                        "key": "google",
                        "name": "Google",
                        "issuer": "https://accounts.google.com",
                        "client_id": "id",
                        "client_secret": "secret",
                    }
                ]
            ),
            "Name at least one email domain",
        ),
    ],
    ids=["not-json", "not-a-list", "no-name", "bad-key", "bad-issuer", "no-domains"],
)
def test_a_malformed_environment_value_names_its_problem(client, app_ctx, value, message):
    app_ctx.config["LAUREL_OIDC_PROVIDERS"] = value

    answer = client.get("/login")

    assert answer.status_code == 503
    assert message in answer.get_data(as_text=True)


def test_unset_or_empty_means_no_provider():
    assert parse_environment(None) == []
    assert parse_environment("  ") == []
