"""roster import: OneRoster sourcedIds of accounts and classes, and each import's preview and report

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-04 08:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "roster_user_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sourced_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_roster_user_link_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_user_link")),
        sa.UniqueConstraint("sourced_id", name=op.f("uq_roster_user_link_sourced_id")),
        sa.UniqueConstraint("user_id", name=op.f("uq_roster_user_link_user_id")),
    )
    op.create_table(
        "roster_class_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sourced_id", sa.String(length=255), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["school_class.id"],
            name=op.f("fk_roster_class_link_class_id_school_class"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_class_link")),
        sa.UniqueConstraint("class_id", name=op.f("uq_roster_class_link_class_id")),
        sa.UniqueConstraint("sourced_id", name=op.f("uq_roster_class_link_sourced_id")),
    )
    op.create_table(
        "roster_import",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report_json", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_roster_import_created_by_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_import")),
    )


def downgrade():
    op.drop_table("roster_import")
    op.drop_table("roster_class_link")
    op.drop_table("roster_user_link")
