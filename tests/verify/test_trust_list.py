"""The admin's trust list: the page, `laurel trust`, imports, and what the verifier makes of it."""

from __future__ import annotations

import html
import io
import json

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.commands.trust import trust_group
from app.verify import trust_list
from app.verify.core.trust import TrustEntry
from app.verify.models import TrustedIssuer
from tests.verify.factory import did_key_forgery

DISTRICT = "did:web:district.example"
REGISTRY = [
    {"id": DISTRICT, "name": "Lakeside District", "note": "State registry 2026"},
    {"id": "Hillside.Example", "name": "Hillside Academy"},
]


def _entries() -> dict[str, tuple[str, str]]:
    return {row.identifier: (row.name, row.note) for row in trust_list.list_trusted()}


def _post_file(client, content: bytes, filename: str = "registry.json"):
    """Multipart in memory: the test client would spool a big body to a file it never closes."""
    upload = FileStorage(io.BytesIO(content), filename=filename)
    boundary, body = encode_multipart({"trust_file": upload})
    return client.post(
        "/admin/trust/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


# --- the page ------------------------------------------------------------------------------


def test_trust_page_add_list_remove(client, login, school):
    login(school.admin)
    response = client.post(
        "/admin/trust", data={"identifier": DISTRICT, "name": "Lakeside District", "note": "Call"}
    )
    assert response.status_code == 302
    page = client.get("/admin/trust").get_data(as_text=True)
    assert "Lakeside District" in page and DISTRICT in page
    assert f"by {school.admin.email}" in page
    row = trust_list.list_trusted()[0]
    assert (row.added_by, row.note) == (school.admin.email, "Call")
    assert client.post(f"/admin/trust/{row.id}/remove").status_code == 302
    assert _entries() == {}
    assert client.post(f"/admin/trust/{row.id}/remove").status_code == 404


def test_trust_page_in_admin_navigation(client, login, school):
    login(school.admin)
    assert 'href="/admin/trust"' in client.get("/admin/users").get_data(as_text=True)
    login(school.instructor)
    assert 'href="/admin/trust"' not in client.get("/badges").get_data(as_text=True)


@pytest.mark.parametrize(
    ("identifier", "status", "words"),
    [
        ("did:key:z6Mk\x00evil", 400, "NUL|control character"),
        ("did:key:z" + "x" * 10_000, 400, "longer than 500"),
        ("not a did", 400, "neither a DID"),
        ("javascript:alert(1)", 400, "not a domain"),
        ("https://district.example/", 400, "not a domain"),
        ("did:", 400, "not a valid DID"),
        (DISTRICT, 409, "already on the trust list"),
    ],
    ids=[
        "nul-byte",
        "10k-chars",
        "not-a-did",
        "javascript-url",
        "https-url",
        "did-no-method",
        "duplicate",
    ],
)
def test_trust_page_hostile_entry_refused_with_sentence(
    client, login, school, identifier, status, words
):
    login(school.admin)
    client.post("/admin/trust", data={"identifier": DISTRICT, "name": "Lakeside District"})
    response = client.post("/admin/trust", data={"identifier": identifier, "name": "Evil"})
    assert response.status_code == status
    page = html.unescape(response.get_data(as_text=True))
    assert any(word in page for word in words.split("|")), page[-2000:]
    assert list(_entries()) == [DISTRICT]


def test_trust_page_import_idempotent_then_updates(client, login, school):
    login(school.admin)
    content = json.dumps(REGISTRY).encode()
    first = _post_file(client, content)
    assert first.status_code == 200
    assert "2 added, 0 updated, 0 unchanged" in html.unescape(first.get_data(as_text=True))
    again = _post_file(client, content)
    assert "0 added, 0 updated, 2 unchanged" in html.unescape(again.get_data(as_text=True))
    renamed = [{**REGISTRY[0], "name": "Lakeside Unified"}, REGISTRY[1]]
    third = _post_file(client, json.dumps(renamed).encode())
    assert "0 added, 1 updated, 1 unchanged" in html.unescape(third.get_data(as_text=True))
    assert _entries() == {
        DISTRICT: ("Lakeside Unified", "State registry 2026"),
        "hillside.example": ("Hillside Academy", ""),
    }


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (json.dumps([REGISTRY[0], REGISTRY[0]]).encode(), "entry 2 repeats"),
        (json.dumps([{"id": "javascript:alert(1)", "name": "x"}]).encode(), "entry 1"),
        (json.dumps([{"id": "a\u0000b.example", "name": "x"}]).encode(), "control character"),
        (b" " * (trust_list.MAX_TRUST_FILE_BYTES + 1), "larger than"),
    ],
    ids=["not-json", "not-utf8", "duplicate-entries", "javascript-url", "nul-in-id", "too-large"],
)
def test_trust_page_import_hostile_file_refused_whole(client, login, school, content, words):
    login(school.admin)
    response = _post_file(client, content)
    assert response.status_code == 400
    assert words in html.unescape(response.get_data(as_text=True))
    assert _entries() == {}


