"""Hostile badge images: refused at upload, or drawn once when saved so no later render fails."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from app.accounts.models import Role
from app.badges.images import MAX_SVG_DEPTH
from app.badges.images import PNG_SIDE
from app.badges.images import check_image_upload
from app.badges.images import check_png
from app.badges.images import sanitize_svg
from app.badges.models import Badge
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.errors import UserError
from app.extensions import db
from app.issuing.issuance import issue_credential
from app.keyring import issuing_context
from tests.fixtures.badges import badge_input

SVG_OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'


def nested_groups(depth: int) -> bytes:
    return SVG_OPEN + b"<g>" * depth + b'<rect width="5" height="5"/>' + b"</g>" * depth + b"</svg>"


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(output, format="PNG")
    return output.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A valid-looking PNG whose header declares `width`×`height` (a few hundred bytes)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + (width + 7) // 8) * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def svg_embedding(png: bytes) -> bytes:
    encoded = base64.b64encode(png)
    return (
        SVG_OPEN
        + b'<image width="10" height="10" href="data:image/png;base64,'
        + encoded
        + b'"/></svg>'
    )


def use_bomb(levels: int = 8, fan_out: int = 10) -> bytes:
    """Each level's group holds `fan_out` copies of the one below: fan_out**levels shapes."""
    parts = [b'<defs><g id="l0"><rect width="1" height="1"/></g>']
    for level in range(1, levels + 1):
        uses = b"".join(b'<use href="#l%d"/>' % (level - 1) for _ in range(fan_out))
        parts.append(b'<g id="l%d">%s</g>' % (level, uses))
    parts.append(b'</defs><use href="#l%d"/>' % levels)
    return SVG_OPEN + b"".join(parts) + b"</svg>"


# --- Refused at upload ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(nested_groups(50_000), id="50000-nested-g"),
        pytest.param(nested_groups(900), id="900-nested-g"),
        pytest.param(nested_groups(MAX_SVG_DEPTH), id="depth-just-over-limit"),
    ],
)
def test_check_image_upload_deeply_nested_svg_refused(svg):
    with pytest.raises(UserError, match="levels deep"):
        check_image_upload(svg, "badge.svg")


def test_check_image_upload_nesting_at_limit_drawn():
    checked = check_image_upload(nested_groups(MAX_SVG_DEPTH - 2), "badge.svg")
    with Image.open(io.BytesIO(checked.png)) as image:
        assert image.size == (PNG_SIDE, PNG_SIDE)


def test_check_image_upload_use_bomb_refused():
    """Can 100 million shapes hide in a 2 KB file of nested <use>?"""
    with pytest.raises(UserError, match="draws more than"):
        check_image_upload(use_bomb(), "badge.svg")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'<g id="a"><use href="#a"/></g>', id="use-inside-its-target"),
        pytest.param(
            b'<linearGradient id="p" href="#q"/><linearGradient id="q" href="#p"/>'
            b'<rect fill="url(#p)" width="5" height="5"/>',
            id="gradient-href-cycle",
        ),
    ],
)
def test_check_image_upload_reference_cycle_refused(body):
    with pytest.raises(UserError, match="refer to themselves"):
        check_image_upload(SVG_OPEN + body + b"</svg>", "badge.svg")


@pytest.mark.parametrize(
    ("png", "message"),
    [
        pytest.param(png_claiming(30_000, 30_000), "far too large", id="embedded-30000x30000-png"),
        pytest.param(png_claiming(4097, 10), "4097×10 pixels", id="embedded-4097-wide-png"),
        pytest.param(png_bytes(64, 64)[:60], "damaged or incomplete", id="embedded-truncated-png"),
        pytest.param(b"GIF89a not a png", "damaged or incomplete", id="embedded-gif-labelled-png"),
    ],
)
def test_check_image_upload_bad_embedded_picture_refused(png, message):
    with pytest.raises(UserError, match=message):
        check_image_upload(svg_embedding(png), "badge.svg")


def test_check_image_upload_embedded_pictures_share_one_pixel_budget():
    """Twenty 4096×4096 pictures of 50 KB each would be 1.3 GB once decoded."""
    encoded = base64.b64encode(png_claiming(4096, 4096))
    image = b'<image width="1" height="1" href="data:image/png;base64,' + encoded + b'"/>'
    with pytest.raises(UserError, match="16 megapixels"):
        check_image_upload(SVG_OPEN + image * 2 + b"</svg>", "badge.svg")


@pytest.mark.parametrize(
    "png",
    [
        pytest.param(png_bytes(64, 64)[:30], id="30-byte-truncated-png"),
        pytest.param(png_bytes(64, 64)[:-20], id="png-missing-its-end"),
        pytest.param(png_claiming(30_000, 30_000), id="30000x30000-png"),
    ],
)
def test_check_png_truncated_or_huge_refused(png):
    with pytest.raises(UserError):
        check_png(png)


