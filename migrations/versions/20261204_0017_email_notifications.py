"""email notifications: the outbox and each user's delivery choice per kind

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-04 08:45:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None

KINDS = (
    "SUBMISSION_RECEIVED",
    "REVIEW",
    "CREDENTIAL_ISSUED",
    "ENDORSEMENT_REQUEST",
    "INVITATION",
    "DIGEST",
)


def _kind() -> sa.Enum:
    return sa.Enum(*KINDS, name="notificationkind", native_enum=False, length=30)


def upgrade():
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum("NOW", "DIGEST", "NEVER", name="delivery", native_enum=False, length=10),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_notification_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preference_user_id")),
    )
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _kind(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("sealed_secret", sa.Text(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "PENDING",
                "HELD",
                "BUNDLED",
                "SENT",
                "SKIPPED",
                "FAILED",
                name="outboxstate",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["email_outbox.id"],
            name=op.f("fk_email_outbox_digest_id_email_outbox"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_email_outbox_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_outbox")),
    )
    op.create_index(
        "ix_email_outbox_state_next_attempt_at",
        "email_outbox",
        ["state", "next_attempt_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_email_outbox_state_next_attempt_at", table_name="email_outbox")
    op.drop_table("email_outbox")
    op.drop_table("notification_preference")
