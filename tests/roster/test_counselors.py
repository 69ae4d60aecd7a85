"""Counselors from a roster: OneRoster counselor users, and the students their agents link.

Sam Rivera's row of the sample users.csv naming `usr-c-kim` in agentSourcedIds assigns
Robin Kim (a OneRoster counselor) to Sam; the import previews, applies and reports it,
and only ever undoes assignments an import made.
"""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.accounts.counselors import assign_counselor
from app.accounts.counselors import can_read_learner
from app.accounts.counselors import is_counselor_of
from app.accounts.models import CounselorAssignment
from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from tests.roster.bundle import bundle
from tests.roster.bundle import text
from tests.roster.conftest import counts

JAMIE = ",,,true,jokoro,,Jamie,Okoro,,C3002,jokoro@maplegrove.test,,,,,,,,,,,org-mghs,"
PARENT = ",,,true,privera,,Pat,Rivera,,P5001,pat.rivera@family.test,,,,,,,,,,,org-mghs,"
EXTRA_ROLES = (
    "role-okoro,,,usr-c-okoro,primary,guidance,2026-08-17,,org-mghs,\n"
    "role-privera,,,usr-p-rivera,primary,parent,2026-08-17,,org-mghs,\n"
)


def users(**agents: str | None) -> str:
    """users.csv with Jamie Okoro (guidance) and Pat Rivera (Sam's parent) added, and each
    `sourcedId=agents` set (None: the file without its agentSourcedIds column)."""
    rows = list(csv.reader(io.StringIO(text("users"))))
    rows += [["usr-c-okoro", *JAMIE.split(",")[1:]], ["usr-p-rivera", *PARENT.split(",")[1:]]]
    column = rows[0].index("agentSourcedIds")
    for row in rows[1:]:
        key = row[0].replace("-", "_")
        if key in agents and agents[key] is not None:
            row[column] = agents[key]
    if any(value is None for value in agents.values()):
        rows = [row[:column] + row[column + 1 :] for row in rows]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def roster(**agents: str | None) -> tuple[str, bytes]:
    return ("roster.zip", bundle(users=users(**agents), roles=text("roles") + EXTRA_ROLES))


def user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def assignments() -> set[tuple[str, str, bool]]:
    """(counselor email, student email, made by a roster) of every assignment."""
    db.session.expire_all()
    return {
        (a.counselor.email, a.student.email, a.by_roster)
        for a in db.session.scalars(sa.select(CounselorAssignment))
    }


ROBIN, JAMIE_EMAIL = "rkim@maplegrove.test", "jokoro@maplegrove.test"
SAM, MAYA, LEO = "sam@maplegrove.test", "maya@maplegrove.test", "leo@maplegrove.test"


def test_student_agent_counselor_previewed_applied_reported_then_nothing_to_apply(
    admin, client, login
):
    """Sam names Robin (a counselor) and Pat (a parent, passed by): one assignment."""
    upload = admin.upload(roster(usr_s_sam="usr-c-kim,usr-p-rivera"))
    assert upload.status_code == 302
    preview = admin.client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Counselor assignments to make: 1" in preview and 'id="roster-counselors"' in preview
    assert "<td>Robin Kim</td><td>Sam Rivera</td>" in preview
    assert "counselor Robin Kim assigned" in preview
    assert "parent: families have no Laurel accounts" in preview
    assert assignments() == set()

    report = admin.apply(upload.headers["Location"]).get_data(as_text=True)
    assert "Counselor assignments made: 1" in report
    assert assignments() == {(ROBIN, SAM, True)}
    robin, sam, maya = user(ROBIN), user(SAM), user(MAYA)
    assert robin.role == Role.COUNSELOR and user(JAMIE_EMAIL).role == Role.COUNSELOR
    assert is_counselor_of(robin, sam) and not is_counselor_of(robin, maya)
    assert can_read_learner(sam, robin) and not can_read_learner(maya, robin)

    again = admin.upload(roster(usr_s_sam="usr-c-kim,usr-p-rivera"))
    page = admin.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Laurel already matches this roster" in page and "roster-counselors" not in page
    assert assignments() == {(ROBIN, SAM, True)}

    login(robin)
    for path in ("profile", "record"):
        assert client.get(f"/learners/{sam.id}/{path}").status_code == 200
        assert client.get(f"/learners/{maya.id}/{path}").status_code == 404
    assert client.get("/admin/roster").status_code == 403


