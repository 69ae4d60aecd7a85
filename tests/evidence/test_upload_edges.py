"""Upload edge cases: zip bombs named .xlsx, truncated photos, long names, hostile links.

Each bad input gets a 4xx with a message for the student, and nothing is stored.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from app.accounts.models import Role
from app.badges.services import create_badge
from app.badges.services import publish_badge
from app.demo_files import build_xlsx
from app.demo_files import truck_photo
from app.evidence import services
from app.evidence.filetypes import XLSX_MAIN_PART
from app.evidence.filetypes import display_name
from app.extensions import db
from tests.fixtures.badges import badge_input

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    f'content-types"><Override PartName="/xl/workbook.xml" ContentType="{XLSX_MAIN_PART}"/>'
    "</Types>"
)
MiB = 1024 * 1024


def zeros_workbook(unpacked: int) -> bytes:
    """A ZIP that claims to be a workbook, holding `unpacked` bytes of zeros (deflated)."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * MiB
            for _ in range(unpacked // MiB):
                member.write(chunk)
    return output.getvalue()


def lying_directory(data: bytes, member: str, declared: int) -> bytes:
    """The archive with `member`'s uncompressed size declared as `declared` (both headers)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    patched = bytearray(data)
    # Local header: signature, then uncompressed size at offset 22 (zip64 extra for big ones).
    local = info.header_offset
    patched[local + 22 : local + 26] = struct.pack("<I", declared)
    for position in _central_entries(data):
        name_length = struct.unpack("<H", data[position + 28 : position + 30])[0]
        if data[position + 46 : position + 46 + name_length].decode() == member:
            patched[position + 24 : position + 28] = struct.pack("<I", declared)
    return bytes(patched)


def _central_entries(data: bytes) -> list[int]:
    positions, start = [], 0
    while (found := data.find(b"PK\x01\x02", start)) != -1:
        positions.append(found)
        start = found + 4
    return positions


def png_bytes(width: int = 64, height: int = 64) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), "#336699").save(output, format="PNG")
    return output.getvalue()


@pytest.fixture
def draft(make_user, make_class, now):
    """A student's draft submission for a badge that accepts every kind of evidence."""
    instructor = make_user(Role.INSTRUCTOR)
    student = make_user(Role.STUDENT)
    school_class = make_class(instructors=[instructor], students=[student])
    badge = create_badge(
        badge_input(
            accepted_kinds=["photo", "spreadsheet", "document", "link", "text"],
            class_id=school_class.id,
        ),
        actor=instructor,
        now=now,
    )
    publish_badge(badge, actor=instructor, now=now)
    submission = services.start_submission(badge, student=student, now=now)
    db.session.commit()
    return student, submission


def stored_files(app) -> list[Path]:
    return [p for p in Path(app.config["LAUREL_STORAGE_DIR"]).rglob("*") if p.is_file()]


def upload(client, submission, data: bytes, name: str):
    return client.post(
        f"/submissions/{submission.id}/files",
        data={"file-file": (io.BytesIO(data), name), "file-title": ""},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(
            zeros_workbook(256 * MiB),
            "budget.xlsx",
            "unpacks to far more",
            id="256MiB-zip-bomb-xlsx",
        ),
        pytest.param(
            zeros_workbook(64 * MiB), "budget.xlsx", "unpacks to far more", id="64MiB-zeros-ratio"
        ),
        pytest.param(
            lying_directory(zeros_workbook(64 * MiB), "xl/worksheets/sheet1.xml", 1000),
            "budget.xlsx",
            "content is not a .xlsx",
            id="zip-bomb-lying-directory",
        ),
        pytest.param(png_bytes()[:30], "photo.png", "damaged or incomplete", id="30-byte-png"),
        pytest.param(png_bytes()[:-20], "photo.png", "damaged or incomplete", id="png-cut-short"),
        pytest.param(
            truck_photo()[:2000], "truck.jpg", "damaged or incomplete", id="jpeg-cut-short"
        ),
    ],
)
def test_add_file_hostile_upload_refused_nothing_stored(
    app, client, login, draft, data, name, message
):
    student, submission = draft
    login(student)
    response = upload(client, submission, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert submission.items == []
    assert stored_files(app) == []


def test_add_file_real_workbook_and_photo_kept(app, client, login, draft):
    student, submission = draft
    login(student)
    workbook = build_xlsx([["part", "cost"], ["brakes", 120]])
    assert upload(client, submission, workbook, "budget.xlsx").status_code == 302
    assert upload(client, submission, truck_photo(), "truck.jpg").status_code == 302
    assert upload(client, submission, png_bytes(), "detail.png").status_code == 302
    db.session.expire_all()
    assert [item.original_name for item in submission.items] == [
        "budget.xlsx",
        "truck.jpg",
        "detail.png",
    ]


def test_add_file_300_character_png_name_kept_shortened_with_extension(app, client, login, draft):
    student, submission = draft
    login(student)
    name = "restoration-" + "x" * 284 + ".png"
    assert len(name) == 300
    response = upload(client, submission, png_bytes(), name)
    assert response.status_code == 302
    db.session.expire_all()
    (item,) = submission.items
    assert item.original_name.endswith("….png")
    assert len(item.original_name) == 255
    assert item.original_name.startswith("restoration-xxx")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("short.png", "short.png", id="short-kept"),
        pytest.param("a" * 300, "a" * 255, id="no-extension-cut"),
        pytest.param(
            "C:\\Users\\sam\\" + "b" * 300 + ".xlsx", "b" * 249 + "….xlsx", id="windows-path"
        ),
    ],
)
def test_display_name_keeps_extension(name, expected):
    assert display_name(name) == expected


@pytest.mark.parametrize(
    "url",
    [
        pytest.param('https://example.com/"><script>alert(1)</script>', id="quote-angle-script"),
        pytest.param("https://example.com/my report.pdf", id="space"),
        pytest.param("https://example.com/{x}", id="braces"),
        pytest.param("https://example.com/a\\b", id="backslash"),
    ],
)
def test_add_link_characters_not_allowed_in_iri_refused(client, login, draft, url):
    student, submission = draft
    login(student)
    response = client.post(
        f"/submissions/{submission.id}/links", data={"link-url": url, "link-title": ""}
    )
    assert response.status_code == 400
    assert "cannot contain" in response.get_data(as_text=True)
    db.session.expire_all()
    assert submission.items == []


def test_add_link_plain_address_added(client, login, draft):
    student, submission = draft
    login(student)
    response = client.post(
        f"/submissions/{submission.id}/links",
        data={"link-url": "https://example.com/truck?photo=1&size=big", "link-title": ""},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [item.url for item in submission.items] == ["https://example.com/truck?photo=1&size=big"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(truck_photo()[:2000], "truck.jpg", id="jpeg-cut-short"),
        pytest.param(truck_photo()[:-2], "truck.jpg", id="jpeg-without-end-marker"),
        pytest.param(png_bytes()[:-20], "photo.png", id="png-cut-short"),
    ],
)
def test_check_file_type_cut_photo_refused_after_weasyprint_import(data, name):
    """WeasyPrint makes Pillow pad truncated images process-wide; they must still be refused."""
    import weasyprint.images  # noqa: F401  (sets ImageFile.LOAD_TRUNCATED_IMAGES)
    from PIL import ImageFile

    from app.errors import UserError
    from app.evidence.filetypes import check_file_type

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    with pytest.raises(UserError, match="damaged or incomplete"):
        check_file_type(io.BytesIO(data), name)
    check_file_type(io.BytesIO(truck_photo() + b"phone trailer"), "truck.jpg")
