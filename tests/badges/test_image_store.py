"""Badge images in the badge row (the default) or in the bucket of LAUREL_STORAGE_URL, against
a real S3-compatible server on loopback: where they land, how they are served, edits and the
per-process cache, a missing bucket or object, moving old images. Backup and restore across
the two: tests/evidence/test_object_storage.py."""

from __future__ import annotations

import hashlib
import io
import json
import logging

import pytest
import sqlalchemy as sa

from app.badges.image_store import image_bucket
from app.badges.image_store import put_object
from app.badges.images import check_image_upload
from app.badges.images import default_svg
from app.badges.models import Badge
from app.cli import cli
from app.evidence.storage import configured_storage
from app.extensions import db
from app.share.images import badge_png
from tests.badges.test_badge_pages import form_data
from tests.badges.test_image_limits import png_bytes
from tests.fixtures.object_storage import objects_in
from tests.fixtures.object_storage import storage_url

FOLDER = "evidence/badge-images/"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<circle cx="5" cy="5" r="4" fill="#369"/></svg>'
)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _new_badge(client, image: bytes, name: str = "badge.png"):
    data = form_data(image=(io.BytesIO(image), name))
    return client.post("/badges/new", data=data, content_type="multipart/form-data")


def _edit_image(client, badge: Badge, image: bytes):
    data = form_data(image=(io.BytesIO(image), "badge.png"), revision=str(badge.revision))
    return client.post(f"/badges/{badge.slug}/edit", data=data, content_type="multipart/form-data")


def _the_badge() -> Badge:
    db.session.expire_all()
    return db.session.scalars(sa.select(Badge)).one()


@pytest.fixture(params=["row", "bucket"])
def image_home(request, app_config) -> str:
    """Run the test with images in the badge rows, then in a bucket (before the app exists)."""
    if request.param == "bucket":
        request.getfixturevalue("in_bucket")
    return request.param


