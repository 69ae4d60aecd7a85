"""Client secrets, tokens and authorization codes are stored as hashes: a database dump
opens nothing, and the protocol (code, token, refresh, bearer, revocation) still works
with what the client holds.

Bad inputs tried: a stored hash sent as a bearer token and as a refresh token.
"""

from __future__ import annotations

import requests
import sqlalchemy as sa

from app.backpack.models import OAuthAuthorizationCode
from app.backpack.models import OAuthClient
from app.backpack.models import OAuthToken
from app.backpack.models import hash_client_secret
from app.backpack.models import hash_token
from app.extensions import db
from tests.backpack.conftest import code_from


def test_secret_and_tokens_are_kept_hashed_and_the_protocol_still_works(backpack, school, app):
    client = backpack.register()
    oauth = backpack.connect(client, school.student)
    with app.app_context():
        stored = db.session.scalar(sa.select(OAuthClient).filter_by(client_id=client["client_id"]))
        assert stored.client_secret == hash_client_secret(client["client_secret"])
        (token,) = db.session.scalars(
            sa.select(OAuthToken).filter_by(client_id=client["client_id"])
        ).all()
        access_hash, refresh_hash = token.access_token, token.refresh_token
    assert access_hash == hash_token(oauth.token["access_token"])
    assert refresh_hash == hash_token(oauth.token["refresh_token"])
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 200

    # What a dump shows opens nothing.
    as_bearer = requests.get(
        backpack.credentials_url, headers={"Authorization": f"Bearer {access_hash}"}, timeout=30
    )
    assert as_bearer.status_code == 401
    as_refresh = requests.post(
        backpack.token_url,
        data={"grant_type": "refresh_token", "refresh_token": refresh_hash},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert as_refresh.status_code == 400
    assert as_refresh.json()["error"] == "invalid_grant"
    stored_secret = requests.post(
        backpack.token_url,
        data={"grant_type": "refresh_token", "refresh_token": oauth.token["refresh_token"]},
        auth=(client["client_id"], hash_client_secret(client["client_secret"])),
        timeout=30,
    )
    assert stored_secret.status_code == 401

    fresh = oauth.refresh_token(
        backpack.token_url, auth=(client["client_id"], client["client_secret"]), timeout=30
    )
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 200
    revoked = requests.post(
        f"{backpack.base}/oauth/revoke",
        data={"token": fresh["refresh_token"], "token_type_hint": "refresh_token"},
        auth=(client["client_id"], client["client_secret"]),
        timeout=30,
    )
    assert revoked.status_code == 200
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 401


def test_authorization_code_is_kept_hashed_and_still_exchanged(backpack, school, app):
    client = backpack.register()
    oauth = backpack.session(client)
    url, _state = oauth.authorization_url(backpack.authorize_url)
    answer = backpack.consent(school.student, url)
    code = code_from(answer)
    with app.app_context():
        (stored,) = db.session.scalars(
            sa.select(OAuthAuthorizationCode.code).filter_by(client_id=client["client_id"])
        ).all()
    assert stored == hash_token(code) != code
    oauth.fetch_token(
        backpack.token_url,
        authorization_response=answer.headers["Location"],
        client_secret=client["client_secret"],
        timeout=30,
    )
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 200
