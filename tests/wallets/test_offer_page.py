"""The wallet panel on the credential's page, and the form's CSRF protection."""

from __future__ import annotations

from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.models_base import utcnow
from app.wallets.models import WalletOffer
from tests.fixtures.signin import sign_in
from tests.wallets.conftest import offer_form

PANEL = "Add to a digital wallet"


def test_panel_shows_for_the_learner_only_and_not_once_revoked(client, login, school, issued):
    login(school.student)
    page = client.get(f"/credentials/{issued.id}").get_data(as_text=True)
    assert PANEL in page
    assert page.count('id="csrf_token"') <= 1
    login(school.instructor)
    assert PANEL not in client.get(f"/credentials/{issued.id}").get_data(as_text=True)
    change_credential_status(
        issued,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Awarded by mistake",
        now=utcnow(),
    )
    db.session.commit()
    login(school.student)
    assert PANEL not in client.get(f"/credentials/{issued.id}").get_data(as_text=True)


def test_offer_form_needs_its_csrf_token_the_wallet_endpoints_do_not(app_config, school, issued):
    from app import create_app

    app_config["WTF_CSRF_ENABLED"] = True
    csrf_app = create_app(app_config)
    client = sign_in(csrf_app.test_client(), school.student)
    try:
        refused = client.post(f"/credentials/{issued.id}/wallet", data=offer_form())
        assert refused.status_code == 400
        assert "security token" in refused.get_data(as_text=True)
        assert client.post("/openid4vci/nonce").status_code == 200
        with csrf_app.app_context():
            assert db.session.scalar(db.select(WalletOffer)) is None
    finally:
        with csrf_app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_unknown_wallet_kind_is_400(client, login, school, issued):
    login(school.student)
    for data in ({"protocol": "bluetooth"}, {}):
        response = client.post(f"/credentials/{issued.id}/wallet", data=data)
        assert response.status_code == 400
        assert "Choose a wallet" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(WalletOffer)) is None
