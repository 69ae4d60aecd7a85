"""A school's data as an older Laurel stored it, written with plain SQL at any revision.

The rows name every column some revision has had; `seed_school` reflects the tables
as they are at the database's revision and writes only the columns that exist
there, so the same school can be planted at 0001 or at head. The credentials and
status lists are signed for real, so they must still verify after the upgrade.
A later revision that adds a NOT NULL column without a default fails here with the
column's name: give the rows a value for it (what that revision's users would have).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image
from werkzeug.security import generate_password_hash

from app.credentials import status as bitstring
from app.credentials.did import did_web_from_url
from app.credentials.document import AchievementData
from app.credentials.document import EvidenceData
from app.credentials.document import Issuer
from app.credentials.document import RubricLevelData
from app.credentials.document import SubjectData
from app.credentials.document import build_credential
from app.credentials.document import format_datetime
from app.credentials.keys import KeyStore
from app.credentials.signing import serialize
from app.credentials.signing import sign_credential
from app.credentials.signing import sign_document

SCHOOL_URL = "https://maplegrove.example"
PASSWORD = "maple-grove-2026"
PASSWORD_HASH = generate_password_hash(PASSWORD, method="scrypt")
DEVELOPING, PROFICIENT, MASTERY = (
    f"urn:uuid:1e7e1000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3)
)
LEVELS = [
    {"id": DEVELOPING, "name": "Developing", "description": "Working towards it"},
    {"id": PROFICIENT, "name": "Proficient", "description": "Meets every criterion"},
    {"id": MASTERY, "name": "Mastery", "description": "Could teach it"},
]
ACTIVE_ID = "3f1c7a52-0d7e-4b8e-9a51-6c2f0e9d1a01"
REVOKED_ID = "3f1c7a52-0d7e-4b8e-9a51-6c2f0e9d1a02"
SUSPENDED_ID = "3f1c7a52-0d7e-4b8e-9a51-6c2f0e9d1a03"
# Drawn at random in a real list; fixed here so that the bits can be checked.
SLOTS = {ACTIVE_ID: (1207, 88001), REVOKED_ID: (40960, 3), SUSPENDED_ID: (131071, 70000)}


def png(width: int, height: int, colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class EvidenceFile:
    storage_key: str
    content: bytes


@dataclass(frozen=True)
class OldSchool:
    """What was planted: the rows as written (only the columns of that revision) and the files."""

    rows: dict[str, list[dict[str, Any]]]
    files: tuple[EvidenceFile, ...]

    def row(self, table: str, **match: Any) -> dict[str, Any]:
        return next(r for r in self.rows[table] if all(r[k] == v for k, v in match.items()))


def _users(now: datetime) -> list[dict[str, Any]]:
    people = [
        (1, "admin@maplegrove.example", "Ada Okafor", "ADMIN"),
        (2, "jlee@maplegrove.example", "Jordan Lee", "INSTRUCTOR"),
        (3, "sam@maplegrove.example", "Sam Rivera", "STUDENT"),
        (4, "maya@maplegrove.example", "Maya Chen", "STUDENT"),
        (5, "leo@maplegrove.example", "Leo Martín-Ñúñez", "STUDENT"),
    ]
    return [
        {
            "id": number,
            "email": email,
            "name": name,
            "role": role,
            "password_hash": PASSWORD_HASH if number < 5 else None,
            "learner_uuid": f"00000000-0000-4000-8000-0000000000{number:02d}",
            "learner_did": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
            if number == 4
            else None,
            "identity_salt": f"{number:02d}" * 16,
            "is_active_account": True,
            "created_at": now - timedelta(days=400),
            "session_token": f"{number:032x}",
        }
        for number, email, name, role in people
    ]


def _badges(now: datetime) -> list[dict[str, Any]]:
    common = {
        "criteria_items": ["Safety check signed off", "Parts budget within 10%"],
        "accepted_kinds": ["file", "link", "text"],
        "rubric_levels": LEVELS,
        "required_level_id": PROFICIENT,
        "alignments": [
            {"name": "CTE Auto 4.2", "url": "https://standards.example/cte/4.2", "code": "4.2"}
        ],
        "tags": ["career", "hands-on"],
        "achievement_type": "Badge",
        "created_by_id": 2,
        "created_at": now - timedelta(days=300),
        "updated_at": now - timedelta(days=10),
    }
    truck = png(64, 64, "#336699")
    return [
        {
            **common,
            "id": 1,
            "slug": "vehicle-restoration",
            "achievement_uuid": "a0000000-0000-4000-8000-000000000001",
            "name": "Vehicle Restoration",
            "description": "Restore a vehicle system to working order.",
            "criteria_narrative": "Restore **one** system of a real vehicle.",
            "evidence_prompt": "Photos, a budget, a video link: show me how you like.",
            "expiry_months": None,
            "image": truck,
            "image_mime": "image/png",
            "image_sha256": hashlib.sha256(truck).hexdigest(),
            "image_png": truck,
            "image_png_sha256": hashlib.sha256(truck).hexdigest(),
            "class_id": 1,
            "state": "PUBLISHED",
            "version": 2,
            "revision": 3,
            "issued_version": 2,
            "published_at": now - timedelta(days=200),
        },
        {
            **common,
            "id": 2,
            "slug": "data-plotting",
            "achievement_uuid": "a0000000-0000-4000-8000-000000000002",
            "name": "Data Plotting in Excel",
            "description": "Plot and interpret a data set.",
            "criteria_narrative": "Plot real data and say what it shows.",
            "evidence_prompt": "A workbook and a paragraph.",
            "expiry_months": 24,
            "image": None,
            "image_mime": None,
            "image_sha256": None,
            "image_png": None,
            "image_png_sha256": None,
            "class_id": None,
            "state": "PUBLISHED",
            "version": 1,
            "revision": 1,
            "issued_version": 1,
            "published_at": now - timedelta(days=250),
        },
        {
            **common,
            "id": 3,
            "slug": "welding-basics",
            "achievement_uuid": "a0000000-0000-4000-8000-000000000003",
            "name": "Welding Basics",
            "description": "Not ready yet.",
            "criteria_narrative": "TBD",
            "evidence_prompt": "",
            "expiry_months": None,
            "image": None,
            "image_mime": None,
            "image_sha256": None,
            "image_png": None,
            "image_png_sha256": None,
            "class_id": 1,
            "state": "DRAFT",
            "version": 1,
            "revision": 1,
            "issued_version": None,
            "published_at": None,
        },
    ]


def _submissions(now: datetime) -> list[dict[str, Any]]:
    def submission(number, badge, student, state, round_, decided):
        return {
            "id": number,
            "badge_id": badge,
            "badge_version": 2 if badge == 1 else 1,
            "student_id": student,
            "state": state,
            "reflection": "I rebuilt the brakes first, then the budget ran over — here is why.",
            "criteria_reflections": {"0": "Signed by Mr Lee", "1": "Over by 6%"},
            "round": round_,
            "created_at": now - timedelta(days=60),
            "updated_at": now - timedelta(days=30),
            "submitted_at": now - timedelta(days=31),
            "decided_at": now - timedelta(days=30) if decided else None,
            "decided_by_id": 2 if decided else None,
        }

    return [
        submission(1, 1, 3, "APPROVED", 2, True),
        submission(2, 2, 4, "APPROVED", 1, True),
        submission(3, 2, 3, "SUBMITTED", 1, False),
    ]


def _events(now: datetime) -> list[dict[str, Any]]:
    steps = [
        (1, 3, "SUBMITTED", 1, "", None),
        (1, 2, "CHANGES_REQUESTED", 1, "Add the budget, please.", {"level": None}),
        (1, 3, "SUBMITTED", 2, "Budget added.", None),
        (1, 2, "APPROVED", 2, "Great work.", {"level": PROFICIENT}),
        (2, 4, "SUBMITTED", 1, "", None),
        (2, 2, "APPROVED", 1, "", {"level": MASTERY}),
        (3, 3, "SUBMITTED", 1, "", None),
    ]
    return [
        {
            "id": number,
            "submission_id": submission,
            "actor_id": actor,
            "kind": kind,
            "round": round_,
            "message": message,
            "snapshot": snapshot,
            "created_at": now - timedelta(days=40 - number),
        }
        for number, (submission, actor, kind, round_, message, snapshot) in enumerate(steps, 1)
    ]


def _evidence(now: datetime) -> tuple[list[dict[str, Any]], tuple[EvidenceFile, ...]]:
    photo = EvidenceFile("0f" + "1" * 30, png(40, 30, "#993311"))
    workbook = EvidenceFile("a7" + "2" * 30, b"PK\x03\x04" + b"budget workbook " * 64)
    items = [
        (1, 0, "FILE", "Truck, after", photo, True, None, None),
        (1, 1, "FILE", "Parts budget", workbook, False, None, None),
        (1, 2, "LINK", "Video of the test drive", None, True, "https://video.example/t", None),
        (2, 0, "TEXT", "What the plot shows", None, False, None, "Rainfall rose 12%."),
        (3, 0, "TEXT", "Draft notes", None, False, None, "Work in progress"),
    ]
    rows = [
        {
            "id": number,
            "submission_id": submission,
            "position": position,
            "kind": kind,
            "title": title,
            "description": "",
            "url": url,
            "text": text,
            "storage_key": file.storage_key if file else None,
            "original_name": f"{title}.bin" if file else None,
            "mime_type": "application/octet-stream" if file else None,
            "size": len(file.content) if file else None,
            "public": public,
            "created_at": now - timedelta(days=50),
            "public_token": f"evidence-token-{number:02d}-{'x' * 16}",
        }
        for number, (submission, position, kind, title, file, public, url, text) in enumerate(
            items, 1
        )
    ]
    return rows, (photo, workbook)


def _credential_rows(
    keystore: KeyStore, users: list[dict], badges: list[dict], now: datetime
) -> list[dict[str, Any]]:
    public_url = "https://laurel.test"
    issuer = Issuer(id=did_web_from_url(public_url), name="Maple Grove High", url=SCHOOL_URL)
    awards = [
        (ACTIVE_ID, 1, 3, 1, PROFICIENT, "ACTIVE", None),
        (REVOKED_ID, 2, 4, 2, MASTERY, "REVOKED", "Plagiarised workbook."),
        (SUSPENDED_ID, 1, 5, None, PROFICIENT, "SUSPENDED", "Under review."),
    ]
    rows = []
    for number, (credential_id, badge_id, user_id, submission, level, state, reason) in enumerate(
        awards, 1
    ):
        badge, user = badges[badge_id - 1], users[user_id - 1]
        issued_at = now - timedelta(days=30 - number)
        valid_until = issued_at.replace(year=issued_at.year + 2) if badge["expiry_months"] else None
        revocation, suspension = SLOTS[credential_id]
        achievement = AchievementData(
            id=f"{public_url}/achievements/{badge['achievement_uuid']}",
            name=badge["name"],
            description=badge["description"],
            criteria_narrative=badge["criteria_narrative"],
            image_url=f"{public_url}/achievements/{badge['achievement_uuid']}/image",
            tags=tuple(badge["tags"]),
            rubric_levels=tuple(RubricLevelData(**lv) for lv in LEVELS),
            required_level_id=PROFICIENT,
            version=str(badge["version"]),
        )
        unsigned = build_credential(
            credential_id=f"{public_url}/credentials/{credential_id}",
            issuer=issuer,
            achievement=achievement,
            subject=SubjectData(
                id=user["learner_did"] or f"urn:uuid:{user['learner_uuid']}",
                email=user["email"],
                salt=user["identity_salt"],
                name=user["name"],
            ),
            valid_from=issued_at,
            achieved_level_id=level,
            evidence=(
                EvidenceData(id=f"{public_url}/evidence/1", name="Truck, after", genre="Photo"),
            )
            if submission == 1
            else (),
            valid_until=valid_until,
            status_entries=[
                bitstring.status_entry(
                    list_url=f"{public_url}/status/revocation/1",
                    index=revocation,
                    purpose="revocation",
                )
            ],
            name=badge["name"],
        )
        signed = sign_credential(unsigned, keystore=keystore, now=issued_at)
        changed = state != "ACTIVE"
        rows.append(
            {
                "id": credential_id,
                "submission_id": submission,
                "badge_id": badge_id,
                "badge_version": badge["version"],
                "recipient_id": user_id,
                "issued_by_id": 2 if submission else None,
                "level_id": level,
                "level_name": next(lv["name"] for lv in LEVELS if lv["id"] == level),
                "issued_at": issued_at,
                "valid_until": valid_until,
                "json_text": signed.json_text,
                "jwt_text": signed.jwt,
                "revocation_index": revocation,
                "suspension_index": suspension,
                "state": state,
                "status_reason": reason,
                "status_changed_at": now - timedelta(days=2) if changed else None,
                "status_changed_by_id": 2 if changed else None,
                "share_enabled": number != 2,
                "share_token": f"share-token-{number:02d}-{'y' * 20}",
                "verify_enabled": number != 3,
                "verify_token": f"verify-token-{number:02d}-{'z' * 20}",
            }
        )
    return rows


def _status_lists(keystore: KeyStore, now: datetime) -> list[dict[str, Any]]:
    public_url = "https://laurel.test"
    rows = []
    for number, (purpose, flipped) in enumerate(
        [("REVOCATION", SLOTS[REVOKED_ID][0]), ("SUSPENSION", SLOTS[SUSPENDED_ID][1])], 1
    ):
        bits = bitstring.StatusList.new(bitstring.MIN_ENTRIES)
        bits.set(flipped, True)
        unsigned = bitstring.build_status_list_credential(
            list_url=f"{public_url}/status/{purpose.lower()}/1",
            issuer_id=did_web_from_url(public_url),
            purpose=purpose.lower(),
            status_list=bits,
            valid_from=format_datetime(now - timedelta(days=2)),
        )
        rows.append(
            {
                "id": number,
                "purpose": purpose,
                "number": 1,
                "size": bitstring.MIN_ENTRIES,
                "bits": bits.to_bytes(),
                "signed_json": serialize(sign_document(unsigned, keystore=keystore, now=now)),
                "updated_at": now - timedelta(days=2),
            }
        )
    return rows


def school_rows(keystore: KeyStore, now: datetime) -> tuple[dict[str, list[dict]], tuple]:
    """Every table's rows, in an order that satisfies the foreign keys, and the evidence files."""
    users, badges = _users(now), _badges(now)
    evidence, files = _evidence(now)
    credentials = _credential_rows(keystore, users, badges, now)
    rows = {
        "issuer_profile": [
            {
                "id": 1,
                "name": "Maple Grove High",
                "url": SCHOOL_URL,
                "email": "office@maplegrove.example",
                "description": "A public high school.",
                "logo": png(16, 16, "#225522"),
                "logo_mime": "image/png",
                "updated_at": now - timedelta(days=365),
            }
        ],
        "school_class": [
            {"id": 1, "name": "Auto Shop 2026", "created_at": now - timedelta(days=380)},
            {"id": 2, "name": "Algebra 9 — Period 3", "created_at": now - timedelta(days=380)},
        ],
        "user": users,
        "class_membership": [
            {"id": n, "class_id": c, "user_id": u, "role": r}
            for n, (c, u, r) in enumerate(
                [(1, 2, "INSTRUCTOR"), (1, 3, "STUDENT"), (1, 5, "STUDENT"), (2, 4, "STUDENT")], 1
            )
        ],
        "invitation": [
            {
                "id": 1,
                "token_hash": "e" * 64,
                "user_id": 5,
                "created_by_id": 1,
                "created_at": now - timedelta(days=3),
                "expires_at": now + timedelta(days=4),
                "accepted_at": None,
            }
        ],
        "badge": badges,
        "goal": [
            {
                "id": 1,
                "student_id": 3,
                "badge_id": 2,
                "created_at": now - timedelta(days=9),
                # Since 0020: what the goal aims at, in the student's words.
                "kind": "BADGE",
                "title": "Data Plotting in Excel",
            }
        ],
        "submission": _submissions(now),
        "submission_event": _events(now),
        "evidence_item": evidence,
        "status_list": _status_lists(keystore, now),
        "issued_credential": credentials,
        "status_slot": [
            {"id": n, "status_list_id": purpose, "index": index, "credential_id": c["id"]}
            for n, (purpose, index, c) in enumerate(
                [
                    (purpose, index, c)
                    for c in credentials
                    for purpose, index in ((1, c["revocation_index"]), (2, c["suspension_index"]))
                ],
                1,
            )
        ],
    }
    return rows, files


