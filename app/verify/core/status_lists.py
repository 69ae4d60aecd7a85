"""The issuer's own status lists, verified once per version and kept by the caller.

Pure module. A status list credential is signed; checking it (JSON, JSON-LD
canonicalization, Ed25519) costs more than the rest of a status check. The caller
(a web worker) keeps one `VerifiedStatusLists` and passes it to every verification:
a list is kept under its URL and the digest of the exact bytes just fetched, so a
republished list (a revocation, a suspension) is a new version, checked again on its
first use, while the unchanged one is not checked twice. Only the school's own lists
are kept: their key is the school's own, rotated but never withdrawn. What depends on
the clock (the list's `validUntil`) is judged on every use, never kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

# A school publishes one list per purpose (and a new one per 131,072 credentials).
MAX_LISTS = 16


class VerifiedStatusLists:
    """Status list credentials whose checks passed, by (URL, purpose, digest of their bytes)."""

    def __init__(self, size: int = MAX_LISTS) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str, str], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(url: str, purpose: str, raw: bytes) -> tuple[str, str, str]:
        return url, purpose, hashlib.sha256(raw).hexdigest()

    def get(self, url: str, purpose: str, raw: bytes) -> dict[str, Any] | None:
        """The verified list these exact bytes were, if they were checked before."""
        key = self._key(url, purpose, raw)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def put(self, url: str, purpose: str, raw: bytes, document: dict[str, Any]) -> None:
        """Keep a list whose signature, issuer and purpose were just checked."""
        with self._lock:
            self._kept[self._key(url, purpose, raw)] = document
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)
