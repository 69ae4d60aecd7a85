"""wallet offers: OpenID4VCI offers and VC-API exchanges of a learner's credential, and the
nonces wallets sign

Revision ID: 0022wallet
Revises: 0021lti
Create Date: 2026-12-04 13:40:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022wallet"
down_revision = "0021lti"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "wallet_offer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column(
            "protocol",
            sa.Enum("OPENID4VCI", "VCAPI", name="walletprotocol", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sealed_code", sa.Text(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("pin_hash", sa.String(length=64), nullable=True),
        sa.Column("failed_pins", sa.Integer(), nullable=False),
        sa.Column("code_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("challenge", sa.String(length=64), nullable=True),
        sa.Column("holder_id", sa.String(length=2000), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_wallet_offer_credential_id_issued_credential"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user.id"],
            name=op.f("fk_wallet_offer_owner_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_offer")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_wallet_offer_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_wallet_offer_token_hash")),
    )
    op.create_index(
        op.f("ix_wallet_offer_credential_id"), "wallet_offer", ["credential_id"], unique=False
    )
    op.create_index(op.f("ix_wallet_offer_owner_id"), "wallet_offer", ["owner_id"], unique=False)
    op.create_table(
        "wallet_nonce",
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("value", name=op.f("pk_wallet_nonce")),
    )
    op.create_index(
        op.f("ix_wallet_nonce_expires_at"), "wallet_nonce", ["expires_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_wallet_nonce_expires_at"), table_name="wallet_nonce")
    op.drop_table("wallet_nonce")
    op.drop_index(op.f("ix_wallet_offer_owner_id"), table_name="wallet_offer")
    op.drop_index(op.f("ix_wallet_offer_credential_id"), table_name="wallet_offer")
    op.drop_table("wallet_offer")
