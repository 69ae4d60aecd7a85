"""Run the suite on SQLite and again on PostgreSQL, then print one summary line per pass.

`make test` calls this after `make lint`. The PostgreSQL pass is part of the suite: when the
server does not answer, the run fails at once. Outside CI a developer without PostgreSQL may
set LAUREL_SKIP_POSTGRES=1; under CI=true nothing is skipped.

Each pass writes a JUnit XML report to test-artifacts/; the summary line is read from it
("SQLite: 1208 passed, 0 failed, 3 skipped"). The run exits non-zero when a pass failed, did
not finish, or ran no test (pytest's exit code 5).

Usage: python scripts/test_passes.py POSTGRES_URL [--parallel] [PYTEST_ARGS...]
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
NO_TESTS_COLLECTED = 5
# How often the passes run at once say how far each has come (their output goes to files).
HEARTBEAT_SECONDS = 300
# The pure library and the Node.js interop tests never touch the database: once is enough.
POSTGRES_IGNORES = ("--ignore=tests/credentials", "--ignore=tests/interop")


@dataclass(frozen=True)
class Pass:
    name: str
    args: tuple[str, ...]
    env: dict[str, str]

    @property
    def junit(self) -> Path:
        return ARTIFACTS / f"{self.name.lower()}.xml"

    @property
    def log(self) -> Path:
        return ARTIFACTS / f"{self.name.lower()}.log"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            f"--junitxml={self.junit}",
            *self.args,
        ]


def counts(junit: Path) -> tuple[int, int, int]:
    """Passed, failed (failures and errors) and skipped tests in a JUnit XML report."""
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = failed = skipped = 0
    for suite in suites:
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def summary(name: str, junit: Path, returncode: int) -> tuple[str, bool]:
    """A pass's closing line and whether the pass succeeded."""
    if returncode == NO_TESTS_COLLECTED:
        return f"{name}: ran no test (pytest exit code 5)", False
    try:
        passed, failed, skipped = counts(junit)
    except (OSError, ET.ParseError):
        return f"{name}: did not finish (pytest exit code {returncode})", False
    line = f"{name}: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    return line, returncode == 0 and failed == 0 and passed > 0


def postgres_answers(url: str) -> str | None:
    """None when the server accepts a connection, otherwise the reason it did not."""
    import psycopg

    try:
        psycopg.connect(url.replace("+psycopg", "", 1), connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip() or type(error).__name__
    return None


def _progress(log: Path) -> str:
    """The last percentage pytest printed to `log` ("[ 45%]"), or what it printed last."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    marks = re.findall(r"\[\s*\d+%\]", text)
    if marks:
        return marks[-1]
    lines = text.strip().splitlines()
    return lines[-1][:120] if lines else "starting"


def run(passes: list[Pass], parallel: bool) -> list[int]:
    """Run the passes, streaming output when sequential, logging to files when parallel."""
    if not parallel:
        return [subprocess.call(p.command(), env=p.env, cwd=ROOT) for p in passes]
    logs: list[IO[bytes]] = [p.log.open("wb") for p in passes]
    procs = [
        subprocess.Popen(p.command(), env=p.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        for p, log in zip(passes, logs, strict=True)
    ]
    said = time.monotonic()
    while any(proc.poll() is None for proc in procs):
        time.sleep(1)
        if time.monotonic() - said >= HEARTBEAT_SECONDS:
            said = time.monotonic()
            for test_pass, proc in zip(passes, procs, strict=True):
                state = "running" if proc.poll() is None else f"done (exit {proc.returncode})"
                print(f"{test_pass.name} pass {state}: {_progress(test_pass.log)}", flush=True)
    codes = [proc.wait() for proc in procs]
    for test_pass, log in zip(passes, logs, strict=True):
        log.close()
        print(f"===== {test_pass.name} pass (log: {test_pass.log.relative_to(ROOT)}) =====")
        sys.stdout.write(test_pass.log.read_text(encoding="utf-8", errors="replace"))
    return codes


def main(argv: list[str]) -> int:
    postgres_url, *rest = argv
    parallel = "--parallel" in rest
    pytest_args = tuple(arg for arg in rest if arg != "--parallel")
    base_env = {key: value for key, value in os.environ.items() if key != "LAUREL_TEST_POSTGRES"}
    passes = [Pass("SQLite", pytest_args, base_env)]
    notes: list[str] = []

    in_ci = os.environ.get("CI", "").lower() == "true"
    if os.environ.get("LAUREL_SKIP_POSTGRES") == "1" and not in_ci:
        notes.append("PostgreSQL: not run (LAUREL_SKIP_POSTGRES=1; never skipped under CI=true)")
    else:
        reason = postgres_answers(postgres_url)
        if reason is not None:
            print(
                f"PostgreSQL does not answer at {postgres_url}: {reason}\n"
                "The PostgreSQL pass is part of `make test`: start the server, point POSTGRES_URL "
                "at it, or (outside CI) set LAUREL_SKIP_POSTGRES=1 to skip that pass.",
                file=sys.stderr,
            )
            return 1
        env = {**base_env, "LAUREL_TEST_POSTGRES": postgres_url}
        passes.append(Pass("PostgreSQL", (*POSTGRES_IGNORES, *pytest_args), env))

    ARTIFACTS.mkdir(exist_ok=True)
    for test_pass in passes:
        test_pass.junit.unlink(missing_ok=True)
        print(f"{test_pass.name} pass: {shlex.join(test_pass.command())}")
    started = time.monotonic()
    codes = run(passes, parallel)
    minutes = (time.monotonic() - started) / 60

    results = [summary(p.name, p.junit, code) for p, code in zip(passes, codes, strict=True)]
    how = "in parallel" if parallel else "one after the other"
    print(f"\nTest passes ({how}, {minutes:.1f} min):")
    for line in [*notes, *(line for line, _ in results)]:
        print(line)
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
