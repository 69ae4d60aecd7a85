"""Where evidence files live: a small storage interface and its local-directory backend.

Files are stored under generated names (uuid4 hex) and never under the name a
student gave, so no upload can choose or escape its path. The directory is
LAUREL_STORAGE_DIR, outside the web root; files leave it only through the
authorized `/files/<id>` route.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import BinaryIO
from typing import Protocol

from app.errors import NotFound
from app.errors import UserError

CHUNK_SIZE = 64 * 1024
KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


class EvidenceStorage(Protocol):
    """What the evidence services need from a file store."""

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
        """A binary file object for reading. :raises NotFound: no such key."""
        ...

    def delete(self, key: str) -> None:
        """Forget the file; deleting a missing key is not an error."""
        ...


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
        # Only keys this class generated can name a file: a key is 32 hex digits, so it
        # cannot hold a separator, a dot or anything else that would leave the root.
        if not KEY_PATTERN.fullmatch(key or ""):
            raise NotFound("There is no such file.")
        return self.root / key[:2] / key

    def save(self, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        return self.put(uuid.uuid4().hex, stream, max_bytes=max_bytes)

    def put(self, key: str, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        path = self._path(key)
        if path.exists():
            raise UserError("A file is already stored under that name.")
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
                        raise UserError(
                            f"That file is larger than the {size_in_words(max_bytes)} limit. "
                            "Make it smaller (for a video, share a link instead) and try again."
                        )
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise UserError("That file is empty. Choose the file again.")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(key=key, size=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise NotFound("That file is no longer stored.") from None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except NotFound:
            return


def configured_storage(config: Mapping[str, Any]) -> EvidenceStorage:
    """The store named by the settings: a local directory (LAUREL_STORAGE_DIR) for now."""
    return LocalStorage(config["LAUREL_STORAGE_DIR"])


def max_upload_bytes(config: Mapping[str, Any]) -> int:
    return int(config["LAUREL_MAX_UPLOAD_MB"]) * 1024 * 1024
