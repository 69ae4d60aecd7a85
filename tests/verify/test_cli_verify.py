"""`laurel verify` and `laurel sign` on the command line: no server, no database, no app context."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from tests.credentials.samples import ISSUER_ID
from tests.credentials.samples import sample_credential
from tests.verify.factory import did_key_forgery
from tests.verify.factory import issue

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(keys_dir, tmp_path):
    """Settings of a school whose key store is the test one; instance folder in tmp_path."""
    return {
        "LAUREL_ENV": "production",
        "LAUREL_PUBLIC_URL": "https://laurel.test",
        "LAUREL_KEYS_DIR": str(keys_dir.path),
        "LAUREL_KEY_PASSPHRASE": keys_dir.passphrase,
        "LAUREL_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": "",
    }


@pytest.fixture
def cli_runner():
    return CliRunner()


def _write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


@pytest.fixture(scope="module")
def without_status(keys_dir):
    """A credential with no status list: fully verifiable offline with the school's keys."""
    return issue(keys_dir.store, 11, status_entries=())


def test_cli_verify_own_credential_offline_exit_0(cli_runner, env, tmp_path, without_status):
    path = _write(tmp_path, "credential.json", without_status.json_text)
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Genuine — “Small-engine repair 11”")
    assert "passed" in result.stdout and "proof" in result.stdout


def test_cli_verify_jwt_offline_exit_0(cli_runner, env, tmp_path, without_status):
    path = _write(tmp_path, "credential.jwt", without_status.jwt)
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 0, result.output


def test_cli_verify_json_output(cli_runner, env, tmp_path, without_status):
    path = _write(tmp_path, "credential.json", without_status.json_text)
    result = cli_runner.invoke(cli, ["verify", path, "--offline", "--json"], env=env)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["verdict"] == "verified" and data["issuer"]["is_own"] is True


def test_cli_verify_status_unchecked_offline_exit_1(cli_runner, env, tmp_path, keys_dir):
    """Offline, a credential with a status list cannot be fully verified: exit 1, said plainly."""
    path = _write(tmp_path, "credential.json", issue(keys_dir.store).json_text)
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 1
    assert result.stdout.startswith("Could not check everything")
    assert "could not check" in result.stdout


def test_cli_verify_tampered_exit_1(cli_runner, env, tmp_path, without_status):
    document = json.loads(without_status.json_text)
    document["credentialSubject"]["achievement"]["name"] = "Rocket science"
    path = _write(tmp_path, "credential.json", json.dumps(document))
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 1
    assert result.stdout.startswith("Not genuine — ")
    assert "FAILED" in result.stdout


def test_cli_verify_without_key_store_cannot_link_own_did(
    cli_runner, env, tmp_path, without_status
):
    """Without the school's store (a counselor's laptop, offline) the did:web key is unknown."""
    path = _write(tmp_path, "credential.json", without_status.json_text)
    result = cli_runner.invoke(
        cli, ["verify", path, "--offline"], env={**env, "LAUREL_KEYS_DIR": str(tmp_path / "none")}
    )
    assert result.exit_code == 1
    assert "offline" in result.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"not a credential", "cannot read"), (b"[" * 100_000, "nested")],
    ids=["empty_file", "text_file", "deep_json"],
)
def test_cli_verify_unusable_input_exit_2(cli_runner, env, tmp_path, content, words):
    path = _write(tmp_path, "input.bin", content)
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and words in result.stderr
    assert "Traceback" not in result.output


def test_cli_verify_missing_file_exit_2(cli_runner, env, tmp_path):
    result = cli_runner.invoke(cli, ["verify", str(tmp_path / "nothing.json")], env=env)
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_cli_verify_url_offline_exit_2(cli_runner, env):
    result = cli_runner.invoke(
        cli, ["verify", "https://laurel.test/credentials/1", "--offline"], env=env
    )
    assert result.exit_code == 2
    assert "offline" in result.stderr


def test_cli_verify_url_private_host_exit_2(cli_runner, env):
    """A URL into a private network is refused before connecting (no DNS needed for an IP)."""
    result = cli_runner.invoke(cli, ["verify", "https://10.0.0.1/credential.json"], env=env)
    assert result.exit_code == 2
    assert "private network" in result.stderr


