"""The `laurel` command refuses unsafe settings with the reason, never a traceback."""

from __future__ import annotations

import os
import subprocess


def test_cli_app_command_without_passphrase_in_production_exits_2_with_reason(tmp_path, laurel):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
    env["LAUREL_INSTANCE_PATH"] = str(tmp_path / "instance")
    result = subprocess.run(
        [laurel, "users", "list"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "LAUREL_KEY_PASSPHRASE is not set" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
