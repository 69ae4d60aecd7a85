"""Credentials kept in the backpack go into the learner's archive byte for byte."""

from __future__ import annotations

import io
import json
import zipfile

from app.backpack.store import keep
from app.models_base import utcnow
from tests.verify.factory import did_key_forgery


def test_held_credentials_are_in_the_archive_as_they_arrived(login, school, issued):
    document = json.loads(issued.json_text)
    document["id"] = "urn:uuid:2f0c8a52-4c1e-4f7e-9d3a-2a4b9c1d0009"
    forged, did = did_key_forgery(document)
    body = json.dumps(forged, indent=3, ensure_ascii=False).encode()
    held_json = keep(school.student, body, client_id=None, now=utcnow()).held
    jwt_text = f"  {issued.jwt_text}\n"
    held_jwt = keep(school.student, jwt_text.encode(), client_id=None, now=utcnow()).held

    response = login(school.student).get(f"/learners/{school.student.id}/archive.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.read(f"kept/held-{held_json.id}.json") == body
    assert archive.read(f"kept/held-{held_jwt.id}.jwt") == jwt_text.encode()
    readme = archive.read("README.txt").decode("utf-8")
    assert "Kept from other issuers" in readme
    assert f"kept/held-{held_json.id}.json" in readme