def test_counselor_row_naming_students_assigns_them(admin):
    """OneRoster links agents both ways: the counselor's own row may name the students."""
    admin.import_(roster(usr_c_kim="usr-s-maya, usr-s-leo"))
    assert assignments() == {(ROBIN, MAYA, True), (ROBIN, LEO, True)}


def test_student_moved_to_another_counselor_undoes_the_rosters_assignment(admin):
    admin.import_(roster(usr_s_sam="usr-c-kim", usr_s_maya="usr-c-kim"))
    assert assignments() == {(ROBIN, SAM, True), (ROBIN, MAYA, True)}

    upload = admin.upload(roster(usr_s_sam="usr-c-okoro", usr_s_maya="usr-c-kim"))
    preview = admin.client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Counselor assignments to make: 1" in preview
    assert "Counselor assignments to undo: 1" in preview
    assert "counselor Robin Kim no longer assigned" in preview
    assert "counselor Jamie Okoro assigned" in preview
    report = admin.apply(upload.headers["Location"]).get_data(as_text=True)
    assert "Counselor assignments undone: 1" in report
    assert assignments() == {(JAMIE_EMAIL, SAM, True), (ROBIN, MAYA, True)}
    assert not can_read_learner(user(SAM), user(ROBIN))


def test_an_admins_assignment_is_never_undone_by_a_roster(admin, now):
    admin.import_(roster(usr_s_sam="usr-c-kim"))
    robin, sam, maya = user(ROBIN), user(SAM), user(MAYA)
    assign_counselor(robin, maya, now=now)  # by hand
    assign_counselor(robin, sam, now=now)  # by hand too: now the admin's
    db.session.commit()
    assert assignments() == {(ROBIN, SAM, False), (ROBIN, MAYA, False)}

    upload = admin.upload(roster())  # nobody names an agent
    page = admin.client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Laurel already matches this roster" in page
    assert assignments() == {(ROBIN, SAM, False), (ROBIN, MAYA, False)}


def test_roster_keeps_an_existing_hand_made_assignment_as_the_admins(admin, make_user, now):
    """The roster finds the pair assigned already: nothing to add, and it stays the admin's."""
    admin.import_(roster())
    assign_counselor(user(ROBIN), user(SAM), now=now)
    db.session.commit()
    upload = admin.upload(roster(usr_s_sam="usr-c-kim"))
    page = admin.client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Laurel already matches this roster" in page
    assert assignments() == {(ROBIN, SAM, False)}


def test_users_file_without_agents_column_keeps_the_rosters_assignments(admin):
    admin.import_(roster(usr_s_sam="usr-c-kim"))
    upload = admin.upload(roster(usr_s_maya=None))
    page = admin.client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Laurel already matches this roster" in page
    assert assignments() == {(ROBIN, SAM, True)}


def test_leaving_counselor_keeps_the_assignment(admin):
    """A counselor marked disabled is not imported this time; the assignment waits."""
    admin.import_(roster(usr_s_sam="usr-c-kim"))
    disabled = users(usr_s_sam="usr-c-kim").replace("usr-c-kim,,,true", "usr-c-kim,,,false")
    upload = admin.upload(("roster.zip", bundle(users=disabled, roles=text("roles") + EXTRA_ROLES)))
    page = admin.client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "Laurel already matches this roster" in page and "roster-counselors" not in page
    assert assignments() == {(ROBIN, SAM, True)}


