"""Badge and logo images: type checked by content, SVG sanitized, default medallions.

An uploaded SVG is parsed with defusedxml (no DTDs, no entities) and rebuilt from a
whitelist of elements and attributes: scripts, event handlers, foreignObject,
external references and anything unknown are dropped. What cannot be parsed is
refused with a message for a person.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from PIL import UnidentifiedImageError

from app.errors import UserError

MAX_IMAGE_BYTES = 1024 * 1024
MAX_PNG_SIDE = 4096
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG_MIME = "image/svg+xml"
PNG_MIME = "image/png"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Serialized names for the namespaces an SVG of ours may hold (tags are SVG only).
_PREFIXED = {SVG_NS: "", XLINK_NS: "xlink:", XML_NS: "xml:"}


def _plain_name(name: str) -> str | None:
    """`{SVG_NS}rect` -> `rect`, `{XLINK_NS}href` -> `xlink:href`; None for other namespaces."""
    if not name.startswith("{"):
        return name
    namespace, local = name[1:].split("}", 1)
    prefix = _PREFIXED.get(namespace)
    return None if prefix is None else prefix + local


def svg_bytes(root: ET.Element) -> bytes:
    """Serialize an SVG tree as `<svg xmlns=… xmlns:xlink=…>` with plain, prefixed names.

    ElementTree's namespace prefixes are process-wide state that other libraries change
    (importing WeasyPrint re-registers the empty prefix, after which `<ns0:svg>` came
    out), and changing them back from request threads races other serializations. So
    the names are written out here and ElementTree sees no namespaces at all.
    """
    plain = ET.Element("svg", {"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS})

    def copy(source: ET.Element, target: ET.Element) -> None:
        target.text, target.tail = source.text, source.tail
        for key, value in source.attrib.items():
            if (name := _plain_name(key)) is not None:
                target.set(name, value)
        for child in source:
            if (tag := _plain_name(child.tag)) is not None:
                copy(child, ET.SubElement(target, tag))

    copy(root, plain)
    return ET.tostring(plain, encoding="utf-8", xml_declaration=False)


ALLOWED_ELEMENTS = frozenset(
    """svg g defs title desc path rect circle ellipse line polyline polygon text tspan
    textPath linearGradient radialGradient stop clipPath mask pattern symbol use image
    marker style filter feGaussianBlur feOffset feBlend feColorMatrix feMerge feMergeNode
    feFlood feComposite feDropShadow""".split()
)
ALLOWED_ATTRIBUTES = frozenset(
    """id class style x y x1 y1 x2 y2 cx cy r rx ry fx fy width height d points
    viewBox preserveAspectRatio version transform fill fill-opacity fill-rule stroke
    stroke-width stroke-opacity stroke-linecap stroke-linejoin stroke-dasharray
    stroke-dashoffset stroke-miterlimit opacity color display visibility clip-path
    clip-rule mask filter font-family font-size font-weight font-style text-anchor
    dominant-baseline alignment-baseline letter-spacing word-spacing text-decoration
    dx dy rotate lengthAdjust textLength offset stop-color stop-opacity gradientUnits
    gradientTransform spreadMethod patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits markerWidth markerHeight refX refY orient
    markerUnits marker-start marker-mid marker-end href stdDeviation in in2 result mode
    values type operator k1 k2 k3 k4 flood-color flood-opacity filterUnits
    primitiveUnits startOffset method spacing xml:space""".split()
)
LINK_ATTRIBUTES = frozenset({"href", f"{{{XLINK_NS}}}href"})
# Inline raster images only; an embedded SVG could carry its own references.
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
# url(...) may only point inside the document (gradients, clip paths, filters).
EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
UNSAFE_CSS = re.compile(
    r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE
)


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    mime: str


def _local_name(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _attribute_name(key: str) -> str | None:
    """The whitelisted name of an attribute (xlink:href kept namespaced), or None to drop it."""
    namespace, name = _local_name(key)
    if namespace == XLINK_NS and name == "href":
        return key
    if namespace == "http://www.w3.org/XML/1998/namespace" and name == "space":
        return key
    if namespace is not None or name.lower().startswith("on") or name not in ALLOWED_ATTRIBUTES:
        return None
    return name


def _safe_value(element_name: str, name: str, value: str) -> bool:
    if name in LINK_ATTRIBUTES:
        stripped = value.strip()
        if stripped.startswith("#"):
            return True
        return element_name == "image" and bool(DATA_IMAGE.match(stripped))
    if EXTERNAL_URL.search(value) or UNSAFE_CSS.search(value):
        return False
    return "javascript:" not in value.lower()


def _clean(source: ET.Element) -> ET.Element | None:
    namespace, name = _local_name(source.tag) if isinstance(source.tag, str) else (None, "")
    if namespace not in (None, SVG_NS) or name not in ALLOWED_ELEMENTS:
        return None
    target = ET.Element(f"{{{SVG_NS}}}{name}")
    for key, value in source.attrib.items():
        attribute = _attribute_name(key)
        if attribute is not None and _safe_value(name, attribute, value):
            target.set(attribute, value)
    if name == "image" and not any(k in target.attrib for k in LINK_ATTRIBUTES):
        return None
    text = source.text
    if name == "style" and text and (EXTERNAL_URL.search(text) or UNSAFE_CSS.search(text)):
        return None
    target.text = text
    for child in source:
        cleaned = _clean(child)
        if cleaned is not None:
            cleaned.tail = child.tail
            target.append(cleaned)
        elif len(target) and child.tail:
            target[-1].tail = (target[-1].tail or "") + child.tail
    return target


def sanitize_svg(data: bytes) -> bytes:
    """Return the SVG rebuilt from whitelisted elements and attributes.

    :raises UserError: the file is not well-formed XML, uses a DTD/entities, or is not an SVG.
    """
    try:
        root = parse_xml(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as error:
        raise UserError(
            "That SVG file could not be read (it is not well-formed XML, or it declares a "
            "DTD or entities, which Laurel does not accept). Export it again as plain SVG."
        ) from error
    namespace, name = _local_name(root.tag)
    if name != "svg" or namespace not in (None, SVG_NS):
        raise UserError("That file is XML but not an SVG image.")
    cleaned = _clean(root)
    assert cleaned is not None
    return svg_bytes(cleaned)


def check_png(data: bytes) -> None:
    """Refuse a PNG that Pillow cannot decode or that is unreasonably large in pixels."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise UserError("That PNG image is damaged and cannot be read.") from error
    if width > MAX_PNG_SIDE or height > MAX_PNG_SIDE:
        raise UserError(
            f"That image is {width}×{height} pixels; the limit is {MAX_PNG_SIDE} on each side."
        )


