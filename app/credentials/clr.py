"""Comprehensive Learner Record 2.0 (`ClrCredential`): a learner's signed credentials, bundled.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Each embedded credential keeps its own issuer proof exactly as issued; the
record as a whole is signed again (standards brief §7).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .document import OB_CONTEXT
from .document import OB_EXTENSIONS_CONTEXT
from .document import SCHEMA_VALIDATOR_TYPE
from .document import VC_CONTEXT
from .document import AchievementData
from .document import Issuer
from .document import SubjectData
from .document import build_achievement
from .document import build_identifier
from .document import build_profile
from .document import format_datetime
from .errors import InputError

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)

# CLR 2.0 AssociationType: how one achievement relates to another.
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)


@dataclass(frozen=True)
class AssociationData:
    """`source_id` stands in `association_type` to `target_id` (both Achievement ids)."""

    association_type: str
    source_id: str
    target_id: str


def _association(association: AssociationData) -> dict[str, Any]:
    if association.association_type not in ASSOCIATION_TYPES:
        raise InputError(f"Unknown association type: {association.association_type}.")
    return {
        "type": "Association",
        "associationType": association.association_type,
        "sourceId": association.source_id,
        "targetId": association.target_id,
    }


def build_clr(
    *,
    clr_id: str,
    issuer: Issuer,
    subject: SubjectData,
    credentials: Sequence[dict[str, Any]],
    valid_from: datetime,
    name: str,
    partial: bool = False,
    description: str | None = None,
    achievements: Sequence[AchievementData] = (),
    associations: Sequence[AssociationData] = (),
) -> dict[str, Any]:
    """An unsigned ClrCredential embedding `credentials` (signed OB credentials) unchanged.

    :param partial: True when the record leaves out credentials Laurel knows of.
    :param description: a note for a person (which credentials were suspended, say).
    :param achievements: achievements the associations name besides those the credentials
        embed (a pathway, say).
    :param associations: how the achievements relate (a badge `isPartOf` a pathway).
    :raises InputError: no credentials, or a credential that is not a JSON object.
    """
    if not credentials:
        raise InputError("A learner record needs at least one credential.")
    if not all(isinstance(credential, dict) for credential in credentials):
        raise InputError("Every credential in a learner record must be a JSON object.")
    subject_node: dict[str, Any] = {"id": subject.id, "type": ["ClrSubject"]}
    identifier = build_identifier(subject)
    if identifier:
        subject_node["identifier"] = identifier
    subject_node["verifiableCredential"] = [copy.deepcopy(credential) for credential in credentials]
    if achievements:
        subject_node["achievement"] = [build_achievement(a) for a in achievements]
    if associations:
        subject_node["association"] = [_association(a) for a in associations]
    record: dict[str, Any] = {
        "@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
        "id": clr_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": build_profile(issuer),
        "validFrom": format_datetime(valid_from),
        "name": name,
    }
    if description:
        record["description"] = description
    record |= {
        "partial": partial,
        "credentialSubject": subject_node,
        "credentialSchema": [{"id": CLR_CREDENTIAL_SCHEMA, "type": SCHEMA_VALIDATOR_TYPE}],
    }
    return record
