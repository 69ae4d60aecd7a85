"""Laurel at a path on the school's site (LAUREL_PUBLIC_URL=https://…/laurel): every link, form,
redirect and stylesheet keeps the path, whether the school's proxy passes it on or strips it.
"""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.config import ConfigurationError
from app.web.mount import public_link
from tests.fixtures.app import TEST_PUBLIC_URL
from tests.fixtures.signin import sign_in
from tests.fixtures.users import DEFAULT_PASSWORD

PREFIX = "/laurel"
# Every address a page points the browser to on this site (not data: or https: ones).
SITE_ADDRESS = re.compile(r'(?:href|action|src)="(/[^"]*)"')


@pytest.fixture
def app_config(app_config):
    app_config["LAUREL_PUBLIC_URL"] = TEST_PUBLIC_URL + PREFIX
    return app_config


def _site_addresses(html: str) -> list[str]:
    return SITE_ADDRESS.findall(html)


@pytest.mark.parametrize("path", [PREFIX + "/login", "/login"], ids=["passed on", "stripped"])
def test_every_address_on_a_page_keeps_the_path(client, path):
    page = client.get(path)

    assert page.status_code == 200
    addresses = _site_addresses(page.get_data(as_text=True))
    assert len(addresses) > 5
    assert [a for a in addresses if not a.startswith(PREFIX + "/")] == []


def test_signing_in_returns_to_the_page_asked_for_under_the_path(client, school):
    asked = client.get(PREFIX + "/badges/new")
    assert asked.status_code == 302
    assert asked.location.startswith(PREFIX + "/login?next=")

    signed_in = client.post(
        asked.location,
        data={"email": school.instructor.email, "password": DEFAULT_PASSWORD},
    )

    assert signed_in.status_code == 302
    assert signed_in.location == PREFIX + "/badges/new"


def test_the_language_form_returns_under_the_path(client):
    page = client.get("/verify").get_data(as_text=True)
    [back] = re.findall(r'name="next" value="([^"]+)"', page)
    assert back == PREFIX + "/verify"

    answer = client.post(PREFIX + "/language", data={"language": "es", "next": back})

    assert answer.status_code == 302 and answer.location == PREFIX + "/verify"
    assert f"Path={PREFIX}" in answer.headers["Set-Cookie"]


def test_the_session_cookie_stays_on_laurels_path(client, school):
    """The school's other pages on the same host never receive a Laurel session."""
    answer = client.post(
        PREFIX + "/login", data={"email": school.instructor.email, "password": DEFAULT_PASSWORD}
    )

    assert answer.status_code == 302
    [session_cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert f"Path={PREFIX}" in session_cookie


def test_the_current_section_is_marked_under_the_path(client, school):
    sign_in(client, school.instructor)
    page = client.get(PREFIX + "/badges").get_data(as_text=True)

    assert re.search(rf'href="{PREFIX}/badges"[^>]*aria-current="page"', page)


def test_links_others_receive_carry_the_path_once(app):
    """An invitation, a provider's callback, an LMS's launch: in a request under the path,
    and outside any request (a command)."""
    for base_url in (TEST_PUBLIC_URL + PREFIX, "http://localhost"):
        with app.test_request_context("/", base_url=base_url):
            link = public_link("accounts.accept_invitation", token="t0k3n")
            assert link == f"{TEST_PUBLIC_URL}{PREFIX}/invite/t0k3n"
            for endpoint, values in (("sso.callback", {"key": "google"}), ("lti.launch", {})):
                link = public_link(endpoint, **values)
                assert link.startswith(f"{TEST_PUBLIC_URL}{PREFIX}/")
                assert link.removeprefix(TEST_PUBLIC_URL).count(PREFIX) == 1


@pytest.mark.parametrize("path", ["/verify", "/s", "/api/v2"])
def test_a_path_that_begins_like_laurels_own_addresses_is_refused(app_config, path):
    app_config["LAUREL_PUBLIC_URL"] = TEST_PUBLIC_URL + path

    with pytest.raises(ConfigurationError, match="another path"):
        create_app(app_config)


class StrippingProxy:
    """The school's site: /laurel/… goes to Laurel with the prefix stripped; every other
    address is the school site's own 404, recorded."""

    def __init__(self, app) -> None:
        self.app = app
        self.escaped: list[str] = []

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if not path.startswith(PREFIX + "/"):
            self.escaped.append(path)
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"The school site has no such page."]
        environ["PATH_INFO"] = path[len(PREFIX) :]
        return self.app(environ, start_response)


@pytest.fixture
def school_site(request, app_config):
    """Laurel behind the stripping proxy: (the public URL, the proxy)."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    public_url = f"http://127.0.0.1:{server.server_port}{PREFIX}"
    app_config["LAUREL_PUBLIC_URL"] = public_url
    proxy = StrippingProxy(request.getfixturevalue("app"))
    server.app = proxy
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield public_url, proxy
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.browser
def test_a_person_browses_signs_in_and_switches_language_under_the_path(
    school_site, browser_page, school
):
    public_url, proxy = school_site
    page = browser_page
    page.goto(public_url + "/")
    page.get_by_role("link", name="Sign in").first.click()
    page.fill("#email", school.instructor.email)
    page.fill("#password", DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.startswith(public_url + "/")
    assert page.get_by_role("button", name="Sign out").is_visible()

    page.get_by_role("link", name="Verify a credential").first.click()
    page.wait_for_url(public_url + "/verify")
    page.select_option("#language-footer", "es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(public_url + "/verify")
    assert page.locator("html").get_attribute("lang") == "es"
    # The stylesheet came from under the path too.
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"

    assert proxy.escaped == []
