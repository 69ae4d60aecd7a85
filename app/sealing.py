"""Sealing the secrets Laurel keeps in its database and must read back.

The backpacks' client secrets and tokens (app.backpack_send), single sign-on client
secrets (app.sso), invitation links waiting in the email outbox (app.notifications).
Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from the application's
SECRET_KEY with HKDF, one key per purpose, so a copy of the database alone does not give
them away. A new SECRET_KEY makes them unreadable: each feature says what happens then.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Unreadable(Exception):
    """A sealed value this SECRET_KEY cannot open (the key changed, or the value was altered)."""


class Sealer:
    """Seals and opens text with the key derived from `secret_key` for `purpose`.

    Each feature derives its own key (its own `purpose`), so a value sealed for one cannot
    be opened as another's.
    """

    def __init__(self, secret_key: str | bytes, *, purpose: bytes) -> None:
        material = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(material)
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        """:raises Unreadable: not sealed with this key."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise Unreadable("The sealed value cannot be opened with this key.") from None
