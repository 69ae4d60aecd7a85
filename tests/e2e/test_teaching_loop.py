"""The teaching loop in a real browser, from a new badge to a credential others can verify.

An instructor creates and publishes a badge; a student uploads a photo and a workbook,
reflects and submits; the instructor asks for changes; the student resubmits; the
instructor approves at "Proficient"; the student sees the badge. The credential's JSON
is then verified by `laurel verify` in a fresh process and by Digital Bazaar's verifier.
Screenshots of each step go to test-artifacts/<pass>/<test>/.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import requests

from app import PROJECT_ROOT
from app.accounts.models import Role
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from tests.fixtures.users import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

BADGE_NAME = "Brake Job"
FEEDBACK = "Great photo. Add the measurements of the rotor thickness to your reflection."


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def create_and_publish_badge(page, base_url: str, class_name: str, shot) -> str:
    page.goto(f"{base_url}/badges/new")
    page.fill("#name", BADGE_NAME)
    page.fill("#description", "Replace pads and rotors and test the brakes to specification.")
    page.fill("#criteria_narrative", "Do a **complete** front brake job on a shop vehicle.")
    page.fill("#criteria_items", "Photo of the finished brakes\nMeasurements in a workbook")
    page.fill("#evidence_prompt", "Photos and your measurement workbook.")
    page.select_option("#class_id", label=class_name)
    shot("1-instructor-new-badge")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Publish").click()
    assert "Published" in page.inner_text("main")
    shot("2-instructor-badge-published")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def laurel_verify(laurel: str, path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`laurel verify FILE --json` in a fresh process."""
    return subprocess.run(
        [laurel, "verify", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
    )


def test_teaching_loop_badge_to_verified_credential(
    live_server,
    app_config,
    make_user,
    make_class,
    browser_page,
    new_browser_page,
    artifacts,
    node_scripts,
    laurel,
):
    school_class = make_class("Auto Shop 2")
    instructor = make_user(Role.INSTRUCTOR, name="Irene Instructor", classes=[school_class])
    student = make_user(Role.STUDENT, name="Stella Student", classes=[school_class])
    photo = artifacts / "brakes.jpg"
    photo.write_bytes(truck_photo(label="Front brakes, after"))
    workbook = artifacts / "measurements.xlsx"
    workbook.write_bytes(temperature_workbook())

    teacher = browser_page
    learner = new_browser_page()

    def shot(page):
        return lambda name: page.screenshot(path=artifacts / f"{name}.png", full_page=True)

    sign_in(teacher, live_server, instructor.email)
    slug = create_and_publish_badge(teacher, live_server, school_class.name, shot(teacher))

    # The student builds and submits the evidence.
    sign_in(learner, live_server, student.email)
    learner.goto(f"{live_server}/badges/{slug}")
    learner.get_by_role("button", name="Start a submission").click()
    learner.set_input_files("#file-file", str(photo))
    learner.check("#file-public")
    learner.get_by_role("button", name="Upload").click()
    assert "Added “brakes.jpg”" in learner.inner_text("main")
    learner.set_input_files("#file-file", str(workbook))
    learner.get_by_role("button", name="Upload").click()
    assert learner.locator("img.evidence-thumb").count() == 1
    learner.fill("#reflection", "I replaced the pads and both rotors and bled the lines.")
    learner.fill("#criterion-0", "The photo shows the new rotors and pads.")
    shot(learner)("3-student-editor")
    learner.get_by_role("button", name="Submit for review").click()
    assert "Submitted." in learner.inner_text("main")
    shot(learner)("4-student-submitted")
    submission_url = learner.url

    # The instructor asks for changes.
    teacher.goto(f"{live_server}/review")
    assert "Stella Student" in teacher.inner_text("main")
    shot(teacher)("5-instructor-queue")
    teacher.get_by_role("link", name="Review Stella Student").click()
    assert teacher.locator("img.evidence-thumb").count() == 1
    assert "measurements.xlsx" in teacher.inner_text("main")
    shot(teacher)("6-instructor-review")
    teacher.fill("#changes-feedback", FEEDBACK)
    teacher.get_by_role("button", name="Send back with feedback").click()
    assert "Sent back to Stella Student" in teacher.inner_text("main")

    # The student answers the feedback and resubmits.
    learner.goto(f"{live_server}/dashboard/student")
    assert FEEDBACK in learner.inner_text("main")
    shot(learner)("7-student-feedback")
    learner.get_by_role("link", name=f"Answer the feedback on {BADGE_NAME}").click()
    learner.fill(
        "#criterion-1", "Rotor thickness 24.1 mm and 24.0 mm, minimum 22.4 mm: see the workbook."
    )
    learner.get_by_role("button", name="Submit again").click()
    assert "Submitted." in learner.inner_text("main")

    # The instructor approves at Proficient.
    teacher.goto(submission_url.replace("/submissions/", "/review/"))
    assert "round 2" in teacher.inner_text("main")
    teacher.get_by_label("Proficient").check()
    shot(teacher)("8-instructor-approve")
    teacher.get_by_role("button", name="Approve and issue the badge").click()
    assert "Approved at “Proficient”" in teacher.inner_text("main")
    assert "No submissions waiting — nice work" in teacher.inner_text("main")
    shot(teacher)("9-instructor-queue-empty")

    # The student sees the badge and its credential.
    learner.goto(f"{live_server}/dashboard/student")
    earned = learner.locator(".badge-card", has_text=BADGE_NAME)
    assert "Proficient" in earned.inner_text()
    shot(learner)("10-student-earned")
    credential_url = earned.locator("a").first.get_attribute("href")
    credential_url = (
        credential_url if credential_url.startswith("http") else live_server + credential_url
    )
    learner.goto(credential_url)
    shot(learner)("11-student-credential")

    # Not shared: a stranger gets 404; the learner's own session gets the signed document.
    stranger = requests.get(credential_url, headers={"Accept": "application/ld+json"}, timeout=30)
    assert stranger.status_code == 404 and BADGE_NAME not in stranger.text
    response = learner.request.get(credential_url, headers={"Accept": "application/ld+json"})
    assert response.status == 200
    assert response.headers["cache-control"] == "private, no-store"
    credential = response.json()
    assert credential["credentialSubject"]["achievement"]["name"] == BADGE_NAME
    evidence = credential.get("evidence", [])
    assert [e["name"] for e in evidence] == ["brakes.jpg"], (
        "only the public photo is in the credential"
    )
    path = artifacts / "credential.json"
    path.write_bytes(response.body())

    result = laurel_verify(
        laurel,
        path,
        {
            "LAUREL_ENV": "development",
            "LAUREL_KEYS_DIR": app_config["LAUREL_KEYS_DIR"],
            "LAUREL_KEY_PASSPHRASE": app_config["LAUREL_KEY_PASSPHRASE"],
            "LAUREL_PUBLIC_URL": live_server,
        },
    )
    report = json.loads(result.stdout)
    outcomes = {check["name"]: check["outcome"] for check in report["checks"]}
    # The test server speaks plain HTTP on loopback, but it is the school's own public URL,
    # so the CLI reads the credential's status list from it.
    assert set(outcomes.values()) == {"passed"}, report
    assert {"key", "proof", "status", "schema"} <= set(outcomes)
    assert report["verdict"] == "verified" and result.returncode == 0, report

    documents = [
        requests.get(f"{live_server}/.well-known/did.json", timeout=30).json(),
        requests.get(f"{live_server}/status/revocation/1", timeout=30).json(),
    ]
    outcome = node_scripts.run("verify-di", {"credential": credential, "documents": documents})
    assert outcome["verified"] is True, outcome["error"]
    assert [s["status"] for s in outcome["statuses"]] == [False]