def _looks_like_svg(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return (
        head.startswith(b"<?xml")
        or head.startswith(b"<svg")
        or head.startswith(b"<!--")
        or b"<svg" in head
    )


def check_image_upload(data: bytes, filename: str | None) -> CheckedImage:
    """Check an uploaded badge image or logo by its content; SVGs come back sanitized.

    :raises UserError: empty, too large, not PNG/SVG, or the name's extension contradicts
        the content.
    """
    if not data:
        raise UserError("The image file is empty.")
    if len(data) > MAX_IMAGE_BYTES:
        raise UserError(
            f"The image is {len(data) // 1024} KB; badge images may be at most "
            f"{MAX_IMAGE_BYTES // 1024} KB."
        )
    extension = Path(filename or "").suffix.lower()
    if data.startswith(PNG_MAGIC):
        if extension not in ("", ".png"):
            raise UserError(
                f"The file is named {extension} but it is a PNG image. "
                "Rename it or pick the right file."
            )
        check_png(data)
        return CheckedImage(data, PNG_MIME)
    if _looks_like_svg(data):
        if extension not in ("", ".svg"):
            raise UserError(
                f"The file is named {extension} but it is an SVG image. "
                "Rename it or pick the right file."
            )
        return CheckedImage(sanitize_svg(data), SVG_MIME)
    raise UserError("Badge images must be PNG or SVG files; this file is neither.")


def initials(name: str) -> str:
    """Up to two initials from a badge name ("Data Plotting in Excel" -> "DP")."""
    words = [w for w in re.split(r"\W+", name) if w]
    capitalised = [w for w in words if w[0].isupper()] or words
    letters = "".join(w[0] for w in capitalised[:2]).upper()
    return letters or "★"


def colour_for(name: str) -> tuple[str, str]:
    """A stable pair (main, dark) of hex colours derived from the badge name."""
    hue = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:2], "big") / 65536

    def hex_colour(lightness: float, saturation: float) -> str:
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"

    return hex_colour(0.42, 0.55), hex_colour(0.26, 0.6)


def default_svg(name: str) -> bytes:
    """A medallion with the badge initials, coloured from the name (512×512)."""
    main, dark = colour_for(name)
    letters = initials(name)
    label = ET.Element(
        f"{{{SVG_NS}}}svg", {"viewBox": "0 0 512 512", "width": "512", "height": "512"}
    )
    ET.SubElement(label, f"{{{SVG_NS}}}title").text = name
    ET.SubElement(
        label, f"{{{SVG_NS}}}circle", {"cx": "256", "cy": "256", "r": "248", "fill": dark}
    )
    ET.SubElement(
        label, f"{{{SVG_NS}}}circle", {"cx": "256", "cy": "256", "r": "222", "fill": main}
    )
    ET.SubElement(
        label,
        f"{{{SVG_NS}}}circle",
        {
            "cx": "256",
            "cy": "256",
            "r": "196",
            "fill": "none",
            "stroke": "#ffffff",
            "stroke-opacity": "0.55",
            "stroke-width": "6",
            "stroke-dasharray": "2 14",
            "stroke-linecap": "round",
        },
    )
    text = ET.SubElement(
        label,
        f"{{{SVG_NS}}}text",
        {
            "x": "256",
            "y": "256",
            "text-anchor": "middle",
            "dominant-baseline": "central",
            "font-family": "DejaVu Sans, Liberation Sans, Arial, sans-serif",
            "font-weight": "bold",
            "font-size": "170" if len(letters) > 1 else "210",
            "fill": "#ffffff",
        },
    )
    text.text = letters
    return svg_bytes(label)


FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def default_png(name: str, *, size: int = 512) -> bytes:
    """The same medallion as `default_svg`, drawn with Pillow (for baking and link previews)."""
    main, dark = colour_for(name)
    letters = initials(name)
    scale = 4  # Draw large and shrink: Pillow's shapes are not anti-aliased.
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = big / 512

    def disc(radius: float, **style) -> None:
        centre = big / 2
        draw.ellipse(
            (
                centre - radius * unit,
                centre - radius * unit,
                centre + radius * unit,
                centre + radius * unit,
            ),
            **style,
        )

    disc(248, fill=dark)
    disc(222, fill=main)
    disc(196, outline=(255, 255, 255, 140), width=int(6 * unit))
    font_size = int((170 if len(letters) > 1 else 210) * unit)
    try:
        font = ImageFont.truetype(str(FONT_PATH), font_size)
    except OSError:
        font = ImageFont.load_default(font_size)
    draw.text((big / 2, big / 2), letters, font=font, fill="#ffffff", anchor="mm")
    output = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(output, format="PNG", optimize=True)
    return output.getvalue()
