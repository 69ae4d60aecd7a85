"""Stored files sent to the browser a chunk at a time, from either store.

A response never holds a whole file: its body pulls chunks from the store as the
server writes them (for a bucket, boto3's StreamingBody.iter_chunks). Werkzeug's
make_conditional answers Range (206, 416) and If-None-Match / If-Modified-Since
(304); for a range it seeks the body, which then asks the store for the bytes from
that offset only, so seeking a video does not download its beginning again.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from urllib.parse import quote

from flask import Response
from flask import request

from app.storage.files import FileStore


class StoredBody:
    """A lazy, seekable iterable of a stored file's chunks (what werkzeug's range support
    looks for: `seekable`, `seek`, `tell`). Nothing is fetched before the first chunk."""

    def __init__(self, storage: FileStore, key: str) -> None:
        self.storage = storage
        self.key = key
        self.position = 0
        self._chunks: Iterator[bytes] | None = None

    def seekable(self) -> bool:
        return self._chunks is None

    def seek(self, offset: int) -> int:
        self.position = offset
        return offset

    def tell(self) -> int:
        return self.position

    def __iter__(self) -> StoredBody:
        return self

    def __next__(self) -> bytes:
        if self._chunks is None:
            self._chunks = self.storage.chunks(self.key, start=self.position)
        chunk = next(self._chunks)
        self.position += len(chunk)
        return chunk

    def close(self) -> None:
        """Release the file or connection (the server calls this, also on a dropped client)."""
        if self._chunks is not None and hasattr(self._chunks, "close"):
            self._chunks.close()


def stored_file_response(
    storage: FileStore,
    key: str,
    *,
    mimetype: str,
    download_name: str,
    as_attachment: bool,
    etag: str,
) -> Response:
    """The stored file with Content-Length, Content-Disposition, an ETag and range support.

    :raises NotFound: the store has no such file (asked before any header is sent).
    """
    size = storage.size(key)
    response = Response(StoredBody(storage, key), mimetype=mimetype, direct_passthrough=True)
    response.content_length = size
    response.headers.set(
        "Content-Disposition",
        "attachment" if as_attachment else "inline",
        **_filename_parameters(download_name),
    )
    response.set_etag(etag)
    response.make_conditional(request, accept_ranges=True, complete_length=size)
    return response


def _filename_parameters(name: str) -> dict[str, str]:
    """filename= for ASCII names; filename*= (RFC 5987) too for any other, as send_file does."""
    try:
        name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        return {"filename": simple, "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
    return {"filename": name}
