"""api_credentials: the VC-API keeps what it signs; OAuth secrets and tokens hashed at rest

The new table keeps the credentials POST /credentials/issue signs. Existing OAuth rows
are converted, not invalidated: every client secret still in plain text (backpack
applications registered by RFC 7591) becomes "sha256:" + its sha256, and every access
and refresh token and authorization code becomes its sha256, so the applications'
secrets and tokens keep working. The downgrade cannot restore plain tokens: it deletes
every token and code (the applications ask the learner again) and leaves secrets
hashed, which the older code also reads.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 05:00:00
"""

import hashlib

import sqlalchemy as sa
from alembic import op

import app.models_base

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_credential",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=2000), nullable=True),
        sa.Column("issuer_id", sa.String(length=2000), nullable=False),
        sa.Column("json_text", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=48), nullable=False),
        sa.Column("issued_at", app.models_base.UTCDateTime(), nullable=False),
        sa.Column("revocation_index", sa.Integer(), nullable=True),
        sa.Column("suspension_index", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "ACTIVE",
                "SUSPENDED",
                "REVOKED",
                name="credentialstate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", app.models_base.UTCDateTime(), nullable=True),
        sa.Column("status_changed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["status_changed_by_id"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_credential_client_id"), ["client_id"], unique=False
        )

    _hash_oauth_secrets_and_tokens()


_CLIENTS = sa.table(
    "oauth_client", sa.column("id", sa.Integer), sa.column("client_secret", sa.String)
)
_TOKENS = sa.table(
    "oauth_token",
    sa.column("id", sa.Integer),
    sa.column("access_token", sa.String),
    sa.column("refresh_token", sa.String),
)
SECRET_PREFIX = "sha256:"


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_CODES = sa.table(
    "oauth_authorization_code", sa.column("id", sa.Integer), sa.column("code", sa.String)
)


def _hash_oauth_secrets_and_tokens():
    bind = op.get_bind()
    for code_id, code in bind.execute(sa.select(_CODES.c.id, _CODES.c.code)).all():
        bind.execute(_CODES.update().where(_CODES.c.id == code_id).values(code=_sha256(code)))
    clients = bind.execute(sa.select(_CLIENTS.c.id, _CLIENTS.c.client_secret)).all()
    for client_id, secret in clients:
        if secret and not secret.startswith(SECRET_PREFIX):
            bind.execute(
                _CLIENTS.update()
                .where(_CLIENTS.c.id == client_id)
                .values(client_secret=SECRET_PREFIX + _sha256(secret))
            )
    tokens = bind.execute(
        sa.select(_TOKENS.c.id, _TOKENS.c.access_token, _TOKENS.c.refresh_token)
    ).all()
    for token_id, access, refresh in tokens:
        bind.execute(
            _TOKENS.update()
            .where(_TOKENS.c.id == token_id)
            .values(
                access_token=_sha256(access), refresh_token=_sha256(refresh) if refresh else refresh
            )
        )


def downgrade():
    op.execute("DELETE FROM oauth_token")
    op.execute("DELETE FROM oauth_authorization_code")
    with op.batch_alter_table("api_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_credential_client_id"))
    op.drop_table("api_credential")
