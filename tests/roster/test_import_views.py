"""The admin's roster import through the web pages: upload, preview, apply, report."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import Role
from app.accounts.models import User
from app.extensions import db
from app.roster.models import RosterImport
from app.roster.models import RosterUserLink
from tests.roster.bundle import bundle
from tests.roster.bundle import edit
from tests.roster.bundle import files
from tests.roster.conftest import classes_of
from tests.roster.conftest import counts


def test_sample_bundle_previews_without_writing_then_applies(admin):
    before = counts()
    response = admin.upload(("maplegrove-oneroster.zip", bundle()))
    assert response.status_code == 302
    preview = admin.client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Roster preview" in page and "7 create" in page and "2 not imported" in page
    assert "Laurel has no counselor role" not in page and "rkim@maplegrove.test" in page
    assert "principal: Laurel admins are appointed on the Users page" in page
    assert "no email: Laurel signs people in by email" in page
    assert "Algebra 2 (ALG2-P2)" in page and "Algebra 2 (ALG2-P5)" in page
    assert {k: v for k, v in counts().items() if k != "imports"} == {
        k: v for k, v in before.items() if k != "imports"
    }

    report = admin.apply(response.headers["Location"]).get_data(as_text=True)
    assert "Roster import report" in report and "7 created" in report
    assert report.count("/invite/") == 7
    assert classes_of("sam@maplegrove.test") == {
        "Auto Shop 1": "student",
        "Algebra 2 (ALG2-P2)": "student",
    }
    assert classes_of("pnatarajan@maplegrove.test") == {
        "Algebra 2 (ALG2-P2)": "instructor",
        "Algebra 2 (ALG2-P5)": "instructor",
    }
    ava = db.session.scalars(sa.select(User).where(User.email.like("ava%"))).one()
    assert ava.email == "ava.garcia@maplegrove.test" and ava.name == "Ava García"
    assert (
        db.session.scalar(
            sa.select(RosterUserLink.sourced_id).where(RosterUserLink.user_id == ava.id)
        )
        == "usr-s-ava"
    )
    robin = db.session.scalars(sa.select(User).where(User.email == "rkim@maplegrove.test")).one()
    assert robin.role == Role.COUNSELOR and robin.name == "Robin Kim"
    assert not db.session.scalar(sa.select(User).where(User.email == "dward@maplegrove.test"))
    stored = db.session.scalars(sa.select(RosterImport)).one()
    assert stored.applied_at is not None and stored.content == b""

    # The report stays, without the invitation links.
    again = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "7 created" in again and "/invite/" not in again


def test_second_import_of_same_bundle_changes_nothing(admin):
    admin.import_(("roster.zip", bundle()))
    before = counts()
    response = admin.upload(("roster.zip", bundle()))
    page = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "7 unchanged" in page and "0 create" in page
    assert "nothing to apply" in page and 'name="digest"' not in page
    after = counts()
    assert after.pop("imports") == before.pop("imports") + 1
    assert after == before


def test_changed_enrollment_moves_the_student(admin):
    admin.import_(("roster.zip", bundle()))
    moved = edit(
        "enrollments",
        "enr-003,,,cls-auto1-p3,org-mghs,usr-s-leo",
        "enr-003,,,cls-alg2-p5,org-mghs,usr-s-leo",
    )
    response = admin.upload(("roster.zip", bundle(enrollments=moved)))
    page = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 move" in page
    assert "joins Algebra 2 (ALG2-P5) as student; leaves Auto Shop 1" in page
    admin.apply(response.headers["Location"])
    assert classes_of("leo@maplegrove.test") == {"Algebra 2 (ALG2-P5)": "student"}
    assert classes_of("sam@maplegrove.test") == {
        "Auto Shop 1": "student",
        "Algebra 2 (ALG2-P2)": "student",
    }


def test_reimport_matches_on_sourced_id_when_email_and_name_changed(admin):
    admin.import_(("roster.zip", bundle()))
    users = edit("users", "Sam,Rivera,Alex,S2001,sam@maplegrove.test", "Sam,Rivera-Cole,Alex,S2001,"
                 "sam.rc@maplegrove.test")  # fmt: skip
    before = counts()
    report = admin.import_(("roster.zip", bundle(users=users))).get_data(as_text=True)
    assert "1 updated" in report and "0 created" in report
    assert "email sam@maplegrove.test → sam.rc@maplegrove.test" in report
    assert counts()["users"] == before["users"]
    sam = db.session.scalars(sa.select(User).where(User.email == "sam.rc@maplegrove.test")).one()
    assert sam.name == "Sam Rivera-Cole"


def test_existing_accounts_and_classes_are_linked_not_duplicated(admin, make_user, make_class):
    auto = make_class("Auto Shop 1")
    make_user(Role.INSTRUCTOR, email="jlee@maplegrove.test", name="Jordan Lee", classes=[auto])
    report = admin.import_(("roster.zip", bundle())).get_data(as_text=True)
    assert "6 created" in report and "1 updated" in report
    assert "linked to roster user usr-t-jlee" in report
    assert "linked to roster class cls-auto1-p3" in report
    assert counts()["classes"] == 3


def test_people_missing_from_bulk_users_are_reported_and_kept(admin):
    admin.import_(("roster.zip", bundle()))
    users = "\n".join(line for line in files()["users.csv"].decode().splitlines()
                      if not line.startswith("usr-s-leo")) + "\n"  # fmt: skip
    enrollments = edit("enrollments", "enr-003,,,cls-auto1-p3,org-mghs,usr-s-leo,student,false,"
                       "2026-08-17,2027-01-16\n", "")  # fmt: skip
    report = admin.import_(("roster.zip", bundle(users=users, enrollments=enrollments)))
    page = report.get_data(as_text=True)
    assert "1 no longer in the roster" in page
    assert "the account and its credentials are kept" in page and "leaves Auto Shop 1" in page
    leo = db.session.scalars(sa.select(User).where(User.email == "leo@maplegrove.test")).one()
    assert leo.is_active_account


def test_delta_bundle_adds_and_removes_only_what_it_names(admin):
    admin.import_(("roster.zip", bundle()))
    manifest = (
        edit("manifest", "file.users,bulk", "file.users,delta")
        .replace("file.enrollments,bulk", "file.enrollments,delta")
        .replace("file.classes,bulk", "file.classes,absent")
        .replace("file.roles,bulk", "file.roles,absent")
        .replace("file.orgs,bulk", "file.orgs,absent")
        .replace("file.courses,bulk", "file.courses,absent")
        .replace("file.academicSessions,bulk", "file.academicSessions,absent")
    )
    header_users = text_header("users")
    users = (
        header_users
        + "usr-s-zoe,active,2026-09-01T10:00:00Z,true,zwu,,Zoe,Wu,,S2010,zoe@maplegrove.test"
        + ",,,,10,,,,,,,org-mghs,\n"
        + "usr-s-maya,tobedeleted,2026-09-01T10:00:00Z,true,mchen,,Maya,Chen,,S2002,"
        + "maya@maplegrove.test,,,,11,,,,,,,org-mghs,\n"
    )
    enrollments = (
        text_header("enrollments")
        + "enr-020,active,2026-09-01T10:00:00Z,cls-auto1-p3,org-mghs,usr-s-zoe,student,,,\n"
        + "enr-006,tobedeleted,2026-09-01T10:00:00Z,cls-alg2-p2,org-mghs,usr-s-sam,student,,,\n"
    )
    left_out = dict.fromkeys(("classes", "roles", "orgs", "courses", "academicSessions"))
    delta = bundle(manifest=manifest, users=users, enrollments=enrollments, **left_out)
    page = admin.import_(("delta.zip", delta)).get_data(as_text=True)
    assert "1 created" in page and "1 no longer in the roster" in page
    assert classes_of("zoe@maplegrove.test") == {"Auto Shop 1": "student"}
    assert classes_of("sam@maplegrove.test") == {"Auto Shop 1": "student"}
    # Maya is reported, and nothing of hers goes: delta enrollments name none of hers.
    assert classes_of("maya@maplegrove.test") == {"Algebra 2 (ALG2-P2)": "student"}
    assert classes_of("leo@maplegrove.test") == {"Auto Shop 1": "student"}


def text_header(name: str) -> str:
    return files()[f"{name}.csv"].decode().splitlines()[0] + "\n"


def test_bundle_files_chosen_together_are_one_import(admin):
    chosen = [(name, data) for name, data in files().items()]
    report = admin.import_(*chosen).get_data(as_text=True)
    assert "7 created" in report and "OneRoster files" in report


def test_laurel_csv_previewed_applied_and_idempotent(admin, make_user):
    make_user(Role.STUDENT, email="old@school.test", name="Old Friend")
    content = (
        b"name,email,role,class\n"
        b"Ada Lovelace,ada@school.test,student,Algebra 2\n"
        b"Grace Hopper,Grace@School.test,instructor,Algebra 2\n"
        b"Old Friend,old@school.test,student,Auto Shop 1\n"
    )
    report = admin.import_(("roster.csv", content)).get_data(as_text=True)
    assert "2 created" in report and "1 updated" in report
    assert report.count("/invite/") == 2
    assert classes_of("old@school.test") == {"Auto Shop 1": "student"}
    before = counts()
    page = admin.client.get(admin.upload(("roster.csv", content)).headers["Location"])
    assert "3 unchanged" in page.get_data(as_text=True)
    assert counts()["users"] == before["users"]


def test_laurel_csv_with_bad_rows_400_and_nothing_written(admin, make_user):
    make_user(Role.STUDENT, email="sam@school.test")
    before = counts()
    response = admin.upload(
        (
            "roster.csv",
            b"name,email,role,class\nAda,ada@school.test,student,Algebra 2\n"
            b"Alan,alan@,student,Algebra 2\nTim,tim@school.test,teacher,Algebra 2\n"
            b"Sam,sam@school.test,instructor,Algebra 2\n",
        )
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3 problems found — nothing was imported" in page
    assert "not a valid email address" in page and "unknown role “teacher”" in page
    assert "already has an account as student, not instructor" in page
    assert counts() == before


def test_apply_refused_when_accounts_changed_since_preview(admin, make_user):
    response = admin.upload(("roster.zip", bundle()))
    url = response.headers["Location"]
    page = admin.client.get(url).get_data(as_text=True)
    digest = page.split('name="digest"')[1].split('value="')[1][:64]
    make_user(Role.STUDENT, email="jlee@maplegrove.test", name="Jordan Lee")
    before = counts()
    refused = admin.apply(url, digest=digest)
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "changed since this preview" in text
    assert "already has an account as student, not instructor" in text
    assert counts() == before


def test_apply_twice_applies_once(admin):
    response = admin.upload(("roster.zip", bundle()))
    url = response.headers["Location"]
    page = admin.client.get(url).get_data(as_text=True)
    digest = page.split('name="digest"')[1].split('value="')[1][:64]
    assert admin.client.post(f"{url}/apply", data={"digest": digest}).status_code == 200
    before = counts()
    again = admin.client.post(f"{url}/apply", data={"digest": digest})
    assert again.status_code == 302
    assert "applied already" in admin.client.get(url).get_data(as_text=True)
    assert counts() == before


def test_apply_without_digest_400(admin):
    response = admin.upload(("roster.zip", bundle()))
    refused = admin.client.post(f"{response.headers['Location']}/apply", data={})
    assert refused.status_code == 400
    assert counts()["users"] == 1


def test_unknown_import_404(admin):
    assert admin.client.get("/admin/roster/no-such-import-here").status_code == 404
    assert admin.client.get("/admin/roster/bad%00id").status_code in (400, 404)


def test_laurel_csv_after_oneroster_adds_to_the_roster_class_by_name(admin):
    admin.import_(("roster.zip", bundle()))
    content = b"name,email,role,class\nNew Kid,kid@maplegrove.test,student,Auto Shop 1\n"
    report = admin.import_(("roster.csv", content)).get_data(as_text=True)
    assert "1 created" in report
    assert classes_of("kid@maplegrove.test") == {"Auto Shop 1": "student"}
    assert counts()["classes"] == 3
