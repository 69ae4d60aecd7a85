"""Bad rosters: a sentence naming the file and line, a 4xx, and nothing written."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.accounts.models import Role
from app.roster.oneroster import ROLES
from app.roster.oneroster import UNIMPORTED_ROLES
from app.roster.oneroster import role_for
from tests.roster.bundle import bundle
from tests.roster.bundle import edit
from tests.roster.bundle import text
from tests.roster.conftest import counts


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    """A few kilobytes that unpack to 30 MB of zeros, named like a roster file."""
    return _zip({"manifest.csv": text("manifest").encode(), "users.csv": b"\0" * (30 << 20)})


LATIN_1_USERS = text("users").replace("García", "Garc\xeda").encode("latin-1")
OLD_MANIFEST = edit("manifest", "oneroster.version,1.2", "oneroster.version,1.0")
NO_GIVEN_NAME = edit("users", ",givenName,", ",firstName,")
TO_PHYSICS = "enr-099,,,cls-physics,org-mghs,usr-s-sam,student,false,,\n"
TO_NOBODY = "enr-099,,,cls-alg2-p5,org-mghs,usr-s-nobody,student,false,,\n"
SAM_AGAIN = "usr-s-sam,,,true,sam2,,Sam,Two,,S9,sam2@maplegrove.test,,,,,,,,,,,org-mghs,\n"

CASES = [
    pytest.param(
        ("photos.zip", _zip({"truck.jpg": b"\xff\xd8\xff", "notes.txt": b"hi"})),
        "not a OneRoster bundle: it has no manifest.csv (it holds notes.txt, truck.jpg)",
        id="zip-not-oneroster",
    ),
    pytest.param(
        ("broken.zip", b"PK\x03\x04" + b"\x00" * 100),
        "not a readable zip file",
        id="zip-unreadable",
    ),
    pytest.param(("bomb.zip", _zip_bomb()), "unpacks to more than", id="zip-bomb"),
    pytest.param(
        ("huge.zip", b"PK\x03\x04" + b"x" * (10 * 1024 * 1024)),
        "larger than 10 MB",
        id="huge-upload",
    ),
    pytest.param(
        ("roster.zip", bundle(users=LATIN_1_USERS)),
        "users.csv is not UTF-8 text",
        id="non-utf8",
    ),
    pytest.param(
        ("roster.zip", bundle(manifest=OLD_MANIFEST)),
        "Laurel reads OneRoster 1.2",
        id="old-version",
    ),
    pytest.param(
        ("roster.zip", bundle(enrollments=None)),
        "manifest.csv lists enrollments.csv as bulk, but the bundle has no enrollments.csv",
        id="listed-file-missing",
    ),
    pytest.param(
        ("users.csv", text("users").encode()),
        "users.csv is one file of a OneRoster bundle",
        id="one-bundle-file-alone",
    ),
    pytest.param(
        ("roster.csv", b"name,email,role,class\n" + b"x" * (1024 * 1024)),
        "The roster file is larger than 1024 KB",
        id="laurel-csv-too-large",
    ),
    pytest.param(("roster.csv", b"\n \n"), "The roster file is empty", id="laurel-csv-empty"),
    pytest.param(
        ("roster.csv", b"name,email,class\nAda,ada@school.test,Algebra 2\n"),
        "missing: role",
        id="laurel-csv-missing-column",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("upload", "message"), CASES)
def test_unusable_upload_400_with_message_and_nothing_written(admin, upload, message):
    before = counts()
    response = admin.upload(upload)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts() == before


ROW_CASES = [
    pytest.param(
        {"users": NO_GIVEN_NAME},
        "users.csv", "missing column: givenName",
        id="missing-column",
    ),
    pytest.param(
        {"enrollments": text("enrollments") + TO_PHYSICS},
        "enrollments.csv", "unknown class cls-physics (not in classes.csv, nor imported before)",
        id="unknown-class",
    ),
    pytest.param(
        {"enrollments": text("enrollments") + TO_NOBODY},
        "enrollments.csv", "unknown user usr-s-nobody",
        id="unknown-user",
    ),
    pytest.param(
        {"users": text("users") + SAM_AGAIN},
        "users.csv", "duplicate sourcedId usr-s-sam (also on line 4)",
        id="duplicate-sourced-id",
    ),
    pytest.param(
        {"users": edit("users", "leo@maplegrove.test", "maya@maplegrove.test")},
        "users.csv", "duplicate email maya@maplegrove.test (also on line 5)",
        id="duplicate-email",
    ),
    pytest.param(
        {"users": edit("users", "Maya,Chen,,S2002,maya@maplegrove.test", "Maya,Chen,,S2002,maya@")},
        "users.csv", "bad email maya@",
        id="bad-email",
    ),
    pytest.param(
        {"roles": edit("roles", "usr-s-leo,primary,student", "usr-s-leo,primary,janitor")},
        "users.csv", "unknown role “janitor”",
        id="unknown-role",
    ),
    pytest.param(
        {"classes": edit("classes", "Shop B,org-mghs", "Shop B,org-elsewhere")},
        "classes.csv", "unknown school org-elsewhere (not in orgs.csv)",
        id="unknown-school",
    ),
    pytest.param(
        {"users": edit("users", "usr-s-leo,,,true", "usr-s-leo,,,maybe")},
        "users.csv", "enabledUser “maybe”",
        id="bad-enabled-user",
    ),
    pytest.param(
        {"users": edit("users", "usr-s-leo,,", "usr-s-leo,deleted,")},
        "users.csv", "status “deleted”",
        id="bad-status",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "file", "message"), ROW_CASES)
def test_bad_row_400_names_file_and_problem_and_nothing_written(admin, changes, file, message):
    before = counts()
    response = admin.upload(("roster.zip", bundle(**changes)))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nothing was imported" in page
    assert message in page and f"<td>{file}</td>" in page
    assert 'name="digest"' not in page
    assert counts() == before


def test_no_file_chosen_400(admin):
    response = admin.client.post("/admin/roster", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a OneRoster zip file" in response.get_data(as_text=True)


def test_role_table_maps_students_teachers_counselors_and_names_why_others_are_not_imported():
    assert role_for("student")[0] == ROLES["student"]
    assert role_for("Teacher")[0] == ROLES["teacher"]
    assert role_for("counselor") == (Role.COUNSELOR, "")
    assert role_for("guidance") == (Role.COUNSELOR, "")
    assert role_for("parent") == (None, "parent: families have no Laurel accounts")
    assert role_for("ext:coach")[0] is None
    assert set(ROLES).isdisjoint(UNIMPORTED_ROLES)
    with pytest.raises(ValueError):
        role_for("janitor")


def test_a_spanish_admin_reads_the_row_problems_in_spanish(admin):
    """The preview's problems go through the catalog like the rest of the page."""
    response = admin.upload(
        ("roster.zip", bundle(users=text("users") + SAM_AGAIN)), headers={"Accept-Language": "es"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "sourcedId duplicado usr-s-sam (también en la línea 4)" in page
    assert "duplicate sourcedId" not in page
