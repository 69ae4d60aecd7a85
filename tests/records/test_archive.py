"""The learner's archive: one zip whose files verify with nothing but what is inside it."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

import pytest

from app.badges.models import IssuedCredential
from app.cli import cli
from app.extensions import db
from app.issuing.status_changes import StatusChange
from app.issuing.status_changes import change_credential_status
from app.keyring import issuing_context
from app.verify.core.pipeline import verify
from app.verify.core.report import Outcome
from app.verify.core.report import Verdict
from app.verify.core.resolvers import build_resolver


def _revoked(make_credential, now: datetime) -> IssuedCredential:
    credential = make_credential(name="Brake Service")
    change_credential_status(
        credential,
        StatusChange.REVOKE,
        ctx=issuing_context(),
        actor=None,
        reason="Awarded to the wrong student.",
        now=now,
    )
    db.session.commit()
    return credential


class ArchiveFetcher:
    """The school's URLs answered with the archive's files, as issuer/documents.json maps them."""

    def __init__(self, bundle: zipfile.ZipFile) -> None:
        index = json.loads(bundle.read("issuer/documents.json"))
        self.files = {entry["url"]: bundle.read(entry["file"]) for entry in index["documents"]}
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        return self.files[url]


def _verify_offline(data: bytes, name: str, fetcher: ArchiveFetcher, now: datetime):
    return verify(
        data, filename=name, resolver=build_resolver(fetcher=fetcher), fetcher=fetcher, now=now
    )


@pytest.fixture
def archive(login, school, issued, make_credential, now) -> zipfile.ZipFile:
    """Sam's archive, downloaded by Sam: one current credential and one revoked."""
    _revoked(make_credential, now)
    response = login(school.student).get(f"/learners/{school.student.id}/archive.zip")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_archive_holds_every_form_of_every_credential_and_the_issuer_documents(
    archive: zipfile.ZipFile, issued: IssuedCredential
) -> None:
    names = set(archive.namelist())
    stems = {
        n.removeprefix("credentials/").rsplit(".", 1)[0]
        for n in names
        if n.startswith("credentials/")
    }
    assert len(stems) == 2
    for stem in stems:
        assert {f"credentials/{stem}.{ext}" for ext in ("json", "jwt", "png", "pdf")} <= names
    assert {
        "README.txt",
        "learner-record.json",
        "issuer/did.json",
        "issuer/jwks.json",
        "issuer/status-revocation-1.json",
        "issuer/documents.json",
    } <= names
    stored = next(
        n
        for n in names
        if n.startswith("credentials/") and issued.id[:8] in n and n.endswith(".json")
    )
    assert archive.read(stored) == issued.json_text.encode("utf-8")


def test_archive_readme_is_plain_language_and_names_each_badge(archive: zipfile.ZipFile) -> None:
    readme = archive.read("README.txt").decode("utf-8")
    assert readme.startswith("Your badges from ")
    assert "How anyone can check these files" in readme
    assert "Brake Service" in readme and "REVOKED by the school" in readme
    assert "{{" not in readme and "{%" not in readme


@pytest.mark.parametrize("kind", ["json", "jwt", "png", "pdf"])
def test_archive_credentials_verify_offline_against_the_included_documents(
    archive: zipfile.ZipFile, now: datetime, kind: str
) -> None:
    """Laurel's pipeline, given only the archive's files: genuine, and the revoked one revoked."""
    fetcher = ArchiveFetcher(archive)
    verdicts = {}
    for name in archive.namelist():
        if name.startswith("credentials/") and name.endswith(f".{kind}"):
            report = _verify_offline(archive.read(name), name, fetcher, now)
            assert any(c.name == "proof" and c.outcome is Outcome.PASSED for c in report.checks)
            verdicts[report.badge_name] = report.verdict
    assert verdicts.pop("Brake Service") is Verdict.REVOKED
    assert list(verdicts.values()) == [Verdict.VERIFIED]
    assert "https://laurel.test/.well-known/did.json" in fetcher.asked


def test_archive_learner_record_verifies_offline_and_leaves_out_the_revoked(
    archive: zipfile.ZipFile, now: datetime
) -> None:
    record: dict[str, Any] = json.loads(archive.read("learner-record.json"))
    report = _verify_offline(
        archive.read("learner-record.json"), "learner-record.json", ArchiveFetcher(archive), now
    )
    assert any(c.name == "proof" and c.outcome is Outcome.PASSED for c in report.checks)
    assert len(record["credentialSubject"]["verifiableCredential"]) == 1


def test_archive_of_another_learner_is_not_found(login, school, issued) -> None:
    response = login(school.other_student).get(f"/learners/{school.student.id}/archive.zip")
    assert response.status_code == 404


def test_archive_anonymous_is_sent_to_sign_in(client, school, issued) -> None:
    response = client.get(f"/learners/{school.student.id}/archive.zip")
    assert response.status_code == 302


def test_archive_of_a_learner_without_credentials_is_a_clear_400(login, school) -> None:
    response = login(school.other_student).get(f"/learners/{school.other_student.id}/archive.zip")
    assert response.status_code == 400
    assert b"no credential" in response.data


def test_record_page_offers_the_archive_to_its_learner(login, school, issued) -> None:
    page = login(school.student).get(f"/learners/{school.student.id}/record").get_data(as_text=True)
    assert "Download my archive" in page
    assert f"/learners/{school.student.id}/archive.zip" in page


def test_archive_command_writes_the_zip_for_a_leaver(runner, school, issued, tmp_path) -> None:
    out = tmp_path / "sam.zip"
    result = runner.invoke(
        cli, args=["archive", "--email", school.student.email, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as bundle:
        assert "README.txt" in bundle.namelist()
        assert any(n.endswith(".png") for n in bundle.namelist())


@pytest.mark.parametrize(
    ("email", "out", "message"),
    [
        ("nobody@example.org", "x.zip", "there is no account"),
        ("", "x.zip", "there is no account"),
        ("sam'; DROP TABLE user;--@x.org", "x.zip", "there is no account"),
        (None, "x.pdf", "must name a .zip file"),
    ],
    ids=["unknown-email", "empty-email", "sql-injection-email", "not-a-zip"],
)
def test_archive_command_bad_input_exit_2(runner, school, issued, tmp_path, email, out, message):
    address = school.student.email if email is None else email
    result = runner.invoke(cli, args=["archive", "--email", address, "--out", str(tmp_path / out)])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / out).exists()


def test_archive_command_learner_without_credentials_exit_2(runner, school, tmp_path) -> None:
    result = runner.invoke(
        cli,
        args=["archive", "--email", school.other_student.email, "--out", str(tmp_path / "o.zip")],
    )
    assert result.exit_code == 2
    assert "no credential" in result.output
