"""badge proposals: proposals, their versions and discussion; student-proposed and personal badges

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 04:13:03
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "badge_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "DRAFT",
                "SUBMITTED",
                "CHANGES_REQUESTED",
                "APPROVED_PERSONAL",
                "APPROVED_CLASS",
                "DECLINED",
                "WITHDRAWN",
                name="proposalstate",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["badge_id"],
            ["badge.id"],
            name=op.f("fk_badge_proposal_badge_id_badge"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_class.id"],
            name=op.f("fk_badge_proposal_class_id_school_class"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_badge_proposal_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_badge_proposal_student_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_proposal")),
        sa.UniqueConstraint("badge_id", name=op.f("uq_badge_proposal_badge_id")),
    )
    op.create_table(
        "badge_proposal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "COMMENT",
                "SUBMITTED",
                "CHANGES_REQUESTED",
                "APPROVED_PERSONAL",
                "APPROVED_CLASS",
                "DECLINED",
                "WITHDRAWN",
                name="proposaleventkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_badge_proposal_event_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["badge_proposal.id"],
            name=op.f("fk_badge_proposal_event_proposal_id_badge_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_proposal_event")),
    )
    op.create_table(
        "badge_proposal_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("evidence_plan", sa.Text(), nullable=False),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user.id"],
            name=op.f("fk_badge_proposal_version_author_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["badge_proposal.id"],
            name=op.f("fk_badge_proposal_version_proposal_id_badge_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_proposal_version")),
        sa.UniqueConstraint(
            "proposal_id", "number", name=op.f("uq_badge_proposal_version_proposal_id")
        ),
    )
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("student_proposed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("personal_for_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_badge_personal_for_id_user"),
            "user",
            ["personal_for_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade():
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_badge_personal_for_id_user"), type_="foreignkey")
        batch_op.drop_column("personal_for_id")
        batch_op.drop_column("student_proposed")

    op.drop_table("badge_proposal_version")
    op.drop_table("badge_proposal_event")
    op.drop_table("badge_proposal")
