"""`make bench` in its quick mode runs end to end and writes every result as a number.

No speed is asserted: the numbers are the bench's to report. The bench measures SQLite
and PostgreSQL in one run, so this test runs in the PostgreSQL pass, on a database of
its own beside the tests' (the bench drops and rebuilds the schema it is given).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import harness
from bench.harness import Request
from bench.run import DATABASES
from bench.run import RESULT_KEYS
from bench.run import table
from bench.run import unexpected_key
from bench.web import PATHS
from tests.fixtures.app import postgres_url

ROOT = Path(__file__).resolve().parents[1]
# May be zero or below when the memory stays flat; every other result is a rate, a ratio
# or a time.
SIGNED_KEYS = {"pdf_rss_growth_mib_per_400"}


def _bench_database(test_url: str) -> str:
    """The tests' database name with _bench, on the same server; created when missing."""
    import psycopg
    from psycopg import sql

    # Without the tests' connection options: the bench measures commits as a school's
    # server makes them.
    url = sa.engine.make_url(test_url).set(query={})
    name = f"{url.database}_bench"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def bench_run(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    test_url = postgres_url()
    if test_url is None:
        pytest.skip("the bench measures PostgreSQL too: it runs in the PostgreSQL pass")
    env = {
        **os.environ,
        "BENCH_QUICK": "1",
        "BENCH_OUT": str(tmp_path),
        "BENCH_POSTGRES_URL": _bench_database(test_url),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_quick_bench_writes_every_result(bench_run, tmp_path: Path) -> None:
    assert bench_run.returncode == 0, bench_run.stdout + bench_run.stderr
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    for key in RESULT_KEYS:
        value = results.get(key)
        assert isinstance(value, int | float) and not isinstance(value, bool), (key, value)
        assert math.isfinite(value), (key, value)
        if key not in SIGNED_KEYS:
            assert value > 0, (key, value)
    assert all(isinstance(value, int | float) for value in results.values())
    # Every measured path answered only its expected status, and says so per database.
    for ratio in PATHS:
        for name in DATABASES:
            if f"{ratio}_{name}" in results:
                assert results[unexpected_key(ratio, name)] == 0, (ratio, name)
    # The printed table names every row and both databases.
    assert "| path | SQLite | PostgreSQL | target |" in bench_run.stdout
    assert "verification page (QR link) / trivial" in bench_run.stdout


def test_bench_stops_clearly_without_postgres(tmp_path: Path) -> None:
    """PostgreSQL that does not answer: a message naming it, no results, before any work."""
    env = {
        **os.environ,
        "BENCH_QUICK": "1",
        "BENCH_OUT": str(tmp_path),
        "BENCH_POSTGRES_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "PostgreSQL does not answer at postgresql+psycopg://postgres@127.0.0.1:1/nowhere" in (
        result.stderr
    )
    assert not (tmp_path / "results.json").exists()


def test_wrk_counts_the_answers_a_path_should_not_give() -> None:
    """A share link with no credential behind it answers 404 under load: counted, not measured
    silently as if it were the page; the trivial route's 200s count as expected."""
    missing = Request("/s/" + "a" * 32)
    with harness.instance(None) as made, harness.server(made) as served:
        wrong = harness.wrk_rate(served, [missing], seconds=1)
        right = harness.wrk_rate(served, [Request(harness.TRIVIAL_PATH)], seconds=1)
        as_expected = harness.wrk_rate(served, [missing], seconds=1, expected=404)
    assert wrong.rate > 0
    assert set(wrong.unexpected) == {404}
    assert wrong.unexpected_count > 0
    assert "x HTTP 404" in wrong.describe_unexpected()
    assert right.unexpected_count == 0
    assert as_expected.unexpected_count == 0


def test_table_marks_a_path_that_answered_unexpectedly() -> None:
    results: dict[str, float] = {}
    for name in DATABASES:
        results[f"trivial_req_per_s_min_{name}"] = 1000.0
        results[f"trivial_req_per_s_max_{name}"] = 1100.0
        results[f"share_page_ratio_{name}"] = 0.6
        results[unexpected_key("share_page_ratio", name)] = 0
    results[unexpected_key("share_page_ratio", "postgres")] = 37
    row = next(line for line in table(results).splitlines() if "share page" in line)
    assert row == (
        "| share page /s/<token> / trivial | 0.60 | 0.60 !! 37 unexpected answers | >= 0.5 |"
    )
