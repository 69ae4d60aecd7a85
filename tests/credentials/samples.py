"""Realistic credential inputs for the credential tests (plain data, no fixtures)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from app.credentials.document import AchievementData
from app.credentials.document import AlignmentData
from app.credentials.document import EvidenceData
from app.credentials.document import Issuer
from app.credentials.document import RubricLevelData
from app.credentials.document import SubjectData
from app.credentials.document import build_credential

ISSUER_ID = "did:web:laurel.test"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

SCHOOL = Issuer(
    id=ISSUER_ID,
    name="Riverside High School",
    url="https://laurel.test",
    email="office@riverside.example",
    description="A public high school.",
    image_url="https://laurel.test/static/school.png",
)


def sample_achievement(number: int = 0, *, rubric: bool = True) -> AchievementData:
    levels = (
        RubricLevelData(f"urn:uuid:00000000-0000-4000-8000-{number:012d}-l1", "Developing"),
        RubricLevelData(
            f"urn:uuid:00000000-0000-4000-8000-{number:012d}-l2",
            "Proficient",
            "Works independently and explains each step.",
        ),
        RubricLevelData(f"urn:uuid:00000000-0000-4000-8000-{number:012d}-l3", "Mastery"),
    )
    return AchievementData(
        id=f"https://laurel.test/badges/{number}",
        name=f"Small-engine repair {number}",
        description="Diagnoses and repairs a small petrol engine safely.",
        criteria_narrative=(
            "# Criteria\n\n* Strip and rebuild a carburettor.\n* Log every step with photos."
        ),
        criteria_url=f"https://laurel.test/badges/{number}/criteria",
        image_url=f"https://laurel.test/badges/{number}/image.png",
        achievement_type="Competency",
        tags=("mechanics", "engines", f"level-{number % 3}"),
        alignments=(
            AlignmentData(
                "Maintain small engines",
                "https://standards.example/cte/ENG.4",
                target_code="ENG.4",
                target_framework="CTE Standards",
                target_description="Maintains and repairs small engines.",
            ),
            AlignmentData("Workshop safety", "https://standards.example/cte/SAF.1"),
        ),
        rubric_levels=levels if rubric else (),
        required_level_id=levels[1].id if rubric else None,
        version="2",
        creator=Issuer(
            id="https://laurel.test/people/ms-okafor", name="Ms Okafor", url="https://laurel.test"
        ),
    )


def sample_credential(number: int = 0, **overrides: Any) -> dict[str, Any]:
    """A full OpenBadgeCredential: rubric, result, alignments, two evidence items, status."""
    achievement = sample_achievement(number)
    arguments: dict[str, Any] = {
        "credential_id": f"urn:uuid:6f1c1e52-0000-4000-8000-{number:012d}",
        "issuer": SCHOOL,
        "achievement": achievement,
        "subject": SubjectData(
            id=f"urn:uuid:1b7e0000-0000-4000-8000-{number:012d}",
            email=f"Student{number}@Riverside.example",
            salt=f"salt-{number:08d}-4f9a2c",
        ),
        "valid_from": NOW,
        "achieved_level_id": achievement.rubric_levels[1].id,
        "evidence": (
            EvidenceData(
                f"https://laurel.test/evidence/{number}-1",
                "Photo log of the rebuild",
                narrative="I rebuilt the carburettor over three sessions.",
                genre="Photo log",
            ),
            EvidenceData(
                f"urn:uuid:ev000000-0000-4000-8000-{number:012d}",
                "Reflection",
                description="What I would do differently next time.",
            ),
        ),
        "valid_until": datetime(2031, 11, 23, 10, 0, tzinfo=UTC),
        "status_entries": (
            {
                "id": f"https://laurel.test/status/revocation/1#{1000 + number}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(1000 + number),
                "statusListCredential": "https://laurel.test/status/revocation/1",
            },
        ),
    }
    arguments.update(overrides)
    return build_credential(**arguments)
