"""LTI platforms say whether a first launch may match an existing account by email

Revision ID: 0029ltiemail
Revises: 0028counselorroster
Create Date: 2026-12-04 17:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029ltiemail"
down_revision = "0028counselorroster"
branch_labels = None
depends_on = None


def upgrade():
    # Off for a platform registered from now on: an admin turns matching on for an LMS they
    # trust to vouch for addresses. On for the platforms there are, which matched by email
    # before: an upgrade does not lock out people who have not launched from them yet.
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("match_by_email", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(sa.text("UPDATE lti_platform SET match_by_email = true"))


def downgrade():
    with op.batch_alter_table("lti_platform", schema=None) as batch_op:
        batch_op.drop_column("match_by_email")
