"""The backup archive: a tar whose first member is manifest.json, then one member per part.

The manifest names every part with its size and sha256. A reader trusts nothing
else: `checked_archive` refuses a member the manifest does not name, a name that is
not one of the three shapes below, anything but a regular file (links, devices,
directories), a size that differs from the manifest, and a checksum that differs,
all before the caller writes anything.

Parts:
  database/<table>.jsonl   one JSON array per row, columns as listed in the manifest
  keys/<file>              the key store's files as stored (private keys encrypted)
  evidence/<key>           evidence files under their storage key (32 hex digits)
  badge-images/<sha256>    badge images kept in the bucket (64 hex digits); images
                           kept in the badge rows travel in database/badge.jsonl
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from typing import Any
from typing import BinaryIO
from typing import cast

from flask_babel import gettext
from flask_babel import ngettext

from app.errors import UserError

FORMAT = "laurel-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
CHUNK_SIZE = 1024 * 1024
PART_NAME = re.compile(
    r"database/[a-z_][a-z0-9_]{0,62}\.jsonl|keys/[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}|evidence/[0-9a-f]{32}"
    r"|badge-images/[0-9a-f]{64}"
)


class BackupError(UserError):
    """The archive is not a Laurel backup this Laurel can restore; the message says why."""


@dataclass(frozen=True)
class Part:
    name: str
    size: int
    sha256: str


def sha256_of(stream: IO[bytes]) -> tuple[int, str]:
    """Size and hex sha256 of what `stream` holds from here to its end."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        size += len(chunk)
        digest.update(chunk)
    return size, digest.hexdigest()


class ArchiveWriter:
    """Writes manifest.json first, then each part; the caller knows every checksum beforehand."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self._tar = tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT)
        self._add(MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode(), None)

    def add(self, part: Part, stream: IO[bytes]) -> None:
        self._add(part.name, None, (part.size, stream))

    def _add(self, name: str, data: bytes | None, sized: tuple[int, IO[bytes]] | None) -> None:
        info = tarfile.TarInfo(name)
        info.mode = 0o600
        if data is not None:
            info.size = len(data)
            self._tar.addfile(info, io.BytesIO(data))
        elif sized is not None:
            info.size = sized[0]
            self._tar.addfile(info, sized[1])

    def close(self) -> None:
        self._tar.close()


def _parts(manifest: Any) -> dict[str, Part]:
    try:
        if manifest["format"] != FORMAT:
            raise BackupError(
                gettext("This file is not a Laurel backup (its manifest names another format).")
            )
        if manifest["format_version"] != FORMAT_VERSION:
            raise BackupError(
                gettext(
                    "This backup uses format version %(version)s; this Laurel reads version "
                    "%(known)s. Restore it with the Laurel version that made it, or a newer one.",
                    version=manifest["format_version"],
                    known=FORMAT_VERSION,
                )
            )
        parts = {}
        for entry in manifest["parts"]:
            part = Part(name=entry["name"], size=int(entry["size"]), sha256=str(entry["sha256"]))
            if not PART_NAME.fullmatch(part.name) or part.name in parts or part.size < 0:
                raise BackupError(
                    gettext(
                        "The backup's manifest lists a part Laurel refuses: %(part)s.",
                        part=repr(part.name),
                    )
                )
            parts[part.name] = part
        for key in ("schema_revision", "tables", "counts"):
            manifest[key]  # noqa: B018 (present, or the manifest is not one Laurel wrote)
    except (KeyError, TypeError, ValueError):
        raise BackupError(
            gettext("The backup's manifest is damaged: a required entry is missing.")
        ) from None
    return parts


class CheckedArchive:
    """An archive whose every part matched the manifest when it was opened."""

    def __init__(self, tar: tarfile.TarFile, manifest: dict[str, Any], parts: dict[str, Part]):
        self._tar = tar
        self.manifest = manifest
        self.parts = parts

    def names(self, prefix: str) -> list[str]:
        return [name for name in self.parts if name.startswith(prefix)]

    @contextmanager
    def open(self, name: str) -> Iterator[BinaryIO]:
        """Read one part (named by the manifest, so it was checked)."""
        stream = cast(BinaryIO | None, self._tar.extractfile(self._tar.getmember(name)))
        if stream is None:  # pragma: no cover (only regular members passed the check)
            raise BackupError(gettext("The backup's part %(part)s cannot be read.", part=name))
        with stream:
            yield stream


@contextmanager
def checked_archive(path: Path) -> Iterator[CheckedArchive]:
    """Open a backup and check all of it: manifest, names, types, sizes, checksums.

    :raises BackupError: with a sentence for a person, before anything is written.
    """
    try:
        tar = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(
            gettext(
                "%(path)s is not a Laurel backup (not a readable archive: %(error)s).",
                path=path,
                error=error,
            )
        ) from None
    with tar:
        try:
            manifest, parts = _check(tar)
        except (tarfile.TarError, OSError, EOFError, ValueError) as error:
            raise BackupError(
                gettext("The backup is damaged and cannot be read: %(error)s.", error=error)
            ) from None
        yield CheckedArchive(tar, manifest, parts)


def _check(tar: tarfile.TarFile) -> tuple[dict[str, Any], dict[str, Part]]:
    first = tar.next()
    if first is None or first.name != MANIFEST_NAME or not first.isreg():
        raise BackupError(
            gettext("This file is not a Laurel backup: manifest.json is not its first member.")
        )
    if first.size > MAX_MANIFEST_BYTES:
        raise BackupError(
            gettext("The backup's manifest is larger than any Laurel writes; it is refused.")
        )
    stream = tar.extractfile(first)
    assert stream is not None
    try:
        manifest = json.loads(stream.read())
    except ValueError:
        raise BackupError(gettext("The backup's manifest is not valid JSON.")) from None
    if not isinstance(manifest, dict):
        raise BackupError(gettext("The backup's manifest is damaged: it is not a JSON object."))
    parts = _parts(manifest)
    seen: set[str] = set()
    for member in tar:
        if member is first:
            continue
        part = parts.get(member.name)
        if part is None or member.name in seen:
            raise BackupError(
                gettext(
                    "The backup holds a member its manifest does not list: %(member)s.",
                    member=repr(member.name),
                )
            )
        if not member.isreg():
            raise BackupError(
                gettext(
                    "The backup's member %(member)s is not a regular file (a link?).",
                    member=repr(member.name),
                )
            )
        if member.size != part.size:
            raise BackupError(
                ngettext(
                    "The backup's part %(part)s is %(num)d byte; its manifest says %(expected)s.",
                    "The backup's part %(part)s is %(num)d bytes; its manifest says %(expected)s.",
                    member.size,
                    part=member.name,
                    expected=part.size,
                )
            )
        data = tar.extractfile(member)
        assert data is not None
        size, digest = sha256_of(data)
        if size != part.size or digest != part.sha256:
            raise BackupError(
                gettext("The backup's part %(part)s does not match its checksum.", part=member.name)
            )
        seen.add(member.name)
    missing = sorted(set(parts) - seen)
    if missing:
        raise BackupError(
            ngettext(
                "The backup is incomplete: %(num)d part is missing (%(first)s).",
                "The backup is incomplete: %(num)d parts are missing, %(first)s first.",
                len(missing),
                first=missing[0],
            )
        )
    return manifest, parts
