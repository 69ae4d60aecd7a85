"""One approval sends few SQL statements: the bound keeps the fast path from silently slowing.

The first approval of a school creates its status lists and issuer profile; the
bound is for every approval after it, counted from loading the submission to the commit.
"""

from __future__ import annotations

from app.accounts.models import User
from app.evidence import services
from app.extensions import db
from app.keyring import issuing_context
from app.pathways.services import PathwayInput
from app.pathways.services import StepInput
from app.pathways.services import create_pathway

# 28 before the approval path was tightened, then 14 (15 with the one SELECT of the
# badge's endorsements, which the achievement embeds), 9 since: the submission loaded
# with its badge, student and evidence; the issuer profile's stamp read with the badge
# lock; both status slots in one INSERT; no credential lookup after the approval's own
# UPDATE; 10 with the one asking which pathways hold the badge (app.pathways.completion).
# 8 since: whether the badge has endorsements is read with the badge lock and whether a
# pathway holds it with the submission's UPDATE, so a badge with neither costs no query
# for them. The list is printed on failure.
MOST_STATEMENTS = 8


def _approve(submission_id: int, reviewer_id: int, now) -> None:
    submission = services.load_submission(submission_id)
    reviewer = db.session.get(User, reviewer_id)
    services.approve(
        submission,
        ctx=issuing_context(),
        reviewer=reviewer,
        level_id=None,
        feedback="Clean brake work.",
        now=now,
        badge_revision=submission.badge.revision,
    )
    db.session.commit()


def test_one_approval_sends_few_statements(school, make_submission, sql_statements, now):
    _approve_twice_and_count(school, make_submission, sql_statements, now)


def test_a_pathway_of_other_badges_costs_the_approval_nothing(
    school, make_badge, make_submission, sql_statements, now
):
    """The pathway look-up is skipped for this badge alone, not because no pathway exists."""
    others = [
        make_badge(school.instructor, now=now, name=name, class_id=school.auto_shop.id)
        for name in ("Engine Diagnostics", "Shop Safety")
    ]
    create_pathway(
        PathwayInput(
            name="Automotive Technician, Level 1",
            description="Diagnoses and works safely in the shop.",
            class_id=school.auto_shop.id,
            steps=[StepInput(badge.id, ()) for badge in others],
            required_count=None,
            auto_issue=False,
        ),
        actor=school.instructor,
        now=now,
    )
    db.session.commit()

    _approve_twice_and_count(school, make_submission, sql_statements, now)


def _approve_twice_and_count(school, make_submission, sql_statements, now) -> None:
    first = make_submission().id
    second = make_submission(student=school.classmate).id
    reviewer = school.instructor.id
    _approve(first, reviewer, now)
    db.session.expunge_all()

    with sql_statements() as sent:
        _approve(second, reviewer, now)

    assert len(sent) <= MOST_STATEMENTS, "\n\n".join(sent)
