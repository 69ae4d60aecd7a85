"""What POST /credentials/issue signs is kept: a row per credential, with the school's
status entries when asked for (options.credentialStatus) or by default for the did:web.

Status entries go only into a credential Laurel names: it gets the id
<public url>/api-credentials/<uuid>, the id a client sends to POST /credentials/status,
and one random slot in each of the school's status lists (revocation and suspension),
taken as badge credentials take theirs. The entries are a VC 2.0 array, so both travel in
the credential. By default (no option) a credential gets them when it is issued as the
school's did:web, names no `id` and no `credentialStatus` of its own and is VC 2.0; a
credential that asks for them and cannot have them is refused with the reason.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.badges.models import IssuedCredential
from app.badges.models import StatusPurpose
from app.badges.models import StatusSlot
from app.credentials.status import status_entry
from app.credentials.vcdm import V2_CONTEXT
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.issuing.context import IssuingContext
from app.issuing.status_lists import take_slots
from app.issuing.urls import api_credential_url
from app.issuing.urls import credential_url_for_id
from app.issuing.urls import status_list_url
from app.models_base import is_uuid
from app.models_base import new_uuid
from app.vcapi.issuers import Issuer
from app.vcapi.issuers import choose_issuer
from app.vcapi.issuers import sign_as
from app.vcapi.models import ApiCredential
from app.verify.service import own_credential

# The status entry types a client may ask for (VCALM's examples say "BitstringStatusList").
STATUS_ENTRY_TYPES = ("BitstringStatusListEntry", "BitstringStatusList")
NOT_THIS_CLIENTS = "No credential with that id was issued through this API client."


def issue_and_keep(
    ctx: IssuingContext,
    credential: dict[str, Any],
    options: dict[str, Any],
    *,
    client_id: str,
    now: datetime,
) -> ApiCredential:
    """Sign `credential` (with status entries when due) and keep the signed text.

    :raises UserError: another issuer is named, or status entries are asked for a
        credential that cannot have them.
    :raises DataModelError, InputError: the credential breaks a VC data model rule.
    """
    issuer = choose_issuer(ctx, credential, options.get("issuer"))
    kept = ApiCredential(id=new_uuid(), issuer_id=issuer.id, client_id=client_id, issued_at=now)
    unsigned = credential
    slot_ids: list[int] = []
    if _status_wanted(ctx, issuer, credential, options.get("credentialStatus")):
        unsigned = copy.deepcopy(credential)
        unsigned["id"] = api_credential_url(ctx.public_url, kept.id)
        slots = take_slots({purpose: 1 for purpose in StatusPurpose}, ctx=ctx, now=now)
        [(revocation_slot, kept.revocation_index)] = slots[StatusPurpose.REVOCATION]
        [(suspension_slot, kept.suspension_index)] = slots[StatusPurpose.SUSPENSION]
        slot_ids = [revocation_slot, suspension_slot]
        unsigned["credentialStatus"] = [
            status_entry(
                list_url=status_list_url(ctx.public_url, purpose, 1),
                index=index,
                purpose=purpose.value,
            )
            for purpose, index in (
                (StatusPurpose.REVOCATION, kept.revocation_index),
                (StatusPurpose.SUSPENSION, kept.suspension_index),
            )
        ]
    signed = sign_as(issuer, unsigned, now)
    document_id = signed.document.get("id")
    kept.credential_id = document_id if isinstance(document_id, str) else None
    kept.json_text = signed.json_text
    db.session.add(kept)
    db.session.flush()
    if slot_ids:
        db.session.execute(
            sa.update(StatusSlot)
            .where(StatusSlot.id.in_(slot_ids))
            .values(api_credential_id=kept.id)
            .execution_options(synchronize_session=False)
        )
    return kept


def _status_wanted(
    ctx: IssuingContext, issuer: Issuer, credential: dict[str, Any], asked: Any
) -> bool:
    """Whether the credential gets the school's status entries (see the module's rule).

    :raises UserError: asked for in a form Laurel does not offer, or for a credential
        that cannot have them (said why).
    """
    is_v2 = _first_context(credential) == V2_CONTEXT
    if asked is None:
        return (
            issuer.id == ctx.issuer_id
            and "id" not in credential
            and "credentialStatus" not in credential
            and is_v2
        )
    if not isinstance(asked, dict) or asked.get("type") not in STATUS_ENTRY_TYPES:
        raise UserError(
            gettext(
                '“options.credentialStatus” must be {"type": '
                '"BitstringStatusListEntry"}: the only status Laurel gives.'
            )
        )
    if issuer.id != ctx.issuer_id:
        raise UserError(
            gettext(
                "The school's status lists are issued by %(issuer_id)s; a "
                "credential issued as %(issuer_id2)s cannot point into them "
                "(verifiers require the same issuer).",
                issuer_id=ctx.issuer_id,
                issuer_id2=issuer.id,
            )
        )
    if "id" in credential:
        raise UserError(
            gettext(
                "Laurel gives status entries only to credentials it names: "
                "leave out the credential's “id” and it gets one under "
                "%(api_credential_url)s, the id POST /credentials/status "
                "takes.",
                api_credential_url=api_credential_url(ctx.public_url, ""),
            )
        )
    if "credentialStatus" in credential:
        raise UserError(
            gettext(
                "The credential has a “credentialStatus” of its own; leave it out to get Laurel's."
            )
        )
    if not is_v2:
        raise UserError(
            gettext(
                "BitstringStatusListEntry is a VC 2.0 term: the credential's "
                "first “@context” must be %(v2_context)s.",
                v2_context=V2_CONTEXT,
            )
        )
    return True


def _first_context(credential: dict[str, Any]) -> Any:
    contexts = credential.get("@context")
    return contexts[0] if isinstance(contexts, list) and contexts else contexts


def credential_for_status(
    credential_id: str, *, public_url: str, client_id: str
) -> IssuedCredential | ApiCredential:
    """The credential POST /credentials/status changes: a badge credential of the school,
    or a VC-API credential issued through `client_id`.

    :raises UserError: the id is not one Laurel mints.
    :raises NotFound: no such credential, or another client's (said alike, so a client
        learns nothing about credentials it did not issue).
    """
    api_prefix = api_credential_url(public_url, "")
    if credential_id.startswith(api_prefix):
        uuid = credential_id[len(api_prefix) :]
        kept = db.session.get(ApiCredential, uuid) if is_uuid(uuid) else None
        if kept is None or kept.client_id != client_id:
            raise NotFound(NOT_THIS_CLIENTS)
        return kept
    if credential_id.startswith(credential_url_for_id(public_url, "")):
        badge_credential = own_credential(credential_id)
        if badge_credential is None:
            raise NotFound(gettext("This school issued no credential with that id."))
        return badge_credential
    raise UserError(
        gettext(
            "“credentialId” must be an id Laurel minted: "
            "%(credential_url_for_id)s (a badge credential) or "
            "%(api_credential_url)s (a VC-API credential with status "
            "entries).",
            credential_url_for_id=credential_url_for_id(public_url, "<uuid>"),
            api_credential_url=api_credential_url(public_url, "<uuid>"),
        )
    )


def kept_api_credential(credential_id: str) -> ApiCredential:
    """The VC-API credential with this id (its full URL or its uuid), for an admin.

    :raises NotFound: no such credential.
    """
    uuid = credential_id.rstrip("/").rsplit("/", 1)[-1]
    kept = db.session.get(ApiCredential, uuid) if is_uuid(uuid) else None
    if kept is None:
        raise NotFound(gettext("There is no VC-API credential with that id."))
    return kept
