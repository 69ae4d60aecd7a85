"""Proposal versions, permissions by state, and the badge an approval creates."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.badges.achievement import STUDENT_PROPOSED_LINE
from app.badges.achievement import STUDENT_PROPOSED_TAG
from app.badges.achievement import achievement_document
from app.badges.models import BadgeState
from app.errors import Conflict
from app.errors import NotAllowed
from app.errors import UserError
from app.evidence import services as evidence
from app.extensions import db
from app.keyring import issuing_context
from app.proposals import services
from app.proposals.models import ProposalState
from app.proposals.models import ProposalVersion
from tests.interop.test_official_schemas import OB_SCHEMAS
from tests.interop.test_official_schemas import _official_errors
from tests.proposals.conftest import STANDARD_URL
from tests.proposals.conftest import proposal_input

Decision = services.Decision


def _decide(proposal, reviewer, decision, now, message="Looks good."):
    return services.decide_on_proposal(
        proposal,
        reviewer=reviewer,
        decision=decision,
        message=message,
        expected_version=proposal.version,
        now=now,
    )


# --- versions -------------------------------------------------------------------------------


def test_proposal_edits_append_numbered_versions_by_each_author(school, make_proposal, now):
    """Does each edit, by the student or the instructor, add a version and keep the earlier ones?"""
    proposal = make_proposal()
    services.edit_proposal(
        proposal,
        proposal_input(criteria="Build two true wheels."),
        actor=school.instructor,
        expected_version=1,
        now=now,
    )
    services.edit_proposal(
        proposal,
        proposal_input(criteria="Build two true wheels, front and rear."),
        actor=school.student,
        expected_version=2,
        now=now,
    )
    db.session.commit()
    assert proposal.version == 3
    assert [(v.number, v.author_id) for v in proposal.versions] == [
        (1, school.student.id),
        (2, school.instructor.id),
        (3, school.student.id),
    ]
    assert proposal.versions[0].criteria.startswith("Build a **true** wheel")
    assert proposal.current.criteria == "Build two true wheels, front and rear."
    assert proposal.versions[0].standards[0]["name"] == "Brakes"


def test_proposal_edit_without_change_adds_no_version(school, make_proposal, now):
    proposal = make_proposal()
    assert (
        services.edit_proposal(
            proposal, proposal_input(), actor=school.student, expected_version=1, now=now
        )
        is None
    )
    assert proposal.version == 1


def test_proposal_stale_edit_is_conflict_and_keeps_versions(school, make_proposal, now):
    """Is an edit made on version 1 after version 2 was saved refused, with nothing lost?"""
    proposal = make_proposal()
    services.edit_proposal(
        proposal,
        proposal_input(title="Wheel Builder"),
        actor=school.instructor,
        expected_version=1,
        now=now,
    )
    db.session.commit()
    with pytest.raises(Conflict):
        services.edit_proposal(
            proposal,
            proposal_input(title="Wheelwright"),
            actor=school.student,
            expected_version=1,
            now=now,
        )
    db.session.rollback()
    assert [v.title for v in proposal.versions] == ["Bicycle Wheel Builder", "Wheel Builder"]


def test_proposal_version_number_is_unique(school, make_proposal, now):
    """Can two versions with the same number exist? (The database says no.)"""
    proposal = make_proposal()
    db.session.add(
        ProposalVersion(proposal_id=proposal.id, number=1, author_id=school.student.id, title="x")
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "   "}, "needs a title"),
        ({"title": "x" * 201}, "too long"),
        ({"learning": "x" * 5001}, "too long"),
        ({"criteria": "x" * 20_001}, "too long"),
        ({"evidence_plan": "x" * 2001}, "too long"),
        ({"standards": ["https://standards.example/unknown"]}, "Unknown standard"),
    ],
    ids=["empty title", "long title", "long learning", "long criteria", "long plan", "unknown"],
)
def test_proposal_bad_input_is_user_error(school, make_proposal, now, changes, message):
    assert school.badge
    with pytest.raises(UserError, match=message):
        services.create_proposal(
            proposal_input(**changes),
            student=school.student,
            class_id=school.auto_shop.id,
            now=now,
        )


def test_proposal_incomplete_draft_saves_but_cannot_be_sent(school, make_proposal, now):
    proposal = make_proposal(submitted=False, learning="", criteria="")
    with pytest.raises(UserError, match="what you will learn"):
        services.submit_proposal(proposal, student=school.student, expected_version=1, now=now)


def test_proposal_for_a_class_not_enrolled_is_refused(school, now):
    with pytest.raises(UserError, match="Choose one of your classes"):
        services.create_proposal(
            proposal_input(standards=[]),
            student=school.student,
            class_id=school.algebra.id,
            now=now,
        )
    with pytest.raises(UserError, match="not enrolled"):
        services.create_proposal(
            proposal_input(standards=[]), student=school.other_student, class_id=None, now=now
        )
    with pytest.raises(NotAllowed):
        services.create_proposal(
            proposal_input(standards=[]), student=school.instructor, class_id=None, now=now
        )


# --- permissions by state ------------------------------------------------------------------------


def test_proposal_draft_is_the_students_alone(school, make_proposal):
    proposal = make_proposal(submitted=False)
    assert proposal.can_view(school.student)
    for other in (school.classmate, school.instructor, school.other_instructor, school.admin):
        assert not proposal.can_view(other)


def test_proposal_sent_is_seen_by_its_class_instructors_and_admins(school, make_proposal):
    proposal = make_proposal()
    assert proposal.can_review(school.instructor) and proposal.can_review(school.admin)
    assert not proposal.can_view(school.classmate)
    assert not proposal.can_view(school.other_instructor)
    assert not proposal.can_review(school.student)


def test_proposal_student_cannot_decide_nor_others_edit(school, make_proposal, now):
    proposal = make_proposal()
    with pytest.raises(NotAllowed):
        _decide(proposal, school.student, Decision.APPROVE_PERSONAL, now)
    with pytest.raises(NotAllowed):
        services.edit_proposal(
            proposal,
            proposal_input(title="Mine now"),
            actor=school.classmate,
            expected_version=1,
            now=now,
        )
    with pytest.raises(NotAllowed):
        services.submit_proposal(proposal, student=school.instructor, expected_version=1, now=now)


def test_proposal_approved_cannot_be_edited_commented_or_decided_again(school, make_proposal, now):
    proposal = make_proposal()
    _decide(proposal, school.instructor, Decision.APPROVE_CLASS, now)
    with pytest.raises(UserError, match="can no longer be edited"):
        services.edit_proposal(
            proposal,
            proposal_input(title="Later"),
            actor=school.student,
            expected_version=proposal.version,
            now=now,
        )
    with pytest.raises(UserError, match="discussion is closed"):
        services.comment_on_proposal(proposal, actor=school.student, message="Hi", now=now)
    with pytest.raises(UserError, match="cannot become"):
        _decide(proposal, school.instructor, Decision.DECLINE, now)


def test_proposal_changes_need_a_message_then_go_back_to_the_student(school, make_proposal, now):
    proposal = make_proposal()
    with pytest.raises(UserError, match="what should change"):
        _decide(proposal, school.instructor, Decision.CHANGES, now, message=" ")
    _decide(proposal, school.instructor, Decision.CHANGES, now, message="Add a tension target.")
    assert proposal.state == ProposalState.CHANGES_REQUESTED
    with pytest.raises(UserError, match="cannot become"):
        _decide(proposal, school.instructor, Decision.APPROVE_CLASS, now)
    services.submit_proposal(
        proposal, student=school.student, expected_version=proposal.version, now=now
    )
    assert proposal.state == ProposalState.SUBMITTED
    assert [e.kind.value for e in proposal.events] == [
        "submitted",
        "changes_requested",
        "submitted",
    ]


def test_proposal_decision_on_an_older_version_is_conflict(school, make_proposal, now):
    """Is an approval of version 1 refused once the student saved version 2?"""
    proposal = make_proposal()
    services.edit_proposal(
        proposal,
        proposal_input(title="Wheelwright"),
        actor=school.student,
        expected_version=1,
        now=now,
    )
    with pytest.raises(Conflict):
        services.decide_on_proposal(
            proposal,
            reviewer=school.instructor,
            decision=Decision.APPROVE_CLASS,
            message="",
            expected_version=1,
            now=now,
        )


def test_proposal_unknown_decision_is_user_error(school, make_proposal, now):
    proposal = make_proposal()
    with pytest.raises(UserError, match="Choose a decision"):
        _decide(proposal, school.instructor, "publish-everywhere", now)


def test_proposal_withdrawn_is_closed(school, make_proposal, now):
    proposal = make_proposal()
    services.withdraw_proposal(proposal, student=school.student, expected_version=1, now=now)
    assert proposal.state == ProposalState.WITHDRAWN
    with pytest.raises(UserError):
        services.submit_proposal(proposal, student=school.student, expected_version=1, now=now)


# --- the badge an approval creates ----------------------------------------------------------------


def test_proposal_approved_personal_badge_is_for_its_student_alone(school, make_proposal, now):
    proposal = make_proposal()
    badge = _decide(proposal, school.instructor, Decision.APPROVE_PERSONAL, now)
    db.session.commit()
    assert proposal.state == ProposalState.APPROVED_PERSONAL and proposal.badge_id == badge.id
    assert badge.state == BadgeState.PUBLISHED and badge.student_proposed
    assert badge.personal_for_id == school.student.id and badge.class_id == school.auto_shop.id
    assert badge.name == "Bicycle Wheel Builder"
    assert [a["url"] for a in badge.alignments] == [STANDARD_URL]
    assert badge.is_visible_to(school.student)
    assert not badge.is_visible_to(school.classmate)
    assert badge.is_visible_to(school.instructor) and badge.can_review(school.instructor)
    evidence.start_goal(badge, student=school.student, now=now)
    with pytest.raises(NotAllowed):
        evidence.start_submission(badge, student=school.classmate, now=now)


def test_proposal_approved_class_badge_is_open_to_the_class(school, make_proposal, now):
    proposal = make_proposal()
    badge = _decide(proposal, school.instructor, Decision.APPROVE_CLASS, now)
    assert badge.personal_for_id is None
    assert badge.is_visible_to(school.classmate)
    assert not badge.is_visible_to(school.other_student)


def test_proposal_badge_credential_says_student_proposed_and_is_valid(school, make_proposal, now):
    """Does the issued credential carry the tag and the line, and pass the official schemas?"""
    proposal = make_proposal()
    badge = _decide(proposal, school.instructor, Decision.APPROVE_PERSONAL, now)
    achievement = achievement_document(badge, issuing_context().public_url)
    assert STUDENT_PROPOSED_TAG in achievement["tag"]
    assert achievement["description"].endswith(STUDENT_PROPOSED_LINE)
    submission = evidence.start_submission(badge, student=school.student, now=now)
    evidence.add_text(submission, student=school.student, text="Wheel log.", now=now)
    evidence.save_draft(
        submission,
        student=school.student,
        reflection="It stayed true.",
        criteria_reflections={},
        now=now,
    )
    evidence.submit(submission, student=school.student, now=now)
    evidence.approve(
        submission,
        ctx=issuing_context(),
        reviewer=school.instructor,
        level_id=None,
        feedback="",
        now=now,
    )
    db.session.commit()
    credential = evidence.submission_credential(submission)
    assert credential is not None
    document = json.loads(credential.json_text)
    embedded = document["credentialSubject"]["achievement"]
    assert STUDENT_PROPOSED_TAG in embedded["tag"]
    assert STUDENT_PROPOSED_LINE in embedded["description"]
    for schema_url in OB_SCHEMAS:
        assert _official_errors(document, schema_url) == []


def test_ordinary_badge_achievement_has_no_student_proposed_mark(school):
    achievement = achievement_document(school.badge, issuing_context().public_url)
    assert STUDENT_PROPOSED_TAG not in achievement.get("tag", [])
    assert STUDENT_PROPOSED_LINE not in achievement["description"]


def test_proposal_lists_by_person(school, make_proposal, now):
    mine = make_proposal()
    draft = make_proposal(submitted=False, title="Pottery Wheel")
    assert {p.id for p in services.proposals_for(school.student)} == {mine.id, draft.id}
    assert services.proposals_for(school.classmate) == []
    assert [p.id for p in services.proposals_for(school.instructor)] == [mine.id]
    assert services.proposals_for(school.other_instructor) == []
    assert [p.id for p in services.proposals_for(school.admin)] == [mine.id]


def test_proposal_keeps_a_standard_no_published_badge_uses_any_more(school, make_proposal, now):
    from app.badges.services import archive_badge

    proposal = make_proposal(submitted=False)
    archive_badge(school.badge, actor=school.instructor, now=now)
    assert STANDARD_URL not in services.known_standards()
    services.edit_proposal(
        proposal,
        proposal_input(title="Wheelwright"),
        actor=school.student,
        expected_version=1,
        now=now,
    )
    services.submit_proposal(proposal, student=school.student, expected_version=2, now=now)
    assert proposal.current.standards[0]["url"] == STANDARD_URL
