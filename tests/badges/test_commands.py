"""`laurel badges list`, `laurel issue`, `laurel revoke`."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.badges.models import CredentialState
from app.badges.models import IssuedCredential
from app.cli import cli
from app.extensions import db


def test_badges_list_shows_slug_state_class(school, make_badge, runner):
    make_badge(school.instructor, class_id=school.auto_shop.id)
    make_badge(school.instructor, name="Peer Tutor", published=False)
    result = runner.invoke(cli, args=["badges", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["SLUG", "STATE", "CLASS", "NAME"]
    assert any(line.split()[:2] == ["peer-tutor", "draft"] for line in lines)
    assert any(
        "vehicle-restoration" in line and "Auto Shop 1" in line and "published" in line
        for line in lines
    )


def test_badges_list_empty_says_so(runner, app_ctx):
    result = runner.invoke(cli, args=["badges", "list"])
    assert result.exit_code == 0 and "No badges yet" in result.output


def test_issue_command_writes_signed_json_and_prints_url(school, make_badge, runner, tmp_path):
    make_badge(school.instructor)
    out = tmp_path / "credential.json"
    result = runner.invoke(
        cli,
        args=[
            "issue",
            "--badge",
            "vehicle-restoration",
            "--email",
            school.student.email.upper(),
            "--level",
            "mastery",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    credential = db.session.scalars(select(IssuedCredential)).one()
    assert result.output.strip() == f"https://laurel.test/credentials/{credential.id}"
    assert out.read_text(encoding="utf-8") == credential.json_text
    assert credential.level_name == "Mastery" and credential.issued_by_id is None
    assert json.loads(credential.json_text)["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"


def test_issue_command_unknown_slug_exits_2(school, runner):
    result = runner.invoke(cli, args=["issue", "--badge", "nope", "--email", school.student.email])
    assert result.exit_code == 2
    assert "no badge with the slug “nope”" in result.output


def test_issue_command_unknown_email_exits_2(school, make_badge, runner):
    make_badge(school.instructor)
    result = runner.invoke(
        cli, args=["issue", "--badge", "vehicle-restoration", "--email", "ghost@school.test"]
    )
    assert result.exit_code == 2
    assert "no user with the email" in result.output


def test_issue_command_unknown_level_exits_2_and_lists_levels(school, make_badge, runner):
    make_badge(school.instructor)
    result = runner.invoke(
        cli,
        args=[
            "issue",
            "--badge",
            "vehicle-restoration",
            "--email",
            school.student.email,
            "--level",
            "Expert",
        ],
    )
    assert result.exit_code == 2
    assert "Developing, Proficient, Mastery" in result.output
    assert db.session.scalar(select(db.func.count()).select_from(IssuedCredential)) == 0


def test_revoke_command_revokes_with_reason(school, make_badge, runner):
    make_badge(school.instructor)
    url = runner.invoke(
        cli, args=["issue", "--badge", "vehicle-restoration", "--email", school.student.email]
    ).output.strip()
    result = runner.invoke(cli, args=["revoke", url, "--reason", "Issued by mistake"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    credential = db.session.scalars(select(IssuedCredential)).one()
    assert credential.state == CredentialState.REVOKED
    assert credential.status_reason == "Issued by mistake"


def test_revoke_command_unknown_id_exits_2(runner, app_ctx):
    result = runner.invoke(cli, args=["revoke", "not-a-credential", "--reason", "x"])
    assert result.exit_code == 2
    assert "no credential" in result.output


def test_issue_command_class_badge_to_student_outside_class_refused(school, make_badge, runner):
    """A class badge is not issued to a learner outside the class without --force."""
    make_badge(school.instructor, class_id=school.auto_shop.id)
    result = runner.invoke(
        cli,
        args=["issue", "--badge", "vehicle-restoration", "--email", school.other_student.email],
    )
    assert result.exit_code == 2
    assert "Auto Shop 1" in result.output and "Otto Outside" in result.output
    assert "--force" in result.output
    assert db.session.scalar(select(db.func.count()).select_from(IssuedCredential)) == 0


def test_issue_command_class_badge_outside_class_with_force_warns_and_issues(
    school, make_badge, runner
):
    make_badge(school.instructor, class_id=school.auto_shop.id)
    result = runner.invoke(
        cli,
        args=[
            "issue",
            "--badge",
            "vehicle-restoration",
            "--email",
            school.other_student.email,
            "--force",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Warning: ") and "Auto Shop 1" in result.stderr
    credential = db.session.scalars(select(IssuedCredential)).one()
    assert result.stdout.strip().endswith(credential.id)


def test_issue_command_class_badge_to_class_student_needs_no_force(school, make_badge, runner):
    make_badge(school.instructor, class_id=school.auto_shop.id)
    result = runner.invoke(
        cli, args=["issue", "--badge", "vehicle-restoration", "--email", school.classmate.email]
    )
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