def _unsigned(tmp_path: Path, number: int = 12, **changes) -> str:
    document = sample_credential(number, status_entries=())
    document["issuer"] = {**document["issuer"], **changes}
    document["issuer"] = {
        key: value for key, value in document["issuer"].items() if value is not None
    }
    return _write(tmp_path, "unsigned.json", json.dumps(document))


def test_cli_sign_both_then_verify(cli_runner, env, tmp_path):
    """Do `laurel sign --format both` outputs verify with `laurel verify`?"""
    out = tmp_path / "signed.json"
    result = cli_runner.invoke(
        cli, ["sign", _unsigned(tmp_path), "--format", "both", "--out", str(out)], env=env
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert out.with_suffix(".jwt").read_text().count(".") == 2
    for path in (out, out.with_suffix(".jwt")):
        verified = cli_runner.invoke(cli, ["verify", str(path), "--offline"], env=env)
        assert verified.exit_code == 0, verified.output


def test_cli_sign_sets_missing_issuer_id(cli_runner, env, tmp_path):
    result = cli_runner.invoke(cli, ["sign", _unsigned(tmp_path, id=None)], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["issuer"]["id"] == ISSUER_ID


def test_cli_sign_jwt_prints_token(cli_runner, env, tmp_path):
    result = cli_runner.invoke(cli, ["sign", _unsigned(tmp_path), "--format", "jwt"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("eyJ") and result.stdout.strip().count(".") == 2


def test_cli_sign_other_issuer_refused(cli_runner, env, tmp_path):
    result = cli_runner.invoke(
        cli, ["sign", _unsigned(tmp_path, id="did:web:other.example")], env=env
    )
    assert result.exit_code == 2
    assert "did:web:other.example" in result.stderr and ISSUER_ID in result.stderr


def test_cli_sign_invalid_credential_refused(cli_runner, env, tmp_path):
    path = _write(tmp_path, "unsigned.json", json.dumps({"@context": [], "type": "Nothing"}))
    result = cli_runner.invoke(cli, ["sign", path], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")


def test_cli_sign_without_keys_refused(cli_runner, env, tmp_path):
    result = cli_runner.invoke(
        cli, ["sign", _unsigned(tmp_path)], env={**env, "LAUREL_KEYS_DIR": str(tmp_path / "none")}
    )
    assert result.exit_code == 2
    assert "laurel keys init" in result.stderr


def test_cli_verify_subprocess_creates_no_database(env, tmp_path, without_status, laurel):
    """Does the installed `laurel verify` run with no server and leave no database behind?"""
    path = _write(tmp_path, "credential.json", without_status.json_text)
    workdir = tmp_path / "work"
    workdir.mkdir()
    completed = subprocess.run(
        [laurel, "verify", path, "--offline"],
        cwd=workdir,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("Genuine")
    created = [p for p in tmp_path.rglob("*") if p.suffix in (".db", ".sqlite", ".sqlite3")]
    assert created == []
    assert not (tmp_path / "instance").exists()
    assert not any((PROJECT / "instance").glob("*.db-journal"))


def test_cli_verify_damaged_key_store_exit_1_no_traceback(
    cli_runner, env, tmp_path, without_status
):
    keys = tmp_path / "damaged-keys"
    keys.mkdir()
    (keys / "keys.json").write_text("{ damaged")
    path = _write(tmp_path, "credential.json", without_status.json_text)
    result = cli_runner.invoke(
        cli, ["verify", path, "--offline"], env={**env, "LAUREL_KEYS_DIR": str(keys)}
    )
    assert result.exit_code == 1
    assert "key store could not be read" in result.stdout
    assert "Traceback" not in result.output


def test_cli_verify_forged_school_name_did_key_exit_3(cli_runner, env, tmp_path, without_status):
    """The school's name signed by a forger's did:key: exit 3 (unknown issuer), not 0."""
    forged, _did = did_key_forgery(without_status.document)
    path = _write(tmp_path, "forged.json", json.dumps(forged))
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("Unknown issuer — ")
    assert "issued by Riverside High School" not in result.stdout
    assert "No signed learner name is present in this credential." in result.stdout
    assert "3  unknown issuer" in cli_runner.invoke(cli, ["verify", "--help"], env=env).stdout


def test_cli_verify_did_key_on_trust_list_exit_0(cli_runner, env, tmp_path, without_status):
    forged, did = did_key_forgery(without_status.document)
    path = _write(tmp_path, "forged.json", json.dumps(forged))
    trust = _write(tmp_path, "trust.json", json.dumps([{"id": did, "name": "Hillside Academy"}]))
    result = cli_runner.invoke(cli, ["verify", path, "--offline", "--trust", trust], env=env)
    assert result.exit_code == 0, result.output
    assert "issued by Hillside Academy to" in result.stdout


def test_cli_verify_trust_list_malformed_exit_2(cli_runner, env, tmp_path, without_status):
    path = _write(tmp_path, "credential.json", without_status.json_text)
    trust = _write(tmp_path, "trust.json", '[{"id": "school.example"}]')
    result = cli_runner.invoke(cli, ["verify", path, "--offline", "--trust", trust], env=env)
    assert result.exit_code == 2
    assert "has no name" in result.stderr


def test_cli_verify_signed_learner_name_printed(cli_runner, env, tmp_path, without_status):
    document = copy.deepcopy(without_status.document)
    document["credentialSubject"]["identifier"].append(
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Ada L.",
        }
    )
    forged, did = did_key_forgery(document)
    path = _write(tmp_path, "named.json", json.dumps(forged))
    trust = _write(tmp_path, "trust.json", json.dumps([{"id": did, "name": "Hillside Academy"}]))
    result = cli_runner.invoke(cli, ["verify", path, "--offline", "--trust", trust], env=env)
    assert result.exit_code == 0, result.output
    assert "Learner: Ada L. (the name is part of the signed credential)." in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("not-json.json", b"not a credential at all", "JSON"),
        ("empty.json", b"", ""),
        ("binary.png", b"\x89PNG\r\n\x1a\nbroken", ""),
        ("missing.json", None, "cannot read"),
    ],
    ids=["plain-text", "empty-file", "truncated-png", "missing-file"],
)
def test_cli_verify_json_unusable_input_one_json_object_exit_2(
    cli_runner, env, tmp_path, name, content, words
):
    """With --json, unusable input is still one JSON object on stdout, with exit status 2."""
    path = str(tmp_path / name) if content is None else _write(tmp_path, name, content)
    result = cli_runner.invoke(cli, ["verify", path, "--offline", "--json"], env=env)
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert data["verified"] is False and data["verdict"] == "unusable input"
    assert words in data["error"] and not data["error"].startswith("Error")
    assert "Error:" not in result.stdout


def test_cli_verify_json_missing_trust_list_one_json_object_exit_2(
    cli_runner, env, tmp_path, without_status
):
    path = _write(tmp_path, "credential.json", without_status.json_text)
    missing = str(tmp_path / "no-such-trust.json")
    result = cli_runner.invoke(
        cli, ["verify", path, "--offline", "--json", "--trust", missing], env=env
    )
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert data["verdict"] == "unusable input" and "trust list" in data["error"]


def test_cli_verify_without_json_unusable_input_stays_plain_text(cli_runner, env, tmp_path):
    path = _write(tmp_path, "not-json.json", b"not a credential at all")
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.startswith("Error: ")


def test_cli_verify_learner_record_prints_each_credential(cli_runner, env, tmp_path, keys_dir):
    """Does `laurel verify` on a CLR report the record, then each credential inside?"""
    from app.credentials.clr import build_clr
    from app.credentials.document import SubjectData
    from app.credentials.signing import sign_document
    from tests.credentials.samples import NOW
    from tests.credentials.samples import SCHOOL

    credentials = [issue(keys_dir.store, n, status_entries=()).document for n in (12, 13)]
    record = build_clr(
        clr_id="urn:uuid:aaaaaaaa-0000-4000-8000-000000000003",
        issuer=SCHOOL,
        subject=SubjectData(id="urn:uuid:1b7e0000-0000-4000-8000-000000000000"),
        credentials=credentials,
        valid_from=NOW,
        name="Learner record",
    )
    signed = sign_document(record, keystore=keys_dir.store, now=NOW)
    path = _write(tmp_path, "record.json", json.dumps(signed))
    result = cli_runner.invoke(cli, ["verify", path, "--offline"], env=env)
    assert result.exit_code == 0, result.output
    assert "All 2 credentials inside verify." in result.stdout
    assert "Credential 1 of 2 in the record: Genuine — “Small-engine repair 12”" in result.stdout
    assert "Credential 2 of 2 in the record: Genuine — “Small-engine repair 13”" in result.stdout
