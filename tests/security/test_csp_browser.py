"""The Content-Security-Policy in a real browser: no page logs a violation, and the scripts work.

Chromium reports every blocked script, style, image or frame on the console, so each
page is visited by the person who uses it while the console is recorded.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.fixtures.users import DEFAULT_PASSWORD
from tests.fixtures.users import _password_hash
from tests.test_authz_matrix import build_world

pytestmark = pytest.mark.browser

# Who visits which pages (format strings over the world).
VISITS = {
    "anonymous": [
        "/",
        "/login",
        "/verify",
        "/invite/{invite_token}",
        "/s/{share_token}",
        "/achievements/{achievement_uuid}",
        "/no-such-page",
    ],
    "student": [
        "/dashboard/student",
        "/badges",
        "/badges/{badge_slug}",
        "/submissions/{draft_id}/edit",
        "/submissions/{submitted_id}",
        "/credentials/{credential_id}",
        "/credentials/{credential_id}/share",
        "/learners/{student_id}/record",
        "/account/password",
    ],
    "instructor_of_class": [
        "/dashboard/instructor",
        "/review",
        "/review/{submitted_id}",
        "/badges/new",
        "/badges/{draft_badge_slug}/edit",
        "/credentials/{credential_id}",
    ],
    "admin": [
        "/admin/users",
        "/admin/classes",
        "/admin/classes/{class_id}",
        "/admin/roster",
        "/admin/issuer",
        "/admin/api-clients",
    ],
}
CAMERA_ALLOWED = """() => {
  const policy = document.permissionsPolicy || document.featurePolicy;
  return policy ? policy.allowsFeature("camera") : null;
}"""


@pytest.fixture
def browser_world(app, live_server) -> dict:
    """The authorization matrix's school on the live server, everyone with a password."""
    with app.app_context():
        world = build_world()
        for role in VISITS:
            if role != "anonymous":
                world[role].password_hash = _password_hash(DEFAULT_PASSWORD)
        world["emails"] = {role: world[role].email for role in VISITS if role != "anonymous"}
        db.session.commit()
    return world


def _record_console(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if message.type in ("error", "warning") and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


@pytest.mark.parametrize("role", list(VISITS))
def test_csp_no_violation_on_main_pages(live_server, browser_world, new_browser_page, role):
    """Does every main page load with no CSP violation and no script error, as its visitor?"""
    page = new_browser_page()
    problems = _record_console(page)
    if role != "anonymous":
        page.goto(f"{live_server}/login")
        page.fill("#email", browser_world["emails"][role])
        page.fill("#password", DEFAULT_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    fields = {k: v for k, v in browser_world.items() if isinstance(v, (int, str))}
    for path in VISITS[role]:
        page.goto(live_server + path.format(**fields))
        page.wait_for_load_state("load")
        camera = page.evaluate(CAMERA_ALLOWED)
        assert camera is None or camera == (path == "/verify"), path
    assert problems == []


def test_csp_scripts_still_work(live_server, browser_world, new_browser_page):
    """Do the site's scripts still run: copy buttons, added badge rows, the QR scanner button?"""
    fields = {k: v for k, v in browser_world.items() if isinstance(v, (int, str))}
    page = new_browser_page()
    problems = _record_console(page)
    page.goto(f"{live_server}/verify")
    assert page.locator("#qr-start").is_visible()  # verify-qr.js un-hides it
    page.goto(f"{live_server}/login")
    page.fill("#email", browser_world["emails"]["instructor_of_class"])
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/badges/new")
    rows = page.locator('[data-repeat="levels"] .repeat-row')
    before = rows.count()
    page.get_by_role("button", name="Add a level").click()  # badge-form.js
    assert rows.count() == before + 1
    page.goto(f"{live_server}/credentials/{fields['credential_id']}/share")
    copy = page.locator('[data-copy-target="share-link"]')
    assert copy.is_visible()
    copy.click()  # laurel.js / share.js
    page.wait_for_function(
        "() => document.querySelector('[data-copy-target=\"share-link\"]').textContent"
        ".includes('Copied')"
    )
    assert problems == []


def test_csp_blocks_inline_script_and_the_console_shows_it(live_server, new_browser_page):
    """Canary: an injected inline script is blocked, and the recorder above sees the violation."""
    page = new_browser_page()
    problems = _record_console(page)
    page.goto(f"{live_server}/verify")
    page.evaluate(
        """() => {
      const script = document.createElement("script");
      script.textContent = "document.body.dataset.injected = 'ran'";
      document.body.appendChild(script);
    }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.body.dataset.injected") is None
    assert any("Content Security Policy" in problem for problem in problems)
