"""The learner's "Connected apps" page: the apps holding their tokens, and disconnecting one.

Bad inputs tried: disconnecting an app twice, an app of another learner, an unknown id,
an app whose name is markup.
"""

from __future__ import annotations

from app.backpack.scopes import CREDENTIAL_READONLY
from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack.scopes import PLAIN_WORDS


def test_apps_are_listed_and_one_is_disconnected(backpack, school):
    wallet = backpack.register(client_name="Portfolio Wallet")
    locker = backpack.register(client_name="<script>alert(1)</script> Locker")
    wallet_oauth = backpack.connect(wallet, school.student)
    locker_oauth = backpack.connect(locker, school.student, scope=[CREDENTIAL_READONLY])
    browser = backpack.signed_in(school.student)
    apps_url = f"{backpack.base}/backpack/apps"

    page = browser.get(apps_url, timeout=30).text
    assert "Portfolio Wallet" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Locker" in page
    assert "<script>alert(1)" not in page
    assert PLAIN_WORDS[CREDENTIAL_UPSERT] in page and "Connected since" in page

    answer = browser.post(
        f"{apps_url}/{wallet['client_id']}/revoke", allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302
    assert wallet_oauth.get(backpack.credentials_url, timeout=30).status_code == 401
    refreshed = browser.post(
        backpack.token_url,
        data={"grant_type": "refresh_token", "refresh_token": wallet_oauth.token["refresh_token"]},
        auth=(wallet["client_id"], wallet["client_secret"]),
        timeout=30,
    )
    assert refreshed.status_code == 400
    assert locker_oauth.get(backpack.credentials_url, timeout=30).status_code == 200
    page = browser.get(apps_url, timeout=30).text
    assert "Portfolio Wallet" not in page and "Locker" in page

    again = browser.post(f"{apps_url}/{wallet['client_id']}/revoke", timeout=30)
    assert again.status_code == 404
    unknown = browser.post(f"{apps_url}/no-such-client/revoke", timeout=30)
    assert unknown.status_code == 404


def test_another_learner_sees_none_and_cannot_disconnect(backpack, school):
    client = backpack.register()
    oauth = backpack.connect(client, school.student)
    other = backpack.signed_in(school.other_student)
    page = other.get(f"{backpack.base}/backpack/apps", timeout=30).text
    assert "No app holds access to your backpack." in page
    answer = other.post(f"{backpack.base}/backpack/apps/{client['client_id']}/revoke", timeout=30)
    assert answer.status_code == 404
    assert oauth.get(backpack.credentials_url, timeout=30).status_code == 200


def test_the_record_page_links_to_connected_apps(client, login, school):
    page = login(school.student).get(f"/learners/{school.student.id}/record")
    assert "/backpack/apps" in page.get_data(as_text=True)
