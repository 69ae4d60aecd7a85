"""`make run` on a chosen port, and the `laurel` command beside the development server.

The recipe runs for real (its install step skipped: STAMP= and BIN= point at this
environment) with its instance folder and keys in tmp_path.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def dev_env(tmp_path):
    """An environment like a new user's shell: no LAUREL_* set, instance and keys in tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
    env.pop("DATABASE_URL", None)
    env["LAUREL_INSTANCE_PATH"] = str(tmp_path / "instance")
    env["LAUREL_KEYS_DIR"] = str(tmp_path / "keys")
    return env


def _make_run(env, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            "make",
            "-s",
            "--no-print-directory",
            "run",
            "STAMP=",
            f"BIN={Path(sys.executable).parent}",
            *args,
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_make_run_port_busy_says_how_to_pick_another_before_any_sign_in_line(dev_env):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = _make_run(dev_env, f"PORT={port}")
        stdout, stderr = run.communicate(timeout=120)
    assert run.returncode != 0
    assert "Sign in at" not in stdout
    assert f"port {port} on 127.0.0.1 is in use" in stderr
    assert f"make run PORT={port + 1}" in stderr
    assert not (Path(dev_env["LAUREL_INSTANCE_PATH"]) / "laurel.db").exists()


def _wait_for(url: str, seconds: float = 60) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.parametrize(
    ("variables", "args", "port"),
    [({}, [], 5000), ({"LAUREL_PORT": "5003"}, [], 5003), ({}, ["PORT=5004"], 5004)],
    ids=["default", "LAUREL_PORT", "PORT"],
)
def test_make_run_port_sets_server_and_public_url_together(dev_env, variables, args, port):
    recipe = subprocess.run(
        ["make", "-n", "--no-print-directory", "run", "STAMP=", *args],
        cwd=PROJECT,
        env={**dev_env, **variables},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"http://127.0.0.1:{port}}}" in recipe
    assert f"prepare --host 127.0.0.1 --port {port} " in recipe
    assert recipe.rstrip().endswith(f"run --host 127.0.0.1 --port {port}")


def test_make_run_other_port_serves_its_did_and_cli_beside_it_works(dev_env, laurel):
    """The port sets the public URL too; then `laurel badges list` works in a second shell."""
    port = _free_port()
    run = _make_run(dev_env, f"PORT={port}")
    try:
        document = json.loads(_wait_for(f"http://127.0.0.1:{port}/.well-known/did.json", 180))
        assert document["id"] == f"did:web:127.0.0.1%3A{port}"
        badges = subprocess.run(
            [laurel, "badges", "list"], env=dev_env, capture_output=True, text=True, timeout=60
        )
        assert badges.returncode == 0, badges.stderr
        assert "data-plotting-in-excel" in badges.stdout
        keys = subprocess.run(
            [laurel, "keys", "did-document"], env=dev_env, capture_output=True, text=True
        )
        assert json.loads(keys.stdout)["id"] == document["id"]
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        stdout, _ = run.communicate(timeout=30)
    assert f"Sign in at http://127.0.0.1:{port}/login" in stdout


def test_cli_ignores_development_settings_when_environment_says_production(dev_env, laurel):
    """A server configured by its environment is never turned into development by the file."""
    instance = Path(dev_env["LAUREL_INSTANCE_PATH"])
    instance.mkdir()
    (instance / "development.env").write_text(
        "LAUREL_ENV=development\nLAUREL_PUBLIC_URL=http://127.0.0.1:5001\n"
    )
    result = subprocess.run(
        [laurel, "users", "list"],
        env={**dev_env, "LAUREL_ENV": "production"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "LAUREL_KEY_PASSPHRASE is not set" in result.stderr


@pytest.mark.parametrize(
    "text",
    ["LAUREL_ENV=production\n", "LAUREL_PUBLIC_URL=http://127.0.0.1:5001\n", "\x00\xff garbage"],
    ids=["says-production", "no-env-line", "binary-garbage"],
)
def test_cli_development_settings_file_not_development_is_ignored(dev_env, laurel, text):
    instance = Path(dev_env["LAUREL_INSTANCE_PATH"])
    instance.mkdir()
    (instance / "development.env").write_bytes(text.encode("latin-1"))
    result = subprocess.run([laurel, "users", "list"], env=dev_env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "LAUREL_KEY_PASSPHRASE is not set" in result.stderr


def test_prepare_on_new_port_warns_that_seeded_school_keeps_its_address(dev_env, laurel):
    instance = Path(dev_env["LAUREL_INSTANCE_PATH"])
    instance.mkdir()
    (instance / "laurel.db").write_bytes(b"")
    (instance / "development.env").write_text(
        "LAUREL_ENV=development\nLAUREL_PUBLIC_URL=http://127.0.0.1:5000\n"
    )
    port = _free_port()
    result = subprocess.run(
        [laurel, "develop", "prepare", "--port", str(port)],
        env=dev_env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "was set up at http://127.0.0.1:5000" in result.stderr
    assert (
        f"LAUREL_PUBLIC_URL=http://127.0.0.1:{port}" in (instance / "development.env").read_text()
    )
