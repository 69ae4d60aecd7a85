"""A student-proposed badge in Chromium, with axe-core on every page of the feature.

Sam proposes a badge; Ines edits it (version 2) while Sam's form is open on version 1,
so Sam's save is the 409 page that keeps his text; they compare versions; Ines
approves it as Sam's personal badge. axe must find no violation at all, of any impact.
Screenshots go to test-artifacts/<pass>/<test>/.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_accessibility import AXE
from tests.e2e.test_teaching_loop import sign_in

pytestmark = pytest.mark.browser


def no_violations(page, artifacts, name: str) -> None:
    """Screenshot the page, then run axe on it: every violation fails, whatever its impact."""
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    found = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
    (artifacts / f"{name}-axe.json").write_text(json.dumps(found, indent=2))
    assert not found, json.dumps(found, indent=2)


def test_proposal_pages_in_the_browser_have_no_axe_violations(
    live_server, school, browser_page, new_browser_page, artifacts
):
    assert school.badge  # its standard is the one Sam can claim
    sam = browser_page
    sign_in(sam, live_server, school.student.email)
    sam.goto(f"{live_server}/proposals")
    no_violations(sam, artifacts, "1-student-list-empty")
    sam.get_by_role("link", name="Propose a badge").click()
    no_violations(sam, artifacts, "2-student-new")
    sam.fill("#title", "Bicycle Wheel Builder")
    sam.fill("#learning", "Lacing, tensioning and truing a wheel.")
    sam.fill("#criteria", "Build a true wheel that keeps its tension.")
    sam.fill("#evidence_plan", "A video of the truing stand.")
    sam.get_by_label("ASE A5 — Brakes").check()
    sam.get_by_role("button", name="Send to my instructors").click()
    assert "sent to your instructors" in sam.inner_text("main")
    no_violations(sam, artifacts, "3-student-proposal-sent")
    proposal_url = sam.url

    ines = new_browser_page()
    sign_in(ines, live_server, school.instructor.email)
    sam.goto(f"{proposal_url}/edit")
    ines.goto(f"{proposal_url}/edit")
    no_violations(ines, artifacts, "4-instructor-edit")
    ines.fill("#criteria", "Build a true wheel that keeps its tension after a 20 km ride.")
    ines.get_by_role("button", name="Save version 2").click()
    assert "Saved as version 2" in ines.inner_text("main")

    sam.fill("#evidence_plan", "A video of the truing stand and a tension log.")
    sam.get_by_role("button", name="Save version 2").click()
    assert "was saved while you were editing" in sam.inner_text("main")
    assert sam.input_value("#evidence_plan") == "A video of the truing stand and a tension log."
    no_violations(sam, artifacts, "5-student-stale-edit-409")
    sam.get_by_role("button", name="Save version 3").click()
    assert "Saved as version 3" in sam.inner_text("main")

    sam.get_by_role("link", name="Compare with version 1").click()
    no_violations(sam, artifacts, "6-student-compare")
    assert "20 km ride" in sam.inner_text("main")

    ines.goto(proposal_url)
    no_violations(ines, artifacts, "7-instructor-proposal")
    ines.fill("#comment-message", "Which spokes will you use?")
    ines.get_by_role("button", name="Add comment").click()
    ines.get_by_label("Approve as a personal badge for this student").check()
    ines.fill("#message", "A fine project. Go for it.")
    ines.get_by_role("button", name="Send decision").click()
    assert "now a personal badge" in ines.inner_text("main")
    assert "Student-proposed" in ines.inner_text("main")
    no_violations(ines, artifacts, "8-instructor-badge-page")

    sam.goto(f"{live_server}/proposals")
    no_violations(sam, artifacts, "9-student-list")
    sam.goto(proposal_url)
    no_violations(sam, artifacts, "10-student-approved-proposal")
    sam.get_by_role("link", name="Bicycle Wheel Builder").click()
    assert "A personal badge for Sam Student" in sam.inner_text("main")
    ines.goto(f"{live_server}/proposals")
    no_violations(ines, artifacts, "11-instructor-list")
