"""QR codes of verification URLs, as PNG (for the PDF certificate and the web pages).

The mask pattern is fixed: choosing the "best" of the eight masks is most of
qrcode's cost (DESIGN.md: ≈ 12 ms automatic, ≈ 3–5 ms fixed), and any mask
decodes. Error correction M survives a folded or slightly smudged printout.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage

FIXED_MASK_PATTERN = 2
# A page shows the same few codes again and again (a share page's verification link):
# the PNG, a pure function of its text and size, is kept per process.
QR_CACHE_SIZE = 512


@lru_cache(maxsize=QR_CACHE_SIZE)
def qr_png(text: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """`text` as a black-on-white QR code PNG (quiet zone of `border` modules)."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        box_size=box_size,
        border=border,
        image_factory=PilImage,
        mask_pattern=FIXED_MASK_PATTERN,
    )
    code.add_data(text)
    code.make(fit=True)
    output = io.BytesIO()
    code.make_image().save(output)
    return output.getvalue()


@lru_cache(maxsize=QR_CACHE_SIZE)
def qr_print_png(text: str, *, box_size: int, border: int) -> bytes:
    """`qr_png` in 8-bit grey, for the PDF renderer.

    WeasyPrint turns a 1-bit PNG into RGB and compresses its pixels again on every
    render: grey is a third of those bytes, for the same black and white.
    """
    with Image.open(io.BytesIO(qr_png(text, box_size=box_size, border=border))) as image:
        grey = image.convert("L")
    output = io.BytesIO()
    grey.save(output, format="PNG")
    return output.getvalue()


@lru_cache(maxsize=QR_CACHE_SIZE)
def qr_data_uri(text: str, *, box_size: int = 10, border: int = 4) -> str:
    """The QR PNG as a `data:` URI, to inline in HTML and in the PDF (no fetch needed)."""
    encoded = base64.b64encode(qr_png(text, box_size=box_size, border=border)).decode("ascii")
    return f"data:image/png;base64,{encoded}"
