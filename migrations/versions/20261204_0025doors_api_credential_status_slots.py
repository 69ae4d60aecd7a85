"""status slots name the VC-API credential holding them, as they name badge credentials

Revision ID: 0025doors
Revises: 0024doors
Create Date: 2026-12-04 14:00:00

Before, an index taken for a VC-API credential was a slot naming no credential: nothing
in the database tied it to its holder or kept two kept credentials from claiming it.
The upgrade links the slots of the kept credentials (list 1 of each purpose, the only
lists Laurel draws from) by their recorded indexes.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025doors"
down_revision = "0024doors"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("status_slot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_credential_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_status_slot_api_credential_id_api_credential"),
            "api_credential",
            ["api_credential_id"],
            ["id"],
            ondelete="RESTRICT",
        )
    op.execute(
        """
        UPDATE status_slot SET api_credential_id = (
            SELECT api_credential.id FROM api_credential, status_list
            WHERE status_list.id = status_slot.status_list_id AND status_list.number = 1
              AND ((status_list.purpose = 'REVOCATION'
                    AND api_credential.revocation_index = status_slot."index")
                OR (status_list.purpose = 'SUSPENSION'
                    AND api_credential.suspension_index = status_slot."index"))
        )
        WHERE credential_id IS NULL
        """
    )


def downgrade():
    with op.batch_alter_table("status_slot", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_status_slot_api_credential_id_api_credential"), type_="foreignkey"
        )
        batch_op.drop_column("api_credential_id")
