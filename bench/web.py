"""Benchmark: the public web paths under wrk, each against the trivial route of the same server.

Run from the repository root: `python bench/web.py` (`make bench` runs it with the rest
through bench/run.py). For SQLite and PostgreSQL: a fresh instance (bench/harness.py)
with SHARED learners who share their credential, served by gunicorn with the shipped
configuration (workers not replaced during the run: harness.server); wrk loads the trivial
route (harness.TRIVIAL_PATH) before and after each path, with the same threads, connections
and duration, over ROUNDS rounds. A path's ratio is the mean, over its runs, of its
requests per second over the trivial route's just before and after that run, so the
machine's speed and its other load cancel out. Every path cycles through all SHARED
credentials, so a cache keyed by credential is not measured on one hot entry; each path
is warmed up on its own first, until its rate stops rising (every worker has rendered
every credential's page once).

Every run also counts the answers that were not the path's expected status (200, or 304
for a revalidation) in the server's access log: `<path>_unexpected` in the results, shown
in the table, and the bench fails once the table is printed when any path had one.
"""

from __future__ import annotations

import html
import re
import statistics
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.harness import Request  # noqa: E402
from bench.harness import Shared  # noqa: E402

SHARED = 10 if harness.QUICK else 50
JSON_LD = "application/vc+ld+json"
WARM_UP_SECONDS = 1 if harness.QUICK else 2
# A path's warm-up ends when a window's rate rises less than WARM_UP_GAIN over the one
# before, or after WARM_UP_WINDOWS windows.
WARM_UP_WINDOWS = 2 if harness.QUICK else 5
WARM_UP_GAIN = 1.2
# Each path runs this many times, each run between two runs of the trivial route.
ROUNDS = 1 if harness.QUICK else 2


def _verification_links(shared: Sequence[Shared], base_url: str) -> list[Request]:
    """The printed certificate's QR link: the verdict page a counselor's phone opens."""
    return [Request(f"/v/{item.verify_token}") for item in shared]


def _verify_form_posts(shared: Sequence[Shared], base_url: str) -> list[Request]:
    """The verify page with a pasted credential, as a counselor's browser sends it: the form's
    multipart body (its enctype, for the file field) with the CSRF token, an empty address
    and an empty file part beside the pasted text."""
    import requests

    session = requests.Session()
    page = session.get(f"{base_url}/verify", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    if page.status_code != 200 or token is None:
        raise harness.BenchError(f"GET /verify gave no form (HTTP {page.status_code})")
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())
    posts = []
    for item in shared:
        prepared = requests.Request(
            "POST",
            f"{base_url}/verify",
            data={"csrf_token": html.unescape(token.group(1)), "url": "", "text": item.json_text},
            files={"file": ("", b"", "application/octet-stream")},
        ).prepare()
        body = prepared.body
        assert isinstance(body, bytes)
        headers = (
            ("Content-Type", prepared.headers["Content-Type"]),
            ("Cookie", cookie),
            ("Referer", f"{base_url}/verify"),
        )
        posts.append(Request("/verify", method="POST", headers=headers, body=body.decode()))
    return posts


def _api_verify_posts(shared: Sequence[Shared], base_url: str) -> list[Request]:
    """POST /api/v1/verify with the signed credential as the JSON body."""
    headers = (("Content-Type", "application/json"),)
    return [
        Request("/api/v1/verify", method="POST", headers=headers, body=item.json_text)
        for item in shared
    ]


def _share_pages(shared: Sequence[Shared], base_url: str) -> list[Request]:
    """The learner's public badge page."""
    return [Request(f"/s/{item.share_token}") for item in shared]


def _credential_documents(shared: Sequence[Shared], base_url: str) -> list[Request]:
    """The signed credential at its id, as a verifier fetches it."""
    return [Request(f"/credentials/{item.id}", headers=(("Accept", JSON_LD),)) for item in shared]


def _revalidations(shared: Sequence[Shared], base_url: str) -> list[Request]:
    """The credential document again with its ETag (answered 304), when the server sends one."""
    import requests

    requests_ = []
    for item in shared:
        answer = requests.get(
            f"{base_url}/credentials/{item.id}", headers={"Accept": JSON_LD}, timeout=10
        )
        etag = answer.headers.get("ETag")
        if etag is None:
            return []
        requests_.append(
            Request(
                f"/credentials/{item.id}", headers=(("Accept", JSON_LD), ("If-None-Match", etag))
            )
        )
    return requests_


