"""api_credentials: the VC-API keeps what it signs, with its status list slots

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-04 05:00:00
"""

import sqlalchemy as sa
from alembic import op

import app.models_base

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0009"
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


def downgrade():
    with op.batch_alter_table("api_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_credential_client_id"))
    op.drop_table("api_credential")