def _unfilled(table: sa.Table, row: dict[str, Any]) -> list[str]:
    return [
        column.name
        for column in table.columns
        if not column.nullable
        and column.server_default is None
        and not (column.primary_key and column.autoincrement is not False)
        and column.name not in row
    ]


def seed_school(
    connection: sa.Connection, *, keystore: KeyStore, storage_dir: Path, now: datetime
) -> OldSchool:
    """Write the school with the columns the database has now; store the evidence files."""
    tables = sa.MetaData()
    tables.reflect(bind=connection)
    all_rows, files = school_rows(keystore, now)
    written: dict[str, list[dict[str, Any]]] = {}
    for name, rows in all_rows.items():
        table = tables.tables[name]
        written[name] = [{k: v for k, v in row.items() if k in table.columns} for row in rows]
        missing = _unfilled(table, written[name][0])
        assert not missing, (
            f"{name}: {', '.join(missing)} NOT NULL with no default; give the rows in "
            "tests/migrations/old_school.py a value (what that revision's users would have)"
        )
        connection.execute(table.insert(), written[name])
    if connection.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind: move them past the rows, as a real
        # database that made those rows itself would have them.
        for name, rows in written.items():
            if isinstance(rows[0]["id"], int):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'(SELECT max(id) FROM "{name}"))'
                    )
                )
    for file in files:
        path = storage_dir / file.storage_key[:2] / file.storage_key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.content)
    return OldSchool(rows=written, files=files)
