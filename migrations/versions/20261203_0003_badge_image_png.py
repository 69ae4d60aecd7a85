"""badge image drawn once as PNG

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 10:00:00.000000

Adds `badge.image_png`, the PNG every preview, baked download and certificate uses,
and fills it for the badges that already have an image: each one goes through the
checks of an upload today (a PNG fully decoded; an SVG sanitized again under the
current rules, which is stored back, then drawn). An image that fails them keeps
its bytes but gets no PNG, so the badge shows its medallion until an instructor
uploads the image again; the upgrade never stops on one bad image.
"""

import sqlalchemy as sa
from alembic import op

from app.badges.images import PNG_MIME
from app.badges.images import SVG_MIME
from app.badges.images import check_png
from app.badges.images import render_svg_png
from app.badges.images import sanitize_svg
from app.errors import UserError

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

badge = sa.table(
    "badge",
    sa.column("id", sa.Integer()),
    sa.column("image", sa.LargeBinary()),
    sa.column("image_mime", sa.String(50)),
    sa.column("image_png", sa.LargeBinary()),
)


def _drawn(image: bytes, mime: str | None) -> tuple[bytes, bytes | None]:
    """(the image to keep, its PNG or None when it cannot be drawn within the limits)."""
    try:
        if mime == PNG_MIME:
            check_png(image)
            return image, image
        if mime == SVG_MIME:
            svg = sanitize_svg(image)
            return svg, render_svg_png(svg)
    except UserError:
        pass
    return image, None


def upgrade():
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_png", sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    ids = connection.scalars(
        sa.select(badge.c.id).where(badge.c.image.is_not(None)).order_by(badge.c.id)
    ).all()
    # One row at a time: images are up to 1 MB each.
    for badge_id in ids:
        row = connection.execute(
            sa.select(badge.c.image, badge.c.image_mime).where(badge.c.id == badge_id)
        ).one()
        image, png = _drawn(row.image, row.image_mime)
        connection.execute(
            badge.update().where(badge.c.id == badge_id).values(image=image, image_png=png)
        )


def downgrade():
    with op.batch_alter_table("badge", schema=None) as batch_op:
        batch_op.drop_column("image_png")
