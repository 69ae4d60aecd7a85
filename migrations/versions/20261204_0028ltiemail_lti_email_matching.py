"""LTI platforms say whether a first launch may match an existing account by email (off)

Revision ID: 0028ltiemail
Revises: 0027goalpathway
Create Date: 2026-12-04 17:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028ltiemail"
down_revision = "0027goalpathway"
branch_labels = None
depends_on = None


def upgrade():
    # Off for platforms registered before, too: people already linked keep launching; an
    # admin turns matching on for an LMS they trust to vouch for addresses.
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("match_by_email", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.drop_column("match_by_email")
