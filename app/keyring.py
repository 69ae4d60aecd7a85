"""The application's signing key store and issuer id.

Decrypting a private key costs tens of milliseconds, so the KeyStore (which caches
decrypted keys) is opened once per process and per key directory, not per request.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app

from app.credentials.did import did_web_from_url
from app.credentials.keys import KeyStore

_stores: dict[tuple[str, str], KeyStore] = {}
_lock = threading.Lock()


def keystore() -> KeyStore:
    """The KeyStore named by LAUREL_KEYS_DIR / LAUREL_KEY_PASSPHRASE, opened once per process."""
    directory = str(Path(current_app.config["LAUREL_KEYS_DIR"]).resolve())
    passphrase = current_app.config["LAUREL_KEY_PASSPHRASE"]
    key = (directory, passphrase)
    with _lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = KeyStore(Path(directory), passphrase)
    return store


def public_url() -> str:
    return current_app.config["LAUREL_PUBLIC_URL"].rstrip("/")


def issuer_id() -> str:
    """The issuer of every credential: the did:web of the public URL."""
    return did_web_from_url(public_url())
