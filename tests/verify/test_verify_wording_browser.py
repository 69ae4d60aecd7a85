"""In Chromium: the verify page words an address, and a mistyped address, as what they are."""

from __future__ import annotations

from app.extensions import db


def test_verify_page_address_and_mistyped_address_in_browser(live_server, issued, browser_page):
    issued.share_enabled = True
    db.session.commit()
    page = browser_page
    page.goto(f"{live_server}/verify")
    page.fill("#url", "not a url")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "“not a url” is not a web address" in body
    assert "cannot read this file" not in body

    address = f"{live_server}/credentials/{issued.id}"
    page.fill("#url", address)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "Genuine — " in body
    assert f"Read a credential from {address} (JSON)" in body
    assert "JSON file" not in body
