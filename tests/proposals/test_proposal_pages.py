"""The proposal pages: writing, the 409 that keeps a stale edit, comparing, deciding."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.proposals import services
from app.proposals.models import Proposal
from app.proposals.models import ProposalState
from tests.proposals.conftest import STANDARD_URL

FORM = {
    "title": "Bicycle Wheel Builder",
    "learning": "Lacing and truing a wheel.",
    "criteria": "Build a true wheel.",
    "evidence_plan": "A video.",
    "standards": STANDARD_URL,
}


def _edit(client, proposal, version, **changes):
    return client.post(
        f"/proposals/{proposal.id}/edit", data={**FORM, "version": str(version), **changes}
    )


def test_proposal_new_page_creates_and_sends(school, login):
    assert school.badge
    client = login(school.student)
    page = client.get("/proposals/new")
    assert page.status_code == 200 and "ASE A5 — Brakes" in page.get_data(as_text=True)
    response = client.post(
        "/proposals/new", data={**FORM, "class_id": str(school.auto_shop.id), "action": "submit"}
    )
    assert response.status_code == 302
    proposal = db.session.scalars(db.select(Proposal)).one()
    assert proposal.state == ProposalState.SUBMITTED
    assert proposal.current.standards[0]["url"] == STANDARD_URL
    assert "Bicycle Wheel Builder" in client.get("/proposals").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "needs a title"),
        ({"title": "x" * 201}, "200 characters"),
        ({"standards": "https://standards.example/unknown"}, "Unknown standard"),
        ({"class_id": str(10**6)}, "Choose one of your classes"),
        ({"class_id": "not-a-number"}, "Invalid Choice"),
    ],
    ids=["empty title", "long title", "unknown standard", "other class", "garbled class"],
)
def test_proposal_new_bad_input_is_400_with_a_reason(school, login, changes, message):
    assert school.badge
    client = login(school.student)
    data = {**FORM, "class_id": str(school.auto_shop.id), "action": "save", **changes}
    response = client.post("/proposals/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(db.select(Proposal)).all() == []


def test_proposal_new_page_is_for_students(school, login):
    assert login(school.instructor).get("/proposals/new").status_code == 403


def test_proposal_stale_edit_is_409_and_shows_their_text(school, make_proposal, login, now):
    """Does a form saved over a newer version answer 409 with the text typed kept?"""
    proposal = make_proposal()
    instructor = login(school.instructor)
    assert _edit(instructor, proposal, 1, criteria="Two wheels.").status_code == 302
    client = login(school.student)
    response = _edit(client, proposal, 1, criteria="My own careful wording.")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "My own careful wording." in body
    assert "Two wheels." in body
    assert 'name="version" type="hidden" value="2"' in body
    db.session.refresh(proposal)
    assert proposal.version == 2
    # Saving again from the 409 page knowingly makes it the newest version.
    assert _edit(client, proposal, 2, criteria="My own careful wording.").status_code == 302
    db.session.refresh(proposal)
    assert [v.criteria for v in proposal.versions][-1] == "My own careful wording."


def test_proposal_edit_bad_version_field_is_409(school, make_proposal, login):
    proposal = make_proposal()
    response = _edit(login(school.student), proposal, "garbled", criteria="New.")
    assert response.status_code == 409


def test_proposal_edit_of_approved_is_400(school, make_proposal, login, now):
    proposal = make_proposal()
    services.decide_on_proposal(
        proposal,
        reviewer=school.instructor,
        decision=services.Decision.APPROVE_CLASS,
        message="",
        expected_version=1,
        now=now,
    )
    db.session.commit()
    client = login(school.student)
    assert client.get(f"/proposals/{proposal.id}/edit").status_code == 400
    response = _edit(client, proposal, proposal.version, title="Later")
    assert response.status_code == 400
    assert "can no longer be edited" in response.get_data(as_text=True)


def test_proposal_of_another_student_is_404(school, make_proposal, login):
    proposal = make_proposal()
    client = login(school.classmate)
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert _edit(client, proposal, 1, title="Mine").status_code == 404
    assert (
        client.post(f"/proposals/{proposal.id}/withdraw", data={"version": "1"}).status_code == 404
    )
    assert client.get("/proposals/999999").status_code == 404
    assert login(school.other_instructor).get(f"/proposals/{proposal.id}").status_code == 404


def test_proposal_compare_shows_removed_and_added_words(school, make_proposal, login):
    proposal = make_proposal()
    client = login(school.student)
    _edit(client, proposal, 1)
    _edit(client, proposal, 2, criteria="Build a round wheel.")
    body = client.get(f"/proposals/{proposal.id}/compare").get_data(as_text=True)
    assert '<del><span class="visually-hidden">[removed: </span>true <span' in body
    assert '<ins><span class="visually-hidden">[added: </span>round <span' in body
    assert client.get(f"/proposals/{proposal.id}/compare?from=1&to=9").status_code == 400
    assert client.get(f"/proposals/{proposal.id}/compare?from=x").status_code == 400


def test_proposal_comments_and_empty_comment(school, make_proposal, login):
    proposal = make_proposal()
    client = login(school.instructor)
    url = f"/proposals/{proposal.id}/comments"
    assert client.post(url, data={"comment-message": "Which spokes?"}).status_code == 302
    assert client.post(url, data={"comment-message": "  "}).status_code == 400
    page = login(school.student).get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Which spokes?" in page


def test_proposal_decide_personal_badge_shows_student_proposed(school, make_proposal, login):
    proposal = make_proposal()
    response = login(school.instructor).post(
        f"/proposals/{proposal.id}/decide",
        data={"decision": "approve_personal", "message": "Go for it.", "version": "1"},
    )
    assert response.status_code == 302
    db.session.refresh(proposal)
    badge = proposal.badge
    assert response.headers["Location"].endswith(f"/badges/{badge.slug}")
    page = login(school.student).get(f"/badges/{badge.slug}").get_data(as_text=True)
    assert "Student-proposed" in page and "A personal badge for Sam Student" in page
    assert badge.name in login(school.student).get("/badges").get_data(as_text=True)
    classmate = login(school.classmate)
    assert badge.name not in classmate.get("/badges").get_data(as_text=True)
    assert classmate.get(f"/badges/{badge.slug}").status_code == 404


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"decision": "approve_class", "version": "0"}, 409),
        ({"decision": "changes", "message": "", "version": "1"}, 400),
        ({"decision": "bogus", "version": "1"}, 400),
        ({"decision": "decline", "message": "x" * 5001, "version": "1"}, 400),
    ],
    ids=["stale version", "changes without message", "unknown decision", "long message"],
)
def test_proposal_decide_bad_input(school, make_proposal, login, data, status):
    proposal = make_proposal()
    response = login(school.instructor).post(f"/proposals/{proposal.id}/decide", data=data)
    assert response.status_code == status
    db.session.refresh(proposal)
    assert proposal.state == ProposalState.SUBMITTED


def test_proposal_student_cannot_decide(school, make_proposal, login):
    proposal = make_proposal()
    response = login(school.student).post(
        f"/proposals/{proposal.id}/decide", data={"decision": "approve_personal", "version": "1"}
    )
    assert response.status_code == 403
