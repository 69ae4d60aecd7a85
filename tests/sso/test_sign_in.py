"""Signing in with the school's OpenID Provider (oidc-provider on loopback), end to end.

The provider is panva's oidc-provider, which shares no code with Authlib: the code flow,
PKCE, state, nonce and the ID token's signature pass here because both sides speak
OpenID Connect, not because one library agrees with itself.
"""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from app.sso.models import SsoIdentity
from tests.backpack.other_backpack import laurel_path
from tests.sso.school_idp import sign_in_through
from tests.sso.school_idp import signed_in_id


def test_an_account_is_matched_by_verified_email_and_signed_in(client, school_idp, make_user):
    sam = make_user(Role.STUDENT, email="sam@maplegrove.test", name="Sam Rivera")
    school_idp.next_account(
        sub="idp-sam", email="Sam@maplegrove.test", email_verified=True, name="Sam R."
    )

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 302, answer.get_data(as_text=True)[:800]
    assert answer.headers["Location"].endswith("/dashboard")
    assert signed_in_id(client) == sam.get_id()
    identity = db.session.scalar(sa.select(SsoIdentity))
    assert (identity.provider_key, identity.subject, identity.user_id) == (
        "school",
        "idp-sam",
        sam.id,
    )


def test_the_request_carries_pkce_state_and_nonce(client, school_idp):
    started = client.get("/sso/school/start")

    query = parse_qs(urlsplit(started.headers["Location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"][0].split() == ["openid", "email", "profile"]
    assert query["redirect_uri"] == ["https://laurel.test/sso/school/callback"]


def test_a_linked_account_is_found_by_subject_after_the_email_changes(
    client, school_idp, make_user
):
    leo = make_user(Role.INSTRUCTOR, email="leo@maplegrove.test")
    school_idp.next_account(sub="idp-leo", email="leo@maplegrove.test", email_verified=True)
    assert sign_in_through(client, school_idp).status_code == 302
    client.post("/logout")

    school_idp.next_account(sub="idp-leo", email="l.okafor@maplegrove.test", email_verified=True)
    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 302
    assert signed_in_id(client) == leo.get_id()


def test_a_student_account_is_created_when_the_provider_allows_it(client, school_idp, app_ctx):
    from app.sso.models import SsoProvider

    db.session.scalar(sa.select(SsoProvider)).create_students = True
    db.session.commit()
    school_idp.next_account(
        sub="idp-ava", email="ava@maplegrove.test", email_verified=True, name="Ava Chen"
    )

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 302
    ava = db.session.scalar(sa.select(User).where(User.email == "ava@maplegrove.test"))
    assert (ava.name, ava.role, ava.password_hash) == ("Ava Chen", Role.STUDENT, None)
    assert signed_in_id(client) == ava.get_id()


def test_an_unknown_address_gets_no_account_when_the_provider_does_not_allow_it(client, school_idp):
    school_idp.next_account(sub="idp-new", email="new@maplegrove.test", email_verified=True)

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 403
    assert "There is no Laurel account for new@maplegrove.test" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_an_unverified_email_is_refused(client, school_idp, make_user):
    make_user(Role.STUDENT, email="maya@maplegrove.test")
    school_idp.next_account(sub="idp-maya", email="maya@maplegrove.test", email_verified=False)

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 403
    assert "has not verified the email address maya@maplegrove.test" in answer.get_data(
        as_text=True
    )
    assert signed_in_id(client) is None
    assert db.session.scalar(sa.select(SsoIdentity)) is None


def test_an_email_outside_the_allowed_domains_is_refused(client, school_idp, make_user):
    make_user(Role.STUDENT, email="sam@elsewhere.test")
    school_idp.next_account(sub="idp-other", email="sam@elsewhere.test", email_verified=True)

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 403
    assert "sam@elsewhere.test is not in a domain this school signs in with" in answer.get_data(
        as_text=True
    )
    assert signed_in_id(client) is None


def test_a_deactivated_account_is_refused(client, school_idp, make_user):
    gone = make_user(Role.STUDENT, email="gone@maplegrove.test")
    gone.is_active_account = False
    db.session.commit()
    school_idp.next_account(sub="idp-gone", email="gone@maplegrove.test", email_verified=True)

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 403
    assert "deactivated" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


def test_a_replayed_state_is_refused(client, school_idp, make_user):
    make_user(Role.STUDENT, email="sam@maplegrove.test")
    school_idp.next_account(sub="idp-sam", email="sam@maplegrove.test", email_verified=True)
    started = client.get("/sso/school/start")
    callback = laurel_path(school_idp.answer(started.headers["Location"]))
    assert client.get(callback).status_code == 302
    client.post("/logout")

    replayed = client.get(callback)

    assert replayed.status_code == 400
    assert "already used" in replayed.get_data(as_text=True)
    assert signed_in_id(client) is None


def test_an_answer_for_another_browser_is_refused(client, app, school_idp, make_user):
    make_user(Role.STUDENT, email="sam@maplegrove.test")
    school_idp.next_account(sub="idp-sam", email="sam@maplegrove.test", email_verified=True)
    started = client.get("/sso/school/start")
    callback = laurel_path(school_idp.answer(started.headers["Location"]))
    other_browser = app.test_client()

    answer = other_browser.get(callback)

    assert answer.status_code == 400
    assert signed_in_id(other_browser) is None


def test_the_providers_refusal_is_shown(client, school_idp):
    client.get("/sso/school/start")
    with client.session_transaction() as session:
        state = next(k for k in session if k.startswith("_state_sso-school_")).rpartition("_")[2]

    answer = client.get(f"/sso/school/callback?error=access_denied&state={state}")

    assert answer.status_code == 403
    assert "Maple Grove Accounts did not let you sign in" in answer.get_data(as_text=True)
    assert signed_in_id(client) is None


def test_an_unknown_provider_is_a_404(client, school_idp):
    for path in ("/sso/nowhere/start", "/sso/nowhere/callback?code=x&state=y"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert "no sign-in provider named “nowhere”" in answer.get_data(as_text=True)
        assert signed_in_id(client) is None


def test_the_login_page_offers_each_provider(client, school_idp):
    page = client.get("/login").get_data(as_text=True)

    assert "Sign in with Maple Grove Accounts" in page
    assert 'href="/sso/school/start"' in page


def _choose_spanish(client) -> None:
    """The footer's switcher, signed out."""
    client.post("/language", data={"language": "es", "next": "/login"})


def test_a_spanish_visitor_reads_why_the_provider_refused(client, school_idp):
    _choose_spanish(client)
    client.get("/sso/school/start")
    with client.session_transaction() as session:
        state = next(k for k in session if k.startswith("_state_sso-school_")).rpartition("_")[2]

    answer = client.get(f"/sso/school/callback?error=access_denied&state={state}")

    assert answer.status_code == 403
    assert "Maple Grove Accounts no te dejó iniciar sesión (acceso denegado)." in answer.get_data(
        as_text=True
    )


def test_a_spanish_visitor_without_an_account_reads_it_in_spanish(client, school_idp):
    _choose_spanish(client)
    school_idp.next_account(sub="idp-new", email="new@maplegrove.test", email_verified=True)

    answer = sign_in_through(client, school_idp)

    assert answer.status_code == 403
    assert (
        "No hay ninguna cuenta de Laurel para new@maplegrove.test. Pide al administrador de "
        "Laurel de tu escuela que te agregue." in answer.get_data(as_text=True)
    )
    assert signed_in_id(client) is None
