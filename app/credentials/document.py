"""Open Badges 3.0 credential documents built from plain dataclasses.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
The shape follows Laurel's standards brief §1.1-1.8: the VC 2.0, OB 3.0.3 and
OB extensions contexts; the achievement embedded in full; arrays wherever the
model allows several values; nothing empty or null; the learner identified by
a salted email hash, never a plain email; no `jti` or `endorsementJwt` (older
copies of the OB context lack them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from .errors import InputError

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"


@dataclass(frozen=True)
class Issuer:
    """An OB Profile: the school that issues, or the creator of an achievement."""

    id: str
    name: str
    url: str
    email: str | None = None
    description: str | None = None
    image_url: str | None = None


@dataclass(frozen=True)
class AlignmentData:
    """A link from an achievement to a standard or framework item."""

    target_name: str
    target_url: str
    target_code: str | None = None
    target_framework: str | None = None
    target_description: str | None = None


@dataclass(frozen=True)
class RubricLevelData:
    """One rubric level of an achievement, lowest first."""

    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True)
class AchievementData:
    """The badge definition, embedded in full in every credential."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    criteria_url: str | None = None
    image_url: str | None = None
    achievement_type: str = "Badge"
    tags: Sequence[str] = ()
    alignments: Sequence[AlignmentData] = ()
    rubric_levels: Sequence[RubricLevelData] = ()
    required_level_id: str | None = None
    result_description_id: str | None = None
    version: str | None = None
    creator: Issuer | None = None
    # Signed EndorsementCredentials of the achievement, embedded as they were signed.
    endorsements: Sequence[dict[str, Any]] = ()


@dataclass(frozen=True)
class SubjectData:
    """The learner: a stable id, the name the school records, and an email hashed with a salt.

    The name travels in plain text (OB 3.0 IdentityObject, identityType "name", hashed
    false) so that the name a printed certificate shows is covered by the signature.
    """

    id: str
    email: str | None = None
    salt: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class EvidenceData:
    """One piece of evidence the student chose to include."""

    id: str
    name: str
    narrative: str | None = None
    description: str | None = None
    genre: str | None = None


def format_datetime(moment: datetime) -> str:
    """An XML Schema dateTimeStamp in UTC without fractions: 2026-11-23T10:00:00Z.

    :raises InputError: the datetime has no time zone.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError("A credential date needs a time zone.")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_identity(value: str, salt: str) -> str:
    """OB IdentityHash: "sha256$" + hex SHA-256 of the UTF-8 value followed by the salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    """The form of an email that Laurel hashes, so a verifier's typing case does not matter."""
    return email.strip().lower()


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, [], "", {})}


def _image(url: str | None) -> dict[str, Any] | None:
    return {"id": url, "type": "Image"} if url else None


def build_profile(issuer: Issuer) -> dict[str, Any]:
    """An OB Profile object for an issuer or creator."""
    return _drop_empty(
        {
            "id": issuer.id,
            "type": ["Profile"],
            "name": issuer.name,
            "url": issuer.url,
            "email": issuer.email,
            "description": issuer.description,
            "image": _image(issuer.image_url),
        }
    )


def _alignment(alignment: AlignmentData) -> dict[str, Any]:
    return _drop_empty(
        {
            "type": ["Alignment"],
            "targetName": alignment.target_name,
            "targetUrl": alignment.target_url,
            "targetCode": alignment.target_code,
            "targetFramework": alignment.target_framework,
            "targetDescription": alignment.target_description,
        }
    )


def result_description_id(achievement: AchievementData) -> str:
    """The id of the achievement's rubric ResultDescription (given, or derived from its id)."""
    return achievement.result_description_id or f"{achievement.id}#rubric"


def _result_description(achievement: AchievementData) -> dict[str, Any]:
    level_ids = {level.id for level in achievement.rubric_levels}
    if achievement.required_level_id and achievement.required_level_id not in level_ids:
        raise InputError("The required level is not one of the badge's rubric levels.")
    levels = [
        _drop_empty(
            {
                "id": level.id,
                "type": ["RubricCriterionLevel"],
                "name": level.name,
                "description": level.description,
            }
        )
        for level in achievement.rubric_levels
    ]
    return _drop_empty(
        {
            "id": result_description_id(achievement),
            "type": ["ResultDescription"],
            "name": "Mastery level",
            "resultType": "RubricCriterionLevel",
            "requiredLevel": achievement.required_level_id,
            "rubricCriterionLevel": levels,
        }
    )


