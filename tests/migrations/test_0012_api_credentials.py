"""Migration 0012: the VC-API's kept credentials, and OAuth secrets and tokens hashed at rest.

Rows from before keep working: a backpack application's plain secret and its plain
tokens are hashed by the upgrade, and the secret and tokens the application holds
still authenticate. The downgrade deletes the tokens (they cannot be un-hashed).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade
from flask_migrate import upgrade

from app import create_app
from app.backpack.models import OAuthClient
from app.backpack.models import hash_client_secret
from app.backpack.models import hash_token
from app.backpack.oauth_server import HashedTokenValidator
from app.extensions import db
from tests.fixtures.app import _config

NOW = "2026-12-03 10:00:00"


@pytest.fixture
def database(tmp_path, keys_dir):
    application = create_app(_config(tmp_path, f"sqlite:///{tmp_path / 'old.db'}", keys_dir))
    with application.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO user (id, email, name, role, learner_uuid, identity_salt,"
                    " is_active_account, session_token, created_at) VALUES (1, 's@school.test',"
                    " 'Sam', 'STUDENT', 'u-1', 'salt', 1, 'token', :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO oauth_client (id, client_id, client_secret, client_id_issued_at,"
                    " client_secret_expires_at, client_metadata) VALUES (1, 'wallet',"
                    " 'plain-secret', 0, 0, '{}'), (2, 'office', :hashed, 0, 0, '{}')"
                ),
                {"hashed": hash_client_secret("api-secret")},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO oauth_token (client_id, user_id, token_type, access_token,"
                    " refresh_token, scope, issued_at, access_token_revoked_at,"
                    " refresh_token_revoked_at, expires_in) VALUES ('wallet', 1, 'Bearer',"
                    " 'plain-access', 'plain-refresh', '', 4102444800, 0, 0, 3600)"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO oauth_authorization_code (code, client_id, redirect_uri,"
                    " response_type, scope, auth_time, user_id) VALUES ('plain-code',"
                    " 'wallet', 'https://wallet.example/cb', 'code', '', 0, 1)"
                )
            )
        yield application
        db.engine.dispose()


def _rows(query: str) -> list[tuple]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def test_migration_0012_hashes_existing_secrets_and_tokens_which_keep_working(database):
    upgrade(revision="0012")
    assert _rows("SELECT client_id, client_secret FROM oauth_client ORDER BY id") == [
        ("wallet", hash_client_secret("plain-secret")),
        ("office", hash_client_secret("api-secret")),
    ]
    assert _rows("SELECT access_token, refresh_token FROM oauth_token") == [
        (hash_token("plain-access"), hash_token("plain-refresh"))
    ]
    assert _rows("SELECT code FROM oauth_authorization_code") == [(hash_token("plain-code"),)]
    wallet = db.session.scalar(sa.select(OAuthClient).filter_by(client_id="wallet"))
    assert wallet.check_client_secret("plain-secret")
    assert not wallet.check_client_secret(hash_client_secret("plain-secret"))
    token = HashedTokenValidator().authenticate_token("plain-access")
    assert token is not None and token.user_id == 1
    assert "api_credential" in sa.inspect(db.engine).get_table_names()

    downgrade(revision="0009")
    assert "api_credential" not in sa.inspect(db.engine).get_table_names()
    assert _rows("SELECT COUNT(*) FROM oauth_token") == [(0,)]
    assert _rows("SELECT COUNT(*) FROM oauth_authorization_code") == [(0,)]
    assert _rows("SELECT client_secret FROM oauth_client WHERE client_id = 'wallet'") == [
        (hash_client_secret("plain-secret"),)
    ]
    upgrade()
