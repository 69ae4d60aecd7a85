"""Upgrading a database whose badges already hold images: each gets its PNG, or the medallion."""

from __future__ import annotations

import io
import json
from datetime import UTC
from datetime import datetime

import sqlalchemy as sa
from flask_migrate import downgrade
from flask_migrate import upgrade
from PIL import Image

from app import create_app
from app.extensions import db
from tests.badges.test_image_limits import nested_groups
from tests.badges.test_image_limits import png_bytes

GOOD_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    rb'<rect width="10" height="10" style="fill:#369;stroke:\75 rl(http://evil.example/t)"/>'
    b"</svg>"
)
IMAGES = {
    "good-svg": (GOOD_SVG, "image/svg+xml"),
    "900-nested-g": (nested_groups(900), "image/svg+xml"),
    "good-png": (png_bytes(32, 32), "image/png"),
    "30-byte-truncated-png": (png_bytes(64, 64)[:30], "image/png"),
    "no-image": (None, None),
}


def _insert_badges(connection) -> None:
    moment = datetime(2026, 11, 30, 12, tzinfo=UTC)
    for number, (slug, (image, mime)) in enumerate(IMAGES.items()):
        connection.execute(
            sa.text(
                "INSERT INTO badge (slug, achievement_uuid, name, description, "
                "criteria_narrative, criteria_items, evidence_prompt, accepted_kinds, "
                "rubric_levels, alignments, tags, achievement_type, image, image_mime, state, "
                "version, revision, created_at, updated_at) VALUES (:slug, :uuid, :slug, 'd', "
                "'c', '[]', '', :kinds, '[]', '[]', '[]', 'Badge', :image, :mime, 'PUBLISHED', "
                "1, 1, :at, :at)"
            ),
            {
                "slug": slug,
                "uuid": f"00000000-0000-4000-8000-{number:012d}",
                "kinds": json.dumps(["text"]),
                "image": image,
                "mime": mime,
                "at": moment,
            },
        )


def test_upgrade_0003_old_badge_images_drawn_or_left_to_medallion(app_config, tmp_path):
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'old.db'}"
    application = create_app(app_config)
    with application.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            _insert_badges(connection)
        upgrade(revision="0003")
        rows = {
            row.slug: row
            for row in db.session.execute(sa.text("SELECT slug, image, image_png FROM badge"))
        }
        with Image.open(io.BytesIO(rows["good-svg"].image_png)) as drawn:
            assert drawn.size == (512, 512)
        assert b"evil.example" not in rows["good-svg"].image
        assert rows["900-nested-g"].image == nested_groups(900)
        assert rows["900-nested-g"].image_png is None
        assert rows["good-png"].image_png == IMAGES["good-png"][0]
        assert rows["30-byte-truncated-png"].image_png is None
        assert rows["30-byte-truncated-png"].image == IMAGES["30-byte-truncated-png"][0]
        assert rows["no-image"].image_png is None
        db.session.remove()

        downgrade(revision="0001")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("badge")}
        assert "image_png" not in columns and "image" in columns
        db.engine.dispose()


def test_upgrade_0003_badge_left_to_medallion_serves_every_image(app_config, tmp_path):
    """After the upgrade, the badge whose image failed is served as the medallion, not a 500."""
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'old.db'}"
    application = create_app(app_config)
    with application.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as connection:
            _insert_badges(connection)
        upgrade()
        db.session.remove()
        browser = application.test_client()
        for number, slug in enumerate(IMAGES):
            response = browser.get(f"/achievements/00000000-0000-4000-8000-{number:012d}/image")
            assert response.status_code == 200, slug
            if slug in ("900-nested-g", "30-byte-truncated-png"):
                assert response.mimetype == "image/svg+xml"
                assert b"<g><g>" not in response.data
        db.engine.dispose()
