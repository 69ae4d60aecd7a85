"""What the credential's page shows its learner about sending it to another backpack."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.models import User
from app.backpack_send.forms import SendForm
from app.backpack_send.models import BackpackConnection
from app.backpack_send.services import can_send
from app.backpack_send.services import connections
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential


@dataclass(frozen=True)
class SendPanel:
    """The send form; each connected backpack gets its own small forms (send here, disconnect)."""

    form: SendForm
    connections: list[BackpackConnection]


def send_panel(credential: IssuedCredential, user: User) -> SendPanel | None:
    """The send form and the learner's connected backpacks; None for anyone but the learner."""
    if not can_send(credential, user) or credential.state == CredentialState.REVOKED:
        return None
    return SendPanel(SendForm(), connections(user))
