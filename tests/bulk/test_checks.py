"""Every row of a bulk issuance is checked before anything is issued; errors name the row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.badges.models import BadgeState
from app.badges.models import IssuedCredential
from app.bulk.checks import MAX_BYTES
from app.bulk.checks import check_csv
from app.bulk.checks import check_submissions
from app.extensions import db

HEADER = "email,badge,level,evidence_url,note\n"


def _csv(*lines: str, header: str = HEADER) -> bytes:
    return (header + "".join(line + "\n" for line in lines)).encode("utf-8")


def test_check_clean_file_gives_rows_at_the_required_level(school):
    badge = school.badge
    report = check_csv(
        _csv(
            f"{school.student.email},{badge.name},,https://photos.example/truck,Spring",
            f"{school.classmate.email.upper()},{badge.id},mastery,,",
        ),
        actor=school.instructor,
    )
    assert report.errors == [] and report.ok
    first, second = report.rows
    assert first.position == 2 and first.recipient == school.student
    assert first.level_id == badge.required_level_id
    assert first.evidence_url == "https://photos.example/truck" and first.note == "Spring"
    assert second.recipient == school.classmate
    assert second.level_id == badge.rubric_levels[2]["id"]


def test_check_header_only_bom_and_spaces_are_read(school):
    data = (
        b"\xef\xbb\xbf Email , Badge ,Level\n"
        + f"{school.student.email},{school.badge.name},\n".encode()
    )
    report = check_csv(data, actor=school.instructor)
    assert report.ok, report.errors


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "nobody@school.test,{badge},,,", "No account has the email", id="unknown-email"
        ),
        pytest.param(",{badge},,,", "The email is empty", id="empty-email"),
        pytest.param("{outsider},{badge},,,", "not a student of the class", id="outside-class"),
        pytest.param("{instructor},{badge},,,", "is not a student account", id="not-a-student"),
        pytest.param(
            "{student},Space Flight,,,", "No badge is named “Space Flight”", id="unknown-badge"
        ),
        pytest.param("{student},{badge},Developing,,", "is below “Proficient”", id="level-below"),
        pytest.param("{student},{badge},Wizard,,", "has no level “Wizard”", id="unknown-level"),
        pytest.param(
            "{student},{badge},,ftp://files.example/x,", "not a web address", id="bad-url"
        ),
        pytest.param("{student},{badge},,https://a.example/a b,", "cannot contain", id="url-space"),
        pytest.param("{student},{badge},,," + "x" * 2001, "note is too long", id="long-note"),
    ],
)
def test_check_bad_row_is_named_with_its_row_number(school, line, expected):
    filled = line.format(
        badge=school.badge.name,
        student=school.student.email,
        outsider=school.other_student.email,
        instructor=school.other_instructor.email,
    )
    report = check_csv(
        _csv(f"{school.classmate.email},{school.badge.name},,,", filled), actor=school.instructor
    )
    assert [error.row for error in report.errors] == [3]
    assert expected in report.errors[0].message
    assert not report.ok


def test_check_admin_may_issue_outside_the_class(school):
    report = check_csv(
        _csv(f"{school.other_student.email},{school.badge.name},,,"), actor=school.admin
    )
    assert report.ok, report.errors


def test_check_draft_badge_and_badge_of_another_reviewer(school, make_badge):
    draft = make_badge(
        school.instructor, name="Welding", published=False, class_id=school.auto_shop.id
    )
    report = check_csv(
        _csv(
            f"{school.student.email},{draft.name},,,",
            f"{school.student.email},{school.badge.name},,,",
        ),
        actor=school.other_instructor,
    )
    messages = [(error.row, error.message) for error in report.errors]
    assert messages[0][0] == 2 and "You do not review “Welding”" in messages[0][1]
    assert messages[1][0] == 3 and "You do not review" in messages[1][1]
    report = check_csv(_csv(f"{school.student.email},{draft.name},,,"), actor=school.instructor)
    assert "is a draft" in report.errors[0].message
    assert draft.state == BadgeState.DRAFT


def test_check_duplicate_rows_and_learner_who_already_holds_it(school, issued):
    report = check_csv(
        _csv(
            f"{school.classmate.email},{school.badge.id},,,",
            f"{school.classmate.email},{school.badge.id},mastery,,",
            f"{issued.recipient.email},{issued.badge_id},,,",
        ),
        actor=school.instructor,
    )
    assert [(error.row, error.message) for error in report.errors] == [
        (3, f"Row 2 already issues “{school.badge.name}” to {school.classmate.email}."),
        (4, f"{issued.recipient.email} already holds “{issued.badge.name}”."),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"", "The file is empty", id="empty"),
        pytest.param(b"  \n\n", "The file is empty", id="blank"),
        pytest.param(b"email,badge,level\n", "has a header but no rows", id="header-only"),
        pytest.param(b"name,email\nSam,sam@school.test\n", "Wrong columns", id="wrong-columns"),
        pytest.param(b"email,badge,level,grade\n", "Wrong columns", id="extra-column"),
        pytest.param(b"email,badge,level\nsam\xe9@school.test,X,\n", "not UTF-8", id="latin-1"),
        pytest.param(b"email,badge\x00,level\n", "NUL", id="nul"),
        pytest.param(
            b"email,badge,level\n" + b"a,b,c\n" * (MAX_BYTES // 6 + 1), "too large", id="huge"
        ),
    ],
)
def test_check_unusable_file_is_one_error_for_the_file(school, data, expected):
    report = check_csv(data, actor=school.instructor)
    assert len(report.errors) == 1 and report.errors[0].row == 0
    assert expected in report.errors[0].message
    assert report.rows == []


def test_check_too_many_rows(school):
    from app.bulk.checks import MAX_ROWS

    data = _csv(
        *[f"s{i}@school.test,X," for i in range(MAX_ROWS + 1)], header="email,badge,level\n"
    )
    report = check_csv(data, actor=school.instructor)
    assert "rows" in report.errors[0].message and report.rows == []


def test_check_submissions_only_waiting_ones_the_actor_reviews(school, make_submission):
    waiting = make_submission()
    other = make_submission(school.classmate)
    report = check_submissions([waiting.id, other.id, 999999], actor=school.instructor)
    assert [row.submission_id for row in report.rows] == [waiting.id, other.id]
    assert [error.row for error in report.errors] == [3]
    report = check_submissions([waiting.id], actor=school.other_instructor)
    assert report.rows == [] and "no submission" in report.errors[0].message
    assert check_submissions([], actor=school.instructor).errors[0].message.startswith("Select")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential)) == 0
