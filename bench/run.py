"""`make bench`: every row of Laurel's performance table in one run, on SQLite and PostgreSQL.

Run from the repository root: `python bench/run.py`. It needs PostgreSQL
(BENCH_POSTGRES_URL, a database the bench may wipe; default the `test` database on
127.0.0.1), Redis (BENCH_REDIS_URL) and wrk, and stops at once with a message when one
is missing. In turn:
1. Data Integrity sign and verify against Digital Bazaar's vc-js (bench/credentials.py);
2. for each database, one fresh instance (bench/harness.py): approve-and-issue latency
   (bench/approvals.py), bulk issuance (bench/bulk.py), then the web paths under wrk
   against the trivial route of the same gunicorn (bench/web.py);
3. on the SQLite instance, the PDF certificate: warm render time and the resident-memory
   growth over PDF_RENDERS renders in one process (bench/pdf.py).
Prints the table and writes results.json (numbers only) to BENCH_OUT (default
bench/out/). A web path's unsuffixed ratio is the lower of its two databases', so it
meets its target only when both do. A web path that answered anything but its expected
status under load is marked in its row, and the bench then exits 1 after writing the
results (the rate of a path that answers errors or redirects is not the path's).
BENCH_QUICK=1 shrinks every count and duration.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import approvals  # noqa: E402
from bench import bulk  # noqa: E402
from bench import credentials  # noqa: E402
from bench import harness  # noqa: E402
from bench import pdf  # noqa: E402
from bench import web  # noqa: E402

PDF_RENDERS = 10 if harness.QUICK else 400
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# The keys every run writes; tests/test_bench.py and whoever compares runs rely on them.
RESULT_KEYS = (
    "di_sign_ratio_vs_vcjs",
    "di_verify_ratio_vs_vcjs",
    "approve_p95_ms_sqlite",
    "approve_p95_ms_postgres",
    "bulk_per_s_sqlite",
    "bulk_per_s_postgres",
    "verify_page_ratio",
    "api_verify_ratio",
    "share_page_ratio",
    "credential_json_ratio",
    "pdf_warm_ms",
    "pdf_rss_growth_mib_per_400",
)


def output_dir() -> Path:
    return Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")


def _step(text: str) -> None:
    print(f"== {text}", flush=True)


def measure_database(name: str, results: dict[str, float]) -> None:
    """Approvals, bulk issuance and the web paths in one fresh instance; PDFs on SQLite."""
    database_url = harness.postgres_url() if name == "postgres" else None
    with harness.instance(database_url) as made:
        instructor_id, badge_id = harness.seed_badge()
        _step(f"{made.label}: approve and issue, {approvals.RUNS} approvals")
        latency = approvals.measure(instructor_id, badge_id)
        results[f"approve_p95_ms_{name}"] = latency.p95_ms
        results[f"approve_median_ms_{name}"] = latency.median_ms
        _step(f"{made.label}: bulk issuance of {bulk.COUNT} credentials")
        results[f"bulk_per_s_{name}"] = bulk.measure(instructor_id, badge_id).per_second
        shared = harness.seed_shared_credentials(instructor_id, badge_id, web.SHARED)
        _step(f"{made.label}: web paths under wrk, {harness.WRK_SECONDS} s each")
        for key, value in web.measure(made, shared).items():
            results[f"{key}_{name}"] = value


def measure_all() -> dict[str, float]:
    harness.check_services()
    _step("Data Integrity sign and verify, Laurel and vc-js")
    results = credentials.di_ratios()
    for name in DATABASES:
        measure_database(name, results)
    _step(f"PDF certificate, {PDF_RENDERS} renders in one process after a worker's warm-up")
    results.update(pdf.measure(PDF_RENDERS))
    for ratio in web.PATHS:
        keys = [f"{ratio}_{name}" for name in DATABASES]
        measured = [results[key] for key in keys if key in results]
        if measured:
            results[ratio] = min(measured)
    return results


@dataclass(frozen=True)
class Row:
    """One line of the table: how to show a result and what it should reach."""

    label: str
    key: str  # the results.json key, before _sqlite/_postgres when per_database
    show: Callable[[float], str]
    target: str
    met: Callable[[float], bool] | None
    per_database: bool = True


def _ratio(value: float) -> str:
    return f"{value:.2f}"


def _web_row(label: str, key: str, target: float) -> Row:
    return Row(label, key, _ratio, f">= {target}", lambda value: value >= target)


ROWS = (
    Row(
        "Data Integrity sign, Laurel / vc-js",
        "di_sign_ratio_vs_vcjs",
        lambda value: f"{value:.1f}x",
        "> 1",
        lambda value: value > 1,
        per_database=False,
    ),
    Row(
        "Data Integrity verify, Laurel / vc-js",
        "di_verify_ratio_vs_vcjs",
        lambda value: f"{value:.1f}x",
        "> 1",
        lambda value: value > 1,
        per_database=False,
    ),
    Row(
        "approve-and-issue, p95",
        "approve_p95_ms",
        lambda value: f"{value:.1f} ms",
        "<= 8 / 12 ms",
        None,
    ),
    Row("bulk issuance", "bulk_per_s", lambda value: f"{value:.0f}/s", ">= 400 / 250/s", None),
    _web_row("verification page (QR link) / trivial", "verify_page_ratio", 0.5),
    _web_row("verify form, pasted JSON / trivial", "verify_form_ratio", 0.5),
    _web_row("POST /api/v1/verify / trivial", "api_verify_ratio", 0.5),
    _web_row("share page /s/<token> / trivial", "share_page_ratio", 0.5),
    _web_row("credential document / trivial", "credential_json_ratio", 0.8),
    _web_row("credential document, 304 / trivial", "credential_json_304_ratio", 0.8),
    Row(
        "PDF certificate, warm",
        "pdf_warm_ms",
        lambda value: f"{value:.0f} ms",
        "<= 45 ms",
        lambda value: value <= 45,
        per_database=False,
    ),
    Row(
        f"RSS growth over {PDF_RENDERS} PDFs, per 400",
        "pdf_rss_growth_mib_per_400",
        lambda value: f"{value:+.0f} MiB",
        "within +-10 MiB",
        lambda value: abs(value) <= 10,
        per_database=False,
    ),
)
# The per-database targets of the rows whose target differs by database.
PER_DATABASE_TARGETS: dict[str, Callable[[float], bool]] = {
    "approve_p95_ms_sqlite": lambda value: value <= 8,
    "approve_p95_ms_postgres": lambda value: value <= 12,
    "bulk_per_s_sqlite": lambda value: value >= 400,
    "bulk_per_s_postgres": lambda value: value >= 250,
}


def unexpected_key(ratio_key: str, database: str) -> str:
    """The results key counting a web path's answers other than its expected status."""
    return f"{ratio_key.removesuffix('_ratio')}_unexpected_{database}"


