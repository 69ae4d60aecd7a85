"""Every worker of a real gunicorn (the shipped gunicorn.conf.py) answers from the database's
present state, although each keeps reports, whole public pages, QR codes and signed
documents in memory.

The status is changed by another process (the `laurel` command) or by a write from this
one; the very next requests, spread over every worker, must all show the change.
"""

from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from app.extensions import db
from app.issuing.profile import IssuerInput
from app.issuing.profile import issuer_profile
from app.issuing.profile import update_issuer_profile
from app.share.services import set_sharing
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.redis import redis_url
from tests.test_production import Server

REDIS_URL = redis_url("verify-caches")
WORKERS = 3
# Enough requests at once that every worker answers some of them.
HITS = 24


def _env(app_config: dict) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
    env.update(
        LAUREL_ENV="test",
        LAUREL_SECRET_KEY="test-secret-key",
        LAUREL_INSTANCE_PATH=app_config["INSTANCE_PATH"],
        DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
        LAUREL_KEYS_DIR=app_config["LAUREL_KEYS_DIR"],
        LAUREL_KEY_PASSPHRASE=app_config["LAUREL_KEY_PASSPHRASE"],
        LAUREL_STORAGE_DIR=app_config["LAUREL_STORAGE_DIR"],
        LAUREL_PUBLIC_URL=TEST_PUBLIC_URL,
        LAUREL_RATELIMIT_STORAGE_URI=REDIS_URL,
        LAUREL_WORKERS=str(WORKERS),
    )
    return env


@pytest.fixture
def redis_db8():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("LAUREL_ALLOW_NO_REDIS") == "1" and os.environ.get("CI") != "true":
            pytest.skip("Redis does not answer on 127.0.0.1:6379 and LAUREL_ALLOW_NO_REDIS=1")
        pytest.fail("Redis does not answer on 127.0.0.1:6379 (set LAUREL_ALLOW_NO_REDIS=1 to skip)")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def server(app_config, tmp_path, redis_db8):
    running = Server(_env(app_config), tmp_path)
    try:
        running.wait_ready(workers=WORKERS)
        yield running
    finally:
        running.stop()


class Paths:
    """The read paths of one credential, each asked HITS times at once."""

    def __init__(self, server: Server, credential) -> None:
        self.server = server
        self.verify_page = f"/v/{credential.verify_token}"
        self.share_page = f"/s/{credential.share_token}"
        self.document = f"/credentials/{credential.id}?format=json"
        self.body = credential.json_text

    def _get(self, path: str) -> requests.Response:
        return requests.get(self.server.url + path, timeout=60)

    def _verify_api(self, _: int) -> requests.Response:
        return requests.post(
            self.server.url + "/api/v1/verify",
            data=self.body.encode("utf-8"),
            headers={"Content-Type": "application/vc+ld+json"},
            timeout=60,
        )

    def all_at_once(self, path: str) -> list[requests.Response]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            if path == "api":
                return list(pool.map(self._verify_api, range(HITS)))
            return list(pool.map(lambda _: self._get(path), range(HITS)))

    def pages(self) -> dict[str, list[requests.Response]]:
        return {path: self.all_at_once(path) for path in (self.verify_page, self.share_page)}

    def verdicts(self) -> set[str]:
        return {response.json()["verdict"] for response in self.all_at_once("api")}

    def workers_seen(self) -> set[str]:
        return set(re.findall(r"^<(\d+)> ", self.server.stdout.read_text(), re.M))


def _laurel(laurel: str, app_config: dict, *args: str) -> None:
    result = subprocess.run(
        [laurel, *args], env=_env(app_config), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def _headings(responses: list[requests.Response]) -> set[str]:
    """The verdict heading of each page (the first <h2> of the verdict box)."""
    found = set()
    for response in responses:
        assert response.status_code == 200, response.text[:500]
        found.add(re.search(r"Genuine|Revoked|Suspended", response.text)[0])
    return found


@pytest.mark.slow
def test_status_changes_show_on_the_next_request_in_every_worker(
    server, app_config, laurel, issued
):
    issued.share_enabled = True
    db.session.commit()
    paths = Paths(server, issued)
    assert all(_headings(page) == {"Genuine"} for page in paths.pages().values())
    assert paths.verdicts() == {"verified"}
    assert len(paths.workers_seen()) == WORKERS, "every worker has answered (and kept) them"

    _laurel(laurel, app_config, "suspend", issued.id, "--reason", "Under review")
    pages = paths.pages()
    assert all(_headings(page) == {"Suspended"} for page in pages.values())
    assert all("Under review" in response.text for page in pages.values() for response in page)
    assert paths.verdicts() == {"suspended"}

    _laurel(laurel, app_config, "reinstate", issued.id, "--reason", "Cleared")
    assert all(_headings(page) == {"Genuine"} for page in paths.pages().values())
    assert paths.verdicts() == {"verified"}

    _laurel(laurel, app_config, "revoke", issued.id, "--reason", "Copied work")
    pages = paths.pages()
    assert all(_headings(page) == {"Revoked"} for page in pages.values())
    assert all("Copied work" in response.text for page in pages.values() for response in page)
    assert paths.verdicts() == {"revoked"}


@pytest.mark.slow
def test_stopping_sharing_answers_404_at_once_in_every_worker(server, school, issued):
    issued.share_enabled = True
    db.session.commit()
    paths = Paths(server, issued)
    documents = paths.all_at_once(paths.document)
    assert {response.status_code for response in documents} == {200}
    etag = documents[0].headers["ETag"]
    assert {response.headers["ETag"] for response in documents} == {etag}
    assert {r.status_code for r in paths.all_at_once(paths.share_page)} == {200}
    assert len(paths.workers_seen()) == WORKERS

    set_sharing(issued, actor=school.student, enabled=False)
    db.session.commit()
    assert {r.status_code for r in paths.all_at_once(paths.document)} == {404}
    assert {r.status_code for r in paths.all_at_once(paths.share_page)} == {404}
    with ThreadPoolExecutor(max_workers=8) as pool:
        revalidated = pool.map(
            lambda _: requests.get(
                server.url + paths.document, headers={"If-None-Match": etag}, timeout=60
            ),
            range(HITS),
        )
        assert {response.status_code for response in revalidated} == {404}


@pytest.mark.slow
def test_school_and_learner_name_changes_show_on_the_next_page_in_every_worker(
    server, school, issued
):
    """Kept pages and answers are served only while nothing they show has changed."""
    issued.share_enabled = True
    db.session.commit()
    paths = Paths(server, issued)
    assert all(_headings(page) == {"Genuine"} for page in paths.pages().values())
    assert paths.verdicts() == {"verified"}
    assert len(paths.workers_seen()) == WORKERS

    profile = issuer_profile(TEST_PUBLIC_URL)
    update_issuer_profile(
        profile, IssuerInput(name="Riverside Technical High", url=profile.url), actor=school.admin
    )
    school.student.name = "Samantha Student"
    db.session.commit()
    for page in paths.pages().values():
        assert all("Riverside Technical High" in response.text for response in page)
    answers = paths.all_at_once("api")
    assert {a.json()["record"]["learner_name"] for a in answers} == {"Samantha Student"}
