"""PostgreSQL tells every Laurel process when a row a kept page rests on changes

Revision ID: 0030changenotify
Revises: 0029ltiemail
Create Date: 2026-12-04 21:00:00

Each process keeps the version reads of its kept pages and documents while nothing has
changed (app/db_changes.py). On SQLite it asks the database file (PRAGMA data_version);
on PostgreSQL a statement-level trigger on each table those reads take a column from
sends a notification on the channel `laurel_changes` when a write to it commits.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030changenotify"
down_revision = "0029ltiemail"
branch_labels = None
depends_on = None

CHANNEL = "laurel_changes"
TABLES = ("issued_credential", "user", "badge", "issuer_profile")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        sa.text(
            "CREATE FUNCTION laurel_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
        )
    )
    for table in TABLES:
        op.execute(
            sa.text(
                f"CREATE TRIGGER laurel_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION laurel_notify_change()'
            )
        )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(sa.text(f'DROP TRIGGER laurel_notify_change ON "{table}"'))
    op.execute(sa.text("DROP FUNCTION laurel_notify_change()"))
