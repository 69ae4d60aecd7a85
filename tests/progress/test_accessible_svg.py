"""Matplotlib's SVG made embeddable: accessible, without inline style, ids of its own."""

from __future__ import annotations

import pytest

from app.progress.accessible_svg import accessible_svg

RAW = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="288pt" height="216pt"
     viewBox="0 0 288 216" xmlns="http://www.w3.org/2000/svg" version="1.1">
 <metadata><title>Matplotlib</title></metadata>
 <defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>
  <clipPath id="p1"><rect x="0" y="0" width="10" height="10"/></clipPath>
  <path id="glyph" d="M 0 0 L 1 1"/></defs>
 <!-- Sam --><g id="figure_1">
  <path d="M 0 0" clip-path="url(#p1)" style="fill: #ffffff; stroke-width: 0.8"/>
  <use xlink:href="#glyph"/><image xlink:href="data:image/png;base64,AAAA"/>
 </g>
</svg>"""


def _embedded(raw: str = RAW) -> str:
    return accessible_svg(raw, title="A <plot>", description="What & why", id_prefix="x-")


def test_svg_gets_role_label_title_and_desc_first():
    svg = _embedded()
    assert svg.startswith('<svg viewBox="0 0 288 216"')
    assert 'role="img"' in svg and 'aria-label="A &lt;plot&gt;"' in svg
    assert "<title>A &lt;plot&gt;</title><desc>What &amp; why</desc>" in svg
    assert "width=" not in svg.split(">")[0]


def test_style_becomes_presentation_attributes_and_style_element_goes():
    svg = _embedded()
    assert "style" not in svg
    assert 'fill="#ffffff"' in svg and 'stroke-width="0.8"' in svg
    assert 'stroke-linejoin="round"' in svg.split(">")[0]


def test_ids_and_references_get_the_prefix_data_uris_stay():
    svg = _embedded()
    assert 'id="x-p1"' in svg and 'clip-path="url(#x-p1)"' in svg
    assert 'href="#x-glyph"' in svg and 'id="x-glyph"' in svg
    assert 'href="data:image/png;base64,AAAA"' in svg
    assert "xlink" not in svg and "ns0" not in svg


def test_comments_and_metadata_are_dropped():
    svg = _embedded()
    assert "<!--" not in svg and "Sam" not in svg and "Matplotlib" not in svg


def test_unknown_style_property_is_refused():
    raw = RAW.replace("fill: #ffffff", "font: 10px sans-serif")
    with pytest.raises(ValueError, match="font"):
        _embedded(raw)
