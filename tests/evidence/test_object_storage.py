"""Evidence files in an S3-compatible bucket (LAUREL_STORAGE_URL), against a real server on
loopback: uploads and downloads through the pages, failures, streaming, backup and restore
(with the badge images, which move between the bucket and the badge rows)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from app import create_app
from app.badges.image_store import sha256_hex
from app.badges.images import check_image_upload
from app.badges.models import Badge
from app.cli import cli
from app.config import ConfigurationError
from app.demo_files import temperature_workbook
from app.demo_files import truck_photo
from app.errors import NotFound
from app.errors import UserError
from app.evidence.models import EvidenceItem
from app.evidence.storage import configured_storage
from app.extensions import db
from app.storage.buckets import S3Storage
from tests.badges.test_image_store import SVG as BADGE_SVG
from tests.fixtures.object_storage import closed_port
from tests.fixtures.object_storage import objects_in
from tests.fixtures.object_storage import storage_url
from tests.records.helpers import Installation
from tests.records.helpers import parts_by_name


def _new_submission(client, school) -> int:
    response = client.post(f"/badges/{school.badge.slug}/submission")
    return int(response.headers["Location"].rstrip("/").split("/")[-2])


def _upload(client, submission_id: int, data: bytes, name: str):
    return client.post(
        f"/submissions/{submission_id}/files",
        data={"file-file": (io.BytesIO(data), name), "file-title": "My file"},
        content_type="multipart/form-data",
    )


def _rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) or 0


def test_upload_lands_in_the_bucket_and_downloads_byte_for_byte(
    in_bucket, client, login, school, s3_client, bucket
):
    login(school.student)
    submission_id = _new_submission(client, school)
    workbook = temperature_workbook()
    assert _upload(client, submission_id, workbook, "plot.xlsx").status_code == 302
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    assert objects_in(s3_client, bucket) == {f"evidence/{item.storage_key}": workbook}

    with client.get(f"/files/{item.id}") as download:
        body = download.get_data()
    assert download.status_code == 200
    assert body == workbook
    assert download.content_length == len(workbook)
    assert download.headers["Accept-Ranges"] == "bytes"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    with client.get(f"/files/{item.id}", headers={"Range": "bytes=100-199"}) as part:
        assert part.status_code == 206
        assert part.get_data() == workbook[100:200]
        assert part.headers["Content-Range"] == f"bytes 100-199/{len(workbook)}"
    etag = download.headers["ETag"]
    with client.get(f"/files/{item.id}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.get_data() == b""


def test_photo_from_the_bucket_inline_and_as_thumbnail(in_bucket, client, login, school):
    login(school.student)
    submission_id = _new_submission(client, school)
    assert _upload(client, submission_id, truck_photo(), "truck.jpg").status_code == 302
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    with client.get(f"/files/{item.id}") as photo:
        assert photo.get_data() == truck_photo()
        assert photo.headers["Content-Disposition"].startswith("inline")
    with client.get(f"/files/{item.id}/thumbnail") as thumbnail:
        assert thumbnail.status_code == 200
        assert thumbnail.mimetype == "image/jpeg"
        assert thumbnail.get_data()[:2] == b"\xff\xd8"


def test_removing_the_item_deletes_its_object(in_bucket, client, login, school, s3_client, bucket):
    login(school.student)
    submission_id = _new_submission(client, school)
    assert _upload(client, submission_id, truck_photo(), "truck.jpg").status_code == 302
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    assert objects_in(s3_client, bucket)
    response = client.post(f"/submissions/{submission_id}/items/{item.id}/remove")
    assert response.status_code == 302
    assert _rows() == 0
    assert objects_in(s3_client, bucket) == {}


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (truck_photo(), "truck.pdf", b"its content is not"),
        (b"", "empty.png", b"empty"),
    ],
)
def test_refused_upload_leaves_no_row_and_no_object(
    in_bucket, client, login, school, s3_client, bucket, data, name, message
):
    login(school.student)
    response = _upload(client, _new_submission(client, school), data, name)
    assert response.status_code == 400
    assert message in response.data
    assert _rows() == 0
    assert objects_in(s3_client, bucket) == {}


def test_oversize_upload_aborted_nothing_kept(in_bucket, app_ctx, s3_client, bucket):
    storage = configured_storage(app_ctx.config)
    with pytest.raises(UserError, match="larger than"):
        storage.save(io.BytesIO(b"x" * (9 * 1024 * 1024)), max_bytes=8 * 1024 * 1024 + 1)
    assert objects_in(s3_client, bucket) == {}
    listing = s3_client.list_multipart_uploads(Bucket=bucket)
    assert not listing.get("Uploads")


def test_database_failure_after_upload_deletes_the_object(
    in_bucket, client, login, school, s3_client, bucket
):
    login(school.student)
    submission_id = _new_submission(client, school)

    def refuse(session):
        raise RuntimeError("the database went away")

    sa.event.listen(db.session, "before_commit", refuse)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            _upload(client, submission_id, temperature_workbook(), "plot.xlsx")
    finally:
        sa.event.remove(db.session, "before_commit", refuse)
    db.session.rollback()
    assert _rows() == 0
    assert objects_in(s3_client, bucket) == {}


def test_unreachable_store_is_a_503_page_and_no_row(client, login, school):
    client.application.config["LAUREL_STORAGE_URL"] = storage_url(
        f"http://127.0.0.1:{closed_port()}", "laurel-elsewhere"
    )
    login(school.student)
    response = _upload(client, _new_submission(client, school), truck_photo(), "truck.jpg")
    assert response.status_code == 503
    assert b"cannot be reached right now" in response.data
    assert b"laurel-test-secret" not in response.data
    assert _rows() == 0


def test_missing_bucket_named_on_upload_download_and_check(
    s3_endpoint, client, login, school, submitted, runner
):
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    client.application.config["LAUREL_STORAGE_URL"] = storage_url(
        s3_endpoint, "laurel-no-such-bucket"
    )
    login(school.classmate)
    response = _upload(client, _new_submission(client, school), truck_photo(), "truck.jpg")
    assert response.status_code == 503
    assert b"bucket s3://laurel-no-such-bucket (at http://127.0.0.1:" in response.data
    assert b"does not exist. Create it, or correct LAUREL_STORAGE_URL" in response.data
    assert _rows() == 1

    login(school.student)
    with client.get(f"/files/{item.id}") as download:
        assert download.status_code == 503
        assert b"does not exist" in download.get_data()

    checked = runner.invoke(cli, args=["storage", "check"])
    assert checked.exit_code == 1
    assert "s3://laurel-no-such-bucket" in checked.output
    assert "does not exist" in checked.output
    assert "laurel-test-secret" not in checked.output


def test_storage_check_names_a_reachable_bucket(in_bucket, runner, bucket):
    checked = runner.invoke(cli, args=["storage", "check"])
    assert checked.exit_code == 0, checked.output
    assert f"the bucket s3://{bucket}" in checked.output
    assert "laurel-test-secret" not in checked.output


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://bucket", "is not an s3://BUCKET URL"),
        ("s3://", "is not an s3://BUCKET URL"),
        ("s3://key:secret@bucket?endpoint=http://x&colour=red", "unknown options: colour"),
    ],
)
def test_unusable_storage_url_refused_at_start(app_config, url, message):
    app_config["LAUREL_STORAGE_URL"] = url
    with pytest.raises(ConfigurationError, match=message) as refused:
        create_app(app_config)
    assert "secret" not in str(refused.value)


def test_missing_object_is_not_found(in_bucket, app_ctx):
    storage = configured_storage(app_ctx.config)
    assert isinstance(storage, S3Storage)
    with pytest.raises(NotFound):
        storage.size("0" * 32)
    with pytest.raises(NotFound):
        list(storage.chunks("0" * 32))
    with pytest.raises(NotFound):
        storage.size("../escape")


# A download in a process of its own, so that its memory is its own: tracemalloc's peak
# over the whole response, with the file far larger than that peak may be.
DOWNLOAD_PROBE = textwrap.dedent(
    """
    import hashlib, json, sys, tracemalloc
    from app import create_app
    from tests.fixtures.signin import sign_in
    from app.accounts.models import User
    from app.extensions import db

    config, item_id, user_id = json.loads(sys.argv[1])
    application = create_app(config)
    with application.app_context():
        client = application.test_client()
        sign_in(client, db.session.get(User, user_id))
        # Imports, the first request and the S3 client (botocore's service model is 10 MB
        # of JSON, loaded once per process) come before measuring: a HEAD sends no body.
        assert client.head(f"/files/{item_id}").status_code == 200
        tracemalloc.start()
        response = client.get(f"/files/{item_id}", buffered=False)
        digest, size = hashlib.sha256(), 0
        for chunk in response.response:
            digest.update(chunk)
            size += len(chunk)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"status": response.status_code, "length": response.content_length,
                      "size": size, "sha256": digest.hexdigest(), "peak": peak}))
    """
)
LARGE = 50 * 1024 * 1024


def test_large_file_downloads_streamed_in_bounded_memory(
    in_bucket, app_config, app_ctx, school, submitted, tmp_path
):
    storage = configured_storage(app_ctx.config)
    big = tmp_path / "big.pdf"
    digest = hashlib.sha256()
    with open(big, "wb") as out:
        for _ in range(LARGE // (1024 * 1024)):
            block = os.urandom(1024 * 1024)
            digest.update(block)
            out.write(block)
    with open(big, "rb") as stream:
        stored = storage.save(stream, max_bytes=LARGE)
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    item.storage_key, item.size = stored.key, stored.size
    item.mime_type, item.original_name = "application/pdf", "big.pdf"
    db.session.commit()

    arguments = json.dumps([app_config, item.id, school.student.id])
    probe = subprocess.run(
        [sys.executable, "-c", DOWNLOAD_PROBE, arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert probe.returncode == 0, probe.stderr
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["status"] == 200
    assert result["length"] == result["size"] == LARGE
    assert result["sha256"] == digest.hexdigest() == stored.sha256
    # Whole-file buffering would need 50 MB at least; streaming holds a few chunks.
    assert result["peak"] < 2 * 1024 * 1024, result


def test_backup_from_a_bucket_restores_onto_disk_and_back_into_a_bucket(
    in_bucket,
    runner,
    school,
    submitted,
    make_badge,
    app_config,
    keys_dir,
    tmp_path,
    make_bucket,
    s3_client,
):
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    svg = check_image_upload(BADGE_SVG, "badge.svg")
    badge = make_badge(school.instructor, name="Peer Tutor", image=svg)
    assert svg.png is not None
    images = {svg.data: sha256_hex(svg.data), svg.png: sha256_hex(svg.png)}
    backup = tmp_path / "from-bucket.laurel"
    made = runner.invoke(cli, args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    parts = parts_by_name(backup)
    assert parts[f"evidence/{item.storage_key}"] == truck_photo()
    assert {f"badge-images/{key}": data for data, key in images.items()} == {
        name: data for name, data in parts.items() if name.startswith("badge-images/")
    }

    on_disk = Installation.empty(
        tmp_path / "disk", f"sqlite:///{tmp_path / 'disk' / 'laurel.db'}", keys_dir.passphrase
    )
    local_config = {**on_disk.config(app_config), "LAUREL_STORAGE_URL": None}
    second = tmp_path / "from-disk.laurel"
    served = _restore_and_backup(local_config, backup, second)
    assert (on_disk.storage_dir / item.storage_key[:2] / item.storage_key).read_bytes() == (
        truck_photo()
    )
    # Back in the badge row, so the backup from the disk carries it in database/badge.jsonl.
    assert served[badge.achievement_uuid] == (svg.data, svg.data)
    kept = parts_by_name(second)
    assert {n: d for n, d in kept.items() if not _badge_part(n)} == {
        n: d for n, d in parts.items() if not _badge_part(n)
    }
    assert not any(name.startswith("badge-images/") for name in kept)

    name, url = make_bucket()
    into_bucket = Installation.empty(
        tmp_path / "bucket", f"sqlite:///{tmp_path / 'bucket' / 'laurel.db'}", keys_dir.passphrase
    )
    served = _restore_and_backup(
        {**into_bucket.config(app_config), "LAUREL_STORAGE_URL": url},
        second,
        tmp_path / "again.laurel",
    )
    # Moved out of the badge row into the bucket at the end of the restore.
    assert served[badge.achievement_uuid] == (svg.data, None)
    assert objects_in(s3_client, name) == {
        f"evidence/{item.storage_key}": truck_photo(),
        **{f"evidence/badge-images/{key}": data for data, key in images.items()},
    }
    assert not into_bucket.storage_dir.exists()


def _badge_part(name: str) -> bool:
    return name.startswith("badge-images/") or name == "database/badge.jsonl"


def test_restore_refuses_a_bucket_that_holds_files(
    in_bucket, runner, school, submitted, app_config, keys_dir, tmp_path
):
    backup = tmp_path / "school.laurel"
    assert runner.invoke(cli, args=["backup", str(backup)]).exit_code == 0
    target = Installation.empty(
        tmp_path / "t", f"sqlite:///{tmp_path / 't' / 'laurel.db'}", keys_dir.passphrase
    )
    application = create_app(target.config(app_config))  # the same, non-empty bucket
    with application.app_context():
        refused = application.test_cli_runner().invoke(cli, args=["restore", str(backup)])
        db.engine.dispose()
    assert refused.exit_code != 0
    assert "already stores evidence files in the bucket" in refused.output


def _restore_and_backup(config, backup, out) -> dict[str, tuple[bytes, bytes | None]]:
    """Restore `backup`, back up to `out`; by achievement uuid, the image its public URL
    serves and the bytes its badge row holds."""
    application = create_app(config)
    try:
        with application.app_context():
            runner = application.test_cli_runner()
            restored = runner.invoke(cli, args=["restore", str(backup)])
            assert restored.exit_code == 0, restored.output
            again = runner.invoke(cli, args=["backup", str(out)])
            assert again.exit_code == 0, again.output
            client = application.test_client()
            return {
                badge.achievement_uuid: (
                    client.get(f"/achievements/{badge.achievement_uuid}/image").data,
                    badge.image,
                )
                for badge in db.session.scalars(sa.select(Badge))
            }
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def test_credentials_from_the_standard_environment_variables(
    app_config, s3_endpoint, bucket, monkeypatch
):
    from tests.fixtures.object_storage import ACCESS_KEY
    from tests.fixtures.object_storage import REGION
    from tests.fixtures.object_storage import SECRET_KEY

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    app_config["LAUREL_STORAGE_URL"] = (
        f"s3://{bucket}/school-a?endpoint={s3_endpoint}&region={REGION}"
    )
    storage = configured_storage(app_config)
    stored = storage.save(io.BytesIO(b"from the environment"), max_bytes=100)
    assert b"".join(storage.chunks(stored.key)) == b"from the environment"
    assert b"".join(storage.chunks(stored.key, start=5)) == b"the environment"
    assert storage.describe() == f"the bucket s3://{bucket} (at {s3_endpoint})"
    assert isinstance(storage, S3Storage) and storage.prefix == "school-a/"


def test_storage_check_on_the_local_directory(runner, app_config):
    checked = runner.invoke(cli, args=["storage", "check"])
    assert checked.exit_code == 0, checked.output
    assert f"the directory {app_config['LAUREL_STORAGE_DIR']}" in checked.output


def test_removal_stands_when_the_store_is_down_and_names_the_file_left(
    in_bucket, client, login, school, caplog
):
    login(school.student)
    submission_id = _new_submission(client, school)
    assert _upload(client, submission_id, truck_photo(), "truck.jpg").status_code == 302
    item = db.session.scalars(sa.select(EvidenceItem)).one()
    key = item.storage_key
    client.application.config["LAUREL_STORAGE_URL"] = storage_url(
        f"http://127.0.0.1:{closed_port()}", "laurel-elsewhere"
    )
    response = client.post(f"/submissions/{submission_id}/items/{item.id}/remove")
    assert response.status_code == 302
    assert _rows() == 0
    assert f"evidence file {key} was not deleted" in caplog.text
