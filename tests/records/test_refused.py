"""A backup that is not exactly what Laurel wrote is refused before anything is written.

Each hostile archive is made from a real backup of the test school, then given to
`laurel restore` on an empty installation: exit status 2, a sentence, and the
installation left as it was (no table, no key, no evidence file).
"""

from __future__ import annotations

import copy
import hashlib
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import flask_babel
import pytest

from app import create_app
from app.cli import cli
from app.extensions import db

from .helpers import Installation
from .helpers import manifest_of
from .helpers import members
from .helpers import write_members

Entries = list[tuple[tarfile.TarInfo, bytes | None]]


@pytest.fixture
def backup_file(runner, school, issued, submitted, tmp_path) -> Path:
    path = tmp_path / "school.laurel"
    result = runner.invoke(cli, args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def target(app_config, tmp_path):
    """An empty installation on a SQLite file: restore_into(path) runs `laurel restore` there."""
    place = Installation.empty(
        tmp_path / "target", f"sqlite:///{tmp_path / 'target' / 'laurel.db'}", "target-passphrase"
    )
    application = create_app(place.config(app_config))

    def restore_into(path: Path):
        # The source's context is current in these tests: `laurel restore` must see the target.
        with application.app_context():
            return application.test_cli_runner().invoke(cli, args=["restore", str(path)])

    yield place, restore_into
    with application.app_context():
        db.engine.dispose()


def _manifest_entry(entries: Entries) -> dict:
    return json.loads(entries[0][1])


def _with_manifest(entries: Entries, manifest: dict) -> Entries:
    info = copy.copy(entries[0][0])
    return [(info, json.dumps(manifest).encode()), *entries[1:]]


def _part_index(entries: Entries, prefix: str) -> int:
    return next(i for i, (info, _) in enumerate(entries) if info.name.startswith(prefix))


def _changed_byte(entries: Entries) -> Entries:
    i = _part_index(entries, "database/issued_credential")
    info, data = entries[i]
    assert data
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    return [*entries[:i], (info, bytes(changed)), *entries[i + 1 :]]


def _missing_part(entries: Entries) -> Entries:
    i = _part_index(entries, "evidence/")
    return [*entries[:i], *entries[i + 1 :]]


def _wrong_checksum_in_manifest(entries: Entries) -> Entries:
    manifest = _manifest_entry(entries)
    manifest["parts"][0]["sha256"] = hashlib.sha256(b"something else").hexdigest()
    return _with_manifest(entries, manifest)


def _other_format(entries: Entries) -> Entries:
    manifest = _manifest_entry(entries)
    manifest["format"] = "tarball-of-anything"
    return _with_manifest(entries, manifest)


def _manifest_not_json(entries: Entries) -> Entries:
    info = copy.copy(entries[0][0])
    return [(info, b"{not json"), *entries[1:]]


def _manifest_not_first(entries: Entries) -> Entries:
    return [*entries[1:], entries[0]]


def _unlisted_traversal_member(entries: Entries) -> Entries:
    return [*entries, (tarfile.TarInfo("../../x"), b"escaped")]


def _listed_traversal_member(entries: Entries) -> Entries:
    data = b"escaped"
    manifest = _manifest_entry(entries)
    manifest["parts"].append(
        {"name": "../../x", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    )
    return [*_with_manifest(entries, manifest), (tarfile.TarInfo("../../x"), data)]


def _symlink_member(entries: Entries) -> Entries:
    i = _part_index(entries, "keys/")
    link = tarfile.TarInfo(entries[i][0].name)
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    return [*entries[:i], (link, None), *entries[i + 1 :]]


def _newer_schema(entries: Entries) -> Entries:
    manifest = _manifest_entry(entries)
    manifest["schema_revision"] = "9999"
    return _with_manifest(entries, manifest)


HOSTILE: dict[str, tuple[Callable[[Entries], Entries], str]] = {
    "changed-byte-in-a-part": (_changed_byte, "does not match its checksum"),
    "missing-evidence-part": (_missing_part, "incomplete"),
    "wrong-checksum-in-manifest": (_wrong_checksum_in_manifest, "does not match its checksum"),
    "manifest-of-another-format": (_other_format, "not a Laurel backup"),
    "manifest-not-json": (_manifest_not_json, "not valid JSON"),
    "manifest-not-first": (_manifest_not_first, "manifest.json is not its first member"),
    "unlisted-member-../../x": (_unlisted_traversal_member, "does not list: '../../x'"),
    "listed-member-../../x": (_listed_traversal_member, "part Laurel refuses: '../../x'"),
    "symlink-member-to-/etc/passwd": (_symlink_member, "not a regular file"),
    "schema-revision-from-a-newer-laurel": (_newer_schema, "made by a newer Laurel"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_archive_is_refused_before_anything_is_written(name, backup_file, target, tmp_path):
    place, restore_into = target
    tamper, message = HOSTILE[name]
    hostile = write_members(tmp_path / "hostile.laurel", tamper(members(backup_file)))

    result = restore_into(hostile)

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert place.is_untouched()
    assert not (tmp_path.parent / "x").exists()


def test_huge_declared_member_is_refused(backup_file, target, tmp_path):
    """A tar header that claims a terabyte: refused by its size, nothing read or written."""
    place, restore_into = target
    entries = members(backup_file)
    hostile = tmp_path / "huge.laurel"
    with open(hostile, "wb") as out:
        for info, data in entries[:2]:
            out.write(info.tobuf(tarfile.PAX_FORMAT))
            out.write(data or b"")
            out.write(b"\0" * (-len(data or b"") % tarfile.BLOCKSIZE))
        huge = copy.copy(entries[2][0])
        huge.size = 2**40
        out.write(huge.tobuf(tarfile.PAX_FORMAT))
        out.write(b"\0" * tarfile.BLOCKSIZE)

    result = restore_into(hostile)

    assert result.exit_code == 2, result.output
    assert f"is {2**40} bytes; its manifest says" in result.output
    assert place.is_untouched()


@pytest.mark.parametrize(
    "content",
    [b"", b"plain text, not an archive\n", b"\x1f\x8b\x08garbage"],
    ids=["empty-file", "text-file", "broken-gzip"],
)
def test_file_that_is_not_an_archive_is_refused(content, target, tmp_path):
    place, restore_into = target
    path = tmp_path / "not-a-backup.laurel"
    path.write_bytes(content)

    result = restore_into(path)

    assert result.exit_code == 2, result.output
    assert "not a Laurel backup" in result.output or "damaged" in result.output
    assert place.is_untouched()


def test_restore_into_an_installation_with_records_is_refused(runner, backup_file, school):
    result = runner.invoke(cli, args=["restore", str(backup_file)])

    assert result.exit_code == 2, result.output
    assert "This installation is not empty" in result.output


def test_a_refusal_speaks_the_terminals_language(runner, backup_file, school):
    flask_babel.refresh()  # the language picked while the backup was made is forgotten
    result = runner.invoke(cli, args=["restore", str(backup_file)], env={"LAUREL_LANGUAGE": "es"})

    assert result.exit_code == 2, result.output
    assert "Esta instalación no está vacía (su tabla" in result.output
    assert "Restaura en una base de datos nueva y vacía." in result.output


def test_restore_into_an_installation_with_keys_is_refused(backup_file, target):
    place, restore_into = target
    place.keys_dir.mkdir(parents=True)
    (place.keys_dir / "keys.json").write_text("{}")

    result = restore_into(backup_file)

    assert result.exit_code == 2, result.output
    assert "already has signing keys" in result.output
    assert (place.keys_dir / "keys.json").read_text() == "{}"


def test_backup_never_overwrites_a_file(runner, school, tmp_path):
    existing = tmp_path / "kept.laurel"
    existing.write_bytes(b"an older backup")

    result = runner.invoke(cli, args=["backup", str(existing)])

    assert result.exit_code == 2
    assert "exists already" in result.output
    assert existing.read_bytes() == b"an older backup"


def test_restore_reports_counts_and_the_backup_lists_every_part(backup_file, target):
    place, restore_into = target
    manifest = manifest_of(backup_file)

    result = restore_into(backup_file)

    assert result.exit_code == 0, result.output
    assert manifest["counts"]["issued_credential"] == 1
    assert manifest["counts"]["evidence_files"] == 1  # the photo of Sam's submission
    assert "issued_credential" in result.output and "evidence_files" in result.output
    assert {p.name for p in place.keys_dir.iterdir()} == {
        name.split("/", 1)[1]
        for name in (p["name"] for p in manifest["parts"])
        if name.startswith("keys/")
    }
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in place.keys_dir.iterdir())


def test_restore_with_another_passphrase_is_refused(backup_file, app_config, tmp_path):
    """The keys travel encrypted: a target whose passphrase cannot open them could not sign."""
    place = Installation.empty(
        tmp_path / "other", f"sqlite:///{tmp_path / 'other' / 'laurel.db'}", "not-the-passphrase"
    )
    application = create_app(
        {**place.config(app_config), "LAUREL_KEY_PASSPHRASE": "not-the-passphrase"}
    )
    try:
        with application.app_context():
            result = application.test_cli_runner().invoke(cli, args=["restore", str(backup_file)])
    finally:
        with application.app_context():
            db.engine.dispose()

    assert result.exit_code == 2, result.output
    assert "cannot be opened with this installation's LAUREL_KEY_PASSPHRASE" in result.output
    assert place.is_untouched()
