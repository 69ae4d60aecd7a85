"""private links: certificate verification token, evidence tokens

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:00:00

Every existing credential gets its own verification token with the link on (its
sharing state is kept as it was), and every evidence item a public token, so the
URLs of new credentials cannot be guessed. Tokens are drawn here, row by row:
a shared default would make them all equal.
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fill_tokens(table: str, column: str, key_type: sa.types.TypeEngine) -> None:
    rows = sa.table(table, sa.column("id", key_type), sa.column(column, sa.String(64)))
    connection = op.get_bind()
    for (key,) in connection.execute(sa.select(rows.c.id)).all():
        connection.execute(
            rows.update().where(rows.c.id == key).values({column: secrets.token_urlsafe(24)})
        )


def upgrade():
    with op.batch_alter_table("issued_credential") as batch_op:
        batch_op.add_column(
            sa.Column("verify_enabled", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.add_column(sa.Column("verify_token", sa.String(length=64), nullable=True))
    with op.batch_alter_table("evidence_item") as batch_op:
        batch_op.add_column(sa.Column("public_token", sa.String(length=64), nullable=True))

    _fill_tokens("issued_credential", "verify_token", sa.String(36))
    _fill_tokens("evidence_item", "public_token", sa.Integer())

    with op.batch_alter_table("issued_credential") as batch_op:
        batch_op.alter_column("verify_enabled", server_default=None)
        batch_op.alter_column("verify_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            op.f("uq_issued_credential_verify_token"), ["verify_token"]
        )
    with op.batch_alter_table("evidence_item") as batch_op:
        batch_op.alter_column("public_token", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_evidence_item_public_token"), ["public_token"])


def downgrade():
    with op.batch_alter_table("evidence_item") as batch_op:
        batch_op.drop_constraint(op.f("uq_evidence_item_public_token"), type_="unique")
        batch_op.drop_column("public_token")
    with op.batch_alter_table("issued_credential") as batch_op:
        batch_op.drop_constraint(op.f("uq_issued_credential_verify_token"), type_="unique")
        batch_op.drop_column("verify_token")
        batch_op.drop_column("verify_enabled")
