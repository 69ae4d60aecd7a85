"""Evidence storage: generated names, size limit, type by content."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.demo_files import build_xlsx
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from app.errors import NotFound
from app.errors import UserError
from app.evidence.filetypes import XLSX_MIME
from app.evidence.filetypes import check_file_type
from app.storage.files import LocalStorage

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)
PDF_SMALL = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_local_storage_save_open_delete_roundtrip(tmp_path):
    storage = LocalStorage(tmp_path)
    stored = storage.save(io.BytesIO(b"hello"), max_bytes=100)
    assert stored.size == 5
    assert stored.sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    with storage.open(stored.key) as handle:
        assert handle.read() == b"hello"
    storage.delete(stored.key)
    with pytest.raises(NotFound):
        storage.open(stored.key)


def test_local_storage_name_is_generated_inside_root(tmp_path):
    storage = LocalStorage(tmp_path / "store")
    stored = storage.save(io.BytesIO(b"x"), max_bytes=10)
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert len(files) == 1
    assert files[0].name == stored.key
    assert files[0].is_relative_to(tmp_path / "store")
    assert files[0].stat().st_mode & 0o077 == 0


def test_local_storage_oversize_refused_and_nothing_kept(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(UserError, match="larger than the 1 KB limit"):
        storage.save(io.BytesIO(b"a" * 1025), max_bytes=1024)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_local_storage_empty_file_refused(tmp_path):
    storage = LocalStorage(tmp_path)
    with pytest.raises(UserError, match="empty"):
        storage.save(io.BytesIO(b""), max_bytes=1024)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "..\\x.png", "/etc/passwd", "", "ab" * 16 + "/", "AB" * 16]
)
def test_local_storage_foreign_key_not_found(tmp_path, key):
    storage = LocalStorage(tmp_path)
    with pytest.raises(NotFound):
        storage.open(key)
    storage.delete(key)  # no error, nothing outside the root touched


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (PNG_1PX, "photo.png", "image/png"),
        (PNG_1PX, "PHOTO.PNG", "image/png"),
        (truck_photo(), "truck.jpg", "image/jpeg"),
        (PDF_SMALL, "plan.pdf", "application/pdf"),
        (temperature_workbook(), "plot.xlsx", XLSX_MIME),
        (
            _docx(),
            "essay.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("day,temp\nMon,11.5\nMär,12\n".encode(), "data.csv", "text/csv"),
    ],
)
def test_check_file_type_matching_content_accepted(data, name, mime):
    assert check_file_type(io.BytesIO(data), name).mime == mime


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PNG_1PX, "report.pdf"),
        (b"just some text, with a comma\n", "grades.xlsx"),
        (temperature_workbook(), "essay.docx"),
        (_docx(), "plot.xlsx"),
        (PDF_SMALL, "data.csv"),
        (b"\x00\x01binary,stuff", "data.csv"),
        (b"no comma here\n", "data.csv"),
        (build_xlsx([["a"]])[:200], "broken.xlsx"),
        (PNG_1PX, "movie.mp4"),
    ],
)
def test_check_file_type_content_mismatch_refused(data, name):
    with pytest.raises(UserError, match="its content is not"):
        check_file_type(io.BytesIO(data), name)


@pytest.mark.parametrize(
    "name", ["tool.exe", "page.html", "image.svg", "noextension", "../../etc/passwd"]
)
def test_check_file_type_unknown_extension_refused(name):
    with pytest.raises(UserError, match="cannot be added as evidence"):
        check_file_type(io.BytesIO(PNG_1PX), name)


def test_check_file_type_path_in_name_uses_last_segment():
    assert check_file_type(io.BytesIO(PNG_1PX), "..\\..\\x.png").extension == "png"
    with pytest.raises(UserError, match="“x.pdf”"):
        check_file_type(io.BytesIO(PNG_1PX), "../../x.pdf")
