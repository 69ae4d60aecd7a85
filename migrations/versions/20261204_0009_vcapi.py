"""vcapi: client credentials tokens belong to an API client, not to a person

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 01:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("oauth_token", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM oauth_token WHERE user_id IS NULL")
    with op.batch_alter_table("oauth_token", schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
