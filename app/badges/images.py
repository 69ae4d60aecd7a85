"""Badge and logo images: type checked by content, SVG sanitized, default medallions.

An uploaded SVG is parsed with defusedxml (no DTDs, no entities) and rebuilt from a
whitelist of elements and attributes: scripts, event handlers, foreignObject,
external references and anything unknown are dropped. What cannot be parsed is
refused with a message for a person.

An image is also drawn once, as a PNG, when it is uploaded: previews, baked
downloads and certificates all use that PNG, so no later request renders the
upload again. An SVG that is too deep, too large once its references are followed,
embeds oversized pictures, or that the renderer cannot draw is refused at upload.
"""

from __future__ import annotations

import base64
import binascii
import colorsys
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from flask_babel import gettext
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from PIL import UnidentifiedImageError

from app.errors import UserError

MAX_IMAGE_BYTES = 1024 * 1024
MAX_PNG_SIDE = 4096
# Pixels of all the pictures an image holds, decoded (an uploaded PNG, or every
# picture an SVG embeds): 16.7 Mpx is 64 MB of RGBA.
MAX_DECODED_PIXELS = MAX_PNG_SIDE * MAX_PNG_SIDE
# The renderer recurses once per nesting level (it fails near 900 levels); badges drawn
# in Inkscape or Illustrator nest a dozen levels at most.
MAX_SVG_DEPTH = 64
# Elements drawn, counting each <use>, pattern, marker or filter reference as a copy of
# what it refers to (so a few kilobytes of nested <use> cannot ask for billions).
MAX_SVG_DRAWN = 20_000
# The side of the PNG drawn from an SVG badge (baking, link previews, certificates).
PNG_SIDE = 512
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
DATA_IMAGE_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
# url(...) may only point inside the document (gradients, clip paths, filters).
EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
UNSAFE_CSS = re.compile(
    r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|image-set\s*\(",
    re.IGNORECASE,
)
# CSS Syntax 3, 4.3.7: a backslash and 1-6 hex digits (plus one optional white space)
# is that code point; a backslash before a newline is dropped; before anything else it
# is that character. `\75 rl(` is `url(` to a browser.
CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\f]?|\r\n|(.))", re.DOTALL)
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
# References to another element: href="#id", url(#id) in a value or a style.
LOCAL_URL = re.compile(r"url\(\s*['\"]?\s*#([^'\")\s]+)", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedImage:
    """An upload that passed the checks: the bytes to keep and the PNG drawn from them."""

    data: bytes
    mime: str
    png: bytes


def _css_decoded(value: str) -> str:
    """The CSS `value` as a browser reads it: comments removed, escapes decoded.

    Comments go first, since an escaped `/*` does not open a comment.
    """

    def character(match: re.Match[str]) -> str:
        if match.group(1):
            code = int(match.group(1), 16)
            valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
            return chr(code) if valid else "\ufffd"
        return match.group(2) or ""

    return CSS_ESCAPE.sub(character, CSS_COMMENT.sub("", value))


def _unsafe_css(value: str) -> bool:
    decoded = _css_decoded(value)
    return bool(EXTERNAL_URL.search(decoded) or UNSAFE_CSS.search(decoded))


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
    return not _unsafe_css(value)


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
    if name == "style" and text and _unsafe_css(text):
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


def _check_nesting(root: ET.Element) -> None:
    """Refuse a tree deeper than MAX_SVG_DEPTH (walked without recursion: it may be 50,000)."""
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_SVG_DEPTH:
            raise UserError(
                gettext(
                    "That SVG nests its shapes more than %(max_svg_depth)s "
                    "levels deep, which Laurel cannot draw. Flatten its groups "
                    "(or export it again) and upload it again.",
                    max_svg_depth=MAX_SVG_DEPTH,
                )
            )
        stack.extend((child, depth + 1) for child in element)


def _references(element: ET.Element) -> list[str]:
    """The ids `element` draws a copy of: href="#id" and url(#id) in its attributes."""
    found: list[str] = []
    for key, value in element.attrib.items():
        if key in LINK_ATTRIBUTES and value.strip().startswith("#"):
            found.append(value.strip()[1:])
        found.extend(LOCAL_URL.findall(_css_decoded(value)))
    return found


def _check_drawn_size(root: ET.Element) -> None:
    """Refuse an SVG that draws more than MAX_SVG_DRAWN elements once references are followed.

    Each element counts once plus what its children and the elements it references
    draw; a reference cycle is refused. Walked with an explicit stack, since a chain of
    references may be as long as the file.
    """
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}

    def parts(element: ET.Element) -> list[ET.Element]:
        return list(element) + [by_id[ref] for ref in _references(element) if ref in by_id]

    drawn: dict[int, int] = {}
    open_elements: set[int] = set()
    stack: list[tuple[ET.Element, bool]] = [(root, False)]
    while stack:
        element, finished = stack.pop()
        key = id(element)
        if finished:
            open_elements.discard(key)
            total = 1 + sum(drawn[id(part)] for part in parts(element))
            drawn[key] = min(total, MAX_SVG_DRAWN + 1)
            continue
        if key in drawn:
            continue
        open_elements.add(key)
        stack.append((element, True))
        for part in parts(element):
            if id(part) in open_elements:
                raise UserError(
                    gettext(
                        "That SVG has shapes that refer to themselves (a <use> or a "
                        "pattern inside what it copies), so it cannot be drawn."
                    )
                )
            if id(part) not in drawn:
                stack.append((part, False))
    if drawn[id(root)] > MAX_SVG_DRAWN:
        raise UserError(
            gettext(
                "That SVG draws more than %(value)s shapes once its copies "
                "(<use>, patterns, markers) are counted. Simplify it and "
                "upload it again.",
                value=format(MAX_SVG_DRAWN, ","),
            )
        )


