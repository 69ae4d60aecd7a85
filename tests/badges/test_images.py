"""Badge images: type by content, SVG sanitizing, size limits, generated medallions."""

from __future__ import annotations

import base64
import io

import pytest
from defusedxml.ElementTree import fromstring
from PIL import Image

from app.badges.images import MAX_IMAGE_BYTES
from app.badges.images import check_image_upload
from app.badges.images import default_png
from app.badges.images import default_svg
from app.badges.images import initials
from app.badges.images import sanitize_svg
from app.errors import UserError

HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 100" onload="alert('load')">
  <script>alert('script')</script>
  <style>@import url(https://evil.example/x.css);</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <rect width="100" height="100" fill="url(#g)" onclick="alert('click')"/>
  <circle r="10" style="fill: url(https://evil.example/track.png)"/>
  <use xlink:href="https://evil.example/sprite.svg#icon"/>
  <use href="#g"/>
  <image href="https://evil.example/pixel.png" width="1" height="1"/>
  <a href="javascript:alert(1)"><text>click</text></a>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>
  <text x="50" y="50">VR</text>
</svg>"""


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(output, format="PNG")
    return output.getvalue()


def test_sanitize_svg_hostile_content_removed():
    cleaned = sanitize_svg(HOSTILE_SVG)
    text = cleaned.decode()
    for forbidden in (
        "script",
        "onload",
        "onclick",
        "evil.example",
        "javascript",
        "foreignObject",
        "@import",
        "xhtml",
    ):
        assert forbidden not in text, forbidden
    assert 'fill="url(#g)"' in text
    assert 'href="#g"' in text
    assert ">VR</text>" in text
    fromstring(cleaned)  # still well-formed


def test_sanitize_svg_inline_raster_image_kept():
    encoded = base64.b64encode(png_bytes()).decode()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg">'
        f'<image href="data:image/png;base64,{encoded}" width="1" height="1"/></svg>'
    ).encode()
    assert b"data:image/png;base64" in sanitize_svg(svg)


def test_sanitize_svg_embedded_svg_data_uri_dropped():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,PHN2Zz4=" '
        b'width="1" height="1"/></svg>'
    )
    assert b"<image" not in sanitize_svg(svg)


def test_sanitize_svg_entities_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    with pytest.raises(UserError, match="DTD or entities"):
        sanitize_svg(bomb)


def test_sanitize_svg_malformed_refused():
    with pytest.raises(UserError, match="could not be read"):
        sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>')


def test_sanitize_svg_other_xml_refused():
    with pytest.raises(UserError, match="not an SVG"):
        sanitize_svg(b"<html><body>hi</body></html>")


def test_check_image_upload_svg_is_sanitized():
    checked = check_image_upload(HOSTILE_SVG, "badge.svg")
    assert checked.mime == "image/svg+xml"
    assert b"script" not in checked.data


def test_check_image_upload_png_named_svg_refused():
    with pytest.raises(UserError, match=r"named \.svg but it is a PNG"):
        check_image_upload(png_bytes(), "badge.svg")


def test_check_image_upload_svg_named_png_refused():
    with pytest.raises(UserError, match=r"named \.png but it is an SVG"):
        check_image_upload(default_svg("X"), "badge.png")


def test_check_image_upload_jpeg_refused():
    output = io.BytesIO()
    Image.new("RGB", (4, 4)).save(output, format="JPEG")
    with pytest.raises(UserError, match="must be PNG or SVG"):
        check_image_upload(output.getvalue(), "badge.jpg")


def test_check_image_upload_oversize_refused():
    with pytest.raises(UserError, match="at most 1024 KB"):
        check_image_upload(png_bytes() + b"\0" * MAX_IMAGE_BYTES, "big.png")


def test_check_image_upload_huge_dimensions_refused():
    with pytest.raises(UserError, match="limit is 4096"):
        check_image_upload(png_bytes(5000, 10), "wide.png")


def test_check_image_upload_truncated_png_refused():
    with pytest.raises(UserError, match="damaged"):
        check_image_upload(png_bytes()[:30], "broken.png")


def test_check_image_upload_empty_refused():
    with pytest.raises(UserError, match="empty"):
        check_image_upload(b"", "x.png")


def test_check_image_upload_png_accepted_unchanged():
    data = png_bytes()
    checked = check_image_upload(data, "badge.PNG")
    assert (checked.data, checked.mime) == (data, "image/png")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Data Plotting in Excel", "DP"),
        ("Peer Tutor", "PT"),
        ("vehicle restoration", "VR"),
        ("Ünïcode Über", "ÜÜ"),
        ("!!!", "★"),
    ],
)
def test_initials_name_gives_letters(name, expected):
    assert initials(name) == expected


def test_default_svg_is_clean_and_carries_initials():
    svg = default_svg("Peer Tutor")
    assert sanitize_svg(svg) == svg
    assert b">PT</text>" in svg


def test_default_svg_colour_depends_on_name():
    assert (
        default_svg("Peer Tutor").split(b"fill=")[1]
        != default_svg("Vehicle Restoration").split(b"fill=")[1]
    )


def test_default_png_is_a_square_png():
    with Image.open(io.BytesIO(default_png("Peer Tutor", size=256))) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
        assert image.getpixel((128, 128))[3] == 255  # opaque centre
        assert image.getpixel((0, 0))[3] == 0  # transparent corner
