"""Baked badges: one credential per PNG/SVG, replaced on re-baking, hostile files refused."""

from __future__ import annotations

import io
import json
import struct
import zlib
from xml.etree import ElementTree

import pytest
from PIL import Image

from app.credentials.baking import CLR2
from app.credentials.baking import OB2
from app.credentials.baking import OB3
from app.credentials.baking import bake_png
from app.credentials.baking import bake_svg
from app.credentials.baking import extract_png
from app.credentials.baking import extract_svg
from app.credentials.baking import read_png
from app.credentials.baking import read_svg
from app.credentials.errors import BakingError
from app.credentials.errors import InputError

CREDENTIAL = json.dumps(
    {
        "id": "urn:uuid:6f1c1e52-0000-4000-8000-000000000000",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Réparation de moteur — niveau 2",
        "description": "Contains ]]> and <tags> & ampersands.",
    },
    ensure_ascii=False,
    indent=2,
)
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJkaWQ6d2ViOmxhdXJlbC50ZXN0In0.c2lnbmF0dXJl"


def png_image() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def chunk(chunk_type: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + chunk_type
        + data
        + struct.pack(">I", zlib.crc32(chunk_type + data))
    )


def with_chunk(png: bytes, extra: bytes) -> bytes:
    """The PNG with `extra` inserted right after its IHDR chunk (8 + 25 bytes)."""
    return png[:33] + extra + png[33:]


def chunk_types(png: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack_from(">I", png, offset)
        types.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    return types


# PNG


def test_bake_png_one_uncompressed_itxt_after_ihdr():
    baked = bake_png(png_image(), CREDENTIAL)
    assert chunk_types(baked)[:2] == [b"IHDR", b"iTXt"]
    (length,) = struct.unpack_from(">I", baked, 33)
    data = baked[41 : 41 + length]
    assert data == b"openbadgecredential\x00\x00\x00\x00\x00" + CREDENTIAL.encode("utf-8")


def test_bake_png_round_trip_json_and_jwt():
    for credential in (CREDENTIAL, JWT):
        baked = bake_png(png_image(), credential)
        assert extract_png(baked) == credential
        assert read_png(baked).standard == OB3


def test_bake_png_result_still_a_valid_image():
    baked = bake_png(png_image(), CREDENTIAL)
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.size == (4, 3)
        assert image.getpixel((0, 0)) == (200, 30, 60)


def test_bake_png_twice_replaces_credential():
    baked = bake_png(bake_png(png_image(), CREDENTIAL), JWT)
    assert chunk_types(baked).count(b"iTXt") == 1
    assert extract_png(baked) == JWT


def test_bake_png_replaces_ob2_assertion():
    ob2 = with_chunk(png_image(), chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00{}"))
    baked = bake_png(ob2, CREDENTIAL)
    assert read_png(baked).standard == OB3
    assert chunk_types(baked).count(b"iTXt") == 1


def test_bake_png_keeps_other_text_chunks():
    other = chunk(b"tEXt", b"Software\x00Laurel")
    baked = bake_png(with_chunk(png_image(), other), CREDENTIAL)
    assert other in baked


def test_read_png_ob2_itxt_assertion():
    png = with_chunk(png_image(), chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + JWT.encode()))
    assert read_png(png).text == JWT and read_png(png).standard == OB2


def test_read_png_legacy_ob_text_chunk_hosted_url():
    png = with_chunk(
        png_image(), chunk(b"tEXt", b"openbadges\x00https://school.example/assertions/1")
    )
    found = read_png(png)
    assert (found.text, found.standard) == ("https://school.example/assertions/1", OB2)


def test_read_png_clr_credential():
    png = with_chunk(png_image(), chunk(b"iTXt", b"clrcredential\x00\x00\x00\x00\x00{}"))
    assert read_png(png).standard == CLR2


def test_extract_png_not_png_raises_bakingerror():
    with pytest.raises(BakingError, match="not a PNG"):
        extract_png(b"GIF89a....")


@pytest.mark.parametrize("cut", [12, 40, -30, -5])
def test_extract_png_truncated_raises_bakingerror(cut):
    with pytest.raises(BakingError, match="cut short"):
        extract_png(bake_png(png_image(), CREDENTIAL)[:cut])


def test_extract_png_without_credential_raises_bakingerror():
    with pytest.raises(BakingError, match="holds no baked credential"):
        extract_png(png_image())


def test_extract_png_two_credential_chunks_raises_bakingerror():
    one = chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00" + JWT.encode())
    with pytest.raises(BakingError, match="2 baked credentials"):
        extract_png(with_chunk(png_image(), one + one))


def test_extract_png_bad_crc_raises_bakingerror():
    baked = bytearray(bake_png(png_image(), CREDENTIAL))
    baked[45] ^= 0xFF  # a byte inside the iTXt text
    with pytest.raises(BakingError, match="'iTXt' chunk fails the CRC"):
        extract_png(bytes(baked))


def test_extract_png_compressed_chunk_refused_without_decompressing():
    compressed = zlib.compress(b"x" * 10_000_000)
    data = b"openbadgecredential\x00\x01\x00\x00\x00" + compressed
    with pytest.raises(BakingError, match="compressed"):
        extract_png(with_chunk(png_image(), chunk(b"iTXt", data)))


def test_extract_png_first_chunk_not_ihdr_raises_bakingerror():
    png = png_image()
    broken = png[:8] + chunk(b"tEXt", b"a\x00b") + png[8:]
    with pytest.raises(BakingError, match="header chunk"):
        extract_png(broken)


def test_extract_png_not_utf8_raises_bakingerror():
    data = b"openbadgecredential\x00\x00\x00\x00\x00\xff\xfe"
    with pytest.raises(BakingError, match="UTF-8"):
        extract_png(with_chunk(png_image(), chunk(b"iTXt", data)))


@pytest.mark.parametrize("credential", ["", "   ", "not a credential", "[1, 2]"])
def test_bake_png_not_json_or_jwt_raises_inputerror(credential):
    with pytest.raises(InputError):
        bake_png(png_image(), credential)


# SVG

SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" data-note="a > b">'
    b'<!-- badge -->\n  <circle cx="5" cy="5" r="4" fill="#c33"/>\n</svg>\n'
)
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"


