"""The interop tests fail, never skip, when their JavaScript side is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.node import INSTALL_COMMAND
from tests.fixtures.node import require_node


def test_require_node_without_node_modules_fails_naming_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="npm ci --prefix tests/interop") as failed:
        require_node("/usr/bin/node", tmp_path, {"LAUREL_ALLOW_NO_NODE": "1"})
    assert INSTALL_COMMAND in str(failed.value)


def test_require_node_without_node_fails(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    with pytest.raises(pytest.fail.Exception, match="node is not installed"):
        require_node(None, tmp_path, {})


def test_require_node_without_node_and_allowed_skips(tmp_path: Path) -> None:
    with pytest.raises(pytest.skip.Exception):
        require_node(None, tmp_path, {"LAUREL_ALLOW_NO_NODE": "1"})


def test_require_node_installed_returns_executable(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    assert require_node("/usr/bin/node", tmp_path, {}) == "/usr/bin/node"
