"""In a real browser: an instructor launched from the LMS's "Add content" places a badge, and
the return page posts the signed answer back to the LMS on its own, within the page's
Content-Security-Policy; without JavaScript its button does the same."""

from __future__ import annotations

from urllib.parse import urlencode

import jwt
import pytest
import requests

from app.accounts.models import Role
from tests.lti.platform import CLIENT_ID
from tests.lti.platform import INSTRUCTOR

pytestmark = pytest.mark.browser

DEEP_LINKING = "LtiDeepLinkingRequest"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


@pytest.fixture
def school_badge(live_server, platform, make_user, make_badge):
    author = make_user(Role.ADMIN, email="registrar@maplegrove.test")
    return make_badge(author, name="Brake Service", class_id=None)


def _start_placing(page, live_server: str, platform, badge) -> list[str]:
    """From the LMS's login request to the badge picker, the badge chosen and sent; the
    browser's Content-Security-Policy complaints, collected from then on."""
    platform.browser_launch = {"roles": [INSTRUCTOR], "message_type": DEEP_LINKING}
    complaints: list[str] = []
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    login = {
        "iss": platform.issuer,
        "client_id": CLIENT_ID,
        "login_hint": "hint-123",
        "target_link_uri": f"{live_server}/lti/launch",
    }
    page.goto(f"{live_server}/lti/login?{urlencode(login)}")
    page.get_by_role("button", name="Open Laurel").click()
    page.wait_for_url(f"{live_server}/lti/deep-link")
    page.get_by_label("Badge").select_option(label=badge.name)
    page.get_by_role("button", name="Place this badge").click()
    return complaints


def _placed_item(live_server: str, platform) -> dict:
    [posted] = platform.deep_link_returns
    token = posted["JWT"]
    keys = jwt.PyJWKSet.from_dict(requests.get(f"{live_server}/lti/jwks", timeout=10).json())
    claims = jwt.decode(
        token,
        keys[jwt.get_unverified_header(token)["kid"]].key,
        algorithms=["RS256"],
        audience=platform.issuer,
    )
    [item] = claims[DL + "content_items"]
    return item


def test_the_return_page_posts_the_signed_answer_to_the_lms_by_itself(
    live_server, platform, school_badge, browser_page, artifacts
):
    page = browser_page

    complaints = _start_placing(page, live_server, platform, school_badge)

    page.wait_for_url(platform.deep_link_return_url)
    page.screenshot(path=artifacts / "lms.png")
    assert page.get_by_role("heading", name="Content placed").is_visible()
    assert _placed_item(live_server, platform)["custom"] == {"laurel_badge": school_badge.slug}
    assert complaints == []


def test_without_javascript_the_return_page_shows_its_button(
    live_server, platform, school_badge, chromium, artifacts
):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        returned = []
        page.on(
            "response",
            lambda response: (
                returned.append(response)
                if response.url == f"{live_server}/lti/deep-link"
                and response.request.method == "POST"
                else None
            ),
        )
        complaints = _start_placing(page, live_server, platform, school_badge)
        button = page.get_by_role("button", name="Back to the LMS")
        button.wait_for()
        page.screenshot(path=artifacts / "return-page.png")
        assert platform.deep_link_returns == []
        policy = returned[0].headers["content-security-policy"]
        assert f"form-action 'self' {platform.origin};" in policy

        button.click()

        page.wait_for_url(platform.deep_link_return_url)
        assert _placed_item(live_server, platform)["title"] == "Brake Service"
        assert complaints == []
    finally:
        context.close()
