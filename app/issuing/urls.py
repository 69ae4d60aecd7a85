"""The public addresses of what Laurel issues: credentials, status lists, the issuer's logo."""

from __future__ import annotations

from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose

API_CREDENTIALS_PATH = "api-credentials"


def credential_url(public_url: str, credential: IssuedCredential) -> str:
    """The credential's id: where its signed document is served."""
    return credential_url_for_id(public_url, credential.id)


def credential_url_for_id(public_url: str, credential_id: str) -> str:
    """The same address, for a credential about to be stored."""
    return f"{public_url}/credentials/{credential_id}"


def api_credential_url(public_url: str, uuid: str) -> str:
    """The id Laurel mints for a credential the VC-API signs with the school's status entries."""
    return f"{public_url}/{API_CREDENTIALS_PATH}/{uuid}"


def status_list_url(public_url: str, purpose: StatusPurpose, number: int) -> str:
    return f"{public_url}/status/{purpose.value}/{number}"


def issuer_logo_url(public_url: str) -> str:
    return f"{public_url}/issuer/logo"
