"""Laurel's signing keys at rest, and the public-key encodings the standards use.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
A key store is a directory: one PKCS#8 PEM per private key, encrypted with the
passphrase and readable by its owner only (0600), the public PEM beside it,
and `keys.json`, the index. Ed25519 keys sign Data Integrity proofs, RSA-3072
keys sign VC-JWTs. Rotation adds keys and never deletes one, so a credential
signed with a retired key still verifies years later.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .document import format_datetime
from .errors import KeyResolutionError
from .errors import KeyStoreError

PublicKey = Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKey = Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

KINDS = ("ed25519", "rsa")
RSA_KEY_SIZE = 3072
INDEX_NAME = "keys.json"
INDEX_FORMAT = 1

# Multicodec header of an Ed25519 public key (varint 0xed): W3C Multikey / did:key.
ED25519_MULTICODEC = b"\xed\x01"
_FRAGMENT_PREFIX = {"ed25519": "key", "rsa": "rsa"}


@dataclass(frozen=True)
class KeyRecord:
    """One key in the store: its public half and where it stands. Holds no private material."""

    kind: str
    number: int
    created: str
    current: bool
    public_key: PublicKey = field(repr=False, compare=False)

    @property
    def fragment(self) -> str:
        """The fragment of its verification method id: key-<n> (Ed25519) or rsa-<n> (RSA)."""
        return f"{_FRAGMENT_PREFIX[self.kind]}-{self.number}"

    @property
    def fingerprint(self) -> str:
        """A public identifier a person can compare: the Multikey or the RFC 7638 thumbprint."""
        if isinstance(self.public_key, Ed25519PublicKey):
            return multikey_from_public_key(self.public_key)
        return "sha256:" + jwk_thumbprint(self.public_key)

    @property
    def file_stem(self) -> str:
        return f"{self.kind}-{self.number}"


class KeyStore:
    """The key directory. Private keys are decrypted at most once per process and file version."""

    def __init__(self, directory: Path, passphrase: str) -> None:
        self.directory = Path(directory)
        self._passphrase = passphrase.encode("utf-8") if passphrase else b""
        self._private_keys: dict[tuple[str, int], PrivateKey] = {}
        self._records: tuple[tuple[int, int, int], list[KeyRecord]] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyStore({str(self.directory)!r})"

    @property
    def index_path(self) -> Path:
        return self.directory / INDEX_NAME

    def exists(self) -> bool:
        """True when the store has been initialised (its index exists)."""
        return self.index_path.is_file()

    def init(self, *, now: datetime) -> bool:
        """Create the directory and one current key of each kind; False if the store exists."""
        self._require_passphrase()
        with self._locked():
            if self.exists():
                return False
            self._write_index(self._generate(kind, 1, now) for kind in KINDS)
        return True

    def rotate(self, *, now: datetime, kind: str | None = None) -> list[KeyRecord]:
        """Make a new current key of `kind` (both kinds when None); old keys stay forever.

        The passphrase is checked against the current keys first, so a mistyped
        passphrase cannot leave the store with keys under two passphrases.

        :raises KeyStoreError: no store, unknown kind, or a wrong passphrase.
        """
        kinds = KINDS if kind is None else (self._checked_kind(kind),)
        self._require_passphrase()
        self.records()  # a missing store is reported before the lock would create its directory
        with self._locked():
            records = self.records()
            for name in kinds:
                self.private_key(self.current(name))
            created = []
            for name in kinds:
                number = max(r.number for r in records if r.kind == name) + 1
                records = [replace(r, current=False) if r.kind == name else r for r in records]
                created.append(self._generate(name, number, now))
            self._write_index([*records, *created])
        return created

    def records(self) -> list[KeyRecord]:
        """Every key, oldest first (cached until keys.json changes).

        :raises KeyStoreError: the store is missing or its index or a public key is unreadable.
        """
        try:
            status = self.index_path.stat()
        except OSError:
            raise KeyStoreError(
                f"There are no signing keys in {self.directory} yet; run `laurel keys init`."
            ) from None
        version = (status.st_ino, status.st_mtime_ns, status.st_size)
        with self._lock:
            cached = self._records
        if cached is not None and cached[0] == version:
            return list(cached[1])
        records = self._read_records()
        with self._lock:
            self._records = (version, records)
        return list(records)

    def _read_records(self) -> list[KeyRecord]:
        try:
            index = json.loads(self.index_path.read_text(encoding="utf-8"))
            entries = index["keys"]
            records = [
                KeyRecord(
                    kind=self._checked_kind(entry["kind"]),
                    number=int(entry["number"]),
                    created=str(entry["created"]),
                    current=bool(entry["current"]),
                    public_key=self._read_public_key(f"{entry['kind']}-{int(entry['number'])}"),
                )
                for entry in entries
            ]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise KeyStoreError(
                f"The key index {self.index_path} is damaged and cannot be read ({error})."
            ) from None
        return records

    def current(self, kind: str) -> KeyRecord:
        """The key of `kind` that signs new documents."""
        kind = self._checked_kind(kind)
        for record in self.records():
            if record.kind == kind and record.current:
                return record
        raise KeyStoreError(f"The key store {self.directory} has no current {kind} key.")

    def private_key(self, record: KeyRecord) -> PrivateKey:
        """The decrypted private key of `record`, cached per file path and modification time.

        :raises KeyStoreError: the passphrase is wrong or the key file is missing or damaged.
        """
        path = self.directory / f"{record.file_stem}.key.pem"
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            raise KeyStoreError(f"The private key file {path} is missing.") from None
        cache_key = (str(path), stamp)
        with self._lock:
            cached = self._private_keys.get(cache_key)
            if cached is None:
                cached = self._private_keys[cache_key] = self._decrypt(path)
        return cached

    def _decrypt(self, path: Path) -> PrivateKey:
        self._require_passphrase()
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=self._passphrase)
        except (ValueError, TypeError):
            # cryptography reports a wrong passphrase and a damaged file with the same error.
            raise KeyStoreError(
                f"The key passphrase is wrong, or the key file {path.name} is damaged: "
                "Laurel could not decrypt it. Check LAUREL_KEY_PASSPHRASE."
            ) from None
        if not isinstance(key, (Ed25519PrivateKey, rsa.RSAPrivateKey)):
            raise KeyStoreError(f"The key file {path.name} holds a key of an unexpected type.")
        return key

    def _generate(self, kind: str, number: int, now: datetime) -> KeyRecord:
        private: PrivateKey
        if kind == "ed25519":
            private = Ed25519PrivateKey.generate()
        else:
            private = rsa.generate_private_key(public_exponent=65537, key_size=RSA_KEY_SIZE)
        record = KeyRecord(
            kind=kind,
            number=number,
            created=format_datetime(now),
            current=True,
            public_key=private.public_key(),
        )
        encrypted = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )
        public = record.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._write_new(self.directory / f"{record.file_stem}.key.pem", encrypted, 0o600)
        self._write_new(self.directory / f"{record.file_stem}.pub.pem", public, 0o644)
        return record

    def _write_new(self, path: Path, data: bytes, mode: int) -> None:
        """Write a file that must not exist yet, with `mode` (never wider, whatever the umask)."""
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            raise KeyStoreError(
                f"The key file {path} already exists but is not in the index; "
                "Laurel never overwrites a key. Move it away or restore keys.json."
            ) from None
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def _write_index(self, records: Iterable[KeyRecord]) -> None:
        entries = [
            {"kind": r.kind, "number": r.number, "created": r.created, "current": r.current}
            for r in records
        ]
        text = json.dumps({"format": INDEX_FORMAT, "keys": entries}, indent=2) + "\n"
        temporary = self.directory / f".{INDEX_NAME}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.index_path)

    def _read_public_key(self, stem: str) -> PublicKey:
        path = self.directory / f"{stem}.pub.pem"
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, (Ed25519PublicKey, rsa.RSAPublicKey)):
            raise ValueError(f"{path.name} holds a key of an unexpected type")
        return key

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the directory, so two processes cannot rotate at once."""
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle = (self.directory / ".lock").open("a")
        except OSError as error:
            raise KeyStoreError(f"Laurel cannot write to the key directory: {error}.") from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def seal(self, private_key: Ed25519PrivateKey) -> bytes:
        """A key kept outside the store (an endorser's) as PKCS#8 PEM under the store's passphrase.

        :raises KeyStoreError: no passphrase is set.
        """
        self._require_passphrase()
        return private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(self._passphrase),
        )

    def open_sealed(self, sealed: bytes) -> Ed25519PrivateKey:
        """The Ed25519 key `seal` made.

        :raises KeyStoreError: the passphrase is wrong, or the PEM is damaged or not Ed25519.
        """
        self._require_passphrase()
        try:
            key = serialization.load_pem_private_key(sealed, password=self._passphrase)
        except (ValueError, TypeError):
            raise KeyStoreError(
                "A sealed key cannot be decrypted: the key passphrase is wrong or the key is "
                "damaged. Check LAUREL_KEY_PASSPHRASE."
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyStoreError("The sealed key is not an Ed25519 key.")
        return key

    def stored_files(self) -> dict[str, bytes]:
        """Every key file as stored (private keys still encrypted), read under the store's lock.

        For backups: holding the lock means no rotation is half written in what is read.
        """
        self.records()  # a missing store is reported before the lock would create its directory
        with self._locked():
            return {
                path.name: path.read_bytes()
                for path in sorted(self.directory.iterdir())
                if path.is_file() and not path.name.startswith(".")
            }

    def _require_passphrase(self) -> None:
        if not self._passphrase:
            raise KeyStoreError("No key passphrase is set; set LAUREL_KEY_PASSPHRASE.")

    @staticmethod
    def _checked_kind(kind: str) -> str:
        if kind not in KINDS:
            raise KeyStoreError(
                f"Unknown key kind {kind!r}; Laurel keeps {' and '.join(KINDS)} keys."
            )
        return kind


def multikey_from_public_key(public_key: Ed25519PublicKey) -> str:
    """W3C Multikey of an Ed25519 key: "z" + base58btc(0xed01 || raw key), always "z6Mk…"."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(ED25519_MULTICODEC + raw).decode("ascii")


def public_key_from_multikey(multikey: str) -> Ed25519PublicKey:
    """The Ed25519 key of a Multikey value.

    :raises KeyResolutionError: not base58btc, not the Ed25519 multicodec, or a wrong length.
    """
    if not isinstance(multikey, str) or not multikey.startswith("z"):
        raise KeyResolutionError(
            "The public key is not a base58btc multibase value (it must start with 'z')."
        )
    try:
        decoded = base58.b58decode(multikey[1:])
    except ValueError:
        raise KeyResolutionError("The public key is not valid base58btc.") from None
    if not decoded.startswith(ED25519_MULTICODEC):
        raise KeyResolutionError("The public key is not an Ed25519 Multikey (prefix 0xed01).")
    if len(decoded) != len(ED25519_MULTICODEC) + 32:
        raise KeyResolutionError("The Ed25519 public key does not have 32 bytes.")
    return Ed25519PublicKey.from_public_bytes(decoded[len(ED25519_MULTICODEC) :])


def _b64url(number: int) -> str:
    raw = number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_bytes(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise KeyResolutionError(f"The JWK member {name!r} is missing or not a string.")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise KeyResolutionError(f"The JWK member {name!r} is not base64url.") from None


def _b64url_int(value: Any, name: str) -> int:
    return int.from_bytes(_b64url_bytes(value, name), "big")


def _public_members(key: PublicKey) -> dict[str, str]:
    """The required public members of a key's JWK (the RFC 7638 thumbprint input, unsorted)."""
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"kty": "RSA", "n": _b64url(numbers.n), "e": _b64url(numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        point = key.public_numbers()
        return {
            "kty": "EC",
            "crv": "P-256",
            "x": base64.urlsafe_b64encode(point.x.to_bytes(32, "big")).rstrip(b"=").decode(),
            "y": base64.urlsafe_b64encode(point.y.to_bytes(32, "big")).rstrip(b"=").decode(),
        }
    if isinstance(key, Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        }
    raise KeyResolutionError("Laurel writes JWKs for RSA, P-256 and Ed25519 keys only.")


def jwk_thumbprint(key: PublicKey) -> str:
    """RFC 7638 SHA-256 thumbprint of a public key, base64url without padding."""
    canonical = json.dumps(_public_members(key), separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def jwk_from_public_key(key: PublicKey, *, kid: str) -> dict[str, str]:
    """The public JWK of a key, with `kid`, `use` "sig" and its JWS algorithm; never a `d`."""
    jwk = {**_public_members(key), "kid": kid, "use": "sig"}
    if isinstance(key, rsa.RSAPublicKey):
        jwk["alg"] = "RS256"
    elif isinstance(key, ec.EllipticCurvePublicKey):
        jwk["alg"] = "ES256"
    return jwk


def public_key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    """The public key of an RSA, EC P-256 or Ed25519 (OKP) JWK.

    :raises KeyResolutionError: private material (`d`), an unsupported type or curve, or bad values.
    """
    if not isinstance(jwk, dict):
        raise KeyResolutionError("The JWK is not a JSON object.")
    if "d" in jwk:
        raise KeyResolutionError(
            "The JWK holds a private key ('d'); Laurel accepts public keys only."
        )
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            modulus = _b64url_int(jwk.get("n"), "n")
            if modulus.bit_length() < 2048:
                raise KeyResolutionError(
                    "The RSA key is shorter than 2048 bits, too weak to trust."
                )
            return rsa.RSAPublicNumbers(_b64url_int(jwk.get("e"), "e"), modulus).public_key()
        if kty == "EC" and jwk.get("crv") == "P-256":
            x, y = _b64url_int(jwk.get("x"), "x"), _b64url_int(jwk.get("y"), "y")
            return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return Ed25519PublicKey.from_public_bytes(_b64url_bytes(jwk.get("x"), "x"))
    except (ValueError, OverflowError):
        raise KeyResolutionError("The JWK does not describe a valid public key.") from None
    raise KeyResolutionError(
        f"Unsupported JWK (kty {kty!r}, crv {jwk.get('crv')!r}); "
        "Laurel reads RSA, EC P-256 and Ed25519 keys."
    )
