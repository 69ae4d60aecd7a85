"""What an uploaded evidence file really is, judged by its content.

The name a student gives only says which family they claim (photo, document,
spreadsheet, video); the bytes must agree. Office files are ZIP archives, so
XLSX and DOCX are told apart by the main part declared in [Content_Types].xml,
and an archive that unpacks to far more than a workbook holds (a "zip bomb") is
refused. Photos Pillow can read are decoded in full, so a truncated one is refused.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import filetype
from flask_babel import gettext

from app.badges.images import decode_fully
from app.errors import UserError
from app.evidence.previews import MAX_PIXELS

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MAIN_PART = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCX_MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# A [Content_Types].xml larger than this is not a document a student made.
MAX_CONTENT_TYPES_BYTES = 256 * 1024
CSV_SNIFF_BYTES = 64 * 1024
# What an office file may unpack to. A large workbook or report is tens of megabytes
# of XML; a gigabyte of zeros compresses to one megabyte.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
# XML compresses 5-20 times; past this ratio (on more than a few megabytes) it is a bomb.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE = 8 * 1024 * 1024
UNPACK_CHUNK = 256 * 1024
# Photo types Pillow decodes, by MIME type; HEIC needs a plugin Laurel does not install.
DECODED_PHOTO_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}

# Extension -> (family, the MIME types its content may have). Families match the
# "accepted kinds" a badge lists.
EXTENSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "jpg": ("photo", frozenset({"image/jpeg"})),
    "jpeg": ("photo", frozenset({"image/jpeg"})),
    "png": ("photo", frozenset({"image/png"})),
    "gif": ("photo", frozenset({"image/gif"})),
    "webp": ("photo", frozenset({"image/webp"})),
    "heic": ("photo", frozenset({"image/heic"})),
    "heif": ("photo", frozenset({"image/heic"})),
    "pdf": ("document", frozenset({"application/pdf"})),
    "docx": ("document", frozenset({DOCX_MIME})),
    "xlsx": ("spreadsheet", frozenset({XLSX_MIME})),
    "csv": ("spreadsheet", frozenset({"text/csv"})),
    "mp4": ("video", frozenset({"video/mp4", "video/x-m4v"})),
    "m4v": ("video", frozenset({"video/mp4", "video/x-m4v"})),
    "mov": ("video", frozenset({"video/quicktime", "video/mp4"})),
    "webm": ("video", frozenset({"video/webm"})),
}

# Images a browser shows inline; HEIC is downloaded instead.
INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

# How each family is described next to the file input.
FAMILY_FORMATS = {
    "photo": "photos (JPEG, PNG, GIF, WebP, HEIC)",
    "document": "documents (PDF, DOCX)",
    "spreadsheet": "spreadsheets (XLSX, CSV)",
    "video": "videos (MP4, MOV, WebM)",
}

FAMILY_NAMES = {
    "photo": "a photo",
    "document": "a document",
    "spreadsheet": "a spreadsheet",
    "video": "a video",
}


@dataclass(frozen=True)
class FileType:
    mime: str
    family: str
    extension: str


def accepted_formats(families: Iterable[str]) -> list[str]:
    """The accepted file families in words, in a stable order."""
    wanted = set(families)
    return [text for family, text in FAMILY_FORMATS.items() if family in wanted]


def accepted_extensions(families: Iterable[str]) -> list[str]:
    """The extensions of the given families (".jpg", ".xlsx", …), for the file input."""
    wanted = set(families)
    return [f".{ext}" for ext, (family, _) in EXTENSIONS.items() if family in wanted]


def base_name(filename: str) -> str:
    """The last path segment of a name a browser sent (slashes of either kind)."""
    return PurePath(filename.replace("\\", "/")).name


def extension_of(filename: str) -> str:
    """The lower-case extension of the name's last path segment."""
    last = base_name(filename)
    return last.rsplit(".", 1)[-1].lower() if "." in last else ""


ZIP_BOMB = (
    "“{name}” unpacks to far more than a document or workbook holds, so Laurel does not "
    "keep it. Save it again from the program that made it (or share a link) and try again."
)


