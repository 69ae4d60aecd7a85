"""A badge as the OB 3.0 Achievement that credentials embed, and its public addresses."""

from __future__ import annotations

from typing import Any

from app.badges.models import Badge
from app.credentials.document import OB_CONTEXT
from app.credentials.document import VC_CONTEXT
from app.credentials.document import AchievementData
from app.credentials.document import AlignmentData
from app.credentials.document import RubricLevelData
from app.credentials.document import build_achievement


def achievement_url(badge: Badge, public_url: str) -> str:
    """The achievement's id, stable across the badge's versions."""
    return f"{public_url}/achievements/{badge.achievement_uuid}"


def achievement_image_url(badge: Badge, public_url: str) -> str:
    return f"{achievement_url(badge, public_url)}/image"


def criteria_markdown(badge: Badge) -> str:
    """The criteria narrative followed by the checklist, as one Markdown text."""
    checklist = "\n".join(f"- {item}" for item in badge.criteria_items)
    return f"{badge.criteria_narrative}\n\n{checklist}" if checklist else badge.criteria_narrative


# How a student-proposed badge says so in its achievement: a tag, and a line of its description.
STUDENT_PROPOSED_TAG = "student-proposed"
STUDENT_PROPOSED_LINE = (
    "Student-proposed: a student proposed this badge and the school approved it."
)


def achievement_description(badge: Badge) -> str:
    """The badge's description, with the student-proposed line when it applies."""
    if badge.student_proposed:
        return f"{badge.description}\n\n{STUDENT_PROPOSED_LINE}"
    return badge.description


def achievement_tags(badge: Badge) -> tuple[str, ...]:
    """The badge's tags, with the student-proposed tag when it applies."""
    if badge.student_proposed and STUDENT_PROPOSED_TAG not in badge.tags:
        return (*badge.tags, STUDENT_PROPOSED_TAG)
    return tuple(badge.tags)


def achievement_data(badge: Badge, public_url: str) -> AchievementData:
    """The badge as an OB 3.0 Achievement, as it stands now."""
    return AchievementData(
        id=achievement_url(badge, public_url),
        name=badge.name,
        description=achievement_description(badge),
        criteria_narrative=criteria_markdown(badge),
        image_url=achievement_image_url(badge, public_url),
        achievement_type=badge.achievement_type,
        tags=achievement_tags(badge),
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


def achievement_document(badge: Badge, public_url: str) -> dict[str, Any]:
    """The current Achievement as JSON-LD, exactly as a credential issued now would embed it."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        **build_achievement(achievement_data(badge, public_url)),
    }
