"""The public addresses of what Laurel issues: credentials, status lists, the issuer's logo."""

from __future__ import annotations

from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose


def credential_url(public_url: str, credential: IssuedCredential) -> str:
    """The credential's id: where its signed document is served."""
    return f"{public_url}/credentials/{credential.id}"


def status_list_url(public_url: str, purpose: StatusPurpose, number: int) -> str:
    return f"{public_url}/status/{purpose.value}/{number}"


def issuer_logo_url(public_url: str) -> str:
    return f"{public_url}/issuer/logo"
