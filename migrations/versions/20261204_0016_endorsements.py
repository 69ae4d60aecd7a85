"""endorsements: outside endorsers with their own keys, invitation links, signed endorsements

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-04 08:19:15
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "endorser",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorser")),
    )
    op.create_table(
        "endorsement_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("invitee", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badge.id"],
            name=op.f("fk_endorsement_invite_badge_id_badge"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_endorsement_invite_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_endorsement_invite_credential_id_issued_credential"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsement_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_endorsement_invite_token_hash")),
    )
    op.create_table(
        "endorsement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=False),
        sa.Column("endorser_id", sa.String(length=36), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("json_text", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badge.id"],
            name=op.f("fk_endorsement_badge_id_badge"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_endorsement_credential_id_issued_credential"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["endorser_id"],
            ["endorser.id"],
            name=op.f("fk_endorsement_endorser_id_endorser"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["endorsement_invite.id"],
            name=op.f("fk_endorsement_invite_id_endorsement_invite"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user.id"],
            name=op.f("fk_endorsement_withdrawn_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsement")),
        sa.UniqueConstraint("invite_id", name=op.f("uq_endorsement_invite_id")),
    )


def downgrade():
    op.drop_table("endorsement")
    op.drop_table("endorsement_invite")
    op.drop_table("endorser")