def build_achievement(achievement: AchievementData) -> dict[str, Any]:
    """The OB Achievement object, as embedded in a credential."""
    criteria = _drop_empty(
        {"id": achievement.criteria_url, "narrative": achievement.criteria_narrative}
    )
    if not criteria:
        raise InputError("A badge needs criteria: a narrative or a criteria page.")
    return _drop_empty(
        {
            "id": achievement.id,
            "type": ["Achievement"],
            "achievementType": achievement.achievement_type,
            "name": achievement.name,
            "description": achievement.description,
            "criteria": criteria,
            "image": _image(achievement.image_url),
            "alignment": [_alignment(alignment) for alignment in achievement.alignments],
            "tag": list(achievement.tags),
            "resultDescription": (
                [_result_description(achievement)] if achievement.rubric_levels else []
            ),
            "version": achievement.version,
            "creator": build_profile(achievement.creator) if achievement.creator else None,
            "endorsement": [dict(endorsement) for endorsement in achievement.endorsements],
        }
    )


def build_identifier(subject: SubjectData) -> list[dict[str, Any]]:
    """The learner's name (plain) and hashed email as IdentityObjects; empty when neither is known.

    OB 3.0 §B.1.13: with `hashed` false, `identityHash` carries the value itself.
    """
    identifiers: list[dict[str, Any]] = []
    name = (subject.name or "").strip()
    if name:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": name,
            }
        )
    if not subject.email:
        return identifiers
    if not subject.salt:
        raise InputError("An email can only go into a credential hashed, and hashing needs a salt.")
    identifiers.append(
        {
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": True,
            "identityHash": hash_identity(normalize_email(subject.email), subject.salt),
            "salt": subject.salt,
        }
    )
    return identifiers


def signed_name(credential: dict[str, Any]) -> str | None:
    """The learner's name a credential (or CLR) carries in its subject's identifiers, if any."""
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = next((item for item in subject if isinstance(item, dict)), None)
    identifiers = subject.get("identifier") if isinstance(subject, dict) else None
    for item in identifiers if isinstance(identifiers, list) else []:
        if (
            isinstance(item, dict)
            and item.get("identityType") == "name"
            and item.get("hashed") is False
            and isinstance(item.get("identityHash"), str)
            and item["identityHash"].strip()
        ):
            return str(item["identityHash"]).strip()
    return None


def _result(achievement: AchievementData, achieved_level_id: str | None) -> list[dict[str, Any]]:
    if achieved_level_id is None:
        return []
    if achieved_level_id not in {level.id for level in achievement.rubric_levels}:
        raise InputError("The achieved level is not one of the badge's rubric levels.")
    return [
        {
            "type": ["Result"],
            "resultDescription": result_description_id(achievement),
            "achievedLevel": achieved_level_id,
        }
    ]


def _evidence(item: EvidenceData) -> dict[str, Any]:
    return _drop_empty(
        {
            "id": item.id,
            "type": ["Evidence"],
            "name": item.name,
            "narrative": item.narrative,
            "description": item.description,
            "genre": item.genre,
        }
    )


def _status(status_entries: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The credentialStatus value: one entry object.

    Both OB 3.0 schema families type `credentialStatus` as a single object, so
    an array (e.g. revocation plus suspension) would make the credential fail
    validation; Laurel embeds exactly one entry or none.
    """
    if len(status_entries) > 1:
        raise InputError(
            "An Open Badges 3.0 credential can carry only one status entry; "
            "the OB schemas reject a list."
        )
    return dict(status_entries[0]) if status_entries else None


def build_credential(
    *,
    credential_id: str,
    issuer: Issuer,
    achievement: AchievementData,
    subject: SubjectData,
    valid_from: datetime,
    achieved_level_id: str | None = None,
    evidence: Sequence[EvidenceData] = (),
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    status_entries: Sequence[dict[str, Any]] = (),
    name: str | None = None,
    image_url: str | None = None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential.

    `awardedDate` defaults to `valid_from`; pass the original date when re-issuing.

    :raises InputError: inconsistent data (unknown level, email without salt, naive dates, ...).
    """
    subject_node = _drop_empty(
        {
            "id": subject.id,
            "type": ["AchievementSubject"],
            "identifier": build_identifier(subject),
            "achievement": build_achievement(achievement),
            "result": _result(achievement, achieved_level_id),
        }
    )
    return _drop_empty(
        {
            "@context": [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
            "id": credential_id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": build_profile(issuer),
            "validFrom": format_datetime(valid_from),
            "validUntil": format_datetime(valid_until) if valid_until else None,
            "awardedDate": format_datetime(awarded_date or valid_from),
            "name": name or achievement.name,
            "image": _image(image_url),
            "credentialSubject": subject_node,
            "evidence": [_evidence(item) for item in evidence],
            "credentialSchema": [{"id": OB_CREDENTIAL_SCHEMA, "type": SCHEMA_VALIDATOR_TYPE}],
            "credentialStatus": _status(status_entries),
        }
    )
