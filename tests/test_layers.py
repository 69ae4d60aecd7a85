"""The layer contracts in pyproject.toml hold, and they fail when a lower layer reaches up.

Each test copies the package's Python files and pyproject.toml to a temporary folder, changes
the copy, and runs the real `lint-imports` there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of app/ (Python files only) and pyproject.toml."""
    shutil.copytree(
        ROOT / "app",
        tmp_path / "app",
        ignore=lambda folder, names: [
            name
            for name in names
            if name == "__pycache__"
            or (not name.endswith(".py") and not (Path(folder) / name).is_dir())
        ],
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{statement}\n", encoding="utf-8")


def test_lint_imports_unchanged_tree_keeps_every_contract(tree: Path) -> None:
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "statement", "expected"),
    [
        pytest.param(
            "app.credentials.document",
            "import app.issuing",
            "app.credentials is not allowed to import app.issuing",
            id="credentials-imports-issuing",
        ),
        pytest.param(
            "app.credentials.signing",
            "from app.badges import models",
            "app.credentials is not allowed to import app.badges",
            id="credentials-imports-badge-models",
        ),
        pytest.param(
            "app.verify.core.report",
            "from app.share import services",
            "app.verify.core is not allowed to import app.share",
            id="verify-core-imports-share",
        ),
        pytest.param(
            "app.accounts.models",
            "from app.evidence import services",
            "app.accounts.models is not allowed to import app.evidence",
            id="accounts-imports-evidence",
        ),
        pytest.param(
            "app.badges.services",
            "from app.share import views",
            "app.badges.services is not allowed to import app.share",
            id="badges-imports-share-views",
        ),
        pytest.param(
            "app.issuing.issuance",
            "from app.evidence import services",
            "app.issuing is not allowed to import app.evidence",
            id="issuing-imports-evidence",
        ),
        pytest.param(
            "app.issuing.status_changes",
            "from app.badges import services",
            "app.issuing is not allowed to import app.badges.services",
            id="issuing-imports-badge-services",
        ),
        pytest.param(
            "app.credentials.keys",
            "import flask",
            "app.credentials is not allowed to import flask",
            id="credentials-imports-flask",
        ),
        pytest.param(
            "app.verify.core.parse",
            "from sqlalchemy import orm",
            "app.verify.core is not allowed to import sqlalchemy",
            id="verify-core-imports-sqlalchemy",
        ),
        pytest.param(
            "app.verify.core.pipeline",
            "import flask_login",
            "app.verify.core is not allowed to import flask_login",
            id="verify-core-imports-flask-login",
        ),
        pytest.param(
            "app.verify.views",
            "from app.api import views",
            "app.verify is not allowed to import app.api",
            id="verify-adapter-imports-api",
        ),
    ],
)
def test_lint_imports_lower_layer_reaching_up_breaks_contract(
    tree: Path, module: str, statement: str, expected: str
) -> None:
    _add_import(tree, module, statement)
    result = _lint_imports(tree)
    assert result.returncode != 0
    assert expected in result.stdout, result.stdout + result.stderr


def test_layers_contract_names_every_top_level_module() -> None:
    """Is each module or package directly under app/ placed in a layer?"""
    layers = next(c for c in _contracts() if c["type"] == "layers")["layers"]
    placed = {
        name.strip(" ()").split(".")[1]
        for layer in layers
        for name in layer.replace(":", "|").split("|")
    }
    present = {
        path.stem if path.suffix == ".py" else path.name
        for path in (ROOT / "app").iterdir()
        if path.name != "__init__.py" and (path.suffix == ".py" or (path / "__init__.py").exists())
    }
    assert present - placed == set()
