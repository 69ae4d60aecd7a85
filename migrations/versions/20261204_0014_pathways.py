"""pathways: badges composed into pathways, prerequisites between them, completions

Revision ID: 0014
Revises: 0016
Create Date: 2026-12-04 08:19:01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pathway",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("required_count", sa.Integer(), nullable=True),
        sa.Column("auto_issue", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["badge_id"], ["badge.id"], name=op.f("fk_pathway_badge_id_badge"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_pathway_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway")),
        sa.UniqueConstraint("badge_id", name=op.f("uq_pathway_badge_id")),
    )
    op.create_table(
        "pathway_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("requires", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badge.id"],
            name=op.f("fk_pathway_step_badge_id_badge"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathway.id"],
            name=op.f("fk_pathway_step_pathway_id_pathway"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_step")),
        sa.UniqueConstraint("pathway_id", "badge_id", name=op.f("uq_pathway_step_pathway_id")),
    )
    op.create_table(
        "pathway_completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("OFFERED", "ISSUED", name="completionstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_pathway_completion_credential_id_issued_credential"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pathway_id"],
            ["pathway.id"],
            name=op.f("fk_pathway_completion_pathway_id_pathway"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_pathway_completion_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_completion")),
        sa.UniqueConstraint(
            "pathway_id", "student_id", name=op.f("uq_pathway_completion_pathway_id")
        ),
    )


def downgrade():
    op.drop_table("pathway_completion")
    op.drop_table("pathway_step")
    op.drop_table("pathway")
