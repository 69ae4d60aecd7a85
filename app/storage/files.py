"""Stored files: a small storage interface and its local-directory backend.

Evidence files and badge images (app.badges.image_store) share it. Files are stored
under names Laurel makes, never under the name a person gave, so no upload can
choose or escape its path: evidence under generated keys (uuid4 hex), badge images
under their content's sha256. A store checks every key against its own pattern.
The default evidence store is the directory LAUREL_STORAGE_DIR, outside the web
root; when LAUREL_STORAGE_URL names an S3 bucket (app.storage.buckets) the files
live there instead, so that app servers on several machines share them. Every
reader and writer (uploads, downloads, previews, backup, restore, the demo) goes
through this interface.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from typing import Protocol

from flask_babel import gettext
from flask_babel import lazy_gettext

from app.errors import NotFound
from app.errors import Unavailable
from app.errors import UserError

CHUNK_SIZE = 64 * 1024
# Evidence keys: uuid4 hex, made by `new_key`.
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
# Content-addressed keys: the sha256 of the stored bytes (badge images).
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class FileStore(Protocol):
    """What evidence and badge images need from a file store."""

    def save(self, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        """Store the stream's bytes under a new key.

        :raises UserError: the stream is empty or larger than `max_bytes` (nothing is kept).
        """
        ...

    def put(self, key: str, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        """Store the stream's bytes under a key this storage gave earlier (a restore).

        :raises UserError: the key is taken, the stream is empty or too large.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """A seekable binary file object for reading (image checks and previews seek).

        :raises NotFound: no such key.
        """
        ...

    def size(self, key: str) -> int:
        """The stored file's length in bytes. :raises NotFound: no such key."""
        ...

    def chunks(self, key: str, *, start: int = 0) -> Iterator[bytes]:
        """The file's bytes from `start` on, a chunk at a time (downloads stream these).

        Closing the iterator early releases the file or connection.
        :raises NotFound: no such key (when the first chunk is asked for).
        """
        ...

    def delete(self, key: str) -> None:
        """Forget the file; deleting a missing key is not an error."""
        ...

    def is_empty(self) -> bool:
        """Whether no file is stored at all (a restore needs an empty store)."""
        ...

    def check(self) -> None:
        """:raises Unavailable: the store cannot be reached or written, saying what to fix."""
        ...

    def describe(self) -> str:
        """Where the files are, for messages (a directory or a bucket URL without secrets)."""
        ...


def too_large(max_bytes: int) -> UserError:
    return UserError(
        gettext(
            "That file is larger than the %(size_in_words)s limit. Make "
            "it smaller (for a video, share a link instead) and try "
            "again.",
            size_in_words=size_in_words(max_bytes),
        )
    )


def empty_file() -> UserError:
    return UserError(gettext("That file is empty. Choose the file again."))


def new_key() -> str:
    return uuid.uuid4().hex


def checked_key(key: str, pattern: re.Pattern[str] = KEY_PATTERN) -> str:
    """Only keys Laurel made can name a file: hex digits only (32 or 64), so a key cannot
    hold a separator, a dot or anything else that would leave the store's root or prefix."""
    if not pattern.fullmatch(key or ""):
        raise NotFound(gettext("There is no such file."))
    return key


def size_in_words(size: int) -> str:
    """A byte count the way a person reads it (for limits and file lists)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


class LocalStorage:
    """Files in a local directory, two hex characters of fan-out: <root>/ab/ab12…"""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        key = checked_key(key)
        return self.root / key[:2] / key

    def save(self, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        return self.put(new_key(), stream, max_bytes=max_bytes)

    def put(self, key: str, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        path = self._path(key)
        if path.exists():
            raise UserError(lazy_gettext("A file is already stored under that name."))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with open(partial, "xb") as out:
                os.chmod(partial, 0o600)
                while chunk := stream.read(CHUNK_SIZE):
                    size += len(chunk)
                    if size > max_bytes:
                        raise too_large(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise empty_file()
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise NotFound(lazy_gettext("That file is no longer stored.")) from None

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError:
            raise NotFound(lazy_gettext("That file is no longer stored.")) from None

    def chunks(self, key: str, *, start: int = 0) -> Iterator[bytes]:
        with self.open(key) as handle:
            handle.seek(start)
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except NotFound:
            return

    def is_empty(self) -> bool:
        return not (self.root.is_dir() and any(self.root.rglob("*")))

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise Unavailable(
                lazy_gettext(
                    "The evidence directory %(root)s cannot be created "
                    "(%(strerror)s). Set LAUREL_STORAGE_DIR to a folder Laurel "
                    "may write.",
                    root=self.root,
                    strerror=error.strerror,
                )
            ) from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise Unavailable(
                lazy_gettext(
                    "Laurel may not write to the evidence directory %(root)s. "
                    "Give it write access or set LAUREL_STORAGE_DIR to another "
                    "folder.",
                    root=self.root,
                )
            )

    def describe(self) -> str:
        return f"the directory {self.root}"
