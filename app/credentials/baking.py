"""Baked badges: a credential carried inside its PNG or SVG image (OB 3.0 §5.3 "Baked Badge").

Pure module: imports neither flask nor sqlalchemy nor any other app package.
PNG: one uncompressed iTXt chunk, keyword "openbadgecredential", right after
IHDR. SVG: one <openbadges:credential> element (namespace
https://purl.imsglobal.org/ob/v3p0) right after the <svg> start tag, the JSON
in CDATA or the compact JWT in a `verify` attribute. Baking again replaces the
credential. Reading also finds Open Badges 2.0 assertions ("openbadges") and
CLR 2.0 credentials ("clrcredential"). PNG chunks are parsed here, with CRC
checks and without decompressing anything; SVG is read with defusedxml, so
entity declarations (billion laughs, external entities) are refused.
"""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ElementTree
import xml.parsers.expat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import defusedxml
import defusedxml.ElementTree

from .errors import BakingError
from .errors import InputError
from .words import N_

OB3 = "Open Badges 3.0"
OB2 = "Open Badges 2.0"
CLR2 = "CLR 2.0"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = "openbadgecredential"
PNG_KEYWORDS = {PNG_KEYWORD: OB3, "clrcredential": CLR2, "openbadges": OB2}
_TEXT_CHUNKS = (b"iTXt", b"tEXt")
_MAX_CHUNK_LENGTH = 2**31 - 1

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB2_NAMESPACE = "http://openbadges.org"
CLR2_NAMESPACE = "https://purl.imsglobal.org/clr/v2p0"
SVG_ELEMENTS = {
    f"{{{OB3_NAMESPACE}}}credential": OB3,
    f"{{{CLR2_NAMESPACE}}}credential": CLR2,
    f"{{{OB2_NAMESPACE}}}assertion": OB2,
}
SVG_PREFIX = "openbadges"

_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
# One XML start tag: name, attributes (whose values may hold '>'), and an optional '/'.
_START_TAG = re.compile(
    rb"<(?P<name>[^\s/>]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(?P<empty>/?)>"
)


@dataclass(frozen=True)
class BakedCredential:
    """The credential text found in an image, and the standard whose baking held it."""

    text: str
    standard: str


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes

    def encode(self) -> bytes:
        crc = zlib.crc32(self.type + self.data)
        return struct.pack(">I", len(self.data)) + self.type + self.data + struct.pack(">I", crc)


# PNG


def bake_png(png: bytes, credential: str) -> bytes:
    """The PNG with `credential` (JSON or compact JWT) as its one openbadgecredential chunk.

    Any credential already baked in (OB 3.0, OB 2.0 or CLR) is replaced.

    :raises BakingError: not a PNG, or a damaged one.
    :raises InputError: the credential is neither JSON nor a compact JWT.
    """
    _check_credential_text(credential)
    chunks = list(_png_chunks(png))
    kept = [chunk for chunk in chunks[1:] if _png_credential(chunk) is None]
    data = (
        PNG_KEYWORD.encode("latin-1")
        + b"\x00"  # end of keyword
        + b"\x00\x00"  # compression flag 0 (uncompressed), compression method 0
        + b"\x00"  # empty language tag
        + b"\x00"  # empty translated keyword
        + credential.encode("utf-8")
    )
    baked = [chunks[0], _Chunk(b"iTXt", data), *kept]
    return PNG_SIGNATURE + b"".join(chunk.encode() for chunk in baked)


def read_png(png: bytes) -> BakedCredential:
    """The credential baked into a PNG, and which standard's chunk held it.

    :raises BakingError: not a PNG, damaged, no credential chunk, or several.
    """
    found = [c for c in (_png_credential(chunk) for chunk in _png_chunks(png)) if c is not None]
    return _exactly_one(found, "PNG")


def extract_png(png: bytes) -> str:
    """The credential text baked into a PNG (see `read_png`)."""
    return read_png(png).text


