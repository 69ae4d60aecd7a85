"""`laurel keys …` through the real CLI group: no app context, no database, public output only."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from app.cli import cli
from app.credentials.keys import KeyStore
from app.credentials.keys import public_key_from_jwk
from app.credentials.keys import public_key_from_multikey

PASSPHRASE = "cli-test-passphrase"


@pytest.fixture
def env(tmp_path):
    """Settings pointing at a fresh temporary key directory and instance folder."""
    return {
        "LAUREL_KEYS_DIR": str(tmp_path / "keys"),
        "LAUREL_KEY_PASSPHRASE": PASSPHRASE,
        "LAUREL_PUBLIC_URL": "https://riverside.example",
        "LAUREL_INSTANCE_PATH": str(tmp_path / "instance"),
        "LAUREL_ENV": None,
        "LAUREL_SECRET_KEY": None,
        "DATABASE_URL": None,
    }


def laurel(env, *args):
    return CliRunner().invoke(cli, ["keys", *args], env=env)


@pytest.fixture
def initialised(env, keys_dir, tmp_path):
    """The settings, with a copy of the session key store (RSA generation is slow)."""
    shutil.copytree(keys_dir.path, tmp_path / "keys")
    return {**env, "LAUREL_KEY_PASSPHRASE": keys_dir.passphrase}


def test_cli_keys_init_creates_store_without_database(env, tmp_path):
    result = laurel(env, "init")
    assert result.exit_code == 0, result.output
    assert "Created signing keys" in result.output
    assert "did:web:riverside.example#key-1" in result.output
    assert "did:web:riverside.example#rsa-1" in result.output
    store = KeyStore(tmp_path / "keys", PASSPHRASE)
    assert [r.fragment for r in store.records()] == ["key-1", "rsa-1"]
    assert not list(tmp_path.rglob("*.db")) and not list(tmp_path.rglob("*.sqlite*"))
    assert not (tmp_path / "instance").exists()


def test_cli_keys_init_twice_says_keys_exist_and_exits_0(initialised, tmp_path):
    before = (tmp_path / "keys" / "keys.json").read_bytes()
    result = laurel(initialised, "init")
    assert result.exit_code == 0
    assert "already exist" in result.output
    assert (tmp_path / "keys" / "keys.json").read_bytes() == before


def test_cli_keys_without_passphrase_exits_2_with_message(env):
    result = laurel({**env, "LAUREL_KEY_PASSPHRASE": None}, "init")
    assert result.exit_code == 2
    assert "LAUREL_KEY_PASSPHRASE is not set" in result.output
    assert "Traceback" not in result.output


def test_cli_keys_development_env_uses_development_passphrase(env, tmp_path):
    result = laurel({**env, "LAUREL_KEY_PASSPHRASE": None, "LAUREL_ENV": "development"}, "init")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "keys" / "keys.json").exists()


def test_cli_keys_list_shows_public_fingerprints_only(initialised, keys_dir):
    result = laurel(initialised, "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:2] == ["ed25519", "1"] and "current" in lines[0]
    assert lines[1].split()[:2] == ["rsa", "1"] and "sha256:" in lines[1]
    multikey = lines[0].split()[-1]
    store = keys_dir.store
    assert (
        public_key_from_multikey(multikey).public_bytes_raw()
        == store.current("ed25519").public_key.public_bytes_raw()
    )
    assert "PRIVATE" not in result.output and keys_dir.passphrase not in result.output


def test_cli_keys_list_before_init_says_run_init(env):
    result = laurel(env, "list")
    assert result.exit_code == 1
    assert "laurel keys init" in result.output
    assert "Traceback" not in result.output


def test_cli_keys_rotate_marks_old_keys_retired(initialised):
    result = laurel(initialised, "rotate")
    assert result.exit_code == 0, result.output
    assert "#key-2" in result.output and "#rsa-2" in result.output
    listing = laurel(initialised, "list").output.splitlines()
    states = [(line.split()[0], line.split()[1], line.split()[3]) for line in listing]
    assert states == [
        ("ed25519", "1", "retired"),
        ("rsa", "1", "retired"),
        ("ed25519", "2", "current"),
        ("rsa", "2", "current"),
    ]


def test_cli_keys_rotate_one_kind(initialised):
    result = laurel(initialised, "rotate", "--kind", "rsa")
    assert result.exit_code == 0, result.output
    assert "#rsa-2" in result.output and "#key-2" not in result.output


def test_cli_keys_rotate_wrong_passphrase_exits_1_with_message(initialised):
    result = laurel({**initialised, "LAUREL_KEY_PASSPHRASE": "typo"}, "rotate")
    assert result.exit_code == 1
    assert "passphrase is wrong" in result.output
    assert "Traceback" not in result.output


def test_cli_keys_did_document_prints_json_with_every_ed25519_key(initialised):
    laurel(initialised, "rotate", "--kind", "ed25519")
    result = laurel(initialised, "did-document")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["id"] == "did:web:riverside.example"
    assert document["assertionMethod"] == [
        "did:web:riverside.example#key-1",
        "did:web:riverside.example#key-2",
        "did:web:riverside.example#rsa-1",
    ]


def test_cli_keys_jwks_prints_public_rsa_keys(initialised, keys_dir):
    result = laurel(initialised, "jwks")
    assert result.exit_code == 0, result.output
    (key,) = json.loads(result.output)["keys"]
    assert key["kid"] == "did:web:riverside.example#rsa-1" and "d" not in key
    store = keys_dir.store
    assert (
        public_key_from_jwk(key).public_numbers()
        == store.current("rsa").public_key.public_numbers()
    )
