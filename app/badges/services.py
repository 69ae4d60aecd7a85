"""Badge definitions, the issuer profile, issuance and status changes.

Services take the actor and the clock as arguments, raise LaurelErrors, and only
flush: the caller (view, CLI, another service) commits once.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.images import CheckedImage
from app.badges.models import ACHIEVEMENT_TYPES
from app.badges.models import EVIDENCE_KINDS
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.badges.models import IssuerProfile
from app.badges.models import StatusList
from app.badges.models import StatusPurpose
from app.badges.models import StatusSlot
from app.credentials import status as bitstring
from app.credentials.document import OB_CONTEXT
from app.credentials.document import VC_CONTEXT
from app.credentials.document import AchievementData
from app.credentials.document import AlignmentData
from app.credentials.document import EvidenceData
from app.credentials.document import Issuer
from app.credentials.document import RubricLevelData
from app.credentials.document import SubjectData
from app.credentials.document import build_achievement
from app.credentials.document import build_credential
from app.credentials.document import format_datetime
from app.credentials.errors import DroppedTermError
from app.credentials.errors import InputError
from app.credentials.errors import SchemaError
from app.credentials.errors import UnknownContextError
from app.credentials.signing import SignedCredential
from app.credentials.signing import serialize
from app.credentials.signing import sign_credential
from app.credentials.signing import sign_document
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.keyring import issuer_id
from app.keyring import keystore
from app.keyring import public_url
from app.models_base import is_uuid
from app.models_base import new_uuid

MAX_EXPIRY_MONTHS = 600
SLOT_ATTEMPTS = 20
EXT_ACHIEVEMENT_TYPE = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")


# --- URLs -----------------------------------------------------------------------------


def credential_url(credential: IssuedCredential) -> str:
    return f"{public_url()}/credentials/{credential.id}"


def achievement_url(badge: Badge) -> str:
    return f"{public_url()}/achievements/{badge.achievement_uuid}"


def achievement_image_url(badge: Badge) -> str:
    return f"{achievement_url(badge)}/image"


def status_list_url(purpose: StatusPurpose, number: int) -> str:
    return f"{public_url()}/status/{purpose.value}/{number}"


# --- Issuer profile ------------------------------------------------------------------


def default_issuer_name() -> str:
    """The name a new issuer profile starts with, from the public URL's host."""
    host = urlparse(public_url()).hostname or "Laurel"
    return f"School at {host}"


def issuer_profile() -> IssuerProfile:
    """The school's issuer profile, created from the settings on first use."""
    profile = db.session.scalar(sa.select(IssuerProfile).order_by(IssuerProfile.id).limit(1))
    if profile is None:
        profile = IssuerProfile(name=default_issuer_name(), url=public_url())
        db.session.add(profile)
        db.session.flush()
    return profile


def current_issuer_name() -> str:
    """The name issuer_profile() gives, without creating the profile (pages only read).

    So every page names the school the same way before and after the first
    credential creates the profile row.
    """
    name = db.session.scalar(sa.select(IssuerProfile.name).order_by(IssuerProfile.id).limit(1))
    return default_issuer_name() if name is None else name


@dataclass(frozen=True)
class IssuerInput:
    name: str
    url: str
    email: str | None = None
    description: str | None = None
    logo: CheckedImage | None = None
    remove_logo: bool = False


def _check_web_url(value: str, what: str) -> str:
    value = value.strip()
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UserError(f"{what} must be a web address starting with https:// (got “{value}”).")
    return value


def update_issuer_profile(
    profile: IssuerProfile, data: IssuerInput, *, actor: User
) -> IssuerProfile:
    """Change the issuer shown in every credential issued from now on (admins only)."""
    if not actor.is_admin:
        raise NotAllowed("Only an administrator can change the issuer profile.")
    name = data.name.strip()
    if not name:
        raise UserError("The issuer needs a name.")
    profile.name = name
    profile.url = _check_web_url(data.url, "The issuer URL")
    profile.email = (data.email or "").strip() or None
    profile.description = (data.description or "").strip() or None
    if data.logo is not None:
        profile.logo, profile.logo_mime = data.logo.data, data.logo.mime
    elif data.remove_logo:
        profile.logo = profile.logo_mime = None
    db.session.flush()
    return profile


def issuer_logo_url() -> str:
    return f"{public_url()}/issuer/logo"


