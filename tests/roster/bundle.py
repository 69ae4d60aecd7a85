"""The sample OneRoster 1.2 bundle of tests/roster/sample/ (Maple Grove High School), as a zip.

`bundle(**changes)` zips it with files replaced (`users="..."`) or left out (`users=None`);
`edit(name, old, new)` is the file's text with one piece changed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

SAMPLE = Path(__file__).parent / "sample"


def text(name: str) -> str:
    return (SAMPLE / f"{name}.csv").read_text(encoding="utf-8")


def edit(name: str, old: str, new: str) -> str:
    original = text(name)
    assert old in original, f"{old!r} is not in {name}.csv"
    return original.replace(old, new)


def files(**changes: str | bytes | None) -> dict[str, bytes]:
    """The bundle's files by name, with `changes` applied."""
    found = {path.stem: path.read_bytes() for path in sorted(SAMPLE.glob("*.csv"))}
    for name, content in changes.items():
        if content is None:
            found.pop(name, None)
        else:
            found[name] = content.encode() if isinstance(content, str) else content
    return {f"{name}.csv": data for name, data in found.items()}


def bundle(**changes: str | bytes | None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files(**changes).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def multipart(files: list[tuple[str, bytes]], field: str = "roster") -> tuple[bytes, str]:
    """A multipart body built here (Werkzeug's encoder leaves large bodies in a temp file)."""
    boundary = "laurel-roster-boundary"
    body = b""
    for name, data in files:
        body += (
            (
                f"--{boundary}\r\n"
                f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"
