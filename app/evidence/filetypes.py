"""What an uploaded evidence file really is, judged by its content.

The name a student gives only says which family they claim (photo, document,
spreadsheet, video); the bytes must agree. Office files are ZIP archives, so
XLSX and DOCX are told apart by the main part declared in [Content_Types].xml.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import filetype

from app.errors import UserError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MAIN_PART = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCX_MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# A [Content_Types].xml larger than this is not a document a student made.
MAX_CONTENT_TYPES_BYTES = 256 * 1024
CSV_SNIFF_BYTES = 64 * 1024

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


def _office_type(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return None
            declared = archive.read(info).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
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


def detect(stream: BinaryIO) -> str | None:
    """The MIME type the content shows, or None when it is none Laurel accepts."""
    stream.seek(0)
    kind = filetype.guess(stream.read(8192))
    stream.seek(0)
    if kind is not None and kind.mime in (XLSX_MIME, DOCX_MIME, "application/zip"):
        return _office_type(stream)
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
        raise UserError(f"{shown} cannot be added as evidence. Accepted: {allowed}.")
    family, mimes = EXTENSIONS[extension]
    mime = detect(stream)
    stream.seek(0)
    if mime not in mimes:
        raise UserError(
            f"“{base_name(filename)}” is named like {FAMILY_NAMES[family]} "
            f"(.{extension}) but its content is not a .{extension} file. Export it again from the "
            "program that made it, or choose the right file."
        )
    return FileType(mime=mime, family=family, extension=extension)
