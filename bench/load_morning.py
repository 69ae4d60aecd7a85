"""Load test: a school morning on PostgreSQL, against the shipped gunicorn.conf.py.

Run from the repository root (needs the `bench` extra: `pip install -e '.[bench]'`):
    python bench/load_morning.py [--database URL] [--duration 60] [--clients 100]
The database is emptied and migrated, the demo school seeded with SUBMISSIONS students
waiting for review, then gunicorn (the shipped configuration, Redis database 9 for the
login limit) serves it on a free loopback port while locust runs `--clients` clients for
`--duration` seconds: visitors browsing the verify page and certificates' QR links and
POSTing credentials to /api/v1/verify, a learner downloading PDF certificates, and
instructors approving submissions (signed in, with CSRF tokens). It prints requests/s,
p50/p95/p99 and errors per kind and in total. Figures only: it never fails on a time.
"""

from __future__ import annotations

# locust patches the standard library with gevent: it comes before anything else.
from locust import HttpUser  # isort: skip
import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from locust import between
from locust import task
from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LIMITER = "redis://127.0.0.1:6379/9"
PASSPHRASE = "bench-passphrase"
SUBMISSIONS = 400
INSTRUCTORS = 4  # signed-in clients: under the login limit of 10 a minute per address
LEARNERS = 4
CSRF = re.compile(r'name="(?:approve-)?csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(workdir: Path, database: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAUREL_")}
    env.update(
        LAUREL_ENV="test",
        LAUREL_INSTANCE_PATH=str(workdir),
        LAUREL_SECRET_KEY="bench",
        DATABASE_URL=database,
        LAUREL_KEYS_DIR=str(workdir / "keys"),
        LAUREL_KEY_PASSPHRASE=PASSPHRASE,
        LAUREL_PUBLIC_URL=f"http://127.0.0.1:{port}",
        LAUREL_STORAGE_DIR=str(workdir / "evidence"),
        LAUREL_RATELIMIT_STORAGE_URI=LIMITER,
        LAUREL_BIND=f"127.0.0.1:{port}",
        LAUREL_DEMO="0",
        # As behind the school's TLS proxy: each client comes from its own address
        # (X-Forwarded-For), so the per-address limits count people, not the loopback.
        LAUREL_PROXY_HOPS="1",
    )
    return env


SEED = r"""
import json, sys
from datetime import UTC, datetime
import sqlalchemy as sa
from flask_migrate import upgrade
from app import create_app
from app.accounts.models import ClassMembership, Role, SchoolClass, User
from app.badges.models import Badge
from app.credentials.keys import KeyStore
from app.demo import DEMO_PASSWORD, seed_demo, showcase_credential
from app.evidence import services as evidence
from app.evidence.storage import configured_storage, max_upload_bytes
from app.extensions import db
from app.keyring import issuing_context
import os
import random
from pathlib import Path

now = datetime.now(UTC)
KeyStore(Path(os.environ["LAUREL_KEYS_DIR"]), os.environ["LAUREL_KEY_PASSPHRASE"]).init(now=now)
app = create_app()
with app.app_context():
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    upgrade()
    seed_demo(ctx=issuing_context(), storage=configured_storage(app.config),
              max_bytes=max_upload_bytes(app.config), now=now)
    db.session.commit()
    badge = db.session.scalars(sa.select(Badge).where(Badge.name == "Vehicle Restoration")).one()
    school_class = db.session.scalars(
        sa.select(SchoolClass).where(SchoolClass.name == "Automotive Technology 1")).one()
    for number in range(int(sys.argv[1])):
        student = User(email=f"student{number}@maplegrove.example", name=f"Student {number}",
                       role=Role.STUDENT)
        student.set_password(DEMO_PASSWORD)
        db.session.add(student)
        db.session.flush()
        db.session.add(ClassMembership(class_id=school_class.id, user_id=student.id,
                                       role=Role.STUDENT))
        db.session.flush()
        db.session.refresh(student)
        submission = evidence.start_submission(badge, student=student, now=now)
        evidence.add_text(submission, student=student, title="Brake job",
                          text="Pads, rotors, bled lines.", public=False, now=now)
        evidence.save_draft(submission, student=student, reflection="I did the brakes.",
                            criteria_reflections={}, now=now)
        evidence.submit(submission, student=student, now=now)
    db.session.commit()
    credential = showcase_credential()
    print(json.dumps({"credential_id": credential.id, "verify_token": credential.verify_token,
                      "json": credential.json_text, "password": DEMO_PASSWORD}))
"""


class Morning:
    """What the clients share: the seeded credential, the submissions left to approve."""

    credential: dict[str, str] = {}
    to_approve: list[int] = []


def _from_own_address(user: HttpUser) -> None:
    user.client.headers["X-Forwarded-For"] = (
        f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
    )


def _sign_in(user: HttpUser, email: str) -> None:
    _from_own_address(user)
    page = user.client.get("/login", name="GET /login")
    token = CSRF.search(page.text).group(1)
    response = user.client.post(
        "/login",
        data={"email": email, "password": Morning.credential["password"], "csrf_token": token},
        name="POST /login",
    )
    if "Sign out" not in response.text and response.status_code != 200:
        raise RuntimeError(f"{email} could not sign in: {response.status_code}")


class Visitor(HttpUser):
    """A counselor or an employer: the verify page, a QR link, the verification API."""

    weight = 100 - INSTRUCTORS - LEARNERS
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        _from_own_address(self)

    @task(3)
    def qr_link(self) -> None:
        self.client.get(f"/v/{Morning.credential['verify_token']}", name="GET /v/<token>")

    @task(2)
    def api_verify(self) -> None:
        self.client.post(
            "/api/v1/verify",
            data=Morning.credential["json"],
            headers={"Content-Type": "application/json"},
            name="POST /api/v1/verify",
        )

    @task(1)
    def verify_page(self) -> None:
        self.client.get("/verify", name="GET /verify")


class Learner(HttpUser):
    """Maya, downloading her certificate (A4 and letter) and looking at her dashboard."""

    fixed_count = LEARNERS
    wait_time = between(1, 3)

    def on_start(self) -> None:
        _sign_in(self, "maya@maplegrove.example")

    @task(2)
    def pdf(self) -> None:
        paper = "a4" if time.monotonic() % 2 < 1 else "letter"
        self.client.get(
            f"/credentials/{Morning.credential['credential_id']}/download/pdf?paper={paper}",
            name="GET certificate PDF",
        )

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/", name="GET / (signed in)")


class Instructor(HttpUser):
    """Mr Lee, working through the review queue: open a submission, approve it."""

    fixed_count = INSTRUCTORS
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        _sign_in(self, "jlee@maplegrove.example")

    @task(1)
    def queue(self) -> None:
        self.client.get("/review", name="GET /review (queue)")

    @task(3)
    def approve(self) -> None:
        if not Morning.to_approve:
            return
        submission = Morning.to_approve.pop()
        page = self.client.get(f"/review/{submission}", name="GET /review/<id>")
        token = CSRF.search(page.text).group(1)
        # The highest level: one below the badge's required level is refused.
        level = re.findall(r'name="approve-level"[^>]*value="([^"]+)"', page.text)[-1]
        revision = re.search(r'name="approve-badge_revision"[^>]*value="([^"]*)"', page.text)
        self.client.post(
            f"/review/{submission}/approve",
            data={
                "approve-csrf_token": token,
                "csrf_token": token,
                "approve-level": level,
                "approve-feedback": "Good work.",
                "approve-badge_revision": revision.group(1) if revision else "",
            },
            name="POST /review/<id>/approve",
        )


def _submission_ids(env: dict[str, str]) -> list[int]:
    code = (
        "import sqlalchemy as sa, json\n"
        "from app import create_app\nfrom app.extensions import db\n"
        "from app.evidence.models import Submission, SubmissionState\n"
        "with create_app().app_context():\n"
        "    print(json.dumps(list(db.session.scalars(sa.select(Submission.id).where("
        "Submission.state == SubmissionState.SUBMITTED)))))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="a PostgreSQL URL")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", help="LAUREL_WORKERS (default: gunicorn.conf.py's)")
    arguments = parser.parse_args()
    import redis

    redis.Redis.from_url(LIMITER).flushdb()
    with tempfile.TemporaryDirectory(prefix="laurel-load-") as directory:
        workdir = Path(directory)
        port = _free_port()
        env = _environment(workdir, arguments.database, port)
        if arguments.workers:
            env["LAUREL_WORKERS"] = arguments.workers
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, str(SUBMISSIONS)],
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if seeded.returncode != 0:
            raise SystemExit(f"seeding failed:\n{seeded.stderr}")
        Morning.credential = json.loads(seeded.stdout.strip().splitlines()[-1])
        Morning.to_approve = _submission_ids({**env, "PYTHONPATH": str(ROOT)})
        log = (workdir / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _run_load(f"http://127.0.0.1:{port}", arguments, workdir / "gunicorn.log", server)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            log.close()


def _run_load(base: str, arguments: argparse.Namespace, log: Path, server) -> None:
    import gevent

    deadline = time.monotonic() + 120
    while log.read_text().count("Warmed up the PDF renderer") < 1 or not _answers(base):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not start:\n{log.read_text()}")
        time.sleep(0.5)
    workers = len(re.findall(r"Booting worker", log.read_text()))
    for user_class in (Visitor, Learner, Instructor):
        user_class.host = base
    environment = Environment(user_classes=[Visitor, Learner, Instructor])
    runner = environment.create_local_runner()
    runner.start(arguments.clients, spawn_rate=arguments.clients)
    gevent.spawn_later(arguments.duration, runner.quit)
    runner.greenlet.join()
    stats = environment.stats
    print(
        f"  school morning: {arguments.clients} clients for {arguments.duration} s, gunicorn "
        f"{workers} workers (gunicorn.conf.py), PostgreSQL, loopback"
    )
    print(f"  {'what':34} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} errors")
    rows = sorted(stats.entries.values(), key=lambda entry: entry.name) + [stats.total]
    for entry in rows:
        print(
            f"  {entry.name:34} {entry.num_requests:8d} {entry.total_rps:7.1f} "
            f"{entry.get_response_time_percentile(0.5):5.0f}ms "
            f"{entry.get_response_time_percentile(0.95):5.0f}ms "
            f"{entry.get_response_time_percentile(0.99):5.0f}ms {entry.num_failures}"
        )
    for error in stats.errors.values():
        print(f"  error: {error.method} {error.name}: {error.error} ({error.occurrences}x)")
    approved = SUBMISSIONS - len(Morning.to_approve)
    print(f"  submissions opened for approval: {approved} of {SUBMISSIONS}")


def _answers(base: str) -> bool:
    import requests

    try:
        return requests.get(base + "/verify", timeout=5).status_code == 200
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main()
