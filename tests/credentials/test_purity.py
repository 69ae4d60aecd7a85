"""The credential library and the verification core stay free of Flask and the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import importlib, pkgutil, sys
import app.credentials, app.credentials.proofs
packages = [app.credentials, app.credentials.proofs]
try:
    import app.verify.core
    packages.append(app.verify.core)
except ModuleNotFoundError:
    pass
imported = []
for package in packages:
    for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
        imported.append(module.name)
leaked = sorted({"flask", "sqlalchemy", "flask_sqlalchemy"} & set(sys.modules))
foreign = sorted(
    name for name in sys.modules
    if name.startswith("app.") and name != "app.verify"
    and not name.startswith(("app.credentials", "app.verify.core"))
)
print(len(imported), leaked, foreign)
assert not leaked, leaked
assert not foreign, foreign
"""


def test_credential_modules_import_without_flask_or_database() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    count = int(result.stdout.split()[0])
    assert count >= 8