# --- the command line ----------------------------------------------------------------------


def test_trust_cli_add_list_export_remove(runner, app_ctx, tmp_path):
    added = runner.invoke(trust_group, ["add", DISTRICT, "--name", "Lakeside District"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(trust_group, ["list", "--json"])
    assert [(e["id"], e["added_by"]) for e in json.loads(listed.output)] == [
        (DISTRICT, "command line")
    ]
    assert DISTRICT in runner.invoke(trust_group, ["list"]).output
    target = tmp_path / "trust.json"
    assert runner.invoke(trust_group, ["export", str(target)]).exit_code == 0
    assert json.loads(target.read_text()) == [{"id": DISTRICT, "name": "Lakeside District"}]
    removed = runner.invoke(trust_group, ["remove", DISTRICT])
    assert removed.exit_code == 0 and "Removed" in removed.output
    assert "empty" in runner.invoke(trust_group, ["list"]).output


def test_trust_cli_import_idempotent(runner, app_ctx, tmp_path):
    source = tmp_path / "registry.json"
    source.write_text(json.dumps(REGISTRY))
    first = runner.invoke(trust_group, ["import", str(source)])
    assert "2 added, 0 updated, 0 unchanged" in first.output
    second = runner.invoke(trust_group, ["import", str(source)])
    assert second.exit_code == 0
    assert "0 added, 0 updated, 2 unchanged" in second.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add", "did:key:z6Mk\x00", "--name", "x"], "control character"),
        (["add", "x" * 10_000 + ".example", "--name", "x"], "longer than 500"),
        (["add", "not a did", "--name", "x"], "neither a DID"),
        (["add", "javascript:alert(1)", "--name", "x"], "not a domain"),
        (["add", DISTRICT, "--name", "Again"], "already on the trust list"),
        (["add", "ok.example", "--name", " "], "Give the name"),
        (["remove", "nobody.example"], "not on the trust list"),
        (["import", "/nonexistent/trust.json"], "cannot read"),
    ],
    ids=[
        "nul-byte",
        "10k-chars",
        "not-a-did",
        "javascript-url",
        "duplicate",
        "blank-name",
        "remove-unknown",
        "import-missing-file",
    ],
)
def test_trust_cli_bad_input_exit_2_with_sentence(runner, app_ctx, args, words):
    runner.invoke(trust_group, ["add", DISTRICT, "--name", "Lakeside District"])
    result = runner.invoke(trust_group, args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert list(_entries()) == [DISTRICT]


def test_trust_cli_export_verify_offline_reads_it(
    runner, app_ctx, tmp_path, laurel, make_credential
):
    """`laurel trust export` writes the file `laurel verify --trust` reads with no database."""
    import subprocess

    forged, did = did_key_forgery(json.loads(make_credential().json_text))
    runner.invoke(trust_group, ["add", did, "--name", "Hillside Academy"])
    target, credential = tmp_path / "trust.json", tmp_path / "forged.json"
    runner.invoke(trust_group, ["export", str(target)])
    credential.write_text(json.dumps(forged))
    result = subprocess.run(
        [laurel, "verify", "--offline", "--trust", str(target), str(credential)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Hillside Academy" in result.stdout


# --- what the verifier makes of it ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/verify", "/api/v1/verify"])
def test_trust_db_entry_verified_naming_it_then_unknown_after_removal(
    client, make_credential, now, path
):
    forged, did = did_key_forgery(json.loads(make_credential().json_text))
    body = json.dumps(forged)

    def verdict() -> str:
        if path == "/verify":
            page = html.unescape(client.post(path, data={"text": body}).get_data(as_text=True))
            return (
                "verified"
                if "issued by Hillside Academy to" in page
                else "unknown"
                if "Unknown issuer" in page
                else page
            )
        return client.post(path, data=body, content_type="application/json").get_json()["verdict"]

    trust_list.add_trusted(did, "Hillside Academy", actor="test", now=now)
    from app.extensions import db

    db.session.commit()
    assert verdict() == "verified"
    trust_list.remove_trusted(did)
    db.session.commit()
    assert verdict() in ("unknown", "unknown issuer")


def test_trust_db_and_file_entries_both_count(app_ctx, tmp_path, now):
    trust_file = tmp_path / "trust.json"
    trust_file.write_text(json.dumps([{"id": "file.example", "name": "From the file"}]))
    trust_list.add_trusted("db.example", "From the list", actor="test", now=now)
    assert trust_list.trusted_entries(str(trust_file)) == (
        TrustEntry("db.example", "From the list"),
        TrustEntry("file.example", "From the file"),
    )
    assert isinstance(trust_list.list_trusted()[0], TrustedIssuer)
