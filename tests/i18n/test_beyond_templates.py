"""Words made in Python speak the reader's language too: the verification's checks, the error
pages, a student's goals, and `laurel verify` and `laurel keys`, help included."""

from __future__ import annotations

import io
import json
import re
import subprocess

import flask_babel
import pytest
from click.testing import CliRunner

from app import PROJECT_ROOT
from app.cli import cli
from app.evidence import goals
from app.extensions import db
from app.verify.service import run_verification
from tests.verify.factory import issue

SPANISH = {"Accept-Language": "es"}


def _tampered(issued) -> bytes:
    document = json.loads(issued.json_text)
    document["name"] = "Rocket Science (with honours)"
    return json.dumps(document).encode()


def _visible(html: str) -> str:
    """The words of a page: no script, no technical JSON, no tags."""
    html = re.sub(r"<(script|pre)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def test_the_check_of_a_tampered_credential_reads_in_spanish(app_ctx, client, issued, now):
    english = run_verification(_tampered(issued), now=now, filename="c.json")
    assert english.report.verdict.value == "not verified"
    response = client.post(
        "/verify",
        data={"file": (io.BytesIO(_tampered(issued)), "c.json")},
        content_type="multipart/form-data",
        headers=SPANISH,
    )
    assert response.status_code == 422
    page = _visible(response.get_data(as_text=True))
    for check in english.report.checks:
        assert check.message not in page, check.message
    assert english.report.learner_statement not in page
    assert "La firma no coincide" in page
    assert "Se leyó una credencial de un archivo JSON." in page
    assert "Estudiante: Sam Student" in page


def test_the_check_of_a_genuine_credential_writes_its_dates_in_spanish(client, issued):
    response = client.post(
        "/verify",
        data={"file": (io.BytesIO(issued.json_text.encode()), "c.json")},
        content_type="multipart/form-data",
        headers=SPANISH,
    )
    page = _visible(response.get_data(as_text=True))
    assert "Válida desde el 23 de noviembre de 2026" in page
    assert "November" not in page


def test_the_api_report_stays_in_english_for_programs(client, issued):
    """The JSON report is data: the same words whatever the caller's language."""
    response = client.post(
        "/api/v1/verify",
        data=_tampered(issued),
        content_type="application/json",
        headers=SPANISH,
    )
    checks = response.get_json()["checks"]
    assert any(c["message"].startswith("The signature does not match") for c in checks)


@pytest.mark.parametrize(
    ("path", "method", "status", "heading"),
    [
        ("/no-such-page", "get", 404, "Página no encontrada"),
        ("/verify", "put", 405, "Eso no funcionó"),
        ("/admin/users", "get", 403, "No permitido"),
    ],
)
def test_an_http_error_page_reads_in_spanish(client, login, school, path, method, status, heading):
    if status == 403:
        login(school.student)
    response = getattr(client, method)(path, headers=SPANISH)
    assert response.status_code == status
    page = _visible(response.get_data(as_text=True))
    assert heading in page
    # Werkzeug's own English descriptions never reach the page.
    for english in (
        "The requested URL was not found",
        "not allowed for the requested URL",
        "You don't have the permission",
    ):
        assert english not in page


def test_a_badge_goal_reads_in_spanish(app_ctx, school, submitted, now):
    school.student.language = "es"
    db.session.commit()
    with flask_babel.force_locale("es"):
        statuses = goals.goal_statuses(school.student, today=now.date())
    assert [(s.target, s.progress) for s in statuses] == [
        ("Insignia: Vehicle Restoration", "enviado")
    ]


@pytest.fixture
def env(keys_dir, tmp_path):
    return {
        "LAUREL_ENV": "production",
        "LAUREL_PUBLIC_URL": "https://laurel.test",
        "LAUREL_KEYS_DIR": str(keys_dir.path),
        "LAUREL_KEY_PASSPHRASE": keys_dir.passphrase,
        "LAUREL_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": "",
        "LAUREL_LANGUAGE": "es",
    }


def test_laurel_verify_reports_a_tampered_file_in_spanish(keys_dir, env, tmp_path):
    signed = issue(keys_dir.store, 12, status_entries=())
    document = json.loads(signed.json_text)
    document["name"] = "Rocket Science (with honours)"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", str(path), "--offline"], env=env)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("No es auténtica: La firma no coincide")
    assert "FALLÓ" in result.stdout and "superada" in result.stdout
    assert "The signature" not in result.stdout and "Read a credential" not in result.stdout


def test_laurel_verify_explains_unusable_input_in_spanish(env, tmp_path):
    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "nothing.json")], env=env)
    assert result.exit_code == 2
    assert "Error: no se puede leer" in result.stderr


@pytest.mark.parametrize(
    ("args", "spanish", "english"),
    [
        (["verify", "--help"], "Verifica una credencial", "Check a credential"),
        (["verify", "--help"], "Muestra el informe como JSON.", "Print the report as JSON."),
        (["verify", "--help"], "Estado de salida:", "Exit status:"),
        (["keys", "--help"], "Claves de firma:", "Signing keys:"),
        (["keys", "--help"], "Crea el almacén de claves", "Create the key store"),
        (["keys", "rotate", "--help"], "Rota solo este tipo de clave", "Rotate only this kind"),
    ],
)
def test_command_help_reads_in_the_terminals_language(laurel, env, args, spanish, english):
    """Run as a person runs it: a new process, its language from the environment alone."""
    env = {**env, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([laurel, *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert spanish in done.stdout
    assert english not in done.stdout
    english_run = subprocess.run(
        [laurel, *args],
        env={**env, "LAUREL_LANGUAGE": "en"},
        capture_output=True,
        text=True,
    )
    assert english in english_run.stdout


def test_laurel_keys_list_reads_in_spanish(keys_dir, env):
    result = CliRunner().invoke(cli, ["keys", "list"], env=env)
    assert result.exit_code == 0, result.output
    assert "actual" in result.stdout and "current" not in result.stdout


@pytest.mark.parametrize(
    ("data", "spanish"),
    [
        (b"", "El archivo está vacío: no hay ninguna credencial que verificar."),
        (b"<html><body>Hi</body></html>", "Parece una página XML o HTML"),
        (b'{"type": ["Thing"]}', "El JSON no es una credencial verificable"),
    ],
)
def test_unusable_input_is_explained_in_spanish(client, data, spanish):
    response = client.post(
        "/verify",
        data={"file": (io.BytesIO(data), "c.json")},
        content_type="multipart/form-data",
        headers=SPANISH,
    )
    assert response.status_code == 400
    assert spanish in _visible(response.get_data(as_text=True))
