"""Where badge images are kept: in the badge row (the default) or in the bucket.

Without LAUREL_STORAGE_URL the uploaded image and its drawn PNG stay in the badge row
(`image`, `image_png`), as they always have. They are small (an upload is at most
1 MB, the PNG 512 pixels a side), the database's own backup (a SQLite file, pg_dump)
carries them with the badge that names them, and a database from before needs
nothing. The instance's files directory would be a second place to back up and to
keep in step with the rows, for nothing gained on one server.

With LAUREL_STORAGE_URL every app server must see the same images and the database
stays lean: new and changed images go to the bucket, as PREFIX + "badge-images/" +
sha256, BEFORE the row that names them is written, so no row ever names an object
that was not stored (a bucket that refuses the upload leaves the badge as it was).
The row keeps the type and the digests, its bytes columns NULL. An image still held
in a row (saved before the bucket was set) is served from the row until
`laurel storage move-badge-images` moves it; moving is idempotent.

Both ways the row holds `image_sha256` and `image_png_sha256`, the ETag and the key
of the per-process cache of bucket reads. The key is the content, so a cached image
can never be stale: an edit stores new bytes under a new digest, and the next
request asks for that. Replaced images stay in the bucket: another badge, or a
restored backup, may name the same bytes.

A missing object or an unreachable bucket at read time shows the medallion, with a
warning in the log: a badge image is never worth an error page.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import cast

import sqlalchemy as sa
from cachetools import LRUCache
from flask import current_app
from flask_babel import gettext

from app.badges.images import CheckedImage
from app.badges.models import Badge
from app.errors import NotFound
from app.errors import Unavailable
from app.storage.files import SHA256_PATTERN
from app.storage.files import FileStore

BUCKET_FOLDER = "badge-images/"
# Bucket reads kept per process, by digest (uploads are at most 1 MB each).
CACHE_BYTES = 64 * 1024 * 1024
NO_IMAGE: dict[str, Any] = {
    "image": None,
    "image_mime": None,
    "image_sha256": None,
    "image_png": None,
    "image_png_sha256": None,
}

_cache: LRUCache[str, bytes] = LRUCache(maxsize=CACHE_BYTES, getsizeof=len)
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class ShownImage:
    data: bytes
    mime: str
    sha256: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_bucket(config: Mapping[str, Any]) -> FileStore | None:
    """The bucket's badge-image store when LAUREL_STORAGE_URL is set; None keeps them in rows."""
    url = config.get("LAUREL_STORAGE_URL")
    if not url:
        return None
    from app.storage.buckets import bucket_storage

    return bucket_storage(url, folder=BUCKET_FOLDER, keys=SHA256_PATTERN)


def put_object(bucket: FileStore, data: bytes) -> bool:
    """Store `data` under its sha256 unless it is there already; whether it was written.

    :raises Unavailable: the bucket is missing, refuses Laurel or cannot be reached.
    """
    key = sha256_hex(data)
    try:
        bucket.size(key)
        return False
    except NotFound:
        bucket.put(key, io.BytesIO(data), max_bytes=len(data))
        return True


def stored_image_values(image: CheckedImage) -> dict[str, Any]:
    """The badge columns for a newly uploaded image, its bytes stored where they belong.

    :raises Unavailable: the bucket cannot take them; the caller leaves the row as it was.
    """
    png_sha256 = sha256_hex(image.png) if image.png is not None else None
    values = {
        "image": image.data,
        "image_mime": image.mime,
        "image_sha256": sha256_hex(image.data),
        "image_png": image.png,
        "image_png_sha256": png_sha256,
    }
    bucket = image_bucket(current_app.config)
    if bucket is None:
        return values
    try:
        put_object(bucket, image.data)
        if image.png is not None:
            put_object(bucket, image.png)
    except Unavailable as error:
        raise Unavailable(
            gettext(
                "The badge image could not be stored, so nothing was saved. %(error)s",
                error=error,
            )
        ) from None
    return {**values, "image": None, "image_png": None}


def shown_image(badge: Badge) -> ShownImage | None:
    """The uploaded image, if it was drawn when saved and can be read; else None (medallion)."""
    if badge.image_sha256 is None or badge.image_png_sha256 is None:
        return None
    data = _image_bytes(badge, badge.image, badge.image_sha256)
    if data is None:
        return None
    return ShownImage(data, badge.image_mime or "application/octet-stream", badge.image_sha256)


def shown_png(badge: Badge) -> bytes | None:
    """The image drawn as PNG when it was saved, if it can be read; else None (medallion)."""
    if badge.image_sha256 is None or badge.image_png_sha256 is None:
        return None
    return _image_bytes(badge, badge.image_png, badge.image_png_sha256)


def _image_bytes(badge: Badge, in_row: bytes | None, digest: str) -> bytes | None:
    if in_row is not None:
        return in_row
    with _cache_lock:
        cached = _cache.get(digest)
    if cached is not None:
        return cached
    bucket = image_bucket(current_app.config)
    if bucket is None:
        current_app.logger.warning(
            "Badge %r names image %s in a bucket, but LAUREL_STORAGE_URL is not set: "
            "showing the medallion.",
            badge.slug,
            digest,
        )
        return None
    try:
        data = b"".join(bucket.chunks(digest))
    except (NotFound, Unavailable) as error:
        current_app.logger.warning(
            "Image %s of badge %r cannot be read from %s (%s): showing the medallion.",
            digest,
            badge.slug,
            bucket.describe(),
            error,
        )
        return None
    if sha256_hex(data) != digest:
        current_app.logger.warning(
            "Image %s of badge %r in %s does not match its digest: showing the medallion.",
            digest,
            badge.slug,
            bucket.describe(),
        )
        return None
    with _cache_lock:
        _cache[digest] = data
    return data


def move_into_bucket(engine: sa.Engine, bucket: FileStore) -> int:
    """Move the images still held in badge rows into the bucket; how many badges moved.

    Each badge is one transaction, committed after its objects are stored, so an
    interrupted move is simply run again. A badge edited meanwhile is left to its edit
    (which stored its own image); a badge already moved is not read again.
    """
    table = cast(sa.Table, Badge.__table__)
    in_rows = sa.or_(table.c.image.is_not(None), table.c.image_png.is_not(None))
    with engine.connect() as connection:
        ids = connection.scalars(sa.select(table.c.id).where(in_rows).order_by(table.c.id)).all()
    moved = 0
    for badge_id in ids:
        with engine.begin() as connection:
            row = connection.execute(
                sa.select(
                    table.c.image, table.c.image_png, table.c.image_sha256, table.c.image_png_sha256
                ).where(table.c.id == badge_id, in_rows)
            ).one_or_none()
            if row is None:
                continue
            values: dict[str, Any] = {}
            for column, data in (("image", row.image), ("image_png", row.image_png)):
                if data is not None:
                    put_object(bucket, data)
                    values |= {column: None, f"{column}_sha256": sha256_hex(data)}
            changed = connection.execute(
                table.update()
                .where(
                    table.c.id == badge_id,
                    table.c.image_sha256.is_not_distinct_from(row.image_sha256),
                    table.c.image_png_sha256.is_not_distinct_from(row.image_png_sha256),
                )
                .values(**values)
            )
            moved += changed.rowcount
    return moved
