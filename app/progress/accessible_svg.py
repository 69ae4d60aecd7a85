"""Matplotlib's SVG made fit to sit inside a Laurel page.

* Accessible: `role="img"`, an `aria-label`, and a <title> and <desc> as the first children.
* Allowed by Laurel's Content-Security-Policy (`style-src 'self'`, no inline style):
  every `style` attribute becomes SVG presentation attributes, and the <style> element
  goes (its two defaults move onto the root, whence they are inherited).
* Several plots on one page: every id gets the plot's prefix, references follow.
* Scaled by CSS: the fixed width and height go; the viewBox stays.
* Safe to embed: the tree is parsed (defusedxml) and written anew, so comments (where
  matplotlib copies the texts it draws, names included) and metadata are dropped and every
  attribute is escaped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
DROPPED = frozenset({f"{{{SVG_NS}}}metadata", f"{{{SVG_NS}}}style"})
# The CSS properties matplotlib writes, each also an SVG presentation attribute.
PRESENTATION = frozenset(
    {
        "clip-path",
        "fill",
        "fill-opacity",
        "fill-rule",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
    }
)


def _presentation(style: str) -> dict[str, str]:
    attributes = {}
    for declaration in style.split(";"):
        if not declaration.strip():
            continue
        name, _, value = declaration.partition(":")
        name = name.strip()
        if name not in PRESENTATION:
            raise ValueError(f"no presentation attribute for the style property {name!r}")
        attributes[name] = value.strip()
    return attributes


def accessible_svg(raw: str, *, title: str, description: str, id_prefix: str) -> str:
    """`raw` (matplotlib's SVG document) as an <svg> element to embed in HTML."""
    root = fromstring(raw.encode("utf-8"))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in DROPPED:
                parent.remove(child)
    for element in root.iter():
        # Written without prefixes: the HTML parser knows <svg>, not <ns0:svg>.
        element.tag = element.tag.removeprefix(f"{{{SVG_NS}}}")
        element.attrib.update(_presentation(element.attrib.pop("style", "")))
        if "id" in element.attrib:
            element.set("id", id_prefix + element.attrib["id"])
        href = element.attrib.pop(XLINK_HREF, None)
        if href is not None:
            local = href.startswith("#")
            element.set("href", "#" + id_prefix + href[1:] if local else href)
        clip = element.get("clip-path")
        if clip and clip.startswith("url(#"):
            element.set("clip-path", "url(#" + id_prefix + clip.removeprefix("url(#"))
    for size in ("width", "height"):
        root.attrib.pop(size, None)
    root.attrib.update(
        {
            "xmlns": SVG_NS,
            "role": "img",
            "aria-label": title,
            "class": "plot-svg",
            "stroke-linejoin": "round",
            "stroke-linecap": "butt",
        }
    )
    title_element = ET.Element("title")
    title_element.text = title
    desc_element = ET.Element("desc")
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")
