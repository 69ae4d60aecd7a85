"""goals, learner profiles and counselors: dated goals on badges or standards, reflections,
interests and strengths, and the counselor role with its assigned students

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-04 08:18:46
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "counselor_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counselor_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["counselor_id"],
            ["user.id"],
            name=op.f("fk_counselor_assignment_counselor_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_counselor_assignment_student_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counselor_assignment")),
        sa.UniqueConstraint(
            "counselor_id", "student_id", name=op.f("uq_counselor_assignment_counselor_id")
        ),
    )
    op.create_table(
        "learner_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("interests", sa.Text(), nullable=False),
        sa.Column("strengths", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_learner_profile_student_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_profile")),
        sa.UniqueConstraint("student_id", name=op.f("uq_learner_profile_student_id")),
    )
    op.create_table(
        "reflection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("goal_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goal.id"], name=op.f("fk_reflection_goal_id_goal"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_reflection_student_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_reflection_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflection")),
    )
    # Every goal so far is a badge goal; its title starts as the badge's name.
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("BADGE", "STANDARD", name="goalkind", native_enum=False, length=20),
                nullable=False,
                server_default="BADGE",
            )
        )
        batch_op.add_column(
            sa.Column("title", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("standard", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("target_date", sa.Date(), nullable=True))
        batch_op.alter_column("badge_id", existing_type=sa.INTEGER(), nullable=True)
    op.execute(
        "UPDATE goal SET title = (SELECT substr(badge.name, 1, 200) FROM badge"
        " WHERE badge.id = goal.badge_id)"
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("title", server_default=None)


def downgrade():
    # Earlier revisions know badge goals only, and no counselor role: standard goals go, and
    # counselor accounts are kept as deactivated students, who see nothing.
    op.execute("DELETE FROM goal WHERE badge_id IS NULL")
    op.execute(
        "UPDATE \"user\" SET role = 'STUDENT', is_active_account = false WHERE role = 'COUNSELOR'"
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.alter_column("badge_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("target_date")
        batch_op.drop_column("standard")
        batch_op.drop_column("title")
        batch_op.drop_column("kind")
    op.drop_table("reflection")
    op.drop_table("learner_profile")
    op.drop_table("counselor_assignment")
