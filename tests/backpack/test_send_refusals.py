"""Sends that fail: each gives the learner a page with the reason and a 4xx, never a 500.

Bad inputs tried: an empty address, words that are not an address, http:// to a
public host, a private address, loopback without the test-only flag, no discovery
document, a discovery document that is not JSON or lacks its OAuth2ACG scheme or
the upsert scope, a timeout, a refused registration, the learner saying no at the
backpack, a missing, foreign or reused state, a bad code, an upsert answered 401
and 503, someone else's credential, a revoked credential, a form without its CSRF token.
"""

from __future__ import annotations

import json

import flask_babel
import pytest
import requests
import sqlalchemy as sa

from app.backpack_send.models import BackpackConnection
from app.extensions import db
from tests.backpack.other_backpack import laurel_path
from tests.backpack.other_backpack import start_send


def _page(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("", "Enter the address of the backpack to send to."),
        ("my other backpack", "is not a backpack&#39;s web address"),
        ("http://backpack.example", "over HTTPS only"),
        ("https://10.1.2.3/", "private network"),
        ("https://[fe80::1]/", "private network"),
    ],
)
def test_bad_addresses(login, school, make_credential, address, reason):
    credential = make_credential()
    answer = start_send(login(school.student), credential.id, address)
    assert answer.status_code == 400
    assert reason in _page(answer)
    assert "The credential was not sent" in _page(answer)


def test_loopback_needs_the_test_only_flag(app, login, school, make_credential, other_backpack):
    app.config["LAUREL_VERIFY_ALLOW_LOOPBACK"] = False
    answer = start_send(login(school.student), make_credential().id, other_backpack.origin)
    assert answer.status_code == 400
    assert "over HTTPS only" in _page(answer)
    assert other_backpack.received()["credentials"] == []


def test_no_discovery_document(login, school, make_credential, other_backpack):
    answer = start_send(
        login(school.student), make_credential().id, f"{other_backpack.origin}/elsewhere"
    )
    assert answer.status_code == 400
    assert "There is no Open Badges 3.0 discovery document at" in _page(answer)


def _serving(app, body: bytes | Exception) -> None:
    """The discovery document comes from this transport (after the address guard)."""

    def transport(url: str, address: str):
        if isinstance(body, Exception):
            raise body
        return body, None

    app.config["LAUREL_VERIFY_TRANSPORT"] = transport


DISCOVERY = {
    "info": {"title": "Half a backpack"},
    "servers": [{"url": "https://backpack.example/ims/ob/v3p0"}],
    "components": {
        "securitySchemes": {
            "OAuth2ACG": {
                "x-imssf-registrationUrl": "https://backpack.example/reg",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://backpack.example/auth",
                        "tokenUrl": "https://backpack.example/token",
                        "scopes": {
                            "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly": ""
                        },
                    }
                },
            }
        }
    },
}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>a web page</html>", "is unreadable"),
        (b"[1, 2]", "is not a JSON object"),
        (json.dumps({"openapi": "3.0.1"}).encode(), "names no server"),
        (
            json.dumps({**DISCOVERY, "components": {"securitySchemes": {}}}).encode(),
            "has no OAuth2ACG security scheme",
        ),
        (json.dumps(DISCOVERY).encode(), "lacks the credential.upsert scope"),
        (requests.ReadTimeout("slow"), "could not be reached (ReadTimeout)"),
    ],
)
def test_unusable_discovery_documents(app, login, school, make_credential, body, reason):
    _serving(app, body)
    answer = start_send(login(school.student), make_credential().id, "https://8.8.8.8")
    assert answer.status_code == 400
    assert reason in _page(answer)


def test_registration_refused(login, school, make_credential, other_backpack):
    other_backpack.control(refuseRegistration=True)
    answer = start_send(login(school.student), make_credential().id, other_backpack.origin)
    assert answer.status_code == 400
    assert "The backpack refused to register Laurel: “registration is closed”" in _page(answer)


def test_the_learner_says_no_at_the_backpack(login, school, make_credential, other_backpack):
    client = login(school.student)
    started = start_send(client, make_credential().id, other_backpack.origin)
    other_backpack.control(denyConsent=True)
    answer = client.get(laurel_path(other_backpack.answer(started.headers["Location"])))
    assert answer.status_code == 403
    assert "did not allow Laurel to store the credential" in _page(answer)
    assert "The learner did not allow it" in _page(answer)
    assert other_backpack.received()["credentials"] == []


def test_state_from_another_browser_session_is_refused(
    app, login, school, make_credential, other_backpack
):
    client = login(school.student)
    started = start_send(client, make_credential().id, other_backpack.origin)
    back = laurel_path(other_backpack.answer(started.headers["Location"]))
    elsewhere = app.test_client()
    with elsewhere.session_transaction() as session:
        session["_user_id"] = school.student.get_id()
        session["_fresh"] = True
    answer = elsewhere.get(back)
    assert answer.status_code == 400
    assert "does not belong to a send started in this browser session" in _page(answer)
    assert other_backpack.received()["credentials"] == []


