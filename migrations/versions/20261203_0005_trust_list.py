"""trust list: issuers the school vouches for

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 22:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trusted_issuer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=500), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_issuer")),
        sa.UniqueConstraint("identifier", name=op.f("uq_trusted_issuer_identifier")),
    )


def downgrade():
    op.drop_table("trusted_issuer")
