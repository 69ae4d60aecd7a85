"""Disconnecting revokes the tokens at the other backpack (RFC 7009), and the backpack's answer
must name the issuer Laurel sent the learner to (RFC 9207), against oidc-provider on loopback.
"""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from app.backpack_send.models import BackpackConnection
from app.backpack_send.models import RemoteBackpack
from app.backpack_send.services import SEALING_PURPOSE
from app.extensions import db
from app.sealing import Sealer
from tests.backpack.other_backpack import laurel_path
from tests.backpack.other_backpack import start_send


def _connected(app, client, backpack, credential) -> tuple[BackpackConnection, str, str]:
    """Send once (authorizing); the connection and its access and refresh tokens, opened."""
    started = start_send(client, credential.id, backpack.origin)
    assert client.get(laurel_path(backpack.answer(started.headers["Location"]))).status_code == 302
    connection = db.session.scalar(sa.select(BackpackConnection))
    sealer = Sealer(app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)
    return (
        connection,
        sealer.open(connection.sealed_access_token),
        sealer.open(connection.sealed_refresh_token),
    )


def _disconnect(client, connection_id: int, credential_id: str) -> str:
    gone = client.post(
        f"/backpack/connections/{connection_id}/disconnect", data={"credential_id": credential_id}
    )
    assert gone.status_code == 302
    return client.get(gone.headers["Location"]).get_data(as_text=True)


def _upsert_with(backpack, access_token: str) -> int:
    return requests.post(
        f"{backpack.origin}/ims/ob/v3p0/credentials",
        data=b"{}",
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
        timeout=30,
    ).status_code


def test_disconnect_revokes_both_tokens_at_the_backpack(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    connection, access, refresh = _connected(app, client, other_backpack, credential)
    remote = db.session.scalar(sa.select(RemoteBackpack))
    assert remote.issuer == other_backpack.origin
    assert remote.sends_iss is True
    assert remote.revocation_url == f"{other_backpack.origin}/token/revocation"
    assert _upsert_with(other_backpack, access) == 201

    page = _disconnect(client, connection.id, credential.id)
    assert "Disconnected from The Other Backpack: Laurel no longer keeps its access." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackpackConnection)) == 0
    assert _upsert_with(other_backpack, access) == 401
    renewed = requests.post(
        f"{other_backpack.origin}/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh},
        auth=(
            remote.client_id,
            Sealer(app.config["SECRET_KEY"], purpose=SEALING_PURPOSE).open(
                remote.sealed_client_secret
            ),
        ),
        timeout=30,
    )
    assert renewed.status_code == 400
    assert renewed.json()["error"] == "invalid_grant"


def test_a_failed_revocation_is_reported_but_the_learner_is_disconnected(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    connection, access, _refresh = _connected(app, client, other_backpack, credential)
    other_backpack.control(refuseRevocation=True)
    page = _disconnect(client, connection.id, credential.id)
    assert "may still honour it until it expires" in page
    assert "revocation is down for maintenance" in page
    assert "(HTTP 503)" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackpackConnection)) == 0
    assert _upsert_with(other_backpack, access) == 201  # what the learner was warned about


def test_a_backpack_without_metadata_is_disconnected_locally(
    app, login, school, make_credential, other_backpack
):
    other_backpack.control(hideMetadata=True)
    credential = make_credential()
    client = login(school.student)
    connection, _access, _refresh = _connected(app, client, other_backpack, credential)
    remote = db.session.scalar(sa.select(RemoteBackpack))
    assert (remote.issuer, remote.sends_iss, remote.revocation_url) == (None, False, None)
    page = _disconnect(client, connection.id, credential.id)
    assert "Laurel no longer keeps its access." in page
    assert "may still honour" not in page


def _answer_with(url: str, **changes: str | None) -> str:
    """The backpack's answer (a URL at Laurel) with query parameters replaced or removed."""
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return f"{parts.path}?{urlencode(query)}"


def test_an_answer_naming_another_issuer_is_refused(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    answer = other_backpack.answer(started.headers["Location"])
    assert parse_qs(urlsplit(answer).query)["iss"] == [other_backpack.origin]
    refused = client.get(_answer_with(answer, iss="https://attacker.example"))
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "“https://attacker.example”, not from The Other Backpack" in text
    assert "nothing was sent" in text
    assert other_backpack.received()["credentials"] == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackpackConnection)) == 0


def test_an_answer_without_the_promised_issuer_is_refused(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    answer = other_backpack.answer(started.headers["Location"])
    refused = client.get(_answer_with(answer, iss=None))
    assert refused.status_code == 400
    assert "promised to say who answers" in refused.get_data(as_text=True)
    assert other_backpack.received()["credentials"] == []


def test_without_metadata_a_sent_issuer_must_still_be_the_backpack(
    app, login, school, make_credential, other_backpack
):
    other_backpack.control(hideMetadata=True)
    credential, second = make_credential(), make_credential()
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    answer = other_backpack.answer(started.headers["Location"])
    refused = client.get(_answer_with(answer, iss="https://attacker.example"))
    assert refused.status_code == 400
    # Unpromised, an answer without `iss` goes through.
    started = start_send(client, second.id, other_backpack.origin)
    answer = other_backpack.answer(started.headers["Location"])
    assert client.get(_answer_with(answer, iss=None)).status_code == 302
    assert [item["body"] for item in other_backpack.received()["credentials"]] == [second.json_text]