def test_a_state_is_used_once(login, school, make_credential, other_backpack):
    client = login(school.student)
    started = start_send(client, make_credential().id, other_backpack.origin)
    back = laurel_path(other_backpack.answer(started.headers["Location"]))
    assert client.get(back).status_code == 302
    with client.session_transaction() as session:
        session["backpack_send_state"] = dict(
            pair.split("=", 1) for pair in back.split("?", 1)[1].split("&")
        )["state"]
    again = client.get(back)
    assert again.status_code == 400
    assert "already used" in _page(again)
    assert len(other_backpack.received()["credentials"]) == 1


def test_an_answer_without_state(login, school):
    answer = login(school.student).get("/backpack/send/callback?code=abc")
    assert answer.status_code == 400
    assert "carries no state" in _page(answer)


def test_a_code_the_backpack_refuses(login, school, make_credential, other_backpack):
    client = login(school.student)
    started = start_send(client, make_credential().id, other_backpack.origin)
    back = laurel_path(other_backpack.answer(started.headers["Location"]))
    forged = back.replace("code=", "code=forged")
    answer = client.get(forged)
    assert answer.status_code == 400
    assert "The backpack refused to give Laurel a token: invalid_grant" in _page(answer)


@pytest.mark.parametrize(
    ("status", "expected", "reason"),
    [
        (503, 400, "The backpack is refusing credentials today (503)"),
        (422, 400, "The backpack is refusing credentials today (422)"),
        (401, 403, "no longer accepts Laurel"),
    ],
)
def test_upsert_failures_show_the_backpacks_words(
    login, school, make_credential, other_backpack, status, expected, reason
):
    client = login(school.student)
    started = start_send(client, make_credential().id, other_backpack.origin)
    other_backpack.control(upsertStatus=status)
    answer = client.get(laurel_path(other_backpack.answer(started.headers["Location"])))
    assert answer.status_code == expected
    assert reason in _page(answer)
    # The token is kept: the next try need not ask the learner again.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackpackConnection)) == 1


def test_a_token_the_backpack_rejects_leads_to_asking_again(
    login, school, make_credential, other_backpack
):
    client = login(school.student)
    first = make_credential()
    started = start_send(client, first.id, other_backpack.origin)
    assert (
        client.get(laurel_path(other_backpack.answer(started.headers["Location"]))).status_code
        == 302
    )
    other_backpack.control(upsertStatus=401)
    again = start_send(client, make_credential().id, other_backpack.origin)
    assert again.status_code == 302
    assert again.headers["Location"].startswith(f"{other_backpack.origin}/auth?")


def test_only_the_learner_sends(login, school, make_credential):
    credential = make_credential()
    assert (
        start_send(login(school.instructor), credential.id, "https://x.example").status_code == 403
    )
    assert (
        start_send(login(school.classmate), credential.id, "https://x.example").status_code == 404
    )
    assert start_send(login(None), credential.id, "https://x.example").status_code == 302


def test_the_form_needs_its_csrf_token(app, login, school, make_credential):
    app.config["WTF_CSRF_ENABLED"] = True
    answer = start_send(login(school.student), make_credential().id, "https://x.example")
    assert answer.status_code == 400


def test_the_credential_page_offers_sending_to_its_learner_only(login, school, make_credential):
    credential = make_credential()
    own = _page(login(school.student).get(f"/credentials/{credential.id}"))
    assert "Send to another backpack" in own
    staff = _page(login(school.instructor).get(f"/credentials/{credential.id}"))
    assert "Send to another backpack" not in staff


def test_a_revoked_credential_is_not_sent(login, school, make_credential, now):
    from app.badges.models import CredentialState

    credential = make_credential()
    credential.state = CredentialState.REVOKED
    credential.status_changed_at = now
    credential.status_reason = "Issued by mistake."
    db.session.commit()
    client = login(school.student)
    answer = start_send(client, credential.id, "https://x.example")
    assert answer.status_code == 409
    assert "revoked" in _page(answer)
    assert "Send to another backpack" not in _page(client.get(f"/credentials/{credential.id}"))


def _speaks_spanish(user) -> None:
    """`user` chose Spanish. The test's app context is shared with its requests: the language
    Flask-Babel picked so far (issuing a credential picks one) is forgotten."""
    user.language = "es"
    db.session.commit()
    flask_babel.refresh()


def test_a_spanish_learner_reads_why_the_backpack_is_unusable(app, login, school, make_credential):
    credential = make_credential()
    _speaks_spanish(school.student)
    _serving(app, json.dumps({**DISCOVERY, "components": {"securitySchemes": {}}}).encode())

    answer = start_send(login(school.student), credential.id, "https://8.8.8.8")

    assert answer.status_code == 400
    assert (
        "El documento de descubrimiento de la mochila no tiene esquema de seguridad OAuth2ACG: "
        "puede que no sea una mochila de Open Badges 3.0." in _page(answer)
    )
    assert "security scheme" not in _page(answer)


def test_a_spanish_learner_reads_that_the_backpack_refused(
    login, school, make_credential, other_backpack
):
    credential = make_credential()
    _speaks_spanish(school.student)
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    other_backpack.control(denyConsent=True)

    answer = client.get(laurel_path(other_backpack.answer(started.headers["Location"])))

    assert answer.status_code == 403
    assert "no permitió a Laurel guardar la credencial" in _page(answer)
    assert "No se envió nada." in _page(answer)
