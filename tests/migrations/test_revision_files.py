"""Released revisions never change, and the revisions form one straight line.

The checksums are checked by scripts/migrations_lock.py, run here as a developer runs
it (`make migrations-lock`, `make db-check`), on the real folder and on copies of it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"
LOCK_SCRIPT = ROOT / "scripts" / "migrations_lock.py"
FILE_NAME = re.compile(r"\d{8}_(?P<revision>[0-9A-Za-z]+)_\w+\.py")


def _lock(versions: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LOCK_SCRIPT), "--versions", str(versions), *args],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def versions_copy(tmp_path) -> Path:
    """A copy of the revisions, locked afresh (so these tests do not hang on the real lock)."""
    copy = tmp_path / "versions"
    shutil.copytree(VERSIONS, copy, ignore=shutil.ignore_patterns("__pycache__", "CHECKSUMS"))
    locked = _lock(copy)
    assert locked.returncode == 0, locked.stderr
    assert locked.stdout.count("locked ") == len(list(copy.glob("*.py")))
    return copy


def test_released_revisions_unchanged_and_every_revision_locked():
    result = _lock(VERSIONS, "--check")
    assert result.returncode == 0, result.stderr


def test_revision_graph_is_one_straight_line():
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    assert len(scripts.get_heads()) == 1, f"several heads: {scripts.get_heads()}"
    assert len(scripts.get_bases()) == 1, f"several bases: {scripts.get_bases()}"
    for script in scripts.walk_revisions():
        assert not script.is_merge_point, f"{script.revision} merges {script.down_revision}"
        assert len(script.nextrev) <= 1, f"{script.revision} branches to {script.nextrev}"
        assert not script.branch_labels and not script.dependencies, script.revision


def test_each_file_name_holds_its_revision_id():
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    for script in scripts.walk_revisions():
        name = Path(script.path).name
        match = FILE_NAME.fullmatch(name)
        assert match, f"{name}: name revision files YYYYMMDD_<revision>_<slug>.py"
        assert match["revision"] == script.revision, f"{name} holds revision {script.revision}"


def test_lock_appends_a_new_revision_and_keeps_released_lines(versions_copy):
    released = (versions_copy / "CHECKSUMS").read_text()
    (versions_copy / "20261203_0099_new_table.py").write_text('revision = "0099"\n')

    refused = _lock(versions_copy, "--check")
    assert refused.returncode == 1
    assert "20261203_0099_new_table.py" in refused.stderr
    assert "make migrations-lock" in refused.stderr

    locked = _lock(versions_copy)
    assert locked.returncode == 0, locked.stderr
    lines = (versions_copy / "CHECKSUMS").read_text()
    assert lines.startswith(released)
    assert lines[len(released) :].endswith("  20261203_0099_new_table.py\n")
    assert _lock(versions_copy, "--check").returncode == 0


@pytest.mark.parametrize("change", ["one-byte-appended", "deleted"])
def test_lock_refuses_an_edited_or_deleted_released_revision(versions_copy, change):
    released = (versions_copy / "CHECKSUMS").read_text()
    baseline = versions_copy / "20261123_0001_initial_schema.py"
    if change == "deleted":
        baseline.unlink()
    else:
        baseline.write_bytes(baseline.read_bytes() + b"\n")

    for args in (("--check",), ()):
        result = _lock(versions_copy, *args)
        assert result.returncode == 1
        assert "20261123_0001_initial_schema.py" in result.stderr
        assert "NEW revision" in result.stderr
    assert (versions_copy / "CHECKSUMS").read_text() == released


def test_lock_names_the_line_of_a_garbled_checksum_file(versions_copy):
    (versions_copy / "CHECKSUMS").write_text("not a checksum\n")
    result = _lock(versions_copy, "--check")
    assert result.returncode == 1
    assert "CHECKSUMS:1" in result.stderr