@pytest.mark.parametrize(
    "style",
    [
        pytest.param(r"fill:\75 rl(http://evil.example/t.png)", id="hex-escape-u"),
        pytest.param(r"fill:\000075rl(http://evil.example/t.png)", id="six-digit-escape"),
        pytest.param(r"fill:u\rl(http://evil.example/t.png)", id="escaped-plain-letter"),
        pytest.param(r"fill:u\72 l(http://evil.example/t.png)", id="escape-mid-word"),
        pytest.param(r"fill:u/**/rl(http://evil.example/t.png)", id="comment-in-word"),
        pytest.param(r"fill:\55 RL(http://evil.example/t.png)", id="upper-case-escape"),
        pytest.param(r"background:image-set('http://evil.example/t.png' 1x)", id="image-set"),
    ],
)
def test_sanitize_svg_css_escaped_external_url_dropped(style):
    svg = SVG_OPEN + f'<rect width="5" height="5" style="{style}"/>'.encode() + b"</svg>"
    assert b"evil.example" not in sanitize_svg(svg)
    attribute = SVG_OPEN + f'<rect width="5" fill="{style[5:]}"/>'.encode() + b"</svg>"
    assert b"evil.example" not in sanitize_svg(attribute)


def test_sanitize_svg_escaped_import_in_style_element_dropped():
    svg = SVG_OPEN + rb"<style>@\69mport 'http://evil.example/x.css';</style></svg>"
    assert b"evil.example" not in sanitize_svg(svg)


def test_sanitize_svg_local_url_and_plain_escape_kept():
    svg = (
        SVG_OPEN + b'<defs><linearGradient id="g"/></defs>'
        b'<rect width="5" height="5" style="fill:url(#g)"/>'
        rb'<text font-family="Caf\e9 Sans">A</text></svg>'
    )
    cleaned = sanitize_svg(svg)
    assert b"fill:url(#g)" in cleaned
    assert rb"Caf\e9 Sans" in cleaned


# --- Drawn once when saved -------------------------------------------------------------------


def test_check_image_upload_svg_carries_its_drawn_png():
    checked = check_image_upload(nested_groups(3), "badge.svg")
    with Image.open(io.BytesIO(checked.png)) as image:
        image.load()
        assert image.size == (PNG_SIDE, PNG_SIDE)


def test_check_image_upload_png_is_its_own_png():
    data = png_bytes(40, 30)
    assert check_image_upload(data, "badge.png").png == data


@pytest.fixture
def staff(make_user, make_class):
    instructor = make_user(Role.INSTRUCTOR, name="Ines Instructor")
    student = make_user(Role.STUDENT, name="Sam Student")
    make_class("Auto Shop 1", instructors=[instructor], students=[student])
    return instructor, student


def _credential(instructor, student, now, image):
    badge = create_badge(badge_input(image=image), actor=instructor, now=now)
    publish_badge(badge, actor=instructor, now=now)
    level_id = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == "Proficient")
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=student,
        level_id=level_id,
        issued_by=instructor,
        now=now,
    )
    db.session.commit()
    return credential


def test_badge_with_svg_image_every_render_uses_stored_png(client, login, staff, now):
    instructor, student = staff
    checked = check_image_upload(nested_groups(20), "badge.svg")
    credential = _credential(instructor, student, now, checked)
    assert credential.badge.image_png == checked.png
    login(student)
    base = f"/credentials/{credential.id}"
    png = client.get(f"{base}/download/png")
    assert png.status_code == 200
    with Image.open(io.BytesIO(png.data)) as image:
        assert image.size == (PNG_SIDE, PNG_SIDE)
    assert client.get(f"{base}/download/svg").status_code == 200
    assert client.get(f"{base}/certificate.pdf").data.startswith(b"%PDF-")


def test_badge_whose_image_could_not_be_drawn_shows_medallion(client, login, staff, now):
    """An image from an older Laurel that fails today's checks: medallion, never a 500."""
    instructor, student = staff
    credential = _credential(instructor, student, now, None)
    db.session.execute(
        sa.update(Badge)
        .where(Badge.id == credential.badge_id)
        .values(image=nested_groups(900), image_mime="image/svg+xml", image_png=None)
    )
    db.session.commit()
    login(student)
    base = f"/credentials/{credential.id}"
    assert client.get(f"{base}/download/png").status_code == 200
    svg = client.get(f"{base}/download/svg")
    assert svg.status_code == 200 and b"<g><g><g>" not in svg.data
    assert client.get(f"{base}/certificate.pdf").status_code == 200
    image = client.get(f"/achievements/{credential.badge.achievement_uuid}/image")
    assert image.status_code == 200 and b"<g><g><g>" not in image.data


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        pytest.param(nested_groups(50_000), "levels deep", id="50000-nested-g"),
        pytest.param(nested_groups(900), "levels deep", id="900-nested-g"),
        pytest.param(
            svg_embedding(png_claiming(30_000, 30_000)),
            "far too large",
            id="embedded-30000x30000-png",
        ),
        pytest.param(use_bomb(), "draws more than", id="use-bomb"),
    ],
)
def test_new_badge_form_hostile_svg_400_nothing_stored(client, login, staff, svg, message):
    from tests.badges.test_badge_pages import form_data

    instructor, _ = staff
    login(instructor)
    data = form_data(image=(io.BytesIO(svg), "badge.svg"))
    response = client.post("/badges/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Badge)) == 0
