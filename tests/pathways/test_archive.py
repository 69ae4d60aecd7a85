"""Archiving, restoring and deleting a pathway.

An archived pathway leaves the maps of students who had not started it; those who had keep
it, and the credentials it issued still verify. Deleting is for a pathway nobody started.
Refused: a student or another class's instructor archiving (403), archiving twice (409),
restoring one not archived (409), deleting one a student started (409), a form without
its CSRF token (400).
"""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.badges.models import Badge
from app.extensions import db
from app.pathways.archive import archive_pathway
from app.pathways.completion import completion_of
from app.pathways.models import CompletionState
from app.pathways.models import Pathway


def _names(client) -> str:
    return client.get("/pathways").get_data(as_text=True)


def test_archived_pathway_leaves_new_students_maps_and_keeps_what_was_issued(
    client, login, school, shop_badges, make_pathway, earn, make_user
):
    pathway = make_pathway(badges=shop_badges[:2], auto_issue=True)
    for badge in shop_badges[:2]:
        earn(badge)
    credential = completion_of(pathway, school.student).credential
    earn(shop_badges[0], student=school.classmate)  # on the way, not complete

    login(school.instructor)
    answer = client.post(f"/pathways/{pathway.id}/archive")
    assert answer.status_code == 302
    assert "is archived" in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Archived" in _names(client)
    assert client.post(f"/pathways/{pathway.id}/archive").status_code == 409

    # A student who never started it: gone from the list and the map.
    new_student = make_user(Role.STUDENT, name="Nia Newcomer", classes=[school.auto_shop])
    login(new_student)
    assert pathway.name not in _names(client)
    assert client.get(f"/pathways/{pathway.id}").status_code == 404
    # Those who had started it keep their map and progress.
    for student in (school.student, school.classmate):
        login(student)
        assert pathway.name in _names(client)
        assert client.get(f"/pathways/{pathway.id}").status_code == 200
    # The credential it issued still verifies.
    verified = client.post(
        "/api/v1/verify", data=credential.json_text, content_type="application/json"
    )
    assert verified.status_code == 200 and verified.json["verified"] is True

    # The classmate completes it after the archive: on it already, she is offered it.
    earn(shop_badges[1], student=school.classmate)
    assert completion_of(pathway, school.classmate).state == CompletionState.ISSUED

    login(school.instructor)
    assert client.post(f"/pathways/{pathway.id}/restore").status_code == 302
    assert client.post(f"/pathways/{pathway.id}/restore").status_code == 409
    login(new_student)
    assert pathway.name in _names(client)


def test_an_archived_pathway_does_not_complete_for_a_student_who_had_not_started(
    school, shop_badges, make_pathway, earn, now
):
    pathway = make_pathway(badges=shop_badges[:1])
    archive_pathway(pathway, actor=school.instructor, now=now)
    db.session.commit()
    earn(shop_badges[0])
    assert completion_of(pathway, school.student) is None


def test_only_its_instructors_archive_and_forms_need_their_token(
    app, client, login, school, shop_badges, make_pathway
):
    pathway = make_pathway()
    login(school.student)
    assert client.post(f"/pathways/{pathway.id}/archive").status_code == 403
    login(school.other_instructor)
    assert client.post(f"/pathways/{pathway.id}/archive").status_code == 403
    assert client.post(f"/pathways/{pathway.id}/delete").status_code == 403
    login(school.instructor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/pathways/{pathway.id}/archive").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.get(Pathway, pathway.id).archived_at is None


def test_delete_only_while_nobody_started_it(
    client, login, school, shop_badges, make_pathway, earn
):
    started = make_pathway(badges=shop_badges[:2])
    earn(shop_badges[0])
    login(school.instructor)
    page = client.get(f"/pathways/{started.id}").get_data(as_text=True)
    assert "It cannot be deleted (students hold credentials of its badges" in page
    refused = client.post(f"/pathways/{started.id}/delete")
    assert refused.status_code == 409
    assert "Archive it instead" in refused.get_data(as_text=True)

    untouched = make_pathway(badges=shop_badges[1:])
    badge_id = untouched.badge_id
    gone = client.post(f"/pathways/{untouched.id}/delete")
    assert gone.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pathway, untouched.id) is None
    assert db.session.get(Badge, badge_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pathway)) == 1
