"""A term of progress for the demo school: twelve weeks of submissions, feedback and badges.

Five more badges, created before the term, and for each class's students submissions sent
over the past twelve weeks: some approved at once, some sent back with feedback and
approved after, one still answering feedback. The progress plots have something to show.
Nothing here stays waiting for review: Sam's truck (app/demo.py) is the queue's one item.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta

from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.badges.models import Badge
from app.badges.services import AlignmentInput
from app.badges.services import BadgeInput
from app.badges.services import RubricLevelInput
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.evidence import services as evidence
from app.evidence.models import Submission
from app.issuing.context import IssuingContext

LEVELS = (
    RubricLevelInput("Developing"),
    RubricLevelInput("Proficient"),
    RubricLevelInput("Mastery"),
)
# Two standards the demo's first badges (app/demo.py) lack; theirs are reused by code below.
NEW_STANDARDS = (
    AlignmentInput(
        framework="CCSS Math",
        code="CCSS.MATH.CONTENT.HSS.ID.A.2",
        name="Use statistics appropriate to the shape of the data to compare center and spread",
        url="https://www.thecorestandards.org/Math/Content/HSS/ID/A/2/",
    ),
    AlignmentInput(
        framework="CCSS Math",
        code="CCSS.MATH.CONTENT.HSS.ID.C.7",
        name="Interpret the slope and the intercept of a linear model in the context of the data",
        url="https://www.thecorestandards.org/Math/Content/HSS/ID/C/7/",
    ),
)

ETS1_2 = "HS-ETS1-2"
ETS1_3 = "HS-ETS1-3"
CCTC_TD = "CCTC TD"
ID_A_1 = "CCSS.MATH.CONTENT.HSS.ID.A.1"
ID_B_6 = "CCSS.MATH.CONTENT.HSS.ID.B.6"
ID_A_2 = "CCSS.MATH.CONTENT.HSS.ID.A.2"
ID_C_7 = "CCSS.MATH.CONTENT.HSS.ID.C.7"

# (name, description, the codes of its standards, "auto" or "data" class)
BADGES = (
    (
        "Shop Safety",
        "Work safely in the shop: tools, lifts, fluids and fire.",
        (CCTC_TD, ETS1_2),
        "auto",
    ),
    ("Brake Service", "Inspect, repair and test a brake system.", (ETS1_2, ETS1_3), "auto"),
    ("Engine Diagnostics", "Find an engine fault from its symptoms.", (ETS1_3, CCTC_TD), "auto"),
    (
        "Summary Statistics",
        "Describe a data set by its centre and spread.",
        (ID_A_1, ID_A_2),
        "data",
    ),
    ("Linear Trends", "Fit a line to data and say what it means.", (ID_B_6, ID_C_7), "data"),
)

# (student, badge, steps): each step is (days before now, what happens). "sent" sends it for
# review; "changes" asks for changes; a level's name approves at that level.
HISTORY = (
    ("sam", "Shop Safety", ((80, "sent"), (78, "Proficient"))),
    ("maya", "Shop Safety", ((79, "sent"), (77, "Mastery"))),
    ("leo", "Shop Safety", ((75, "sent"), (73, "changes"), (70, "sent"), (68, "Proficient"))),
    ("ava", "Summary Statistics", ((70, "sent"), (66, "Proficient"))),
    ("maya", "Summary Statistics", ((65, "sent"), (64, "Mastery"))),
    (
        "leo",
        "Summary Statistics",
        ((60, "sent"), (57, "changes"), (50, "sent"), (47, "Proficient")),
    ),
    ("sam", "Brake Service", ((55, "sent"), (50, "Mastery"))),
    ("maya", "Brake Service", ((40, "sent"), (36, "changes"), (33, "sent"), (31, "Proficient"))),
    ("ava", "Linear Trends", ((35, "sent"), (30, "Mastery"))),
    ("leo", "Engine Diagnostics", ((30, "sent"), (26, "Proficient"))),
    ("maya", "Linear Trends", ((20, "sent"), (18, "Proficient"))),
    ("sam", "Engine Diagnostics", ((16, "sent"), (12, "Proficient"))),
    ("maya", "Engine Diagnostics", ((9, "sent"), (6, "changes"))),
    ("leo", "Linear Trends", ((8, "sent"), (4, "Proficient"))),
)
FEEDBACK = "Good start: add a photo or a table for each criterion, then send it again."


def _standards(badges: Iterable[Badge]) -> dict[str, AlignmentInput]:
    """The standards the demo's first badges align to, and the new ones, by code."""
    found = {
        a["code"]: AlignmentInput(
            name=a["name"], url=a["url"], framework=a["framework"], code=a["code"]
        )
        for badge in badges
        for a in badge.alignments
    }
    return {**found, **{standard.code: standard for standard in NEW_STANDARDS}}


def _badges(
    people: dict[str, User],
    classes: dict[str, SchoolClass],
    first_badges: Iterable[Badge],
    now: datetime,
) -> dict[str, Badge]:
    created = now - timedelta(weeks=13)
    known = _standards(first_badges)
    teachers = {"auto": people["jlee"], "data": people["pnatarajan"]}
    badges = {}
    for name, description, standards, where in BADGES:
        badge = create_badge(
            BadgeInput(
                name=name,
                description=description,
                criteria_narrative=f"{description} Show it with evidence of your choosing.",
                criteria_items=("Evidence of the work", "A reflection on what you learned"),
                evidence_prompt="A photo, a workbook, a link or a log: show me how you like.",
                accepted_kinds=("photo", "spreadsheet", "document", "link", "text"),
                rubric_levels=LEVELS,
                required_level="Proficient",
                alignments=tuple(known[code] for code in standards),
                class_id=classes[where].id,
            ),
            actor=teachers[where],
            now=created,
        )
        badges[name] = publish_badge(badge, actor=teachers[where], now=created)
    return badges


def _send(submission: Submission, student: User, moment: datetime) -> None:
    evidence.save_draft(
        submission,
        student=student,
        reflection="What I did, and what I would do differently next time.",
        criteria_reflections={},
        now=moment,
    )
    evidence.submit(submission, student=student, now=moment)


def seed_term(
    *,
    ctx: IssuingContext,
    people: dict[str, User],
    classes: dict[str, SchoolClass],
    first_badges: Iterable[Badge],
    now: datetime,
) -> None:
    """Twelve weeks of the demo classes' work (flushes only; the caller commits).

    :param first_badges: the demo's first badges, whose standards the new ones reuse.
    """
    badges = _badges(people, classes, first_badges, now)
    for local, badge_name, steps in HISTORY:
        student, badge = people[local], badges[badge_name]
        reviewer = people["jlee" if badge.class_id == classes["auto"].id else "pnatarajan"]
        first = now - timedelta(days=steps[0][0])
        submission = evidence.start_submission(badge, student=student, now=first)
        evidence.add_text(
            submission,
            student=student,
            title="Work log",
            text=f"My log for {badge.name}.",
            now=first,
        )
        for days, step in steps:
            moment = now - timedelta(days=days)
            if step == "sent":
                _send(submission, student, moment)
            elif step == "changes":
                evidence.request_changes(
                    submission, reviewer=reviewer, feedback=FEEDBACK, now=moment
                )
            else:
                level = next(lv["id"] for lv in badge.rubric_levels if lv["name"] == step)
                evidence.approve(
                    submission, ctx=ctx, reviewer=reviewer, level_id=level, feedback="", now=moment
                )
