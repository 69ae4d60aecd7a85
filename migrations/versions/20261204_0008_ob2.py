"""ob2: the image of an imported Open Badges 2.0 badge (a data: URI) on held credentials

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 01:20:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("held_credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_data_uri", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("held_credential", schema=None) as batch_op:
        batch_op.drop_column("image_data_uri")
