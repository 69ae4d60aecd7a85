"""Stored files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage, …).

LAUREL_STORAGE_URL names the bucket:

    s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]
    s3://ACCESS_KEY_ID:SECRET_ACCESS_KEY@BUCKET/PREFIX?endpoint=URL   (URL-encoded secrets)

Without credentials in the URL boto3 finds them the standard way (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance role). With an `endpoint` (MinIO and other
servers of your own) buckets are addressed by path, as those servers expect. Evidence
files are named PREFIX + key (PREFIX defaults to "evidence/"), badge images PREFIX +
"badge-images/" + sha256 (app.badges.image_store); the bucket itself must exist:
Laurel never creates it, so a typo cannot start an empty school.

Every failure to reach the bucket is an `Unavailable` (a 503 page naming the bucket),
never a traceback; a missing object is `NotFound`.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tempfile
from collections.abc import Iterator
from typing import Any
from typing import BinaryIO
from typing import cast

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError
from flask_babel import lazy_gettext

from app.config import parse_storage_url
from app.errors import NotFound
from app.errors import Unavailable
from app.errors import UserError
from app.storage.files import CHUNK_SIZE
from app.storage.files import KEY_PATTERN
from app.storage.files import StoredFile
from app.storage.files import checked_key
from app.storage.files import empty_file
from app.storage.files import new_key
from app.storage.files import too_large

# Files up to this size are read back into memory for a preview or a check; larger ones
# spill to a temporary file, so a worker's memory stays bounded whatever was uploaded.
SPOOL_BYTES = 1024 * 1024
MISSING_OBJECT = {"404", "NoSuchKey", "NotFound"}
# Folders under PREFIX that hold other stores' objects (badge-images/): a listing that
# rolls them up still reaches an evidence file if there is one.
LISTED_FOLDERS = 4


class _Counted:
    """Reads a stream for an upload, hashing it and refusing more than `max_bytes`."""

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self.stream = stream
        self.max_bytes = max_bytes
        self.size = 0
        self.digest = hashlib.sha256()
        self.refused: UserError | None = None

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.refused = too_large(self.max_bytes)
            raise self.refused
        self.digest.update(chunk)
        return chunk


class S3Storage:
    """Files as objects PREFIX + key in one bucket, each key matching `keys`."""

    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str,
        shown: str,
        *,
        keys: re.Pattern[str] = KEY_PATTERN,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.shown = shown
        self.keys = keys
        # One part at a time: an upload holds at most one part (8 MB) in memory.
        self.transfer = TransferConfig(use_threads=False)

    def _name(self, key: str) -> str:
        return self.prefix + checked_key(key, self.keys)

    def _unavailable(self, error: Exception) -> Unavailable:
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code == "NoSuchBucket":
                return Unavailable(
                    lazy_gettext(
                        "The bucket %(shown)s does not exist. Create it, or correct "
                        "LAUREL_STORAGE_URL.",
                        shown=self.shown,
                    )
                )
            if code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"}:
                return Unavailable(
                    lazy_gettext(
                        "The bucket %(shown)s refused Laurel's credentials "
                        "(%(code)s). Check the access key in LAUREL_STORAGE_URL or "
                        "AWS_ACCESS_KEY_ID and the bucket's policy.",
                        shown=self.shown,
                        code=code,
                    )
                )
            return Unavailable(
                lazy_gettext(
                    "The bucket %(shown)s answered with an error (%(code)s).",
                    shown=self.shown,
                    code=code,
                )
            )
        return Unavailable(
            lazy_gettext(
                "The storage server of %(shown)s cannot be reached right "
                "now. Try again in a moment; if it persists, check that the "
                "storage server is running.",
                shown=self.shown,
            )
        )

    def _missing_or_unavailable(self, error: Exception) -> Exception:
        if isinstance(error, ClientError):
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in MISSING_OBJECT:
                return NotFound(lazy_gettext("That file is no longer stored."))
        return self._unavailable(error)

    def save(self, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        return self._upload(new_key(), stream, max_bytes=max_bytes)

    def put(self, key: str, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        try:
            self.size(key)
        except NotFound:
            return self._upload(key, stream, max_bytes=max_bytes)
        raise UserError(lazy_gettext("A file is already stored under that name."))

    def _upload(self, key: str, stream: BinaryIO, *, max_bytes: int) -> StoredFile:
        name = self._name(key)
        counted = _Counted(stream, max_bytes)
        try:
            self.client.upload_fileobj(counted, self.bucket, name, Config=self.transfer)
        except UserError:
            raise
        except (BotoCoreError, ClientError, Boto3Error) as error:
            # The transfer library may wrap what our reader raised; it aborted the upload.
            if counted.refused is not None:
                raise counted.refused from None
            raise self._unavailable(error) from None
        if counted.size == 0:
            self.delete(key)
            raise empty_file()
        return StoredFile(key=key, size=counted.size, sha256=counted.digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
        try:
            for chunk in self.chunks(key):
                spool.write(chunk)
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return cast(BinaryIO, spool)

    def size(self, key: str) -> int:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except (BotoCoreError, ClientError) as error:
            problem = self._missing_or_unavailable(error)
            if isinstance(problem, NotFound):
                # A HEAD answer has no body: a missing bucket also says only "404".
                self._check_bucket()
            raise problem from None
        return int(head["ContentLength"])

    def chunks(self, key: str, *, start: int = 0) -> Iterator[bytes]:
        extra = {"Range": f"bytes={start}-"} if start else {}
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._name(key), **extra)["Body"]
        except (BotoCoreError, ClientError) as error:
            raise self._missing_or_unavailable(error) from None
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        try:
            name = self._name(key)
        except NotFound:
            return
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except (BotoCoreError, ClientError) as error:
            raise self._unavailable(error) from None

    def is_empty(self) -> bool:
        """No object right under PREFIX (the folders below it, badge-images/, are other stores)."""
        try:
            listing = self.client.list_objects_v2(
                Bucket=self.bucket, Prefix=self.prefix, Delimiter="/", MaxKeys=LISTED_FOLDERS + 1
            )
        except (BotoCoreError, ClientError) as error:
            raise self._unavailable(error) from None
        return not listing.get("Contents")

    def _check_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code in {"404", "NoSuchBucket", "NotFound"}:
                error.response["Error"]["Code"] = "NoSuchBucket"
            raise self._unavailable(error) from None
        except BotoCoreError as error:
            raise self._unavailable(error) from None

    def check(self) -> None:
        """The bucket exists, and a probe object (not a key: no row can name it) can be
        written and deleted with Laurel's credentials."""
        self._check_bucket()
        probe = f"{self.prefix}.laurel-check"
        try:
            self.client.put_object(Bucket=self.bucket, Key=probe, Body=b"")
            self.client.delete_object(Bucket=self.bucket, Key=probe)
        except (BotoCoreError, ClientError) as error:
            raise self._unavailable(error) from None

    def describe(self) -> str:
        return f"the bucket {self.shown}"


def bucket_storage(url: str, *, folder: str = "", keys: re.Pattern[str] = KEY_PATTERN) -> S3Storage:
    """The store for LAUREL_STORAGE_URL: objects PREFIX + folder + key (keys matching `keys`)."""
    settings = parse_storage_url(url)
    shown = f"s3://{settings['bucket']}"
    if settings["endpoint"]:
        shown += f" (at {settings['endpoint']})"
    return S3Storage(
        _client(url), settings["bucket"], settings["prefix"] + folder, shown, keys=keys
    )


@functools.lru_cache(maxsize=8)
def _client(url: str) -> Any:
    """One client per URL and process (clients are thread-safe and slow to make)."""
    settings = parse_storage_url(url)
    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings["endpoint"],
        region_name=settings["region"],
        aws_access_key_id=settings["access_key"],
        aws_secret_access_key=settings["secret_key"],
        config=Config(
            connect_timeout=5,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path" if settings["endpoint"] else "auto"},
        ),
    )
