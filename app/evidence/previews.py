"""Re-encoded copies of evidence photos: small thumbnails, and the public view.

A phone photo carries its metadata (often the GPS position of the student's home).
Thumbnails and the copy shown to the public are re-encoded from the pixels alone,
so no metadata leaves the school; the original goes only to the student and the
badge's reviewers.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from flask_babel import gettext
from PIL import Image
from PIL import ImageOps
from PIL import UnidentifiedImageError

from app.errors import NotFound

THUMBNAIL_PX = 480
PUBLIC_PX = 2048
# Far above any camera, far below what would exhaust memory when decoded.
MAX_PIXELS = 60_000_000


def reencoded_jpeg(stream: BinaryIO, *, max_px: int) -> bytes:
    """The image, upright, at most `max_px` on its longer side, as a JPEG without metadata.

    :raises NotFound: the image cannot be decoded (there is nothing to preview).
    """
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise NotFound(gettext("This image is too large to preview; download it instead."))
            image.draft("RGB", (max_px, max_px))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((max_px, max_px))
            if upright.mode != "RGB":
                background = Image.new("RGB", upright.size, (255, 255, 255))
                rgba = upright.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                upright = background
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise NotFound(gettext("This image cannot be previewed; download it instead.")) from None
