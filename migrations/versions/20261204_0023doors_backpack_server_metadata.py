"""another backpack's authorization server metadata: issuer, iss promised, revocation URL

Revision ID: 0023doors
Revises: 0022wallet
Create Date: 2026-12-04 13:40:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023doors"
down_revision = "0022wallet"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("remote_backpack", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issuer", sa.String(length=2000), nullable=True))
        batch_op.add_column(
            sa.Column("sends_iss", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("revocation_url", sa.String(length=2000), nullable=True))


def downgrade():
    with op.batch_alter_table("remote_backpack", schema=None) as batch_op:
        batch_op.drop_column("revocation_url")
        batch_op.drop_column("sends_iss")
        batch_op.drop_column("issuer")
