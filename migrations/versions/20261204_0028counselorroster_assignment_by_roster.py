"""counselor assignments a roster import made

Revision ID: 0028counselorroster
Revises: 0027goalpathway
Create Date: 2026-12-04 17:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028counselorroster"
down_revision = "0027goalpathway"
branch_labels = None
depends_on = None


def upgrade():
    # Every assignment so far was made by an admin: false is right for all of them.
    with op.batch_alter_table("counselor_assignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("by_roster", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("counselor_assignment", schema=None) as batch_op:
        batch_op.drop_column("by_roster")