def test_bake_svg_json_in_cdata_right_after_svg_start():
    baked = bake_svg(SVG, CREDENTIAL)
    start = baked.index(b'data-note="a > b"')
    tag_end = baked.index(b">", baked.index(b'"', start + 16)) + 1
    assert baked[tag_end:].startswith(b"<openbadges:credential><![CDATA[")
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked[:tag_end]
    assert extract_svg(baked) == CREDENTIAL
    assert read_svg(baked).standard == OB3


def test_bake_svg_jwt_in_verify_attribute_of_empty_element():
    baked = bake_svg(SVG, JWT)
    assert f'<openbadges:credential verify="{JWT}"/>'.encode() in baked
    assert extract_svg(baked) == JWT


def test_bake_svg_keeps_rest_of_file_byte_for_byte():
    baked = bake_svg(SVG, JWT)
    element = f'<openbadges:credential verify="{JWT}"/>'.encode()
    declaration = b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    assert baked.replace(element, b"").replace(declaration, b"") == SVG


def test_bake_svg_result_parses_as_svg_with_one_credential():
    root = ElementTree.fromstring(bake_svg(SVG, CREDENTIAL))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall(f"{{{OB3_NS}}}credential")) == 1
    assert root[0].tag == f"{{{OB3_NS}}}credential"


def test_bake_svg_twice_replaces_credential():
    baked = bake_svg(bake_svg(bake_svg(SVG, CREDENTIAL), JWT), CREDENTIAL)
    assert baked.count(b"<openbadges:credential") == 1
    assert baked.count(b"xmlns:openbadges") == 1
    assert extract_svg(baked) == CREDENTIAL


def test_bake_svg_replaces_ob2_assertion_with_other_prefix_binding():
    ob2 = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://school.example/a/1"></openbadges:assertion></svg>'
    )
    assert read_svg(ob2).standard == OB2
    baked = bake_svg(ob2, JWT)
    assert b"openbadges:assertion" not in baked
    found = read_svg(baked)
    assert (found.text, found.standard) == (JWT, OB3)


def test_bake_svg_self_closing_root():
    baked = bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="1"/>', JWT)
    assert baked.endswith(b"/></svg>")
    assert extract_svg(baked) == JWT


def test_read_svg_ob2_json_assertion_in_cdata():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion><![CDATA[{"type": "Assertion"}]]></openbadges:assertion></svg>'
    )
    assert extract_svg(svg) == '{"type": "Assertion"}'


def test_extract_svg_without_credential_raises_bakingerror():
    with pytest.raises(BakingError, match="holds no baked credential"):
        extract_svg(SVG)


def test_extract_svg_two_credentials_raises_bakingerror():
    element = f'<ob:credential xmlns:ob="{OB3_NS}" verify="{JWT}"/>'.encode()
    svg = SVG.replace(b"<!-- badge -->", element + element)
    with pytest.raises(BakingError, match="2 baked credentials"):
        extract_svg(svg)


def test_extract_svg_empty_credential_raises_bakingerror():
    svg = SVG.replace(b"<!-- badge -->", f'<ob:credential xmlns:ob="{OB3_NS}"/>'.encode())
    with pytest.raises(BakingError, match="empty"):
        extract_svg(svg)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""


@pytest.mark.parametrize(
    "svg", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion_laughs", "external_entity"]
)
def test_extract_svg_attack_entities_refused(svg):
    with pytest.raises(BakingError, match="entities"):
        extract_svg(svg)
    with pytest.raises(BakingError, match="entities"):
        bake_svg(svg, JWT)


def test_extract_svg_plain_doctype_without_entities_accepted():
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    assert extract_svg(bake_svg(svg, JWT)) == JWT


@pytest.mark.parametrize(
    "svg, message",
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not well-formed"),
        (b"<html><body/></html>", "not an SVG"),
        (b"\x89PNG\r\n\x1a\n", "not well-formed"),
        ("<svg/>", "not an SVG"),
    ],
)
def test_extract_svg_not_svg_raises_bakingerror(svg, message):
    with pytest.raises(BakingError, match=message):
        extract_svg(svg)


def test_bake_svg_character_xml_forbids_refused():
    credential = json.dumps({"name": "bad \ufffe char"}, ensure_ascii=False)
    with pytest.raises(BakingError, match="XML does not allow"):
        bake_svg(SVG, credential)


def test_bake_png_lone_surrogate_raises_inputerror():
    with pytest.raises(InputError, match="Unicode"):
        bake_png(png_image(), '{"name": "\ud800"}')


def test_bake_svg_non_utf8_declaration_refused():
    svg = b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakingError, match="UTF-8"):
        bake_svg(svg, CREDENTIAL)
