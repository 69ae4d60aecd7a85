"""The suspension entry each credential cannot carry, published at "<credential id>/status"."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from app.extensions import db
from app.issuing.issuance import issue_credential
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context


def _path(credential) -> str:
    return f"/credentials/{credential.id}/status"


def test_published_status_names_only_the_suspension_slot(client, issued):
    """Does anyone asking get the suspension entry, and nothing about the learner or badge?"""
    response = client.get(_path(issued))
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = response.get_json()
    credential_id = json.loads(issued.json_text)["id"]
    assert document == {
        "id": f"{credential_id}/status",
        "credential": credential_id,
        "credentialStatus": [
            {
                "id": f"{credential_id.split('/credentials/')[0]}/status/suspension/1"
                f"#{issued.suspension_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "suspension",
                "statusListIndex": str(issued.suspension_index),
                "statusListCredential": f"{credential_id.split('/credentials/')[0]}"
                "/status/suspension/1",
            }
        ],
    }


def test_published_status_same_answer_whatever_the_state(client, issued, school, now):
    """Is the answer the same before and after a suspension (the list alone says the state)?"""
    before = client.get(_path(issued)).data
    change_credential_status(
        issued,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Under review",
        now=now,
    )
    db.session.commit()
    assert client.get(_path(issued)).data == before
    assert b"Under review" not in before


@pytest.mark.parametrize(
    "credential_id",
    [
        pytest.param("0c7d1a6e-5b2f-4c3a-9e1d-2f4a6b8c0d1e", id="unknown-uuid"),
        pytest.param("not-a-uuid", id="not-a-uuid"),
        pytest.param("%00", id="nul-byte"),
        pytest.param("' OR 1=1 --", id="sql-text"),
        pytest.param("x" * 400, id="very-long"),
    ],
)
def test_published_status_of_unknown_id_is_404(client, credential_id):
    assert client.get(f"/credentials/{credential_id}/status").status_code == 404


def test_verify_page_fetches_published_status_from_database(app, issued):
    """Does the site's own fetcher answer the /status URL without the network?"""
    from app.verify.documents import own_document

    document = json.loads(own_document(_path(issued), issuing_context()))
    assert document["credentialStatus"][0]["statusListIndex"] == str(issued.suspension_index)


def _laurel_verify(laurel: str, target: str, cwd: Path, env: dict[str, str]):
    return subprocess.run(
        [laurel, "verify", target, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, **env},
    )


def test_cli_verify_suspended_file_and_url_report_suspended(
    live_server, app_config, school, make_badge, now, tmp_path, laurel
):
    """Does `laurel verify` on the file, and on the URL, of a suspended credential say so?"""
    badge = make_badge(school.instructor, class_id=school.auto_shop.id)
    credential = issue_credential(
        issuing_context(),
        badge=badge,
        recipient=school.student,
        level_id=None,
        issued_by=school.instructor,
        now=now,
    )
    credential.share_enabled = True
    db.session.commit()
    env = {
        "LAUREL_ENV": "development",
        "LAUREL_PUBLIC_URL": live_server,
        "LAUREL_KEYS_DIR": app_config["LAUREL_KEYS_DIR"],
        "LAUREL_KEY_PASSPHRASE": app_config["LAUREL_KEY_PASSPHRASE"],
    }
    path = tmp_path / "credential.json"
    path.write_text(credential.json_text, encoding="utf-8")

    active = _laurel_verify(laurel, str(path), tmp_path, env)
    assert active.returncode == 0, active.stdout + active.stderr
    messages = [c["message"] for c in json.loads(active.stdout)["checks"]]
    assert "Not suspended: the issuer's suspension list was checked." in messages

    change_credential_status(
        credential,
        StatusChange.SUSPEND,
        ctx=issuing_context(),
        actor=school.instructor,
        reason="Under review",
        now=now,
    )
    db.session.commit()
    for target in (str(path), json.loads(credential.json_text)["id"]):
        result = _laurel_verify(laurel, target, tmp_path, env)
        assert result.returncode == 1, result.stderr
        report = json.loads(result.stdout)
        assert report["verdict"] == "suspended", (target, report)
        assert report["headline"].startswith("Suspended — "), report["headline"]
