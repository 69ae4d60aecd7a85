"""The evidence store: the directory LAUREL_STORAGE_DIR, or the bucket of LAUREL_STORAGE_URL.

Files leave it only through the authorized `/files/<id>` route (app.evidence.downloads).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.storage.files import FileStore
from app.storage.files import LocalStorage


def configured_storage(config: Mapping[str, Any]) -> FileStore:
    """The store named by the settings: the bucket of LAUREL_STORAGE_URL when it is set,
    else the local directory LAUREL_STORAGE_DIR."""
    url = config.get("LAUREL_STORAGE_URL")
    if url:
        from app.storage.buckets import bucket_storage

        return bucket_storage(url)
    return LocalStorage(config["LAUREL_STORAGE_DIR"])


def max_upload_bytes(config: Mapping[str, Any]) -> int:
    return int(config["LAUREL_MAX_UPLOAD_MB"]) * 1024 * 1024
