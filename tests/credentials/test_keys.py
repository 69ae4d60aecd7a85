"""The key store: encrypted keys at rest, rotation without loss, Multikey and JWK encodings."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from datetime import UTC
from datetime import datetime

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.credentials.errors import KeyResolutionError
from app.credentials.errors import KeyStoreError
from app.credentials.keys import KeyStore
from app.credentials.keys import jwk_from_public_key
from app.credentials.keys import jwk_thumbprint
from app.credentials.keys import multikey_from_public_key
from app.credentials.keys import public_key_from_jwk
from app.credentials.keys import public_key_from_multikey

PASSPHRASE = "correct horse battery staple"
VECTOR_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
VECTOR_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
LATER = datetime(2027, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rotated(tmp_path_factory):
    """A store initialised in 2026 and rotated once (both kinds) in 2027."""
    store = KeyStore(tmp_path_factory.mktemp("rotated"), PASSPHRASE)
    store.init(now=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    created = store.rotate(now=LATER)
    return store, created


@pytest.fixture
def fresh_store(tmp_path, keys_dir):
    """A private copy of the session store, to change without generating RSA keys again."""
    shutil.copytree(keys_dir.path, tmp_path / "keys")
    return KeyStore(tmp_path / "keys", keys_dir.passphrase)


# Store layout and protection


def test_keystore_init_creates_one_current_key_of_each_kind(keys_dir):
    records = keys_dir.store.records()
    assert [(r.kind, r.number, r.current) for r in records] == [
        ("ed25519", 1, True),
        ("rsa", 1, True),
    ]
    assert isinstance(records[0].public_key, Ed25519PublicKey)
    assert isinstance(records[1].public_key, rsa.RSAPublicKey)
    assert records[1].public_key.key_size == 3072
    assert records[0].created == "2026-01-05T09:00:00Z"


def test_keystore_private_files_mode_0600_public_files_beside(keys_dir):
    for stem in ("ed25519-1", "rsa-1"):
        private = keys_dir.path / f"{stem}.key.pem"
        assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
        assert (
            (keys_dir.path / f"{stem}.pub.pem")
            .read_bytes()
            .startswith(b"-----BEGIN PUBLIC KEY-----")
        )


def test_keystore_private_files_mode_0600_even_with_permissive_umask(tmp_path):
    previous = os.umask(0)
    try:
        KeyStore(tmp_path, PASSPHRASE).init(now=LATER)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(os.stat(tmp_path / "rsa-1.key.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "ed25519-1.key.pem").st_mode) == 0o600


def test_keystore_private_files_encrypted_pkcs8(keys_dir):
    for stem in ("ed25519-1", "rsa-1"):
        text = (keys_dir.path / f"{stem}.key.pem").read_text()
        assert text.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_keystore_index_lists_kind_number_created_current(keys_dir):
    index = json.loads((keys_dir.path / "keys.json").read_text())
    assert index["keys"] == [
        {"kind": "ed25519", "number": 1, "created": "2026-01-05T09:00:00Z", "current": True},
        {"kind": "rsa", "number": 1, "created": "2026-01-05T09:00:00Z", "current": True},
    ]


def test_keystore_init_twice_returns_false_and_keeps_keys(keys_dir):
    before = (keys_dir.path / "rsa-1.key.pem").read_bytes()
    assert keys_dir.store.init(now=LATER) is False
    assert (keys_dir.path / "rsa-1.key.pem").read_bytes() == before


def test_keystore_private_key_matches_public_key(keys_dir):
    store = keys_dir.store
    ed = store.private_key(store.current("ed25519"))
    assert isinstance(ed, Ed25519PrivateKey)
    store.current("ed25519").public_key.verify(ed.sign(b"laurel"), b"laurel")
    private_rsa = store.private_key(store.current("rsa"))
    assert (
        private_rsa.public_key().public_numbers()
        == store.current("rsa").public_key.public_numbers()
    )


def test_keystore_private_key_decrypted_once_then_cached(keys_dir):
    store = KeyStore(keys_dir.path, keys_dir.passphrase)
    record = store.current("rsa")
    first = store.private_key(record)
    started = time.perf_counter()
    again = store.private_key(record)
    assert again is first
    assert time.perf_counter() - started < 0.005


def test_keystore_private_key_reloaded_when_file_changes(fresh_store):
    store = fresh_store
    record = store.current("ed25519")
    first = store.private_key(record)
    path = store.directory / "ed25519-1.key.pem"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert store.private_key(record) is not first


# Failures a person must understand


def test_keystore_wrong_passphrase_raises_clear_error(keys_dir):
    store = KeyStore(keys_dir.path, "not the passphrase")
    with pytest.raises(KeyStoreError, match="passphrase is wrong"):
        store.private_key(store.current("rsa"))


def test_keystore_rotate_wrong_passphrase_refused_and_writes_nothing(rotated):
    store, _ = rotated
    before = sorted(p.name for p in store.directory.iterdir())
    index = store.index_path.read_bytes()
    with pytest.raises(KeyStoreError, match="passphrase is wrong"):
        KeyStore(store.directory, "typo").rotate(now=LATER)
    assert sorted(p.name for p in store.directory.iterdir()) == before
    assert store.index_path.read_bytes() == index


def test_keystore_empty_passphrase_refused(tmp_path):
    with pytest.raises(KeyStoreError, match="LAUREL_KEY_PASSPHRASE"):
        KeyStore(tmp_path, "").init(now=LATER)
    assert not (tmp_path / "keys.json").exists()


def test_keystore_records_without_store_says_run_init(tmp_path):
    store = KeyStore(tmp_path / "none", PASSPHRASE)
    assert store.exists() is False
    with pytest.raises(KeyStoreError, match="laurel keys init"):
        store.records()


def test_keystore_damaged_index_raises_keystoreerror(tmp_path):
    (tmp_path / "keys.json").write_text("{not json")
    with pytest.raises(KeyStoreError, match="damaged"):
        KeyStore(tmp_path, PASSPHRASE).records()


def test_keystore_missing_private_file_raises_keystoreerror(fresh_store):
    store = fresh_store
    (store.directory / "ed25519-1.key.pem").unlink()
    with pytest.raises(KeyStoreError, match="missing"):
        store.private_key(store.current("ed25519"))


def test_keystore_unknown_kind_raises_keystoreerror(keys_dir):
    with pytest.raises(KeyStoreError, match="Unknown key kind"):
        keys_dir.store.current("dsa")


def test_keystore_never_overwrites_stray_key_file(fresh_store):
    stray = fresh_store.directory / "ed25519-2.key.pem"
    stray.write_bytes(b"someone else's key")
    with pytest.raises(KeyStoreError, match="never overwrites"):
        fresh_store.rotate(now=LATER, kind="ed25519")
    assert stray.read_bytes() == b"someone else's key"


def test_keyrecord_repr_shows_no_key_material(keys_dir):
    store = keys_dir.store
    record = store.current("rsa")
    private = store.private_key(record)
    numbers = private.private_numbers()
    text = repr(record) + repr(store) + str(store.records())
    assert str(numbers.d) not in text and "PRIVATE" not in text and keys_dir.passphrase not in text


# Rotation


def test_keystore_rotate_adds_new_current_keys_and_keeps_old(rotated):
    store, created = rotated
    assert [(r.kind, r.number) for r in created] == [("ed25519", 2), ("rsa", 2)]
    summary = [(r.kind, r.number, r.current, r.created) for r in store.records()]
    assert summary == [
        ("ed25519", 1, False, "2026-01-05T09:00:00Z"),
        ("rsa", 1, False, "2026-01-05T09:00:00Z"),
        ("ed25519", 2, True, "2027-09-01T08:00:00Z"),
        ("rsa", 2, True, "2027-09-01T08:00:00Z"),
    ]
    assert store.current("ed25519").fragment == "key-2"
    assert store.current("rsa").fragment == "rsa-2"


def test_keystore_retired_key_still_decrypts(rotated):
    store, _ = rotated
    old = next(r for r in store.records() if r.fragment == "key-1")
    signature = store.private_key(old).sign(b"2026 credential")
    old.public_key.verify(signature, b"2026 credential")


def test_keystore_rotate_one_kind_leaves_other_current(fresh_store):
    store = fresh_store
    rsa_before = store.current("rsa")
    (new,) = store.rotate(now=LATER, kind="ed25519")
    assert new.fragment == "key-2"
    assert store.current("rsa") == rsa_before


def test_keystore_rotate_without_store_says_run_init(tmp_path):
    with pytest.raises(KeyStoreError, match="laurel keys init"):
        KeyStore(tmp_path / "keys", PASSPHRASE).rotate(now=LATER)
    assert not (tmp_path / "keys").exists()


def test_keystore_second_instance_sees_rotation(fresh_store, keys_dir):
    first = fresh_store
    assert first.current("ed25519").number == 1
    KeyStore(first.directory, keys_dir.passphrase).rotate(now=LATER, kind="ed25519")
    assert first.current("ed25519").number == 2


# Multikey


def test_multikey_official_vector_round_trip():
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(VECTOR_PUBLIC_HEX))
    assert multikey_from_public_key(public) == VECTOR_MULTIKEY
    assert public_key_from_multikey(VECTOR_MULTIKEY).public_bytes_raw() == public.public_bytes_raw()


def test_keyrecord_fingerprint_ed25519_is_multikey(keys_dir):
    record = keys_dir.store.current("ed25519")
    assert record.fingerprint == multikey_from_public_key(record.public_key)
    assert record.fingerprint.startswith("z6Mk")


@pytest.mark.parametrize(
    "value, message",
    [
        ("u6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "must start with 'z'"),
        ("z0OIl", "not valid base58btc"),
        ("zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", "not an Ed25519"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "32 bytes"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(33)).decode(), "32 bytes"),
    ],
)
def test_public_key_from_multikey_bad_value_raises(value, message):
    with pytest.raises(KeyResolutionError, match=message):
        public_key_from_multikey(value)


# JWK


def test_jwk_rsa_public_has_no_private_member(keys_dir):
    record = keys_dir.store.current("rsa")
    jwk = jwk_from_public_key(record.public_key, kid="did:web:laurel.test#rsa-1")
    assert set(jwk) == {"kid", "kty", "n", "e", "use", "alg"}
    assert (jwk["kty"], jwk["e"], jwk["alg"], jwk["use"]) == ("RSA", "AQAB", "RS256", "sig")
    assert public_key_from_jwk(jwk).public_numbers() == record.public_key.public_numbers()


def test_jwk_ec_p256_round_trip():
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    jwk = jwk_from_public_key(key, kid="k")
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("EC", "P-256", "ES256")
    assert "d" not in jwk
    assert public_key_from_jwk(jwk).public_numbers() == key.public_numbers()


def test_jwk_thumbprint_rfc7638_example():
    """RFC 7638 §3.1: the thumbprint of the example RSA key."""
    jwk = {
        "kty": "RSA",
        "e": "AQAB",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"
        "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
        "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr"
        "dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnq"
        "DKgw",
    }
    key = public_key_from_jwk(jwk)
    assert jwk_thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_jwk_ed25519_okp_round_trip(keys_dir):
    key = keys_dir.store.current("ed25519").public_key
    jwk = jwk_from_public_key(key, kid="k")
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519") and "alg" not in jwk
    assert public_key_from_jwk(jwk).public_bytes_raw() == key.public_bytes_raw()


def test_public_key_from_jwk_with_private_member_refused():
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = {**jwk_from_public_key(private.public_key(), kid="k"), "d": "secret"}
    with pytest.raises(KeyResolutionError, match="private key"):
        public_key_from_jwk(jwk)


def test_public_key_from_jwk_short_rsa_refused():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    with pytest.raises(KeyResolutionError, match="2048"):
        public_key_from_jwk(jwk_from_public_key(small, kid="k"))


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
        {"kty": "RSA", "e": "AQAB"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        "not an object",
    ],
)
def test_public_key_from_jwk_unusable_raises_keyresolutionerror(jwk):
    with pytest.raises(KeyResolutionError):
        public_key_from_jwk(jwk)


def test_a_sealed_key_opens_only_with_the_stores_passphrase(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.credentials.errors import KeyStoreError

    key = Ed25519PrivateKey.generate()
    sealed = KeyStore(tmp_path, "right passphrase").seal(key)

    opened = KeyStore(tmp_path, "right passphrase").open_sealed(sealed)

    assert opened.public_key() == key.public_key()
    with pytest.raises(KeyStoreError, match="passphrase is wrong"):
        KeyStore(tmp_path, "wrong passphrase").open_sealed(sealed)
