"""pathways can be archived: off new students' maps, restorable

Revision ID: 0024doors
Revises: 0023doors
Create Date: 2026-12-04 13:50:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024doors"
down_revision = "0023doors"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("pathway", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("pathway", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