def _check_embedded_pictures(root: ET.Element) -> None:
    """Decode every picture the SVG embeds, within MAX_PNG_SIDE and MAX_DECODED_PIXELS."""
    budget = MAX_DECODED_PIXELS
    for element in root.iter(f"{{{SVG_NS}}}image"):
        for key in LINK_ATTRIBUTES:
            match = DATA_IMAGE.match((element.get(key) or "").strip())
            if match is None:
                continue
            encoded = match.group(0).split(",", 1)[1]
            try:
                data = base64.b64decode("".join(encoded.split()), validate=True)
            except binascii.Error as error:
                raise UserError(
                    gettext("A picture inside that SVG is not valid base64.")
                ) from error
            width, height = _badge_picture_size(data, DATA_IMAGE_FORMATS[match.group(1)], budget)
            budget -= width * height


def sanitize_svg(data: bytes) -> bytes:
    """Return the SVG rebuilt from whitelisted elements and attributes, within drawing limits.

    :raises UserError: the file is not well-formed XML, uses a DTD/entities, is not an
        SVG, nests too deep, draws too much, or embeds a damaged or oversized picture.
    """
    try:
        root = parse_xml(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as error:
        raise UserError(
            gettext(
                "That SVG file could not be read (it is not well-formed XML, "
                "or it declares a DTD or entities, which Laurel does not "
                "accept). Export it again as plain SVG."
            )
        ) from error
    namespace, name = _local_name(root.tag)
    if name != "svg" or namespace not in (None, SVG_NS):
        raise UserError(gettext("That file is XML but not an SVG image."))
    _check_nesting(root)
    cleaned = _clean(root)
    assert cleaned is not None
    _check_drawn_size(cleaned)
    _check_embedded_pictures(cleaned)
    return svg_bytes(cleaned)


def decode_fully(
    source: bytes | BinaryIO,
    image_format: str,
    *,
    name: str,
    max_side: int,
    max_pixels: int,
    limit: str,
) -> tuple[int, int]:
    """Fully decode a raster picture (verify, then load) and return its size.

    The size is read from the header and checked before any pixel is decoded, so a
    30000×30000 picture of a few kilobytes is refused without allocating gigabytes;
    a truncated file fails to load.

    :param name: the picture in words ("PNG image", "photo"), for the messages.
    :param limit: the limit in words, for the message when it is exceeded.
    :raises UserError: not that format, damaged or truncated, or larger than the limits.
    """

    def opened() -> Image.Image:
        if isinstance(source, bytes):
            return Image.open(io.BytesIO(source), formats=[image_format])
        source.seek(0)
        return Image.open(source, formats=[image_format])

    try:
        with opened() as image:
            width, height = image.size
            if width > max_side or height > max_side or width * height > max_pixels:
                raise UserError(
                    gettext(
                        "That %(name)s is %(width)s×%(height)s pixels; %(limit)s",
                        name=name,
                        width=width,
                        height=height,
                        limit=limit,
                    )
                )
            image.verify()
        with opened() as image:
            # A JPEG is decoded at 1/8 scale: every byte is still read, in 1/64 of the memory.
            image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
            image.load()
        if image_format == "JPEG":
            if not isinstance(source, bytes):
                source.seek(0)
            whole = source if isinstance(source, bytes) else source.read()
            if not _jpeg_complete(whole):
                raise OSError("the JPEG ends before its end-of-image marker")
    except Image.DecompressionBombError as error:
        # Pillow refuses to open a picture this large at all, before reading its size.
        raise UserError(
            gettext("That %(name)s is far too large; %(limit)s", name=name, limit=limit)
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise UserError(
            gettext("That %(name)s is damaged or incomplete and cannot be read.", name=name)
        ) from error
    finally:
        if not isinstance(source, bytes):
            source.seek(0)
    return width, height


def _jpeg_complete(data: bytes) -> bool:
    """True when the JPEG's segments and scans run to an end-of-image marker (ITU T.81 B.1).

    Pillow cannot be trusted to say so: WeasyPrint sets the process-wide
    `ImageFile.LOAD_TRUNCATED_IMAGES` when imported, after which a cut JPEG decodes with
    grey padding. Whatever follows the marker (a phone's trailer, a motion photo) is fine.
    """
    if not data.startswith(b"\xff\xd8"):
        return False
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            return False
        marker = data[position + 1]
        if marker == 0xD9:
            return True
        if marker == 0xFF or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 1 if marker == 0xFF else 2
            continue
        if position + 4 > len(data):
            return False
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + length
        if marker != 0xDA:
            continue
        # Entropy-coded data: the next marker is 0xFF not followed by 0x00 or a restart.
        while True:
            position = data.find(b"\xff", position)
            if position == -1 or position + 1 >= len(data):
                return False
            following = data[position + 1]
            if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                position += 1 if following == 0xFF else 2
                continue
            break
    return False


def _badge_picture_size(data: bytes, image_format: str, budget: int) -> tuple[int, int]:
    return decode_fully(
        data,
        image_format,
        name="PNG image" if image_format == "PNG" else f"{image_format} picture",
        max_side=MAX_PNG_SIDE,
        max_pixels=budget,
        limit=(
            f"the limit is {MAX_PNG_SIDE} pixels on each side "
            "(and 16 megapixels for all the pictures of an image)."
        ),
    )


def check_png(data: bytes) -> None:
    """Refuse a PNG that Pillow cannot fully decode or that is too large in pixels."""
    _badge_picture_size(data, "PNG", MAX_DECODED_PIXELS)


def render_svg_png(svg: bytes, side: int = PNG_SIDE) -> bytes:
    """Draw a sanitized SVG as a square PNG, once, when it is saved.

    :raises UserError: the renderer fails on it (whatever the reason, the image cannot
        be shown, so it is refused rather than stored).
    """
    import cairosvg  # imported here: it loads libcairo, which only this needs

    try:
        png = cairosvg.svg2png(bytestring=svg, output_width=side, output_height=side)
    except (RecursionError, MemoryError) as error:
        raise UserError(
            gettext("That SVG is too complex to draw. Simplify it and try again.")
        ) from error
    except Exception as error:  # Whatever the renderer fails on cannot be shown either.
        raise UserError(
            gettext(
                "That SVG could not be drawn (the renderer failed on it). "
                "Export it again as plain SVG, or upload a PNG."
            )
        ) from error
    if not isinstance(png, bytes):
        raise UserError(gettext("That SVG could not be drawn. Export it again, or upload a PNG."))
    return png


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

    The result carries the PNG every later use draws from: the upload itself for a
    PNG, the SVG drawn at PNG_SIDE for an SVG.

    :raises UserError: empty, too large, not PNG/SVG, the name's extension contradicts
        the content, or it cannot be decoded or drawn within the limits.
    """
    if not data:
        raise UserError(gettext("The image file is empty."))
    if len(data) > MAX_IMAGE_BYTES:
        raise UserError(
            gettext(
                "The image is %(data_count)s KB; badge images may be at most "
                "%(max_image_bytes)s KB.",
                data_count=len(data) // 1024,
                max_image_bytes=MAX_IMAGE_BYTES // 1024,
            )
        )
    extension = Path(filename or "").suffix.lower()
    if data.startswith(PNG_MAGIC):
        if extension not in ("", ".png"):
            raise UserError(
                gettext(
                    "The file is named %(extension)s but it is a PNG image. "
                    "Rename it or pick the right file.",
                    extension=extension,
                )
            )
        check_png(data)
        return CheckedImage(data, PNG_MIME, data)
    if _looks_like_svg(data):
        if extension not in ("", ".svg"):
            raise UserError(
                gettext(
                    "The file is named %(extension)s but it is an SVG image. "
                    "Rename it or pick the right file.",
                    extension=extension,
                )
            )
        svg = sanitize_svg(data)
        return CheckedImage(svg, SVG_MIME, render_svg_png(svg))
    raise UserError(gettext("Badge images must be PNG or SVG files; this file is neither."))


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
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(str(FONT_PATH), font_size)
    except OSError:
        font = ImageFont.load_default(font_size)
    draw.text((big / 2, big / 2), letters, font=font, fill="#ffffff", anchor="mm")
    output = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(output, format="PNG", optimize=True)
    return output.getvalue()
