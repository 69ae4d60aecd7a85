"""W3C Bitstring Status List v1.0: the bitstring, its encoding, entries and list credentials.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Index 0 is the most significant bit of byte 0; a set bit means revoked (or
suspended). A list holds at least 131,072 entries and indexes are drawn at
random, so the list says nothing about who was revoked. `encodedList` is the
GZIP-compressed bitstring in multibase base64url without padding ("u…").
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import secrets
import zlib
from collections.abc import Container
from typing import Any

from .errors import InputError
from .errors import StatusError
from .words import N_

MIN_ENTRIES = 131072
# A gzip "bomb" expands a few kilobytes into gigabytes; no real status list comes near this.
MAX_DECODED_BYTES = 16 * 1024 * 1024
PURPOSES = ("revocation", "suspension")
_RANDOM_DRAWS = 64
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class StatusList:
    """A bitstring of status entries."""

    def __init__(self, data: bytes | bytearray) -> None:
        self._bits = bytearray(data)

    @classmethod
    def new(cls, size: int = MIN_ENTRIES) -> StatusList:
        """An all-zero list of `size` entries (a multiple of 8, at least MIN_ENTRIES)."""
        if size < MIN_ENTRIES or size % 8:
            raise StatusError(
                f"A status list needs a multiple of 8 entries, at least {MIN_ENTRIES}; got {size}."
            )
        return cls(bytes(size // 8))

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusList:
        """The list held by an uncompressed bitstring.

        :raises StatusError: fewer than MIN_ENTRIES entries.
        """
        if len(data) * 8 < MIN_ENTRIES:
            raise StatusError(
                f"The status list has {len(data) * 8} entries; the standard requires at least "
                f"{MIN_ENTRIES}, so it cannot be trusted."
            )
        return cls(data)

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """The list of an `encodedList` value.

        :raises StatusError: wrong multibase prefix, bad base64url, corrupt or oversized GZIP,
            or a list that is too short.
        """
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusError(
                "The status list is not multibase base64url: its encodedList must start with 'u'."
            )
        text = encoded[1:].rstrip("=")
        if not _BASE64URL.match(text):
            raise StatusError(N_("The status list is not valid base64url."))
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except binascii.Error:
            raise StatusError(N_("The status list is not valid base64url.")) from None
        return cls.from_bytes(_gunzip_bounded(compressed))

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def get(self, index: int) -> bool:
        """True when the status at `index` is set (revoked or suspended)."""
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """The `encodedList` value: "u" + base64url-no-pad(GZIP(bitstring))."""
        compressed = gzip.compress(self.to_bytes(), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    def _locate(self, index: int) -> tuple[int, int]:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.size:
            raise StatusError(
                N_(
                    "Status index %(index)s is outside the list (0 to %(last)s).",
                    index=repr(index),
                    last=self.size - 1,
                )
            )
        return index // 8, 0x80 >> (index % 8)


def _gunzip_bounded(compressed: bytes) -> bytes:
    """GZIP-decompress, stopping at MAX_DECODED_BYTES rather than exhausting memory."""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(compressed, MAX_DECODED_BYTES + 1)
    except zlib.error:
        raise StatusError(N_("The status list is not valid GZIP data.")) from None
    if len(data) > MAX_DECODED_BYTES:
        raise StatusError(
            f"The status list expands to more than {MAX_DECODED_BYTES // (1024 * 1024)} MB; "
            "Laurel refuses it."
        )
    if not decompressor.eof:
        raise StatusError(N_("The status list's GZIP data is cut short."))
    if decompressor.unused_data:
        raise StatusError(N_("The status list has unexpected data after its GZIP stream."))
    return data


def random_free_index(taken: Container[int], *, size: int) -> int:
    """A random index in [0, size) that is not in `taken`, drawn with `secrets`.

    After a few random draws fail (a nearly full list) the list is scanned from a
    random start, so a free index is always found when there is one.

    :raises StatusError: every index is taken.
    """
    for _ in range(_RANDOM_DRAWS):
        index = secrets.randbelow(size)
        if index not in taken:
            return index
    start = secrets.randbelow(size)
    for offset in range(size):
        index = (start + offset) % size
        if index not in taken:
            return index
    raise StatusError(N_("The status list is full; start a new one."))


def status_entry(*, list_url: str, index: int, purpose: str) -> dict[str, str]:
    """A BitstringStatusListEntry for `credentialStatus` (statusListIndex as a base-10 string)."""
    _check_purpose(purpose)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise InputError(f"A status list index must be a non-negative integer, not {index!r}.")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def credential_status_url(credential_id: str) -> str:
    """Where a Laurel issuer publishes the status entries a credential cannot carry.

    The OB 3.0 schemas allow one `credentialStatus` object, so a credential carries its
    revocation entry; its suspension entry is published at "<credential id>/status".
    """
    return f"{credential_id}/status"


def build_credential_status(credential_id: str, entries: list[dict[str, str]]) -> dict[str, Any]:
    """The document at `credential_status_url`: the credential's id and its further entries."""
    return {
        "id": credential_status_url(credential_id),
        "credential": credential_id,
        "credentialStatus": entries,
    }


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise InputError(f"Unknown status purpose {purpose!r}; use one of {', '.join(PURPOSES)}.")


def build_status_list_credential(
    *,
    list_url: str,
    issuer_id: str,
    purpose: str,
    status_list: StatusList,
    valid_from: str,
    valid_until: str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential published at `list_url`.

    :param valid_until: the list's `validUntil`; a verifier stops trusting the list after it.
    :param ttl_ms: the list's `ttl` (BSL §2.2): how long, in milliseconds, a verifier may
        keep it before fetching it again.
    """
    _check_purpose(purpose)
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": status_list.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    document: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": valid_from,
        "credentialSubject": subject,
    }
    if valid_until is not None:
        document["validUntil"] = valid_until
    return document
