"""A badge's image in both formats: PNG for baking and link previews, SVG for baking.

Badges hold a PNG, a sanitized SVG, or nothing (the generated medallion). A PNG
is needed for the baked PNG, the `og:image` (social sites do not take SVG) and the
certificate; it was drawn once when the image was saved (`Badge.image_png`), so
nothing here renders an upload. The bytes come from app.badges.image_store (the
badge row or the bucket). A badge whose image could not be drawn, or cannot be read
now, shows the medallion in every format.
"""

from __future__ import annotations

import base64
import functools
import io
import xml.etree.ElementTree as ET

from PIL import Image

from app.badges.image_store import shown_image
from app.badges.image_store import shown_png
from app.badges.images import PNG_MIME
from app.badges.images import PNG_SIDE
from app.badges.images import SVG_NS
from app.badges.images import default_png
from app.badges.images import default_svg
from app.badges.images import svg_bytes
from app.badges.models import Badge
from app.share.pdf import PdfImage

# The largest side of the badge image in a PDF certificate (over 400 dpi at 58 mm).
PRINT_SIDE = 1024


def badge_png(badge: Badge) -> bytes:
    """The badge image as PNG: the one stored when it was saved, or the medallion."""
    png = shown_png(badge)
    return png if png is not None else _default_png(badge.name)


@functools.lru_cache(maxsize=64)
def _default_png(name: str) -> bytes:
    return default_png(name, size=PNG_SIDE)


def badge_svg(badge: Badge) -> bytes:
    """The badge image as SVG (uploaded SVG as is; a PNG wrapped in an SVG <image>)."""
    shown = shown_image(badge)
    if shown is None:
        return default_svg(badge.name)
    return _svg_around_png(shown.data) if shown.mime == PNG_MIME else shown.data


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


def badge_print_image(badge: Badge) -> PdfImage:
    """The badge image for the PDF certificate (served to the renderer from memory).

    A JPEG on white, at most PRINT_SIDE pixels a side: WeasyPrint re-compresses every
    PNG it embeds, on every render and twice for one with transparency (colour, then
    alpha): 14 ms of each certificate for a 512-pixel badge, seconds for a 4,096-pixel
    upload. A JPEG goes into the PDF as it is. The certificate's page is white, so the
    flattening shows nothing; quality 95 without chroma subsampling keeps edges clean,
    and 1,024 pixels is over 400 dpi on the printed 58 mm. Kept per process by the
    stored PNG, so an edited badge image is converted again.
    """
    return _print_jpeg(badge_png(badge))


@functools.lru_cache(maxsize=32)
def _print_jpeg(png: bytes) -> PdfImage:
    with Image.open(io.BytesIO(png)) as image:
        image.thumbnail((PRINT_SIDE, PRINT_SIDE))
        rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    output = io.BytesIO()
    flat.save(output, format="JPEG", quality=95, subsampling=0)
    return PdfImage(output.getvalue(), "image/jpeg")
