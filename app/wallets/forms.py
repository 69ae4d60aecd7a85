"""The learner's form on the credential's page: which kind of wallet, and a PIN or not."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms.validators import AnyOf

from app.wallets.models import WalletProtocol


class WalletForm(FlaskForm):
    """An OpenID4VCI offer ("openid4vci") or a Learner Credential Wallet exchange ("vcapi")."""

    protocol = HiddenField(
        validators=[
            AnyOf([protocol.value for protocol in WalletProtocol], message="Choose a wallet.")
        ]
    )
    with_pin = BooleanField("Ask the wallet for a PIN", default=True)