def _check_unpacked_size(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an archive that unpacks to more than MAX_UNPACKED_BYTES.

    The directory's declared sizes are checked first (cheap), then every member is
    decompressed as a stream and counted, since a crafted directory can lie.

    :raises UserError: too many members, too large, or an absurd compression ratio.
    """
    members = archive.infolist()
    declared = sum(info.file_size for info in members)
    compressed = sum(info.compress_size for info in members)
    if (
        len(members) > MAX_ARCHIVE_MEMBERS
        or declared > MAX_UNPACKED_BYTES
        or (declared > RATIO_CHECKED_ABOVE and declared > MAX_COMPRESSION_RATIO * compressed)
    ):
        raise UserError(ZIP_BOMB.format(name=name))
    unpacked = 0
    for info in members:
        with archive.open(info) as member:
            while chunk := member.read(UNPACK_CHUNK):
                unpacked += len(chunk)
                if unpacked > MAX_UNPACKED_BYTES:
                    raise UserError(ZIP_BOMB.format(name=name))


def _office_type(stream: BinaryIO, name: str) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            declared = archive.read(info).decode("utf-8", "replace")
            if XLSX_MAIN_PART in declared or DOCX_MAIN_PART in declared:
                _check_unpacked_size(archive, name)
    except (
        zipfile.BadZipFile,
        zlib.error,
        KeyError,
        OSError,
        RuntimeError,
        ValueError,
        EOFError,
        NotImplementedError,
    ):
        return None
    if XLSX_MAIN_PART in declared:
        return XLSX_MIME
    if DOCX_MAIN_PART in declared:
        return DOCX_MIME
    return None


def _is_csv(stream: BinaryIO) -> bool:
    """UTF-8 text (a BOM is fine) without control bytes whose first line has a comma."""
    head = stream.read(CSV_SNIFF_BYTES)
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The sniffed window may end inside a multi-byte character.
        if error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8-sig")
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text):
        return False
    return "," in text.splitlines()[0] if text.strip() else False


def detect(stream: BinaryIO, name: str = "That file") -> str | None:
    """The MIME type the content shows, or None when it is none Laurel accepts.

    :raises UserError: an office file that unpacks to far too much (named `name`).
    """
    stream.seek(0)
    kind = filetype.guess(stream.read(8192))
    stream.seek(0)
    if kind is not None and kind.mime in (XLSX_MIME, DOCX_MIME, "application/zip"):
        return _office_type(stream, name)
    if kind is not None:
        return kind.mime
    return "text/csv" if _is_csv(stream) else None


def check_file_type(stream: BinaryIO, filename: str) -> FileType:
    """The file's type, if its content is what its name claims.

    :raises UserError: unknown extension, unrecognised content, or a mismatch
        (a PNG named .pdf, a text file named .xlsx).
    """
    extension = extension_of(filename)
    if extension not in EXTENSIONS:
        allowed = ", ".join(sorted(EXTENSIONS))
        shown = f"“.{extension}” files" if extension else "Files without an extension"
        raise UserError(
            gettext(
                "%(shown)s cannot be added as evidence. Accepted: %(allowed)s.",
                shown=shown,
                allowed=allowed,
            )
        )
    family, mimes = EXTENSIONS[extension]
    mime = detect(stream, base_name(filename))
    stream.seek(0)
    if mime not in mimes:
        raise UserError(
            gettext(
                "“%(base_name)s” is named like %(family)s (.%(extension)s) "
                "but its content is not a .%(extension)s file. Export it "
                "again from the program that made it, or choose the right "
                "file.",
                base_name=base_name(filename),
                family=FAMILY_NAMES[family],
                extension=extension,
            )
        )
    if mime in DECODED_PHOTO_FORMATS:
        decode_fully(
            stream,
            DECODED_PHOTO_FORMATS[mime],
            name="photo",
            max_side=MAX_PIXELS,
            max_pixels=MAX_PIXELS,
            limit=f"Laurel keeps photos of up to {MAX_PIXELS // 1_000_000} megapixels.",
        )
    return FileType(mime=mime, family=family, extension=extension)


def display_name(filename: str, limit: int = 255) -> str:
    """The name a browser sent, last segment only, cut to `limit` characters keeping
    its extension ("a very long … name.png" stays a .png)."""
    name = base_name(filename).strip()
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) >= limit // 2:
        return name[:limit]
    return f"{stem[: limit - len(extension) - 2].rstrip()}….{extension}"