BAD_AGENTS = [
    pytest.param(
        {"usr_s_sam": "usr-c-nobody"},
        "agentSourcedIds names unknown user usr-c-nobody (not in users.csv, nor imported before)",
        id="unknown-sourced-id",
    ),
    pytest.param(
        {"usr_s_sam": "usr-t-jlee"},
        "agentSourcedIds names usr-t-jlee, whose role is teacher: the agents Laurel reads "
        "for a student are counselors",
        id="student-names-a-teacher",
    ),
    pytest.param(
        {"usr_s_sam": "usr-s-maya"},
        "agentSourcedIds names usr-s-maya, whose role is student",
        id="student-names-a-student",
    ),
    pytest.param(
        {"usr_s_sam": "usr-a-ward"},
        "agentSourcedIds names usr-a-ward, whose role is principal",
        id="student-names-a-principal",
    ),
    pytest.param(
        {"usr_c_kim": "usr-p-rivera,usr-t-pnat"},
        "agentSourcedIds names usr-t-pnat, whose role is teacher: the agents Laurel reads "
        "for a counselor are students",
        id="counselor-names-a-teacher",
    ),
    pytest.param(
        {"usr_c_kim": "usr-c-kim"},
        "agentSourcedIds names the user usr-c-kim themselves",
        id="counselor-names-themselves",
    ),
    pytest.param(
        {"usr_s_sam": "usr-c-kim,usr-c-kim"},
        "agentSourcedIds names usr-c-kim twice",
        id="duplicate-agent",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("agents", "message"), BAD_AGENTS)
def test_bad_agents_400_with_the_row_and_nothing_written(admin, agents, message):
    before = counts()
    response = admin.upload(roster(**agents))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was imported" in page and "<td>users.csv</td>" in page
    assert message in page
    assert counts() == before and assignments() == set()


def test_agent_imported_before_is_found_by_its_sourced_id(admin):
    """A delta users file names a counselor an earlier import brought in."""
    admin.import_(roster())
    manifest = text("manifest")
    for name, mode in (("users", "delta"), ("roles", "delta"), ("enrollments", "absent"),
                       ("classes", "absent"), ("orgs", "absent"), ("courses", "absent"),
                       ("academicSessions", "absent")):  # fmt: skip
        manifest = manifest.replace(f"file.{name},bulk", f"file.{name},{mode}")
    lines = users(usr_s_sam="usr-c-kim").splitlines()
    sam = next(line for line in lines if line.startswith("usr-s-sam,"))
    delta_users = f"{lines[0]}\n{sam.replace('usr-s-sam,,,', 'usr-s-sam,active,2026-09-01,')}\n"
    delta_roles = (
        text("roles").splitlines()[0]
        + "\nrole-sam,active,2026-09-01,usr-s-sam,primary,student,2026-08-17,,org-mghs,\n"
    )
    left_out = dict.fromkeys(("classes", "enrollments", "orgs", "courses", "academicSessions"))
    delta = bundle(manifest=manifest, users=delta_users, roles=delta_roles, **left_out)
    report = admin.import_(("delta.zip", delta)).get_data(as_text=True)
    assert "Counselor assignments made: 1" in report
    assert assignments() == {(ROBIN, SAM, True)}


def test_laurel_csv_takes_counselors_and_refuses_one_in_a_class(admin):
    content = (
        b"name,email,role,class\n"
        b"Cleo Counsel,cleo@maplegrove.test,counselor,\n"
        b"Sam Rivera,sam@maplegrove.test,student,Auto Shop 1\n"
    )
    report = admin.import_(("roster.csv", content)).get_data(as_text=True)
    assert "2 created" in report
    assert user("cleo@maplegrove.test").role == Role.COUNSELOR
    assert not user("cleo@maplegrove.test").memberships

    bad = b"name,email,role,class\nDee Counsel,dee@maplegrove.test,counselor,Auto Shop 1\n"
    response = admin.upload(("roster.csv", bad))
    assert response.status_code == 400
    assert "a counselor is in no class: leave class empty" in response.get_data(as_text=True)


def test_counselor_in_enrollments_joins_no_class(admin):
    """Enrolled as a counselor, or even as a teacher: teaching would let them review."""
    enrollments = text("enrollments") + (
        "enr-kim1,,,cls-auto1-p3,org-mghs,usr-c-kim,counselor,false,2026-08-17,2027-01-16\n"
        "enr-kim2,,,cls-alg2-p2,org-mghs,usr-c-kim,teacher,false,2026-08-17,2027-01-16\n"
    )
    report = admin.import_(("roster.zip", bundle(enrollments=enrollments)))
    page = report.get_data(as_text=True)
    assert "a counselor joins no class: not in Algebra 2 (ALG2-P2)" in page
    db.session.expire_all()
    assert user(ROBIN).memberships == []
