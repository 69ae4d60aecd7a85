"""bulk issuance: jobs and their rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 00:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bulk_job",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column(
            "source",
            sa.Enum("CSV", "SUBMISSIONS", name="jobsource", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "DRAFT", "QUEUED", "RUNNING", "DONE", name="jobstate", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_bulk_job_created_by_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_job")),
    )
    op.create_table(
        "bulk_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("badge_label", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("badge_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.String(length=60), nullable=True),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum("PENDING", "ISSUED", "FAILED", name="rowstate", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["badge_id"], ["badge.id"], name=op.f("fk_bulk_row_badge_id_badge"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_bulk_row_credential_id_issued_credential"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["bulk_job.id"],
            name=op.f("fk_bulk_row_job_id_bulk_job"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["user.id"],
            name=op.f("fk_bulk_row_recipient_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_bulk_row_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_row")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_bulk_row_credential_id")),
        sa.UniqueConstraint("job_id", "position", name=op.f("uq_bulk_row_job_id")),
    )
    op.create_index("ix_bulk_row_job_id_state", "bulk_row", ["job_id", "state"], unique=False)


def downgrade():
    op.drop_index("ix_bulk_row_job_id_state", table_name="bulk_row")
    op.drop_table("bulk_row")
    op.drop_table("bulk_job")