def test_bucket_holds_images_by_digest_and_the_row_keeps_keys(
    in_bucket, login, school, s3_client, bucket
):
    client = login(school.instructor)
    assert _new_badge(client, SVG, "badge.svg").status_code == 302
    badge = _the_badge()
    drawn = objects_in(s3_client, bucket)
    assert badge.image is None and badge.image_png is None
    assert badge.image_mime == "image/svg+xml"
    assert set(drawn) == {FOLDER + badge.image_sha256, FOLDER + badge.image_png_sha256}
    assert _sha(drawn[FOLDER + badge.image_sha256]) == badge.image_sha256
    assert drawn[FOLDER + badge.image_png_sha256][:8] == b"\x89PNG\r\n\x1a\n"

    shown = client.get(f"/badges/{badge.slug}/image")
    assert shown.status_code == 200
    assert shown.data == drawn[FOLDER + badge.image_sha256]
    assert shown.headers["Content-Type"] == "image/svg+xml"
    assert shown.headers["ETag"] == f'"{badge.image_sha256}"'
    assert shown.headers["Cache-Control"] == "public, max-age=300"
    again = client.get(
        f"/badges/{badge.slug}/image", headers={"If-None-Match": shown.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    assert badge_png(badge) == drawn[FOLDER + badge.image_png_sha256]


def test_local_default_keeps_images_in_the_row(login, school):
    client = login(school.instructor)
    image = png_bytes(16, 16)
    assert _new_badge(client, image).status_code == 302
    badge = _the_badge()
    assert (badge.image, badge.image_png) == (image, image)
    assert badge.image_sha256 == badge.image_png_sha256 == _sha(image)
    shown = client.get(f"/badges/{badge.slug}/image")
    assert shown.data == image and shown.headers["ETag"] == f'"{_sha(image)}"'


def test_an_edit_shows_on_the_next_request(image_home, login, school):
    client = login(school.instructor)
    first, second = png_bytes(8, 8), png_bytes(24, 24)
    assert _new_badge(client, first).status_code == 302
    badge = _the_badge()
    assert client.post(f"/badges/{badge.slug}/publish").status_code == 302
    url = f"/achievements/{badge.achievement_uuid}/image"
    assert client.get(url).data == first
    assert badge_png(_the_badge()) == first

    assert _edit_image(client, _the_badge(), second).status_code == 302
    shown = client.get(url)
    assert shown.data == second
    assert shown.headers["ETag"] == f'"{_sha(second)}"'
    assert client.get(f"/badges/{badge.slug}/image").data == second
    assert badge_png(_the_badge()) == second

    removed = form_data(remove_image="y", revision=str(_the_badge().revision))
    assert client.post(f"/badges/{badge.slug}/edit", data=removed).status_code == 302
    assert client.get(url).data == default_svg(badge.name)
    assert _the_badge().image_sha256 is None


def test_bucket_reads_are_kept_per_process_by_digest(in_bucket, login, school, s3_client, bucket):
    client = login(school.instructor)
    assert _new_badge(client, png_bytes(28, 28)).status_code == 302
    badge = _the_badge()
    assert client.get(f"/badges/{badge.slug}/image").data == png_bytes(28, 28)
    s3_client.delete_object(Bucket=bucket, Key=FOLDER + badge.image_sha256)
    # Read once, kept: the bucket is not asked again for the same digest.
    assert client.get(f"/badges/{badge.slug}/image").data == png_bytes(28, 28)
    assert _edit_image(client, badge, png_bytes(36, 36)).status_code == 302
    assert client.get(f"/badges/{badge.slug}/image").data == png_bytes(36, 36)


def test_missing_bucket_at_upload_is_a_form_error_and_nothing_is_saved(
    s3_endpoint, app_config, login, school, make_badge
):
    badge = make_badge(school.instructor, image=check_image_upload(png_bytes(), "badge.png"))
    before = (badge.image_sha256, badge.revision, badge.image)
    client = login(school.instructor)
    client.application.config["LAUREL_STORAGE_URL"] = storage_url(
        s3_endpoint, "laurel-no-such-bucket"
    )

    refused = _new_badge(client, png_bytes(12, 12))
    assert refused.status_code == 503
    assert b"could not be stored, so nothing was saved" in refused.data
    assert b"s3://laurel-no-such-bucket" in refused.data and b"does not exist" in refused.data
    assert b"laurel-test-secret" not in refused.data
    assert b'name="name"' in refused.data  # the form, filled in, to try again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Badge)) == 1

    refused = _edit_image(client, badge, png_bytes(12, 12))
    assert refused.status_code == 503
    kept = _the_badge()
    assert (kept.image_sha256, kept.revision, kept.image) == before


def test_missing_object_at_read_shows_the_medallion_and_is_logged(
    in_bucket, login, school, s3_client, bucket, caplog
):
    client = login(school.instructor)
    assert _new_badge(client, png_bytes(20, 20)).status_code == 302
    badge = _the_badge()
    s3_client.delete_object(Bucket=bucket, Key=FOLDER + badge.image_sha256)
    with caplog.at_level(logging.WARNING):
        shown = client.get(f"/badges/{badge.slug}/image")
    assert shown.status_code == 200
    assert shown.data == default_svg(badge.name)
    assert f"Image {badge.image_sha256} of badge {badge.slug!r} cannot be read" in caplog.text
    certificate_png = badge_png(badge)
    assert certificate_png[:8] == b"\x89PNG\r\n\x1a\n" and certificate_png != png_bytes(20, 20)


def test_move_badge_images_into_the_bucket_is_idempotent(
    app_config, login, school, make_badge, runner, s3_client, make_bucket
):
    svg = make_badge(school.instructor, image=check_image_upload(SVG, "badge.svg"))
    png = make_badge(
        school.instructor, name="Peer Tutor", image=check_image_upload(png_bytes(), "tutor.png")
    )
    plain = make_badge(school.instructor, name="Data Plotting")
    kept = {b.id: (b.image, b.image_png) for b in (svg, png)}
    refused = runner.invoke(cli, args=["storage", "move-badge-images"])
    assert refused.exit_code == 1 and "LAUREL_STORAGE_URL is not set" in refused.output

    name, url = make_bucket()
    runner.app.config["LAUREL_STORAGE_URL"] = url
    moved = runner.invoke(cli, args=["storage", "move-badge-images"])
    assert moved.exit_code == 0, moved.output
    assert f"Moved the images of 2 badges into the bucket s3://{name}" in moved.output
    objects = objects_in(s3_client, name)
    assert sorted(objects.values()) == sorted({*kept[svg.id], *kept[png.id]})
    db.session.expire_all()
    for badge in (svg, png):
        row = db.session.get(Badge, badge.id)
        assert row.image is None and row.image_png is None
        assert objects[FOLDER + row.image_sha256] == kept[badge.id][0]
        assert objects[FOLDER + row.image_png_sha256] == kept[badge.id][1]
    assert db.session.get(Badge, plain.id).image_sha256 is None

    again = runner.invoke(cli, args=["storage", "move-badge-images"])
    assert again.exit_code == 0 and "Moved the images of 0 badges" in again.output
    assert objects_in(s3_client, name) == objects
    client = login(school.student)
    assert client.get(f"/achievements/{svg.achievement_uuid}/image").data == kept[svg.id][0]
    assert client.get(f"/achievements/{png.achievement_uuid}/image").data == kept[png.id][0]
    checked = runner.invoke(cli, args=["storage", "check"])
    assert f"Badge images are stored in the bucket s3://{name}" in checked.output


def test_credential_issued_before_the_move_keeps_its_image_url(
    app_config, make_credential, runner, make_bucket, client
):
    image = png_bytes(30, 30)
    credential = make_credential(image=check_image_upload(image, "badge.png"))
    image_url = json.loads(credential.json_text)["credentialSubject"]["achievement"]["image"]["id"]
    assert image_url.endswith(f"/achievements/{credential.badge.achievement_uuid}/image")
    _, url = make_bucket()
    runner.app.config["LAUREL_STORAGE_URL"] = url
    assert runner.invoke(cli, args=["storage", "move-badge-images"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(Badge, credential.badge_id).image is None
    shown = client.get("/" + image_url.split("://", 1)[1].split("/", 1)[1])
    assert shown.status_code == 200 and shown.data == image


def test_badge_images_do_not_count_as_evidence_in_the_bucket(in_bucket, app_ctx, s3_client, bucket):
    evidence = configured_storage(app_ctx.config)
    images = image_bucket(app_ctx.config)
    assert images is not None
    assert put_object(images, b"an image") is True
    assert put_object(images, b"an image") is False  # the same bytes: already there
    assert evidence.is_empty() and not images.is_empty()
    evidence.save(io.BytesIO(b"a file"), max_bytes=100)
    assert not evidence.is_empty()
    assert set(objects_in(s3_client, bucket)) >= {FOLDER + _sha(b"an image")}
