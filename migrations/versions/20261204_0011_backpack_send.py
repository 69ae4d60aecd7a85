"""backpack_send: the backpacks Laurel registered with, learners' tokens, sends in progress

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 04:13:39
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "remote_backpack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("discovery_url", sa.String(length=2000), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("api_base", sa.String(length=2000), nullable=False),
        sa.Column("authorization_url", sa.String(length=2000), nullable=False),
        sa.Column("token_url", sa.String(length=2000), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("sealed_client_secret", sa.Text(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remote_backpack")),
        sa.UniqueConstraint("discovery_url", name=op.f("uq_remote_backpack_discovery_url")),
    )
    op.create_table(
        "backpack_connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("backpack_id", sa.Integer(), nullable=False),
        sa.Column("sealed_access_token", sa.Text(), nullable=False),
        sa.Column("sealed_refresh_token", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["backpack_id"],
            ["remote_backpack.id"],
            name=op.f("fk_backpack_connection_backpack_id_remote_backpack"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_backpack_connection_owner_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backpack_connection")),
        sa.UniqueConstraint(
            "owner_id", "backpack_id", name=op.f("uq_backpack_connection_owner_id")
        ),
    )
    with op.batch_alter_table("backpack_connection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backpack_connection_backpack_id"), ["backpack_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_backpack_connection_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "pending_backpack_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("backpack_id", sa.Integer(), nullable=False),
        sa.Column("sealed_code_verifier", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["backpack_id"],
            ["remote_backpack.id"],
            name=op.f("fk_pending_backpack_send_backpack_id_remote_backpack"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_pending_backpack_send_credential_id_issued_credential"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_pending_backpack_send_owner_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_backpack_send")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_pending_backpack_send_state_hash")),
    )
    with op.batch_alter_table("pending_backpack_send", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_backpack_send_owner_id"), ["owner_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pending_backpack_send", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_backpack_send_owner_id"))

    op.drop_table("pending_backpack_send")
    with op.batch_alter_table("backpack_connection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backpack_connection_owner_id"))
        batch_op.drop_index(batch_op.f("ix_backpack_connection_backpack_id"))

    op.drop_table("backpack_connection")
    op.drop_table("remote_backpack")
