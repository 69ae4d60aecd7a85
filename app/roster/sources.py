"""What was uploaded, as one stored file and then as a `Roster`.

An upload is a OneRoster zip bundle, the bundle's CSV files chosen together (zipped
here, so an import is always one stored file), or Laurel's own name,email,role,class
CSV. A zip is unpacked with limits checked before and while reading: its directory
can lie about sizes, and a small zip can unpack to gigabytes.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from flask_babel import gettext

from app.accounts.roster import MAX_ROSTER_BYTES
from app.accounts.roster import RowOutcome
from app.accounts.roster import decode_roster
from app.accounts.roster import parse_roster
from app.errors import UserError
from app.roster.oneroster import MAX_FILE_BYTES
from app.roster.oneroster import read_bundle
from app.roster.records import Course
from app.roster.records import Enrollment
from app.roster.records import Person
from app.roster.records import Problem
from app.roster.records import Roster

ONEROSTER = "oneroster"
CSV = "csv"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_MEMBERS = 40
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
UNPACK_CHUNK = 256 * 1024
ONEROSTER_FILES = frozenset(
    {
        "manifest.csv", "users.csv", "classes.csv", "enrollments.csv", "orgs.csv", "roles.csv",
        "courses.csv", "academicSessions.csv", "demographics.csv", "userProfiles.csv",
        "userResources.csv", "resources.csv", "classResources.csv", "courseResources.csv",
        "categories.csv", "lineItems.csv", "results.csv", "scoreScales.csv",
        "lineItemScoreScales.csv", "resultScoreScales.csv", "lineItemLearningObjectiveIds.csv",
        "resultLearningObjectiveIds.csv",
    }
)  # fmt: skip
ZIP_MAGIC = b"PK\x03\x04"


def _too_large(what: str) -> UserError:
    return UserError(
        gettext(
            "%(what)s is larger than %(max_upload_bytes)s MB. Export one "
            "school or one term at a time.",
            what=what,
            max_upload_bytes=MAX_UPLOAD_BYTES // (1024 * 1024),
        )
    )


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in files:
            bundle.writestr(name, data)
    return buffer.getvalue()


def stored_upload(files: list[tuple[str, bytes]]) -> tuple[str, bytes, str]:
    """(kind, the bytes to keep, a name for it) for what was chosen: one file or several.

    :raises UserError: nothing, too much, or files that are neither a bundle nor a roster.
    """
    files = [(PurePosixPath(name.replace("\\", "/")).name, data) for name, data in files]
    if not files:
        raise UserError(
            gettext("Choose a OneRoster zip file, its CSV files, or a roster CSV file.")
        )
    if sum(len(data) for _, data in files) > MAX_UPLOAD_BYTES:
        raise _too_large("The upload")
    if len(files) > 1:
        names = [name for name, _ in files]
        strangers = sorted(set(names) - ONEROSTER_FILES)
        if strangers or len(set(names)) != len(names):
            raise UserError(
                gettext(
                    "Several files make a OneRoster bundle only when they are "
                    "its CSV files (manifest.csv, users.csv, …), each once; not: "
                    "%(names)s.",
                    names=", ".join(strangers) or names,
                )
            )
        return ONEROSTER, _zip(files), "OneRoster files"
    name, data = files[0]
    if data.startswith(ZIP_MAGIC):
        return ONEROSTER, data, name
    if name in ONEROSTER_FILES:
        raise UserError(
            gettext(
                "%(name)s is one file of a OneRoster bundle: choose all its "
                "CSV files together (manifest.csv, users.csv, classes.csv, "
                "enrollments.csv, orgs.csv), or the zip.",
                name=name,
            )
        )
    if len(data) > MAX_ROSTER_BYTES:
        decode_roster(data)  # says how large a roster CSV may be
    return CSV, data, name


def unzip(data: bytes) -> dict[str, bytes]:
    """The CSV files of a zip bundle by name (folders inside are ignored, as is `__MACOSX/`).

    :raises UserError: not a zip, encrypted, too many or too large files, or a zip bomb.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large("The zip file")
    bomb = UserError(
        gettext(
            "The zip file unpacks to more than %(max_unpacked_bytes)s MB "
            "(or holds a file over %(max_file_bytes)s MB): that is not a "
            "school roster. Export one school or one term at a time.",
            max_unpacked_bytes=MAX_UNPACKED_BYTES // (1024 * 1024),
            max_file_bytes=MAX_FILE_BYTES // (1024 * 1024),
        )
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            ]
            if len(members) > MAX_MEMBERS:
                raise UserError(
                    gettext(
                        "The zip file holds %(value_count)s files; a OneRoster "
                        "bundle has at most %(value_count2)s.",
                        value_count=len(members),
                        value_count2=len(ONEROSTER_FILES),
                    )
                )
            if sum(info.file_size for info in members) > MAX_UNPACKED_BYTES or any(
                info.file_size > MAX_FILE_BYTES for info in members
            ):
                raise bomb
            files: dict[str, bytes] = {}
            unpacked = 0
            for info in members:
                name = PurePosixPath(info.filename).name
                if name in files:
                    raise UserError(
                        gettext("The zip file holds two files called %(name)s.", name=name)
                    )
                chunks: list[bytes] = []
                size = 0
                with archive.open(info) as member:
                    while chunk := member.read(UNPACK_CHUNK):
                        unpacked += len(chunk)
                        size += len(chunk)
                        if unpacked > MAX_UNPACKED_BYTES or size > MAX_FILE_BYTES:
                            raise bomb
                        chunks.append(chunk)
                files[name] = b"".join(chunks)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise UserError(
            gettext("The file is not a readable zip file (%(error)s).", error=error)
        ) from error
    except RuntimeError as error:  # zipfile's word for an encrypted member
        raise UserError(
            gettext("The zip file is encrypted; export it again without a password.")
        ) from error
    if "manifest.csv" not in files:
        held = ", ".join(sorted(files)[:8]) or "nothing"
        raise UserError(
            gettext(
                "This zip file is not a OneRoster bundle: it has no "
                "manifest.csv (it holds %(held)s).",
                held=held,
            )
        )
    return files


def _from_csv(data: bytes) -> Roster:
    """Laurel's own CSV: people by email, classes by name; it only adds."""
    roster = Roster(kind=CSV)
    class_names = set()
    for row in parse_roster(decode_roster(data)):
        if row.outcome == RowOutcome.REJECTED:
            roster.problems.append(Problem("", row.line, row.reason))
            continue
        roster.people.append(
            Person(
                file="",
                line=row.line,
                key=row.email,
                sourced_id=None,
                name=row.name,
                email=row.email,
                role=row.role,
            )
        )
        if row.class_name:
            if row.class_name not in class_names:
                class_names.add(row.class_name)
                roster.classes.append(
                    Course(
                        file="",
                        line=row.line,
                        key=row.class_name,
                        sourced_id=None,
                        title=row.class_name,
                    )
                )
            roster.enrollments.append(
                Enrollment(
                    file="",
                    line=row.line,
                    person_key=row.email,
                    class_key=row.class_name,
                    role=row.role,
                )
            )
    return roster


def read_roster(kind: str, data: bytes) -> Roster:
    """The roster a stored upload holds.

    :raises UserError: the file as a whole is unusable.
    """
    if kind == ONEROSTER:
        return read_bundle(unzip(data))
    return _from_csv(data)
