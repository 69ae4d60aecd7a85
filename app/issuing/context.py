"""What every issuing service needs from the outside world, handed down as one value.

The web layer and the CLI build it from the app's settings (app/keyring.py); the
services never read the Flask app themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.credentials.did import did_web_from_url
from app.credentials.keys import KeyStore


@dataclass(frozen=True)
class IssuingContext:
    """The signing keys and the public address of the school's Laurel.

    :param keystore: the school's signing keys (decrypted once per process).
    :param public_url: the address credentials and status lists are served from,
        without a trailing slash.
    """

    keystore: KeyStore
    public_url: str

    @property
    def issuer_id(self) -> str:
        """The issuer of every credential: the did:web of the public URL."""
        return did_web_from_url(self.public_url)
