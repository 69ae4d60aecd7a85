"""A badge's image in both formats: PNG for baking and link previews, SVG for baking.

Badges hold a PNG, a sanitized SVG, or nothing (the generated medallion). A PNG
is needed for the baked PNG and the `og:image` (social sites do not take SVG),
an SVG for the baked SVG; each is derived from what the badge holds.
"""

from __future__ import annotations

import base64
import functools
import io
import xml.etree.ElementTree as ET

from PIL import Image

from app.badges.images import PNG_MIME
from app.badges.images import SVG_NS
from app.badges.images import default_png
from app.badges.images import default_svg
from app.badges.images import svg_bytes
from app.badges.models import Badge

PNG_SIDE = 512


@functools.lru_cache(maxsize=64)
def _rasterize_svg(svg: bytes, side: int) -> bytes:
    """Render a (sanitized) SVG to a square PNG; cached, since it costs ~0.1 s."""
    import cairosvg  # imported here: it loads libcairo, which only this needs

    return cairosvg.svg2png(bytestring=svg, output_width=side, output_height=side)


def badge_png(badge: Badge) -> bytes:
    """The badge image as PNG (uploaded PNG as is; SVG or medallion rendered)."""
    if badge.image and badge.image_mime == PNG_MIME:
        return badge.image
    if badge.image:
        return _rasterize_svg(badge.image, PNG_SIDE)
    return _default_png(badge.name)


@functools.lru_cache(maxsize=64)
def _default_png(name: str) -> bytes:
    return default_png(name, size=PNG_SIDE)


def badge_svg(badge: Badge) -> bytes:
    """The badge image as SVG (uploaded SVG as is; a PNG wrapped in an SVG <image>)."""
    if badge.image and badge.image_mime == PNG_MIME:
        return _svg_around_png(badge.image)
    if badge.image:
        return badge.image
    return default_svg(badge.name)


def _svg_around_png(png: bytes) -> bytes:
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    root = ET.Element(
        f"{{{SVG_NS}}}svg",
        {"viewBox": f"0 0 {width} {height}", "width": str(width), "height": str(height)},
    )
    ET.SubElement(
        root,
        f"{{{SVG_NS}}}image",
        {
            "width": str(width),
            "height": str(height),
            "href": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        },
    )
    return svg_bytes(root)


def badge_image_data_uri(badge: Badge) -> str:
    """The badge image inlined for the PDF renderer, which fetches nothing."""
    if badge.image and badge.image_mime == PNG_MIME:
        return "data:image/png;base64," + base64.b64encode(badge.image).decode("ascii")
    return "data:image/svg+xml;base64," + base64.b64encode(badge_svg(badge)).decode("ascii")
