"""Builds the IssuingContext from the app's settings: for views and commands only.

Decrypting a private key costs tens of milliseconds, so the KeyStore (which caches
decrypted keys) is opened once per process and per key directory, not per request.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from flask import current_app

from app.credentials.keys import KeyStore
from app.issuing.context import IssuingContext

_stores: dict[tuple[str, str], KeyStore] = {}
_lock = threading.Lock()


@functools.cache
def _resolved(directory: str) -> str:
    """The folder as the file system names it, once per setting (issuing_context runs on
    every verification request)."""
    return str(Path(directory).resolve())


def _keystore(directory: str, passphrase: str) -> KeyStore:
    key = (_resolved(directory), passphrase)
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = KeyStore(Path(key[0]), passphrase)
    return store


def issuing_context() -> IssuingContext:
    """The key store named by LAUREL_KEYS_DIR / LAUREL_KEY_PASSPHRASE and LAUREL_PUBLIC_URL."""
    config = current_app.config
    return IssuingContext(
        keystore=_keystore(config["LAUREL_KEYS_DIR"], config["LAUREL_KEY_PASSPHRASE"]),
        public_url=config["LAUREL_PUBLIC_URL"].rstrip("/"),
    )
