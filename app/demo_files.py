"""Small, real evidence files made in memory: a photo and an Excel workbook.

The demo school's submissions and the tests upload these, so that what a
reviewer opens is a genuine JPEG and a workbook Excel and LibreOffice read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from PIL import Image
from PIL import ImageDraw

_SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{_SPREADSHEETML}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SPREADSHEETML}.worksheet+xml"/>
</Types>"""

_ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="{relationships}">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""

_WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: object) -> str:
    if isinstance(value, str) and value.startswith("="):
        return f'<c r="{ref}"><f>{escape(value[1:])}</f></c>'
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def build_xlsx(rows: Sequence[Sequence[object]], *, sheet_name: str = "Data") -> bytes:
    """A one-sheet XLSX workbook; strings starting with "=" become formulas."""
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", value) for c, value in enumerate(row))
        sheet_rows.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(sheet_rows)}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            _WORKBOOK.format(name=escape(sheet_name), relationships=_RELATIONSHIPS),
        )
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def temperature_workbook() -> bytes:
    """A student's plot data: a week of temperatures with an average formula."""
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    temperatures = [11.5, 12.0, 9.8, 14.2, 15.1, 13.7, 12.9]
    rows: list[list[object]] = [["Day", "Temperature (°C)"]]
    rows += [[day, temp] for day, temp in zip(days, temperatures, strict=True)]
    rows.append(["Average", "=AVERAGE(B2:B8)"])
    return build_xlsx(rows, sheet_name="Temperatures")


def truck_photo(
    *, width: int = 640, height: int = 420, label: str = "1978 pickup — after"
) -> bytes:
    """A drawn JPEG "photo" of a restored pickup truck."""
    image = Image.new("RGB", (width, height), (176, 212, 236))
    draw = ImageDraw.Draw(image)
    ground = int(height * 0.72)
    draw.rectangle([0, ground, width, height], fill=(92, 128, 84))
    scale = width / 640
    body = [int(v * scale) for v in (90, 190, 560, 300)]
    draw.rectangle(body, fill=(178, 34, 34), outline=(60, 10, 10), width=3)
    cab = [int(v * scale) for v in (330, 120, 480, 200)]
    draw.rectangle(cab, fill=(178, 34, 34), outline=(60, 10, 10), width=3)
    window = [int(v * scale) for v in (350, 135, 465, 190)]
    draw.rectangle(window, fill=(210, 235, 250), outline=(60, 10, 10), width=2)
    for x in (170, 470):
        cx, cy, r = int(x * scale), int(300 * scale), int(42 * scale)
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(30, 30, 30))
        draw.ellipse([cx - r // 2, cy - r // 2, cx + r // 2, cy + r // 2], fill=(190, 190, 190))
    draw.text((int(20 * scale), int(20 * scale)), label, fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def parts_budget_workbook() -> bytes:
    """A student's parts budget for the truck restoration, with formulas for the totals."""
    parts = [
        ("Brake pads (front)", 1, 38.50),
        ("Brake rotors", 2, 54.00),
        ("Brake fluid DOT 3", 2, 9.75),
        ("Primer (quart)", 3, 24.00),
        ("Paint, Ranch Red (gallon)", 1, 129.00),
    ]
    rows: list[list[object]] = [["Part", "Quantity", "Unit cost ($)", "Total ($)"]]
    for number, (part, quantity, cost) in enumerate(parts, start=2):
        rows.append([part, quantity, cost, f"=B{number}*C{number}"])
    rows.append(["Total", "", "", f"=SUM(D2:D{len(parts) + 1})"])
    return build_xlsx(rows, sheet_name="Parts budget")
