"""scripts/test_passes.py: the closing line of each pass and whether the pass counts as green.

Each case runs a real pytest on a small generated test module and reads its JUnit XML report.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("test_passes", ROOT / "scripts/test_passes.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module is being executed.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


test_passes = _load_script()


def _run_pytest(tmp_path: Path, body: str, *args: str) -> tuple[Path, int]:
    """Run pytest on a module holding `body`; return its JUnit report and exit code."""
    (tmp_path / "test_sample.py").write_text(body, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    junit = tmp_path / "report.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    code = subprocess.call(
        [*command, f"--junitxml={junit}", *args],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return junit, code


PASSING = "def test_a():\n    pass\n\ndef test_b():\n    pass\n"
MIXED = (
    "import pytest\n\n"
    "def test_ok():\n    pass\n\n"
    "def test_broken():\n    assert 1 == 2\n\n"
    "@pytest.fixture\ndef bad():\n    raise RuntimeError('setup')\n\n"
    "def test_error(bad):\n    pass\n\n"
    "@pytest.mark.skip(reason='not here')\ndef test_skipped():\n    pass\n"
)
ONLY_SKIPPED = "import pytest\n\n@pytest.mark.skip(reason='x')\ndef test_s():\n    pass\n"


@pytest.mark.parametrize(
    ("body", "args", "line", "ok"),
    [
        pytest.param(PASSING, (), "SQLite: 2 passed, 0 failed", True, id="all-pass"),
        pytest.param(
            MIXED, (), "SQLite: 1 passed, 2 failed, 1 skipped", False, id="failure-and-setup-error"
        ),
        pytest.param(
            PASSING,
            ("-k", "no_such_test"),
            "SQLite: ran no test (pytest exit code 5)",
            False,
            id="no-test-selected",
        ),
        pytest.param(
            ONLY_SKIPPED, (), "SQLite: 0 passed, 0 failed, 1 skipped", False, id="only-skipped"
        ),
        pytest.param(
            "import no_such_module_zzz\n",
            (),
            "SQLite: 0 passed, 1 failed",
            False,
            id="collection-error",
        ),
    ],
)
def test_summary_real_pytest_run_gives_line_and_verdict(
    tmp_path: Path, body: str, args: tuple[str, ...], line: str, ok: bool
) -> None:
    junit, code = _run_pytest(tmp_path, body, *args)
    assert test_passes.summary("SQLite", junit, code) == (line, ok)


@pytest.mark.parametrize(
    "report",
    [
        pytest.param(None, id="report-missing"),
        pytest.param("<testsuites><testsuite tests=", id="report-truncated"),
    ],
)
def test_summary_pass_that_did_not_finish_fails(tmp_path: Path, report: str | None) -> None:
    junit = tmp_path / "report.xml"
    if report is not None:
        junit.write_text(report, encoding="utf-8")
    assert test_passes.summary("PostgreSQL", junit, 2) == (
        "PostgreSQL: did not finish (pytest exit code 2)",
        False,
    )


def test_postgres_answers_wrong_port_gives_reason() -> None:
    reason = test_passes.postgres_answers("postgresql+psycopg://postgres@127.0.0.1:1/none")
    assert reason is not None and "127.0.0.1" in reason


def test_progress_of_a_running_pass_is_its_last_percentage(tmp_path: Path) -> None:
    log = tmp_path / "pass.log"
    assert test_passes._progress(log) == "starting"
    log.write_text("SQLite pass: collecting\n", encoding="utf-8")
    assert test_passes._progress(log) == "SQLite pass: collecting"
    log.write_text("....  [  9%]\n.F..  [ 45%]\n..", encoding="utf-8")
    assert test_passes._progress(log) == "[ 45%]"
