"""pathway goals: a goal may aim at a pathway

Revision ID: 0027goalpathway
Revises: 0026i18n
Create Date: 2026-12-04 14:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027goalpathway"
down_revision = "0026i18n"
branch_labels = None
depends_on = None


def upgrade():
    # The kind column is a plain string (no database enum, no check): PATHWAY needs no change.
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pathway_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_goal_student_id_pathway_id"), ["student_id", "pathway_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_goal_pathway_id_pathway"),
            "pathway",
            ["pathway_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    # Earlier revisions know badge and standard goals only: pathway goals go.
    op.execute("DELETE FROM goal WHERE kind = 'PATHWAY'")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_goal_pathway_id_pathway"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_goal_student_id_pathway_id"), type_="unique")
        batch_op.drop_column("pathway_id")
