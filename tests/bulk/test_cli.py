"""`laurel issue --csv FILE`: the same checks and job as the web page, with a progress bar."""

from __future__ import annotations

import csv

import sqlalchemy as sa

from app.badges.models import IssuedCredential
from app.bulk.models import BulkJob
from app.bulk.models import JobState
from app.cli import cli
from app.extensions import db
from tests.bulk.helpers import csv_for
from tests.bulk.helpers import make_students


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IssuedCredential))


def test_issue_csv_with_errors_prints_each_row_and_issues_nothing(
    school, make_user, runner, tmp_path
):
    students = make_students(make_user, 2, classes=[school.auto_shop])
    path = tmp_path / "year.csv"
    path.write_bytes(
        csv_for(students, school.badge)
        + b"nobody@school.test,Space Flight,,,\n"
        + f"{school.other_student.email},{school.badge.id},,,\n".encode()
    )
    result = runner.invoke(cli, ["issue", "--csv", str(path), "--by", school.instructor.email])
    assert result.exit_code == 1
    assert "row 4: No account has the email nobody@school.test." in result.stderr
    assert "row 5: " in result.stderr and "not a student of the class" in result.stderr
    assert "2 problems in year.csv; nothing was issued" in result.stderr
    assert _count() == 0 and db.session.scalar(sa.select(sa.func.count()).select_from(BulkJob)) == 0


def test_issue_csv_yes_issues_all_and_writes_the_result(school, make_user, runner, tmp_path):
    students = make_students(make_user, 3, classes=[school.auto_shop])
    path = tmp_path / "year.csv"
    path.write_bytes(csv_for(students, school.badge))
    result = runner.invoke(
        cli, ["issue", "--csv", str(path), "--by", school.instructor.email, "--yes"]
    )
    assert result.exit_code == 0, result.output
    target = tmp_path / "year-result.csv"
    assert f"Issued 3, failed 0. Result: {target}" in result.output
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["status"] for row in rows] == ["issued"] * 3
    assert all(
        row["credential_url_or_error"].startswith("https://laurel.test/credentials/")
        for row in rows
    )
    assert _count() == 3
    assert db.session.scalars(sa.select(BulkJob)).one().state == JobState.DONE


def test_issue_csv_asks_before_issuing_and_no_keeps_everything(school, make_user, runner, tmp_path):
    students = make_students(make_user, 1, classes=[school.auto_shop])
    path = tmp_path / "year.csv"
    path.write_bytes(csv_for(students, school.badge))
    out = tmp_path / "out.csv"
    args = ["issue", "--csv", str(path), "--by", school.instructor.email, "--out", str(out)]
    result = runner.invoke(cli, args, input="n\n")
    assert result.exit_code == 1 and "Issue them now?" in result.output and _count() == 0
    result = runner.invoke(cli, args, input="y\n")
    assert result.exit_code == 0, result.output
    assert out.is_file() and _count() == 1


def test_issue_csv_by_defaults_to_the_only_admin_and_refuses_mixed_options(
    school, runner, tmp_path
):
    path = tmp_path / "year.csv"
    path.write_text(f"email,badge,level\n{school.other_student.email},{school.badge.id},\n")
    result = runner.invoke(cli, ["issue", "--csv", str(path), "--yes"])
    assert result.exit_code == 0, result.output  # the admin may issue outside the class
    result = runner.invoke(cli, ["issue", "--csv", str(path), "--email", "x@school.test"])
    assert result.exit_code == 2 and "--csv takes its badges" in result.stderr
    result = runner.invoke(cli, ["issue", "--csv", str(path), "--by", school.student.email])
    assert result.exit_code == 2 and "no instructor or admin" in result.stderr
    result = runner.invoke(cli, ["issue", "--badge", "vehicle-restoration"])
    assert result.exit_code == 2 and "give --badge and --email" in result.stderr