def _png_chunks(png: bytes) -> Iterator[_Chunk]:
    """Every chunk up to IEND, IHDR first, each CRC-checked."""
    if not isinstance(png, (bytes, bytearray)) or not png.startswith(PNG_SIGNATURE):
        raise BakingError(N_("This file is not a PNG image."))
    offset = len(PNG_SIGNATURE)
    first = True
    while True:
        if offset + 8 > len(png):
            raise BakingError(N_("The PNG image is cut short (it has no end chunk)."))
        length, chunk_type = struct.unpack_from(">I4s", png, offset)
        if length > _MAX_CHUNK_LENGTH:
            raise BakingError(N_("The PNG image is damaged: a chunk has an impossible length."))
        end = offset + 8 + length
        if end + 4 > len(png):
            raise BakingError(N_("The PNG image is cut short in the middle of a chunk."))
        data = bytes(png[offset + 8 : end])
        (crc,) = struct.unpack_from(">I", png, end)
        if zlib.crc32(chunk_type + data) != crc:
            name = chunk_type.decode("latin-1")
            raise BakingError(
                N_(
                    "The PNG image is damaged: its %(name)s chunk fails the CRC check.",
                    name=repr(name),
                )
            )
        if first and chunk_type != b"IHDR":
            raise BakingError(
                N_("The PNG image is damaged: it does not start with its header chunk.")
            )
        first = False
        yield _Chunk(chunk_type, data)
        if chunk_type == b"IEND":
            return
        offset = end + 4


def _png_credential(chunk: _Chunk) -> BakedCredential | None:
    """The credential of a text chunk with one of the baking keywords, else None."""
    if chunk.type not in _TEXT_CHUNKS:
        return None
    keyword, separator, rest = chunk.data.partition(b"\x00")
    standard = PNG_KEYWORDS.get(keyword.decode("latin-1"))
    if standard is None:
        return None
    if not separator:
        raise BakingError(N_("The PNG's credential chunk is damaged (no end of keyword)."))
    if chunk.type == b"tEXt":
        # Pre-standard OB 1.0/2.0 badges: Latin-1 text, usually the hosted assertion URL.
        return BakedCredential(rest.decode("latin-1"), standard)
    if len(rest) < 2:
        raise BakingError(N_("The PNG's credential chunk is damaged (cut short)."))
    if rest[0] != 0:
        raise BakingError(
            N_(
                "The PNG's credential chunk is compressed, which the standard forbids; "
                "Laurel does not read it."
            )
        )
    fields = rest[2:].split(b"\x00", 2)
    if len(fields) != 3:
        raise BakingError(N_("The PNG's credential chunk is damaged (missing language fields)."))
    try:
        text = fields[2].decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError(N_("The PNG's credential chunk is not UTF-8 text.")) from None
    return BakedCredential(text, standard)


# SVG


def bake_svg(svg: bytes, credential: str) -> bytes:
    """The SVG with `credential` as its one <openbadges:credential>, right after <svg>.

    A JWT goes in the `verify` attribute of an empty element, JSON in CDATA. Any
    credential element already there (OB 3.0, OB 2.0 or CLR) is removed. The rest
    of the file is kept byte for byte.

    :raises BakingError: not a well-formed UTF-8 SVG, or one with entity declarations.
    :raises InputError: the credential is neither JSON nor a compact JWT.
    """
    is_jwt = _check_credential_text(credential)
    _parse_svg(svg)
    svg = bytes(svg)
    declared_encoding = _XML_DECLARATION.match(svg)
    if svg[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        declared_encoding and declared_encoding.group(1).lower() not in (b"utf-8", b"utf8")
    ):
        raise BakingError(N_("Laurel bakes only UTF-8 SVG images."))
    layout = _svg_layout(svg)
    tag = _START_TAG.match(svg, layout.root_start)
    if tag is None:
        raise BakingError(N_("The SVG's root tag could not be read."))
    declared = layout.root_namespaces.get(SVG_PREFIX)
    declaration = f' xmlns:{SVG_PREFIX}="{OB3_NAMESPACE}"'
    on_root = declared is None
    element_declaration = "" if declared == OB3_NAMESPACE or on_root else declaration
    if is_jwt:
        element = f'<{SVG_PREFIX}:credential{element_declaration} verify="{credential.strip()}"/>'
    else:
        cdata = credential.replace("]]>", "]]]]><![CDATA[>")
        element = (
            f"<{SVG_PREFIX}:credential{element_declaration}><![CDATA[{cdata}]]>"
            f"</{SVG_PREFIX}:credential>"
        )
    empty = bool(tag.group("empty"))
    head = svg[layout.root_start : tag.end() - (2 if empty else 1)].rstrip()
    opening = head + (declaration.encode("utf-8") if on_root else b"") + b">"
    body = bytearray()
    position = tag.end()
    for start, end in layout.credential_spans:
        body += svg[position:start]
        position = end
    body += svg[position:]
    closing = b"</" + tag.group("name") + b">" if empty else b""
    baked = svg[: layout.root_start] + opening + element.encode("utf-8") + bytes(body) + closing
    try:
        found = read_svg(baked).text
    except BakingError:
        found = None
    if found != credential.strip():
        raise BakingError(N_("The credential holds characters that XML does not allow in an SVG."))
    return baked


