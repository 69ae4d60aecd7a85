"""The suspension a Laurel issuer publishes beside a credential, which cannot carry it.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. The OB 3.0 schemas allow one `credentialStatus` object, so a
Laurel credential carries its revocation entry only; its issuer publishes the
suspension entry at "<credential id>/status" (`credential_status_url`), pointing
into its signed suspension list. A credential is taken for Laurel's when its id is
"<site>/credentials/<uuid>", its issuer is the did:web of <site> and its revocation
list is "<site>/status/revocation/<n>". The entry found there is checked like any
status entry: the list must be signed by the credential's issuer.
"""

from __future__ import annotations

import re
from typing import Any

from app.credentials.did import did_web_from_url
from app.credentials.errors import CredentialError
from app.credentials.status import credential_status_url
from app.credentials.words import N_
from app.credentials.words import Text
from app.credentials.words import text_of

from .fetching import DocumentNotFound
from .fetching import fetch_json
from .fields import as_list
from .report import Outcome
from .run import Run

_LAUREL_ID = re.compile(
    r"^(https?://[^?#\s]+)/credentials/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
COULD_NOT = N_("Suspension could not be checked")


def _could_not(why: str) -> Text:
    return N_("%(could_not)s: %(why)s", could_not=COULD_NOT, why=why)


def laurel_site(credential: dict[str, Any], issuer_id: str | None) -> str | None:
    """The Laurel site that issued `credential`, or None when it does not have Laurel's shape."""
    match = _LAUREL_ID.match(str(credential.get("id", "")))
    if match is None:
        return None
    site = match[1]
    try:
        if did_web_from_url(site) != issuer_id:
            return None
    except CredentialError:
        return None
    revocation_lists = [
        entry.get("statusListCredential")
        for entry in as_list(credential.get("credentialStatus"))
        if isinstance(entry, dict) and entry.get("statusPurpose") == "revocation"
    ]
    prefix = f"{site}/status/revocation/"
    if not any(isinstance(url, str) and url.startswith(prefix) for url in revocation_lists):
        return None
    return site


def published_suspension_entry(run: Run, site: str) -> dict[str, Any] | None:
    """The suspension entry the issuer publishes for the credential, or None (with its line).

    Only an entry into the issuer's own suspension list is taken: a published
    document cannot send the verifier to another site's list.
    """
    if run.fetcher is None:
        run.add("status", Outcome.UNKNOWN, _could_not(N_("Laurel is working offline.")))
        return None
    credential_id = str(run.credential["id"])
    url = credential_status_url(credential_id)
    try:
        document = fetch_json(run.fetcher, url)
    except DocumentNotFound:
        # The issuer's own site says it publishes no entry: a shutdown kit (static files)
        # carries no suspension, and its export refuses while any credential is suspended.
        run.add(
            "status",
            Outcome.PASSED,
            N_("The issuer publishes no suspension for this credential."),
        )
        return None
    except CredentialError as error:
        run.add("status", Outcome.UNKNOWN, _could_not(text_of(error)))
        return None
    entries = [
        entry
        for entry in as_list(document.get("credentialStatus"))
        if isinstance(entry, dict)
        and entry.get("type") == "BitstringStatusListEntry"
        and entry.get("statusPurpose") == "suspension"
        and str(entry.get("statusListCredential", "")).startswith(f"{site}/status/suspension/")
    ]
    if document.get("credential") != credential_id or len(entries) != 1:
        run.add(
            "status",
            Outcome.UNKNOWN,
            _could_not(
                N_("%(url)s does not give one suspension entry for this credential.", url=url)
            ),
        )
        return None
    return entries[0]