def unexpected_answers(results: dict[str, float]) -> dict[str, int]:
    """Each web path and database that answered other than expected under load: how often."""
    counts = {
        f"{ratio} on {label}": int(results.get(unexpected_key(ratio, name), 0))
        for ratio in [*web.PATHS, "trivial"]
        for name, label in DATABASES.items()
    }
    return {where: count for where, count in counts.items() if count}


def _cell(row: Row, key: str, results: dict[str, float], database: str | None) -> str:
    if key not in results:
        return "(no ETag)" if row.key == "credential_json_304_ratio" else "-"
    value = results[key]
    met = PER_DATABASE_TARGETS.get(key, row.met)
    mark = "" if met is None or met(value) else " !"
    unexpected = int(results.get(unexpected_key(row.key, database), 0)) if database else 0
    if unexpected:
        mark += f" !! {unexpected} unexpected answers"
    return row.show(value) + mark


def table(results: dict[str, float]) -> str:
    """The results as a Markdown table; "!" marks a number that misses its target."""
    lines = [
        "| path | SQLite | PostgreSQL | target |",
        "| --- | --- | --- | --- |",
    ]
    for row in ROWS:
        if row.per_database:
            cells = [_cell(row, f"{row.key}_{name}", results, name) for name in DATABASES]
        else:
            cells = [_cell(row, row.key, results, None), "(no database)"]
        lines.append(f"| {row.label} | {cells[0]} | {cells[1]} | {row.target} |")
    trivial = [
        f"{results[f'trivial_req_per_s_min_{name}']:.0f}-"
        f"{results[f'trivial_req_per_s_max_{name}']:.0f} req/s"
        for name in DATABASES
    ]
    label = f"trivial route {harness.TRIVIAL_PATH}, slowest-fastest run"
    lines.append(f"| {label} | {' | '.join(trivial)} | |")
    return "\n".join(lines)


def write_results(results: dict[str, float]) -> Path:
    missing = [key for key in RESULT_KEYS if key not in results]
    if missing:
        raise harness.BenchError(f"no result for {', '.join(missing)}")
    directory = output_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def main() -> int:
    started = time.monotonic()
    try:
        results = measure_all()
        path = write_results(results)
    except harness.BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 1
    load = (
        f"wrk {harness.WRK_THREADS} threads x {harness.WRK_CONNECTIONS} connections x "
        f"{harness.WRK_SECONDS} s per path; gunicorn.conf.py with {harness.SERVER_WORKERS} workers"
    )
    print()
    print(table(results))
    print(f"\n{load}; '!' misses the target. {time.monotonic() - started:.0f} s in all.")
    with contextlib.suppress(ValueError):
        path = path.relative_to(ROOT)
    print(f"Written to {path}.")
    unexpected = unexpected_answers(results)
    if unexpected:
        where = ", ".join(f"{place} ({count})" for place, count in unexpected.items())
        print(
            f"bench failed: answers other than the expected status under load on {where}; "
            "their rates measure those answers, not the paths (the counts by status are above).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
