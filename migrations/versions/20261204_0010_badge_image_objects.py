"""badge images by digest, so they may live in the bucket

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 10:00:00.000000

Adds `badge.image_sha256` and `badge.image_png_sha256`: the sha256 of the uploaded
image and of its drawn PNG. They are the ETag and cache key of every image and, when
LAUREL_STORAGE_URL names a bucket, the object's key (app.badges.image_store). Rows
that hold images get the digests of their bytes; the bytes stay in the row, where
they are served from as before until `laurel storage move-badge-images` moves them.

Downgrading drops the digests. A badge whose image was moved to the bucket then has
no bytes in its row, and the older Laurel shows its medallion: run the downgrade on
a database whose images are all in their rows.
"""

import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

badge = sa.table(
    "badge",
    sa.column("id", sa.Integer()),
    sa.column("image", sa.LargeBinary()),
    sa.column("image_png", sa.LargeBinary()),
    sa.column("image_sha256", sa.String(64)),
    sa.column("image_png_sha256", sa.String(64)),
)


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def upgrade():
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("image_png_sha256", sa.String(length=64), nullable=True))

    connection = op.get_bind()
    ids = connection.scalars(
        sa.select(badge.c.id).where(badge.c.image.is_not(None)).order_by(badge.c.id)
    ).all()
    # One row at a time: images are up to 1 MB each.
    for badge_id in ids:
        row = connection.execute(
            sa.select(badge.c.image, badge.c.image_png).where(badge.c.id == badge_id)
        ).one()
        connection.execute(
            badge.update()
            .where(badge.c.id == badge_id)
            .values(image_sha256=_digest(row.image), image_png_sha256=_digest(row.image_png))
        )


def downgrade():
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.drop_column("image_png_sha256")
        batch_op.drop_column("image_sha256")
