"""In a real browser: the learner asks for a wallet QR code on the credential's page, and the
code, read back with zbar from what the page shows, is the offer's link."""

from __future__ import annotations

import subprocess

import pytest
import requests

from tests.fixtures.browser import sign_in_with_form

pytestmark = pytest.mark.browser


def _decoded(page, path) -> str:
    page.locator("img.qr").screenshot(path=path)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True)
    return result.stdout.strip()


def test_credential_page_shows_wallet_qr_codes(
    live_server, school, issued, browser_page, artifacts
):
    page = browser_page
    sign_in_with_form(page, live_server, school.student.email)
    for button, prefix in (
        ("Wallet (OpenID4VCI)", "openid-credential-offer://?credential_offer_uri="),
        ("Learner Credential Wallet", "https://lcw.app/request?request="),
    ):
        page.goto(f"{live_server}/credentials/{issued.id}")
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        page.screenshot(path=artifacts / f"{button.split()[0]}.png", full_page=True)
        link = page.get_attribute("#wallet-link", "href")
        assert link.startswith(prefix)
        assert _decoded(page, artifacts / f"{button.split()[0]}-qr.png") == link
    # The last code's exchange answers a wallet.
    exchange = page.input_value("#wallet-interaction")
    first = requests.post(exchange, json={}, timeout=30).json()
    assert first["verifiablePresentationRequest"]["query"][0]["type"] == "DIDAuthentication"