def read_svg(svg: bytes) -> BakedCredential:
    """The credential baked into an SVG, and which standard's element held it.

    :raises BakingError: not SVG, entity declarations, no credential element, or several.
    """
    root = _parse_svg(svg)
    found = []
    for element in root.iter():
        standard = SVG_ELEMENTS.get(element.tag)
        if standard is not None:
            text = element.get("verify") or "".join(element.itertext())
            found.append(BakedCredential(text.strip(), standard))
    return _exactly_one(found, "SVG")


def extract_svg(svg: bytes) -> str:
    """The credential text baked into an SVG (see `read_svg`)."""
    return read_svg(svg).text


def _parse_svg(svg: bytes) -> ElementTree.Element:
    if not isinstance(svg, (bytes, bytearray)):
        raise BakingError(N_("This file is not an SVG image."))
    try:
        root: ElementTree.Element = defusedxml.ElementTree.fromstring(
            bytes(svg), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException:
        raise BakingError(
            N_(
                "The SVG declares XML entities (a known attack: billion laughs, external "
                "files); Laurel refuses to read it."
            )
        ) from None
    except ElementTree.ParseError as error:
        raise BakingError(
            N_("This file is not well-formed SVG (%(error)s).", error=str(error))
        ) from None
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        raise BakingError(N_("This file is XML but not an SVG image."))
    return root


@dataclass
class _SvgLayout:
    root_start: int
    root_namespaces: dict[str, str]
    credential_spans: list[tuple[int, int]]


def _svg_layout(svg: bytes) -> _SvgLayout:
    """Byte offsets of the root start tag and of every credential element.

    Called only on a document defusedxml has already accepted, so it holds no entities.
    """
    parser = xml.parsers.expat.ParserCreate(namespace_separator="}")
    layout = _SvgLayout(root_start=-1, root_namespaces={}, credential_spans=[])
    depth = 0
    open_credential: tuple[int, int] | None = None  # (depth, start offset)

    def start_namespace(prefix: str | None, uri: str) -> None:
        if depth == 0:
            layout.root_namespaces[prefix or ""] = uri

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, open_credential
        offset = parser.CurrentByteIndex
        if depth == 0:
            layout.root_start = offset
        elif open_credential is None and "{" + name in SVG_ELEMENTS:
            tag = _START_TAG.match(svg, offset)
            if tag is not None and tag.group("empty"):
                layout.credential_spans.append((offset, tag.end()))
            else:
                open_credential = (depth, offset)
        depth += 1

    def end(name: str) -> None:
        nonlocal depth, open_credential
        depth -= 1
        if open_credential is not None and open_credential[0] == depth:
            offset = parser.CurrentByteIndex
            layout.credential_spans.append((open_credential[1], svg.index(b">", offset) + 1))
            open_credential = None

    parser.StartNamespaceDeclHandler = start_namespace
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(svg, True)
    return layout


# Shared


def _check_credential_text(credential: str) -> bool:
    """True for a compact JWT, False for JSON; anything else cannot be baked."""
    if not isinstance(credential, str) or not credential.strip():
        raise InputError(N_("There is no credential to bake."))
    text = credential.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            N_("The credential text is not valid Unicode, so it cannot be baked.")
        ) from None
    if _COMPACT_JWS.match(text):
        return True
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise InputError(
            N_("Only a credential's JSON or its compact JWT can be baked into an image.")
        )
    return False


def _exactly_one(found: list[BakedCredential], image: str) -> BakedCredential:
    if not found:
        raise BakingError(N_("This %(image)s image holds no baked credential.", image=image))
    if len(found) > 1:
        raise BakingError(
            N_(
                "This %(image)s image holds %(count)s baked credentials; the standard allows one.",
                image=image,
                count=len(found),
            )
        )
    if not found[0].text:
        raise BakingError(
            N_("The credential baked into this %(image)s image is empty.", image=image)
        )
    return found[0]
