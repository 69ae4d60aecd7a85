"""single sign-on: OpenID providers, linked identities, the password sign-in policy

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-04 08:40:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sso_provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=2000), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("sealed_client_secret", sa.Text(), nullable=False),
        sa.Column("allowed_domains", sa.Text(), nullable=False),
        sa.Column("create_students", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_provider")),
        sa.UniqueConstraint("key", name=op.f("uq_sso_provider_key")),
    )
    op.create_table(
        "sso_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_key", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_sso_identity_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_identity")),
        sa.UniqueConstraint("provider_key", "subject", name=op.f("uq_sso_identity_provider_key")),
    )
    op.create_index(op.f("ix_sso_identity_user_id"), "sso_identity", ["user_id"], unique=False)
    op.create_table(
        "sign_in_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passwords_for_everyone", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_policy")),
    )


def downgrade():
    op.drop_table("sign_in_policy")
    op.drop_index(op.f("ix_sso_identity_user_id"), table_name="sso_identity")
    op.drop_table("sso_identity")
    op.drop_table("sso_provider")
