"""Roster import: a per-row report, the whole file refused when unusable, nothing half-written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.accounts.models import ClassMembership
from app.accounts.models import Invitation
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.accounts.roster import RowOutcome
from app.accounts.roster import parse_roster
from app.errors import UserError
from app.extensions import db


def _upload(client, content: bytes, filename: str = "roster.csv"):
    """POST a multipart body built here.

    Werkzeug's test encoder leaves large bodies in an unclosed temp file.
    """
    boundary = "laurel-roster-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="roster"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/admin/roster", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, SchoolClass, ClassMembership, Invitation)
    )


@pytest.fixture
def admin_client(client, make_user, login):
    login(make_user(Role.ADMIN, email="admin@school.test"))
    return client


MIXED_ROSTER = """name,email,role,class
Ada Lovelace,ada@school.test,student,Algebra 2
Grace Hopper,Grace@School.test,instructor,Algebra 2
Alan Turing,alan@,student,Algebra 2
Ada Again,ADA@school.test,student,Auto Shop 1
Tim Teacher,tim@school.test,teacher,Algebra 2
,nobody@school.test,student,Algebra 2
Short Row,short@school.test
Old Friend,old@school.test,student,Auto Shop 1
Kai Noclass,kai@school.test,student,
"""


def test_roster_mixed_file_reports_every_row_and_commits_good_ones(admin_client, make_user):
    make_user(Role.STUDENT, email="old@school.test", name="Old Friend")
    response = _upload(admin_client, MIXED_ROSTER.encode())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 created, 1 already existed, 5 rejected" in page
    assert "not a valid email address" in page
    assert "duplicate of line 2" in page
    assert "unknown role “teacher”" in page
    assert "empty name" in page
    assert "missing columns: role, class" in page
    assert page.count("/invite/") == 3

    emails = set(db.session.scalars(sa.select(User.email)))
    assert emails == {
        "admin@school.test",
        "old@school.test",
        "ada@school.test",
        "grace@school.test",
        "kai@school.test",
    }
    grace = services.find_user_by_email("grace@school.test")
    assert grace.role == Role.INSTRUCTOR and grace.password_hash is None
    old = services.find_user_by_email("old@school.test")
    assert [m.school_class.name for m in old.memberships] == ["Auto Shop 1"]
    assert {c.name for c in services.list_classes()} == {"Algebra 2", "Auto Shop 1"}


def test_roster_same_file_twice_creates_nothing_new(admin_client):
    content = b"name,email,role,class\nAda Lovelace,ada@school.test,student,Algebra 2\n"
    _upload(admin_client, content)
    before = _counts()
    page = _upload(admin_client, content).get_data(as_text=True)
    assert "0 created, 1 already existed, 0 rejected" in page
    assert _counts()[:3] == before[:3]


def test_roster_header_in_other_order_and_case_accepted(admin_client):
    content = b"Class,Role,EMAIL,Name\nAlgebra 2,student,ada@school.test,Ada Lovelace\n"
    assert _upload(admin_client, content).status_code == 200
    ada = services.find_user_by_email("ada@school.test")
    assert ada.name == "Ada Lovelace" and ada.memberships[0].school_class.name == "Algebra 2"


def test_roster_utf8_bom_and_accents_accepted(admin_client):
    content = "name,email,role,class\nZoë Ñúñez,zoe@school.test,student,Français 1\n".encode(
        "utf-8-sig"
    )
    assert _upload(admin_client, content).status_code == 200
    assert services.find_user_by_email("zoe@school.test").name == "Zoë Ñúñez"


def test_roster_existing_user_with_other_role_rejected(admin_client, make_user):
    make_user(Role.STUDENT, email="sam@school.test")
    page = _upload(
        admin_client, b"name,email,role,class\nSam,sam@school.test,instructor,Algebra 2\n"
    ).get_data(as_text=True)
    assert "already has an account as student, not instructor" in page
    assert services.find_user_by_email("sam@school.test").memberships == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The roster file is empty"),
        (b"\n\n  \n", "The roster file is empty"),
        (b"name,email,class\nAda,ada@school.test,Algebra 2\n", "missing: role"),
        (b"Ada,ada@school.test,student,Algebra 2\n", "missing: name, email, role, class"),
        (b"name,email,role,class\n", "no rows under it"),
        (
            "name,email,role,class\nJosé,jose@school.test,student,Español\n".encode("latin-1"),
            "not UTF-8",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
    ],
    ids=["empty", "blank-lines", "missing-column", "no-header", "header-only", "latin-1", "binary"],
)
def test_roster_unusable_file_400_with_message_and_nothing_written(admin_client, content, message):
    before = _counts()
    response = _upload(admin_client, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _counts() == before


def test_roster_too_large_400(admin_client):
    content = b"name,email,role,class\n" + b"x" * (1024 * 1024 + 1)
    response = _upload(admin_client, content)
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)


def test_roster_no_file_400(admin_client):
    response = admin_client.post("/admin/roster", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file" in response.get_data(as_text=True)


def test_roster_failure_mid_import_leaves_nothing(app_ctx, make_user, now, monkeypatch):
    """A crash after some rows were written rolls the whole import back (one transaction)."""
    admin = make_user(Role.ADMIN)
    before = _counts()
    real_invite = services.invite_user
    calls = []

    def invite_then_fail(user, **kwargs):
        calls.append(user.email)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_invite(user, **kwargs)

    monkeypatch.setattr(services, "invite_user", invite_then_fail)
    text = "name,email,role,class\nA,a@school.test,student,C1\nB,b@school.test,student,C1\n"
    with pytest.raises(RuntimeError):
        services.import_roster(text, created_by=admin, now=now)
    db.session.rollback()
    assert _counts() == before


def test_parse_roster_quoted_fields_with_commas():
    rows = parse_roster(
        'name,email,role,class\n"Lovelace, Ada",ada@school.test,Student,"Algebra 2, Period 3"\n'
    )
    assert rows[0].name == "Lovelace, Ada"
    assert rows[0].class_name == "Algebra 2, Period 3"
    assert rows[0].role == Role.STUDENT and rows[0].outcome == RowOutcome.PENDING


def test_parse_roster_admin_role_rejected():
    rows = parse_roster("name,email,role,class\nAl,al@school.test,admin,\n")
    assert rows[0].outcome == RowOutcome.REJECTED and "unknown role" in rows[0].reason


def test_parse_roster_too_many_rows_refused():
    text = "name,email,role,class\n" + "".join(
        f"P{i},p{i}@school.test,student,C\n" for i in range(5001)
    )
    with pytest.raises(UserError, match="more than 5000 rows"):
        parse_roster(text)
