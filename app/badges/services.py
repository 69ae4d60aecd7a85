"""Badge definitions: creating, editing, publishing and archiving them.

Services take the actor and the clock as arguments, raise LaurelErrors, and only
flush: the caller (view, CLI, another service) commits once.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.image_store import NO_IMAGE
from app.badges.image_store import stored_image_values
from app.badges.images import CheckedImage
from app.badges.models import ACHIEVEMENT_TYPES
from app.badges.models import EVIDENCE_KINDS
from app.badges.models import Badge
from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.models_base import rows_changed
from app.web_address import check_web_url

MAX_EXPIRY_MONTHS = 600
EXT_ACHIEVEMENT_TYPE = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")


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
        raise UserError(gettext("That class does not exist."))
    if not actor.is_admin and not any(
        m.class_id == class_id and m.role == Role.INSTRUCTOR for m in actor.memberships
    ):
        raise NotAllowed(
            gettext(
                "You do not teach %(school_class_name)s, so you cannot make badges for it.",
                school_class_name=school_class.name,
            )
        )


def _rubric_levels(data: BadgeInput, previous: list[dict]) -> tuple[list[dict], str]:
    """Levels low to high with stable urn:uuid ids (kept for names that already existed)."""
    ids_by_name = {level["name"].casefold(): level["id"] for level in previous}
    levels: list[dict] = []
    for level in data.rubric_levels:
        name = level.name.strip()
        if not name:
            continue
        if any(existing["name"].casefold() == name.casefold() for existing in levels):
            raise UserError(gettext("The rubric level “%(name)s” appears twice.", name=name))
        levels.append(
            {
                "id": ids_by_name.get(name.casefold()) or f"urn:uuid:{uuid.uuid4()}",
                "name": name,
                "description": level.description.strip(),
            }
        )
    if not levels:
        raise UserError(
            gettext("Give the badge at least one rubric level (for example “Proficient”).")
        )
    wanted = data.required_level.strip().casefold()
    required = next((lv for lv in levels if lv["name"].casefold() == wanted), None)
    if required is None:
        raise UserError(
            gettext(
                "Choose which rubric level is needed to earn the badge, among the levels listed."
            )
        )
    return levels, required["id"]


def _alignments(rows: Sequence[AlignmentInput]) -> list[dict]:
    alignments = []
    for row in rows:
        if not any(v.strip() for v in (row.name, row.url, row.framework, row.code)):
            continue
        if not row.name.strip() or not row.url.strip():
            raise UserError(
                gettext(
                    "Each standard needs at least a name and a URL (the "
                    "framework and code are optional)."
                )
            )
        alignments.append(
            {
                "framework": row.framework.strip(),
                "code": row.code.strip(),
                "name": row.name.strip(),
                "url": check_web_url(
                    row.url,
                    gettext("The URL of the standard “%(name)s”", name=row.name.strip()),
                ),
            }
        )
    return alignments


def _validated(data: BadgeInput, actor: User, previous_levels: list[dict]) -> dict:
    """Check a BadgeInput and return the column values it sets."""
    name = data.name.strip()
    if not name:
        raise UserError(gettext("The badge needs a name."))
    if len(name) > 200:
        raise UserError(gettext("The badge name is too long (200 characters at most)."))
    if not data.description.strip():
        raise UserError(gettext("Describe the badge in a sentence or two."))
    if not data.criteria_narrative.strip():
        raise UserError(gettext("Say what a student must show to earn the badge (the criteria)."))
    kinds = _clean_list(data.accepted_kinds)
    unknown = [k for k in kinds if k not in EVIDENCE_KINDS]
    if unknown:
        raise UserError(gettext("Unknown kind of evidence: %(join)s.", join=", ".join(unknown)))
    if not kinds:
        raise UserError(gettext("Accept at least one kind of evidence."))
    achievement_type = data.achievement_type.strip() or "Badge"
    if achievement_type not in ACHIEVEMENT_TYPES and not EXT_ACHIEVEMENT_TYPE.match(
        achievement_type
    ):
        raise UserError(gettext("Choose an achievement type from the list."))
    if data.expiry_months is not None and not 1 <= data.expiry_months <= MAX_EXPIRY_MONTHS:
        raise UserError(
            gettext(
                "Expiry must be between 1 and %(max_expiry_months)s months, or never.",
                max_expiry_months=MAX_EXPIRY_MONTHS,
            )
        )
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
    """The image columns to write; a new image is stored first (app.badges.image_store).

    :raises Unavailable: the bucket cannot take the image (the badge stays as it was).
    """
    if data.image is not None:
        return stored_image_values(data.image)
    if data.remove_image:
        return dict(NO_IMAGE)
    return {}


def create_badge(data: BadgeInput, *, actor: User, now: datetime) -> Badge:
    """A new draft badge; instructors and admins only."""
    if not (actor.is_admin or actor.is_instructor):
        raise NotAllowed(gettext("Only instructors and administrators create badges."))
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
        raise NotAllowed(gettext("You cannot edit this badge."))
    if badge.state == BadgeState.ARCHIVED:
        raise UserError(gettext("This badge is archived; restore it before editing."))
    if badge.revision != expected_revision:
        raise Conflict(
            gettext(
                "Someone changed this badge after you opened the form. "
                "Reload the page to see the current version, then make your "
                "change again."
            )
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
    if rows_changed(result) != 1:
        raise Conflict(
            gettext(
                "This badge changed while you were saving (another edit or "
                "an approval). Reload the page and make your change again."
            )
        )
    db.session.refresh(badge)
    return badge


def _change_state(
    badge: Badge, *, actor: User, allowed_from: set[BadgeState], to: BadgeState, now: datetime
) -> Badge:
    if not badge.can_review(actor):
        raise NotAllowed(gettext("You cannot change this badge."))
    if badge.state == to:
        return badge
    if badge.state not in allowed_from:
        raise UserError(
            gettext(
                "A %(state_value)s badge cannot become %(to_value)s.",
                state_value=badge.state.value,
                to_value=to.value,
            )
        )
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
        raise NotFound(gettext("There is no badge “%(slug)s”.", slug=slug))
    return badge


def credentials_of_badge(badge: Badge) -> list[IssuedCredential]:
    """Every credential issued for `badge` (all its versions), newest first: for its reviewers."""
    return list(
        db.session.scalars(
            sa.select(IssuedCredential)
            .where(IssuedCredential.badge_id == badge.id)
            .order_by(IssuedCredential.issued_at.desc())
        )
    )


def level_by_name(badge: Badge, name: str) -> dict:
    """The rubric level of `badge` called `name` (case-insensitive)."""
    for level in badge.rubric_levels:
        if level["name"].casefold() == name.strip().casefold():
            return level
    names = ", ".join(level["name"] for level in badge.rubric_levels)
    raise UserError(
        gettext(
            "The badge “%(badge_name)s” has no level “%(name)s”; its levels are: %(names)s.",
            badge_name=badge.name,
            name=name,
            names=names,
        )
    )
