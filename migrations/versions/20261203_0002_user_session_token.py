"""user session token: sessions that end on logout, password change and deactivation

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 12:00:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=32), nullable=True))
    # Every existing account gets its own random token; the cookies issued before this
    # revision (which hold the bare user id) stop working, so everyone signs in again.
    user = sa.table("user", sa.column("id", sa.Integer()), sa.column("session_token", sa.String()))
    connection = op.get_bind()
    for (user_id,) in connection.execute(sa.select(user.c.id)).all():
        connection.execute(
            sa.update(user).where(user.c.id == user_id).values(session_token=secrets.token_hex(16))
        )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_token")