# Each path's results.json name (before the _sqlite / _postgres suffix) and its requests.
PATHS: dict[str, Callable[[Sequence[Shared], str], list[Request]]] = {
    "verify_page_ratio": _verification_links,
    "verify_form_ratio": _verify_form_posts,
    "api_verify_ratio": _api_verify_posts,
    "share_page_ratio": _share_pages,
    "credential_json_ratio": _credential_documents,
    "credential_json_304_ratio": _revalidations,
}
# The answer each path should give when it is not 200.
EXPECTED = {"credential_json_304_ratio": 304}


def _check(base_url: str, requests: Sequence[Request]) -> None:
    """Each path answers its first request well before it is loaded."""
    import requests as http

    first = requests[0]
    answer = http.request(
        first.method,
        base_url + first.path,
        headers=dict(first.headers),
        data=first.body.encode() if first.body is not None else None,
        timeout=30,
    )
    if answer.status_code >= 400:
        raise harness.BenchError(
            f"{first.method} {first.path} answered HTTP {answer.status_code}:\n{answer.text[:2000]}"
        )


def _warm_up(served: harness.Server, requests: Sequence[Request], expected: int) -> None:
    """Load a path until its rate stops rising: every worker's first answer on each of its
    credentials renders and keeps the page, loads templates and keys, and is not measured."""
    previous = 0.0
    for _ in range(WARM_UP_WINDOWS):
        rate = harness.wrk_rate(served, requests, seconds=WARM_UP_SECONDS, expected=expected).rate
        if rate < previous * WARM_UP_GAIN:
            return
        previous = rate


def _report_unexpected(name: str, load: harness.Load) -> None:
    if load.unexpected:
        print(
            f"  {name}: {load.describe_unexpected()} under load, not {load.expected}",
            file=sys.stderr,
            flush=True,
        )


def measure(made: harness.Instance, shared: Sequence[Shared]) -> dict[str, float]:
    """Requests per second of the trivial route and every path; each path's ratio to it, and
    the number of its answers other than the expected one (`<path>_unexpected`)."""
    results: dict[str, float] = {}
    with harness.server(made) as served:
        loads = {name: build(shared, served.base_url) for name, build in PATHS.items()}
        loads = {name: requests for name, requests in loads.items() if requests}
        for requests in loads.values():
            _check(served.base_url, requests)
        trivial = [Request(harness.TRIVIAL_PATH)]
        for name, requests in loads.items():
            _warm_up(served, requests, EXPECTED.get(name, 200))
        # The trivial route before and after every path, over ROUNDS rounds: on a shared
        # machine the load of other work changes within seconds, and each path's run is
        # compared with its own neighbours only.
        trivial_runs = [harness.wrk_rate(served, trivial)]
        ratios: dict[str, list[float]] = {name: [] for name in loads}
        runs: dict[str, list[harness.Load]] = {name: [] for name in loads}
        for _ in range(ROUNDS):
            for name, requests in loads.items():
                load = harness.wrk_rate(served, requests, expected=EXPECTED.get(name, 200))
                _report_unexpected(name, load)
                trivial_runs.append(harness.wrk_rate(served, trivial))
                runs[name].append(load)
                ratios[name].append(
                    load.rate / statistics.mean(run.rate for run in trivial_runs[-2:])
                )
    trivial_rates = [run.rate for run in trivial_runs]
    results["trivial_req_per_s"] = statistics.mean(trivial_rates)
    results["trivial_req_per_s_min"] = min(trivial_rates)
    results["trivial_req_per_s_max"] = max(trivial_rates)
    results["trivial_unexpected"] = sum(run.unexpected_count for run in trivial_runs)
    for name in loads:
        stem = name.removesuffix("_ratio")
        results[f"{stem}_req_per_s"] = statistics.mean(run.rate for run in runs[name])
        results[f"{stem}_unexpected"] = sum(run.unexpected_count for run in runs[name])
        results[name] = statistics.mean(ratios[name])
    return results


def main() -> None:
    harness.check_services()
    load = (
        f"wrk {harness.WRK_THREADS} threads x {harness.WRK_CONNECTIONS} connections x "
        f"{harness.WRK_SECONDS} s, gunicorn {harness.SERVER_WORKERS} workers"
    )
    print(f"Web paths against {harness.TRIVIAL_PATH} ({load})")
    for database_url in (None, harness.postgres_url()):
        with harness.instance(database_url) as made:
            shared = harness.seed_shared_credentials(*harness.seed_badge(), count=SHARED)
            results = measure(made, shared)
        print(f"  {made.label}")
        for key, value in results.items():
            print(f"    {key:<32} {value:10.2f}")


if __name__ == "__main__":
    main()
