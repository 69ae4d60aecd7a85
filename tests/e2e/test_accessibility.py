"""axe-core in Chromium: no serious or critical violation on the badge page, /verify, its result.

axe-core comes from npm (tests/e2e/package.json, installed by `make node-deps`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def blocking_violations(page) -> list[dict]:
    """Run axe on the page as it stands; keep serious and critical violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node-deps` (npm ci --prefix tests/e2e)")
    # Evaluated through the DevTools protocol: Laurel's CSP rightly blocks an injected <script>.
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
        if v["impact"] in BLOCKING
    ]


def check(page, artifacts, name: str) -> None:
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    found = blocking_violations(page)
    (artifacts / f"{name}-axe.json").write_text(json.dumps(found, indent=2))
    assert not found, json.dumps(found, indent=2)


# A phone's width, then a desktop's (where the page is left): pages are checked at both.
WIDTHS = {"phone": 390, "desktop": 1280}


def check_at_both_widths(page, artifacts, name: str) -> None:
    """axe and a screenshot at each of WIDTHS; the page never scrolls sideways."""
    for device, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        check(page, artifacts, f"{name}-{device}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, device)


def test_accessibility_public_badge_page(live_server, make_credential, browser_page, artifacts):
    credential = make_credential(expiry_months=12)
    credential.share_enabled = True
    db.session.commit()
    browser_page.goto(f"{live_server}/s/{credential.share_token}")
    check(browser_page, artifacts, "public-badge-page")


def test_accessibility_verify_page_and_result(
    live_server, make_credential, browser_page, artifacts, tmp_path
):
    credential = make_credential()
    browser_page.goto(f"{live_server}/verify")
    check(browser_page, artifacts, "verify-form")
    upload = tmp_path / "credential.json"
    upload.write_text(credential.json_text, encoding="utf-8")
    browser_page.set_input_files("#file", str(upload))
    browser_page.locator("form.verify-inputs button[type=submit]").click()
    assert browser_page.inner_text("#verdict").startswith("Genuine")
    check(browser_page, artifacts, "verify-result")
    browser_page.goto(f"{live_server}/verify")
    browser_page.fill("#text", "not a credential")
    browser_page.locator("form.verify-inputs button[type=submit]").click()
    check(browser_page, artifacts, "verify-error")
