"""A learner sends a credential to another Open Badges 3.0 backpack (oidc-provider on loopback).

The other backpack is panva's oidc-provider, which shares no code with Laurel's
Authlib server or client: discovery, registration, PKCE and the upsert pass here
because both sides speak the protocol, not because one library agrees with itself.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from app.backpack.scopes import CREDENTIAL_UPSERT
from app.backpack_send.models import BackpackConnection
from app.backpack_send.models import PendingSend
from app.backpack_send.models import RemoteBackpack
from app.backpack_send.services import SEALING_PURPOSE
from app.extensions import db
from app.sealing import Sealer
from tests.backpack.other_backpack import laurel_path
from tests.backpack.other_backpack import start_send


def _authorized_send(client, backpack, credential):
    """Start a send, let the backpack's pages answer, hand the answer to Laurel."""
    started = start_send(client, credential.id, backpack.origin)
    assert started.status_code == 302, started.get_data(as_text=True)[:800]
    return client.get(laurel_path(backpack.answer(started.headers["Location"])))


def test_send_discovers_registers_authorizes_and_stores_the_signed_bytes(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    assert started.status_code == 302
    authorization = urlsplit(started.headers["Location"])
    query = parse_qs(authorization.query)
    assert f"{authorization.scheme}://{authorization.netloc}" == other_backpack.origin
    assert authorization.path == "/auth"
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["scope"] == [CREDENTIAL_UPSERT]
    assert query["redirect_uri"] == ["https://laurel.test/backpack/send/callback"]
    assert query["state"][0]

    done = client.get(laurel_path(other_backpack.answer(started.headers["Location"])))
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/credentials/{credential.id}")
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Sent: the credential is now stored in The Other Backpack." in page
    assert "Your connected backpacks" in page

    received = other_backpack.received()
    assert [item["body"] for item in received["credentials"]] == [credential.json_text]
    assert received["credentials"][0]["contentType"] == "application/vc+ld+json"
    assert received["grants"] == ["authorization_code"]


def test_secrets_are_kept_sealed(app, login, school, make_credential, other_backpack):
    credential = make_credential()
    client = login(school.student)
    assert _authorized_send(client, other_backpack, credential).status_code == 302
    backpack = db.session.scalar(sa.select(RemoteBackpack))
    connection = db.session.scalar(sa.select(BackpackConnection))
    sealer = Sealer(app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)
    secret = sealer.open(backpack.sealed_client_secret)
    access = sealer.open(connection.sealed_access_token)
    assert secret and secret not in backpack.sealed_client_secret
    assert access and access not in connection.sealed_access_token
    assert backpack.discovery_url == f"{other_backpack.origin}/ims/ob/v3p0/discovery"
    assert backpack.api_base == f"{other_backpack.origin}/ims/ob/v3p0"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingSend)) == 0


def test_second_send_uses_the_kept_token_without_asking(
    app, login, school, make_credential, other_backpack
):
    first, second = make_credential(), make_credential()
    client = login(school.student)
    assert _authorized_send(client, other_backpack, first).status_code == 302
    again = start_send(client, second.id, other_backpack.discovery_url)
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/credentials/{second.id}")
    bodies = [item["body"] for item in other_backpack.received()["credentials"]]
    assert bodies == [first.json_text, second.json_text]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteBackpack)) == 1


def test_an_expired_token_is_refreshed(app, login, school, make_credential, other_backpack, now):
    first, second = make_credential(), make_credential()
    client = login(school.student)
    assert _authorized_send(client, other_backpack, first).status_code == 302
    connection = db.session.scalar(sa.select(BackpackConnection))
    old_access = connection.sealed_access_token
    connection.expires_at = now - timedelta(hours=1)
    db.session.commit()
    again = start_send(client, second.id, other_backpack.origin)
    assert again.headers["Location"].endswith(f"/credentials/{second.id}")
    assert other_backpack.received()["grants"] == ["authorization_code", "refresh_token"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(BackpackConnection)).sealed_access_token != old_access


def test_disconnect_forgets_the_token(app, login, school, make_credential, other_backpack):
    first, second = make_credential(), make_credential()
    client = login(school.student)
    assert _authorized_send(client, other_backpack, first).status_code == 302
    connection = db.session.scalar(sa.select(BackpackConnection))
    gone = client.post(
        f"/backpack/connections/{connection.id}/disconnect", data={"credential_id": first.id}
    )
    assert gone.status_code == 302
    assert gone.headers["Location"].endswith(f"/credentials/{first.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BackpackConnection)) == 0
    # The next send asks the learner again.
    again = start_send(client, second.id, other_backpack.origin)
    assert again.headers["Location"].startswith(f"{other_backpack.origin}/auth?")


def test_the_backpack_refuses_a_token_request_without_the_pkce_verifier(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    code = parse_qs(urlsplit(other_backpack.answer(started.headers["Location"])).query)["code"][0]
    backpack = db.session.scalar(sa.select(RemoteBackpack))
    secret = Sealer(app.config["SECRET_KEY"], purpose=SEALING_PURPOSE).open(
        backpack.sealed_client_secret
    )
    refused = requests.post(
        backpack.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "https://laurel.test/backpack/send/callback",
        },
        auth=(backpack.client_id, secret),
        timeout=30,
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_an_authorization_request_without_pkce_is_refused_by_the_backpack(
    app, login, school, make_credential, other_backpack
):
    credential = make_credential()
    client = login(school.student)
    started = start_send(client, credential.id, other_backpack.origin)
    parts = urlsplit(started.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    del query["code_challenge"], query["code_challenge_method"]
    answer = requests.get(
        f"{other_backpack.origin}/auth", params=query, allow_redirects=False, timeout=30
    )
    location = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert location["error"] == ["invalid_request"]
    assert "requires PKCE" in location["error_description"][0]


def test_one_registration_per_backpack_but_a_token_per_learner(
    app, login, school, make_credential, other_backpack
):
    mine, theirs = make_credential(), make_credential(recipient=school.classmate)
    assert _authorized_send(login(school.student), other_backpack, mine).status_code == 302
    classmate = login(school.classmate)
    started = start_send(classmate, theirs.id, other_backpack.origin)
    # Sam's token is his: his classmate is asked at the backpack herself.
    assert started.headers["Location"].startswith(f"{other_backpack.origin}/auth?")
    assert (
        classmate.get(laurel_path(other_backpack.answer(started.headers["Location"]))).status_code
        == 302
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RemoteBackpack)) == 1
    owners = db.session.scalars(sa.select(BackpackConnection.owner_id)).all()
    assert sorted(owners) == sorted([school.student.id, school.classmate.id])
