"""`laurel verify` against a development server: the school's own plain-HTTP status list is read."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from app.extensions import db
from app.issuing.issuance import issue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context


def _laurel_verify(
    laurel: str, path: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [laurel, "verify", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=path.parent,
        env={**os.environ, **env},
    )


def test_cli_verify_revoked_on_development_server_reports_revoked(
    live_server, app_config, school, make_badge, now, tmp_path, laurel
):
    badge = make_badge(school.instructor, class_id=school.auto_shop.id)
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=school.student,
        level_id=None,
        issued_by=school.instructor,
        now=now,
    )
    db.session.commit()
    change_credential_status(
        credential,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Copied the photo log",
        now=now,
    )
    db.session.commit()
    path = tmp_path / "credential.json"
    path.write_text(credential.json_text, encoding="utf-8")
    status_list_url = json.loads(credential.json_text)["credentialStatus"]["statusListCredential"]
    assert status_list_url == f"{live_server}/status/revocation/1"

    result = _laurel_verify(
        laurel,
        path,
        {
            "LAUREL_ENV": "development",
            "LAUREL_PUBLIC_URL": live_server,
            "LAUREL_KEYS_DIR": app_config["LAUREL_KEYS_DIR"],
            "LAUREL_KEY_PASSPHRASE": app_config["LAUREL_KEY_PASSPHRASE"],
        },
    )

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] == "revoked", report
    status = next(check for check in report["checks"] if check["name"] == "status")
    assert (status["outcome"], status["message"]) == ("failed", "Revoked by the issuer.")
    assert report["headline"].startswith("Revoked — “Vehicle Restoration”")
    others = {check["name"]: check["outcome"] for check in report["checks"] if check is not status}
    assert set(others.values()) == {"passed"}, report
