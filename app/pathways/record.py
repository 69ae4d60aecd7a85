"""Pathways in a learner record: the CLR 2.0 associations and the structure the page shows.

A badge of a pathway `isPartOf` the pathway's achievement, and a prerequisite `precedes`
the badge that requires it; both ends are achievements the record holds, or the
pathway's own achievement, added to the record when its credential is not in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.badges.achievement import achievement_data
from app.badges.achievement import achievement_url
from app.badges.models import Badge
from app.credentials.clr import AssociationData
from app.credentials.document import AchievementData
from app.pathways.models import Pathway
from app.pathways.services import pathways_with_badges


@dataclass(frozen=True)
class RecordPathway:
    """A pathway as the learner record shows it: each badge, and whether the record holds it."""

    pathway: Pathway
    steps: list[tuple[Badge, bool]]
    # The record holds the pathway's own credential.
    complete: bool


def record_pathways(badge_ids: set[int]) -> list[RecordPathway]:
    """The pathways touching the badges the learner holds, with each step marked."""
    return [
        RecordPathway(
            pathway=pathway,
            steps=[(step.badge, step.badge_id in badge_ids) for step in pathway.steps],
            complete=pathway.badge_id in badge_ids,
        )
        for pathway in pathways_with_badges(badge_ids)
    ]


def clr_structure(
    badge_ids: set[int], public_url: str
) -> tuple[list[AchievementData], list[AssociationData]]:
    """The pathway achievements to add to a record and the associations between achievements."""
    achievements: list[AchievementData] = []
    associations: dict[AssociationData, None] = {}
    for pathway in pathways_with_badges(badge_ids):
        pathway_id = achievement_url(pathway.badge, public_url)
        if pathway.badge_id not in badge_ids:
            achievements.append(achievement_data(pathway.badge, public_url))
        held = {step.badge_id: step for step in pathway.steps if step.badge_id in badge_ids}
        for step in held.values():
            step_id = achievement_url(step.badge, public_url)
            associations[AssociationData("isPartOf", step_id, pathway_id)] = None
            for required in pathway.steps:
                if required.badge_id in step.requires and required.badge_id in held:
                    before = achievement_url(required.badge, public_url)
                    associations[AssociationData("precedes", before, step_id)] = None
    return achievements, list(associations)