def issuer_data(profile: IssuerProfile) -> Issuer:
    return Issuer(
        id=issuer_id(),
        name=profile.name,
        url=profile.url,
        email=profile.email,
        description=profile.description,
        image_url=issuer_logo_url() if profile.logo else None,
    )


# --- Badge definitions -----------------------------------------------------------------


@dataclass(frozen=True)
class RubricLevelInput:
    name: str
    description: str = ""


@dataclass(frozen=True)
class AlignmentInput:
    name: str
    url: str
    framework: str = ""
    code: str = ""


@dataclass(frozen=True)
class BadgeInput:
    """Everything an instructor fills in for a badge; validated by `_validated`."""

    name: str
    description: str
    criteria_narrative: str
    criteria_items: Sequence[str] = ()
    evidence_prompt: str = ""
    accepted_kinds: Sequence[str] = ()
    rubric_levels: Sequence[RubricLevelInput] = ()
    required_level: str = ""
    alignments: Sequence[AlignmentInput] = ()
    tags: Sequence[str] = ()
    achievement_type: str = "Badge"
    expiry_months: int | None = None
    class_id: int | None = None
    image: CheckedImage | None = None
    remove_image: bool = False


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:80].strip("-") or "badge"


def _unique_slug(name: str) -> str:
    base = slugify(name)
    taken = set(db.session.scalars(sa.select(Badge.slug).where(Badge.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _clean_list(values: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _check_class(class_id: int | None, actor: User) -> None:
    if class_id is None:
        return
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None:
        raise UserError("That class does not exist.")
    if not actor.is_admin and not any(
        m.class_id == class_id and m.role == Role.INSTRUCTOR for m in actor.memberships
    ):
        raise NotAllowed(f"You do not teach {school_class.name}, so you cannot make badges for it.")


def _rubric_levels(data: BadgeInput, previous: list[dict]) -> tuple[list[dict], str]:
    """Levels low to high with stable urn:uuid ids (kept for names that already existed)."""
    ids_by_name = {level["name"].casefold(): level["id"] for level in previous}
    levels: list[dict] = []
    for level in data.rubric_levels:
        name = level.name.strip()
        if not name:
            continue
        if any(existing["name"].casefold() == name.casefold() for existing in levels):
            raise UserError(f"The rubric level “{name}” appears twice.")
        levels.append(
            {
                "id": ids_by_name.get(name.casefold()) or f"urn:uuid:{uuid.uuid4()}",
                "name": name,
                "description": level.description.strip(),
            }
        )
    if not levels:
        raise UserError("Give the badge at least one rubric level (for example “Proficient”).")
    wanted = data.required_level.strip().casefold()
    required = next((lv for lv in levels if lv["name"].casefold() == wanted), None)
    if required is None:
        raise UserError(
            "Choose which rubric level is needed to earn the badge, among the levels listed."
        )
    return levels, required["id"]


def _alignments(rows: Sequence[AlignmentInput]) -> list[dict]:
    alignments = []
    for row in rows:
        if not any(v.strip() for v in (row.name, row.url, row.framework, row.code)):
            continue
        if not row.name.strip() or not row.url.strip():
            raise UserError(
                "Each standard needs at least a name and a URL "
                "(the framework and code are optional)."
            )
        alignments.append(
            {
                "framework": row.framework.strip(),
                "code": row.code.strip(),
                "name": row.name.strip(),
                "url": _check_web_url(row.url, f"The URL of the standard “{row.name.strip()}”"),
            }
        )
    return alignments


def _validated(data: BadgeInput, actor: User, previous_levels: list[dict]) -> dict:
    """Check a BadgeInput and return the column values it sets."""
    name = data.name.strip()
    if not name:
        raise UserError("The badge needs a name.")
    if len(name) > 200:
        raise UserError("The badge name is too long (200 characters at most).")
    if not data.description.strip():
        raise UserError("Describe the badge in a sentence or two.")
    if not data.criteria_narrative.strip():
        raise UserError("Say what a student must show to earn the badge (the criteria).")
    kinds = _clean_list(data.accepted_kinds)
    unknown = [k for k in kinds if k not in EVIDENCE_KINDS]
    if unknown:
        raise UserError(f"Unknown kind of evidence: {', '.join(unknown)}.")
    if not kinds:
        raise UserError("Accept at least one kind of evidence.")
    achievement_type = data.achievement_type.strip() or "Badge"
    if achievement_type not in ACHIEVEMENT_TYPES and not EXT_ACHIEVEMENT_TYPE.match(
        achievement_type
    ):
        raise UserError("Choose an achievement type from the list.")
    if data.expiry_months is not None and not 1 <= data.expiry_months <= MAX_EXPIRY_MONTHS:
        raise UserError(f"Expiry must be between 1 and {MAX_EXPIRY_MONTHS} months, or never.")
    _check_class(data.class_id, actor)
    levels, required_id = _rubric_levels(data, previous_levels)
    return {
        "name": name,
        "description": data.description.strip(),
        "criteria_narrative": data.criteria_narrative.strip(),
        "criteria_items": _clean_list(data.criteria_items),
        "evidence_prompt": data.evidence_prompt.strip(),
        "accepted_kinds": kinds,
        "rubric_levels": levels,
        "required_level_id": required_id,
        "alignments": _alignments(data.alignments),
        "tags": _clean_list(data.tags),
        "achievement_type": achievement_type,
        "expiry_months": data.expiry_months,
        "class_id": data.class_id,
    }


def _image_values(data: BadgeInput) -> dict:
    if data.image is not None:
        return {"image": data.image.data, "image_mime": data.image.mime}
    if data.remove_image:
        return {"image": None, "image_mime": None}
    return {}


def create_badge(data: BadgeInput, *, actor: User, now: datetime) -> Badge:
    """A new draft badge; instructors and admins only."""
    if not (actor.is_admin or actor.is_instructor):
        raise NotAllowed("Only instructors and administrators create badges.")
    values = _validated(data, actor, [])
    badge = Badge(
        slug=_unique_slug(values["name"]),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        state=BadgeState.DRAFT,
        version=1,
        revision=1,
        **values,
        **_image_values(data),
    )
    db.session.add(badge)
    db.session.flush()
    return badge


def update_badge(
    badge: Badge, data: BadgeInput, *, actor: User, expected_revision: int, now: datetime
) -> Badge:
    """Save an edit made on the form loaded at `expected_revision`.

    A badge already issued under its current version gets a new version, so that
    credentials keep the achievement they were issued under. The update is one
    conditional UPDATE: an edit or an issuance that happened meanwhile makes it a
    Conflict, never a half-written badge.
    """
    if not badge.can_review(actor):
        raise NotAllowed("You cannot edit this badge.")
    if badge.state == BadgeState.ARCHIVED:
        raise UserError("This badge is archived; restore it before editing.")
    if badge.revision != expected_revision:
        raise Conflict(
            "Someone changed this badge after you opened the form. Reload the page to see the "
            "current version, then make your change again."
        )
    values = {**_validated(data, actor, badge.rubric_levels), **_image_values(data)}
    result = db.session.execute(
        sa.update(Badge)
        .where(Badge.id == badge.id, Badge.revision == expected_revision)
        .values(
            **values,
            revision=Badge.revision + 1,
            version=sa.case(
                (Badge.issued_version == Badge.version, Badge.version + 1), else_=Badge.version
            ),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            "This badge changed while you were saving (another edit or an approval). Reload the "
            "page and make your change again."
        )
    db.session.refresh(badge)
    return badge


def _change_state(
    badge: Badge, *, actor: User, allowed_from: set[BadgeState], to: BadgeState, now: datetime
) -> Badge:
    if not badge.can_review(actor):
        raise NotAllowed("You cannot change this badge.")
    if badge.state == to:
        return badge
    if badge.state not in allowed_from:
        raise UserError(f"A {badge.state.value} badge cannot become {to.value}.")
    badge.state = to
    badge.updated_at = now
    if to == BadgeState.PUBLISHED and badge.published_at is None:
        badge.published_at = now
    db.session.flush()
    return badge


def publish_badge(badge: Badge, *, actor: User, now: datetime) -> Badge:
    """Make a draft (or archived) badge visible to the students it is meant for."""
    return _change_state(
        badge,
        actor=actor,
        allowed_from={BadgeState.DRAFT, BadgeState.ARCHIVED},
        to=BadgeState.PUBLISHED,
        now=now,
    )


def archive_badge(badge: Badge, *, actor: User, now: datetime) -> Badge:
    """Stop new submissions; credentials already issued stay valid."""
    return _change_state(
        badge,
        actor=actor,
        allowed_from={BadgeState.DRAFT, BadgeState.PUBLISHED},
        to=BadgeState.ARCHIVED,
        now=now,
    )


def get_badge_by_slug(slug: str) -> Badge:
    badge = db.session.scalar(sa.select(Badge).where(Badge.slug == slug))
    if badge is None:
        raise NotFound(f"There is no badge “{slug}”.")
    return badge


def level_by_name(badge: Badge, name: str) -> dict:
    """The rubric level of `badge` called `name` (case-insensitive)."""
    for level in badge.rubric_levels:
        if level["name"].casefold() == name.strip().casefold():
            return level
    names = ", ".join(level["name"] for level in badge.rubric_levels)
    raise UserError(f"The badge “{badge.name}” has no level “{name}”; its levels are: {names}.")


# --- The achievement ----------------------------------------------------------------


def criteria_markdown(badge: Badge) -> str:
    """The criteria narrative followed by the checklist, as one Markdown text."""
    checklist = "\n".join(f"- {item}" for item in badge.criteria_items)
    return f"{badge.criteria_narrative}\n\n{checklist}" if checklist else badge.criteria_narrative


def achievement_data(badge: Badge) -> AchievementData:
    """The badge as an OB 3.0 Achievement, as it stands now."""
    return AchievementData(
        id=achievement_url(badge),
        name=badge.name,
        description=badge.description,
        criteria_narrative=criteria_markdown(badge),
        image_url=achievement_image_url(badge),
        achievement_type=badge.achievement_type,
        tags=tuple(badge.tags),
        alignments=tuple(
            AlignmentData(
                target_name=a["name"],
                target_url=a["url"],
                target_code=a.get("code") or None,
                target_framework=a.get("framework") or None,
            )
            for a in badge.alignments
        ),
        rubric_levels=tuple(
            RubricLevelData(id=lv["id"], name=lv["name"], description=lv.get("description") or None)
            for lv in badge.rubric_levels
        ),
        required_level_id=badge.required_level_id,
        version=str(badge.version),
    )


def achievement_document(badge: Badge) -> dict:
    """The current Achievement as JSON-LD, exactly as a credential issued now would embed it."""
    return {"@context": [VC_CONTEXT, OB_CONTEXT], **build_achievement(achievement_data(badge))}


# --- Status lists ------------------------------------------------------------------------


def _publish_status_list(
    status_list: StatusList, bits: bitstring.StatusList, *, now: datetime
) -> None:
    """Store the bits and the newly signed BitstringStatusListCredential."""
    url = status_list_url(status_list.purpose, status_list.number)
    unsigned = bitstring.build_status_list_credential(
        list_url=url,
        issuer_id=issuer_id(),
        purpose=status_list.purpose.value,
        status_list=bits,
        valid_from=format_datetime(now),
    )
    signed = sign_document(unsigned, keystore=keystore(), now=now)
    status_list.bits = bits.to_bytes()
    status_list.signed_json = serialize(signed)
    status_list.updated_at = now


def _status_list(purpose: StatusPurpose, *, now: datetime) -> StatusList:
    """List number 1 of `purpose`, created (and published, all clear) on first use."""
    query = sa.select(StatusList).where(StatusList.purpose == purpose, StatusList.number == 1)
    status_list = db.session.scalar(query)
    if status_list is not None:
        return status_list
    status_list = StatusList(purpose=purpose, number=1, size=bitstring.MIN_ENTRIES)
    _publish_status_list(status_list, bitstring.StatusList.new(bitstring.MIN_ENTRIES), now=now)
    try:
        with db.session.begin_nested():
            db.session.add(status_list)
    except IntegrityError:
        # Another issuance created it at the same moment: use theirs.
        return db.session.scalars(query).one()
    return status_list


def _take_slot(status_list: StatusList) -> StatusSlot:
    """Reserve a random free index; the UNIQUE(list, index) constraint settles races."""
    collided: set[int] = set()
    for _ in range(SLOT_ATTEMPTS):
        index = bitstring.random_free_index(collided, size=status_list.size)
        taken = db.session.scalar(
            sa.select(StatusSlot.id).where(
                StatusSlot.status_list_id == status_list.id, StatusSlot.index == index
            )
        )
        if taken is not None:
            collided.add(index)
            continue
        slot = StatusSlot(status_list_id=status_list.id, index=index)
        try:
            with db.session.begin_nested():
                db.session.add(slot)
        except IntegrityError:
            collided.add(index)
            continue
        return slot
    raise Conflict("Could not reserve a status list entry; try again.")


def _set_status_bit(
    credential: IssuedCredential, purpose: StatusPurpose, value: bool, *, now: datetime
) -> None:
    """Flip the credential's bit in the `purpose` list and republish the signed list."""
    index = (
        credential.revocation_index
        if purpose == StatusPurpose.REVOCATION
        else credential.suspension_index
    )
    status_list = _status_list(purpose, now=now)
    # Take the write lock before reading the bits, so two status changes cannot lose each other.
    db.session.execute(
        sa.update(StatusList)
        .where(StatusList.id == status_list.id)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(status_list)
    bits = bitstring.StatusList.from_bytes(status_list.bits)
    bits.set(index, value)
    _publish_status_list(status_list, bits, now=now)
    db.session.flush()


# --- Issuance ---------------------------------------------------------------------------


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months (31 January + 1 month = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _level(badge: Badge, level_id: str | None) -> dict:
    levels = badge.rubric_levels
    if not levels:
        raise UserError("This badge has no rubric levels.")
    wanted = level_id or badge.required_level_id or levels[-1]["id"]
    position = next((i for i, lv in enumerate(levels) if lv["id"] == wanted), None)
    if position is None:
        raise UserError("That level does not belong to this badge.")
    required = next((i for i, lv in enumerate(levels) if lv["id"] == badge.required_level_id), 0)
    if position < required:
        raise UserError(
            f"“{levels[position]['name']}” is below “{levels[required]['name']}”, "
            "the level needed to earn this badge. Request changes instead."
        )
    return levels[position]


def _existing_for(submission) -> IssuedCredential | None:
    if submission is None:
        return None
    return db.session.scalar(
        sa.select(IssuedCredential).where(IssuedCredential.submission_id == submission.id)
    )


def _lock_badge(badge: Badge) -> None:
    """Mark the badge as issued under its version, unless it was edited since it was loaded."""
    result = db.session.execute(
        sa.update(Badge)
        .where(Badge.id == badge.id, Badge.revision == badge.revision)
        .values(issued_version=Badge.version)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            "The badge was edited while this was being approved. Reload the page, check the "
            "badge's criteria again and approve once more."
        )
    db.session.refresh(badge)


def issue_credential(
    *,
    badge: Badge,
    recipient: User,
    level_id: str | None,
    issued_by: User | None,
    now: datetime,
    submission=None,
    evidence: Sequence[EvidenceData] = (),
) -> IssuedCredential:
    """Build, sign and store the credential for `recipient` (flush only; the caller commits).

    Idempotent per submission: a second call returns the credential already issued.
    :raises UserError: draft badge or a level below the one required.
    :raises Conflict: the badge was edited meanwhile, or a concurrent approval won.
    """
    existing = _existing_for(submission)
    if existing is not None:
        return existing
    if badge.state == BadgeState.DRAFT:
        raise UserError("Publish the badge before issuing it.")
    level = _level(badge, level_id)
    credential_id = new_uuid()
    # The badge UPDATE comes first: it also opens the transaction on SQLite, so that
    # the savepoint below is nested in it (pysqlite starts transactions only at DML).
    _lock_badge(badge)
    try:
        with db.session.begin_nested():
            slots = {
                purpose: _take_slot(_status_list(purpose, now=now)) for purpose in StatusPurpose
            }
            credential = IssuedCredential(
                id=credential_id,
                submission_id=submission.id if submission is not None else None,
                badge_id=badge.id,
                badge_version=badge.version,
                recipient_id=recipient.id,
                issued_by_id=issued_by.id if issued_by is not None else None,
                level_id=level["id"],
                level_name=level["name"],
                issued_at=now,
                valid_until=add_months(now, badge.expiry_months) if badge.expiry_months else None,
                revocation_index=slots[StatusPurpose.REVOCATION].index,
                suspension_index=slots[StatusPurpose.SUSPENSION].index,
                state=CredentialState.ACTIVE,
            )
            signed = _sign(_unsigned_credential(credential, badge, recipient, evidence, now), now)
            credential.json_text = signed.json_text
            credential.jwt_text = signed.jwt
            db.session.add(credential)
            db.session.flush()
            for slot in slots.values():
                slot.credential_id = credential.id
            db.session.flush()
    except IntegrityError:
        existing = _existing_for(submission)
        if existing is not None:
            return existing
        raise Conflict("This submission was approved by someone else at the same moment.") from None
    return credential


def _sign(unsigned: dict, now: datetime) -> SignedCredential:
    """Sign with both proofs; content the engine refuses becomes a 4xx, not a crash."""
    try:
        return sign_credential(unsigned, keystore=keystore(), now=now)
    except (InputError, SchemaError, DroppedTermError, UnknownContextError) as error:
        raise UserError(f"This credential cannot be issued as it stands: {error}") from error


def _unsigned_credential(
    credential: IssuedCredential,
    badge: Badge,
    recipient: User,
    evidence: Sequence[EvidenceData],
    now: datetime,
) -> dict:
    # The OB 3.0 schemas allow one credentialStatus object, so only the revocation entry
    # travels in the credential; the suspension slot is reserved for Laurel's own checks.
    entries = [
        bitstring.status_entry(
            list_url=status_list_url(StatusPurpose.REVOCATION, 1),
            index=credential.revocation_index,
            purpose=StatusPurpose.REVOCATION.value,
        )
    ]
    return build_credential(
        credential_id=credential_url(credential),
        issuer=issuer_data(issuer_profile()),
        achievement=achievement_data(badge),
        subject=SubjectData(
            id=recipient.subject_id, email=recipient.email, salt=recipient.identity_salt
        ),
        valid_from=now,
        achieved_level_id=credential.level_id,
        evidence=tuple(evidence),
        valid_until=credential.valid_until,
        awarded_date=now,
        status_entries=entries,
        name=badge.name,
        image_url=achievement_image_url(badge),
    )


# --- Revocation, suspension ----------------------------------------------------------------


def _check_actor(credential: IssuedCredential, actor: User | None) -> None:
    """`actor` None is the command line, run by whoever holds the server."""
    if actor is not None and not credential.badge.can_review(actor):
        raise NotAllowed("Only the badge's reviewers can change this credential's status.")


def _record(
    credential: IssuedCredential,
    state: CredentialState,
    *,
    actor: User | None,
    reason: str,
    now: datetime,
) -> None:
    credential.state = state
    credential.status_reason = reason
    credential.status_changed_at = now
    credential.status_changed_by_id = actor.id if actor is not None else None


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise UserError("Give a reason: it is shown to the learner and on the verification page.")
    return reason


def revoke_credential(
    credential: IssuedCredential, *, actor: User | None, reason: str, now: datetime
) -> IssuedCredential:
    """Revoke for good: set the revocation bit and republish the signed list."""
    _check_actor(credential, actor)
    reason = _reason(reason)
    if credential.state == CredentialState.REVOKED:
        raise Conflict("This credential is already revoked.")
    _set_status_bit(credential, StatusPurpose.REVOCATION, True, now=now)
    _record(credential, CredentialState.REVOKED, actor=actor, reason=reason, now=now)
    db.session.flush()
    return credential


def suspend_credential(
    credential: IssuedCredential, *, actor: User | None, reason: str, now: datetime
) -> IssuedCredential:
    """Suspend until reinstated: set the suspension bit and republish the signed list."""
    _check_actor(credential, actor)
    reason = _reason(reason)
    if credential.state != CredentialState.ACTIVE:
        raise Conflict(
            f"Only an active credential can be suspended; this one is {credential.state.value}."
        )
    _set_status_bit(credential, StatusPurpose.SUSPENSION, True, now=now)
    _record(credential, CredentialState.SUSPENDED, actor=actor, reason=reason, now=now)
    db.session.flush()
    return credential


def reinstate_credential(
    credential: IssuedCredential, *, actor: User | None, reason: str, now: datetime
) -> IssuedCredential:
    """Lift a suspension (a revocation is final)."""
    _check_actor(credential, actor)
    reason = _reason(reason)
    if credential.state != CredentialState.SUSPENDED:
        raise Conflict(
            f"Only a suspended credential can be reinstated; this one is {credential.state.value}."
        )
    _set_status_bit(credential, StatusPurpose.SUSPENSION, False, now=now)
    _record(credential, CredentialState.ACTIVE, actor=actor, reason=reason, now=now)
    db.session.flush()
    return credential


def get_credential(credential_id: str) -> IssuedCredential:
    credential = db.session.get(IssuedCredential, credential_id) if is_uuid(credential_id) else None
    if credential is None:
        raise NotFound("There is no credential with that id.")
    return credential
