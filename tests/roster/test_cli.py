"""`laurel roster import FILE [--apply]`: a preview by default, the same checks as the page."""

from __future__ import annotations

import shutil

from app.cli import cli
from tests.roster.bundle import SAMPLE
from tests.roster.bundle import bundle
from tests.roster.bundle import text
from tests.roster.conftest import classes_of
from tests.roster.conftest import counts


def test_cli_preview_changes_nothing_then_apply_imports(app_ctx, runner, tmp_path):
    path = tmp_path / "maplegrove.zip"
    path.write_bytes(bundle())
    before = counts()
    preview = runner.invoke(cli, ["roster", "import", str(path)])
    assert preview.exit_code == 0, preview.output
    assert "7 to create, 0 to update, 0 to move" in preview.output
    assert "Preview only: run again with --apply" in preview.output
    assert counts() == before

    applied = runner.invoke(cli, ["roster", "import", str(path), "--apply"])
    assert applied.exit_code == 0, applied.output
    assert applied.output.count("invitation for ") == 7
    assert "https://laurel.test/invite/" in applied.output
    assert classes_of("leo@maplegrove.test") == {"Auto Shop 1": "student"}

    again = runner.invoke(cli, ["roster", "import", str(path), "--apply"])
    assert "0 to create, 0 to update, 0 to move, 7 unchanged" in again.output
    assert "invitation for" not in again.output


def test_cli_reads_a_folder_of_oneroster_files(app_ctx, runner, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE, folder)
    result = runner.invoke(cli, ["roster", "import", str(folder), "--apply"])
    assert result.exit_code == 0, result.output
    assert counts()["users"] == 7


def test_cli_problems_exit_1_and_import_nothing(app_ctx, runner, tmp_path):
    path = tmp_path / "bad.zip"
    bad = text("enrollments") + "enr-099,,,cls-physics,org-mghs,usr-s-sam,student,false,,\n"
    path.write_bytes(bundle(enrollments=bad))
    before = counts()
    result = runner.invoke(cli, ["roster", "import", str(path), "--apply"])
    assert result.exit_code == 1
    assert "enrollments.csv:12: unknown class cls-physics" in result.stderr
    assert "1 problem in bad.zip; nothing was imported." in result.stderr
    assert counts() == before


def test_cli_unusable_file_is_an_error_without_traceback(app_ctx, runner, tmp_path):
    path = tmp_path / "notes.zip"
    path.write_bytes(b"PK\x03\x04garbage")
    result = runner.invoke(cli, ["roster", "import", str(path)])
    assert result.exit_code == 1
    assert "not a readable zip file" in result.output and "Traceback" not in result.output


def test_cli_laurel_csv(app_ctx, runner, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("name,email,role,class\nAda Lovelace,ada@school.test,student,Algebra 2\n")
    result = runner.invoke(cli, ["roster", "import", str(path), "--apply"])
    assert result.exit_code == 0, result.output
    assert classes_of("ada@school.test") == {"Algebra 2": "student"}
