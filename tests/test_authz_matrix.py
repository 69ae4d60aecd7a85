"""Authorization matrix: every route x every kind of visitor -> the expected HTTP status.

How to add your routes
  1. If your routes need objects (a badge, a submission), append a builder to
     WORLD_BUILDERS: `def build(world: dict, now) -> None` that creates them (use the
     people in `world`) and stores the ids/slugs/tokens your paths name.
  2. Append Route entries to ROUTES. `path` is a format string filled from `world`
     ("/submissions/{draft_id}"); `expected` comes from a helper below or `statuses(...)`.
     `data` is the form posted (CSRF is off in tests).

One test per route visits it as each role in ROLES order (anonymous first, admin last) on
its own client, so an allowed POST by a later role cannot hide a denied earlier one.
Signing in writes the session directly: this file tests authorization, not passwords.
The world is built once per run; each test starts from a copy of its instance folder
(evidence files, and SQLite's database) and, on PostgreSQL, of its rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from app import create_app
from app.accounts import services
from app.accounts.models import Role
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow
from tests.fixtures.app import Snapshot
from tests.fixtures.app import _config
from tests.fixtures.app import empty_all_tables
from tests.fixtures.app import postgres_url
from tests.fixtures.signin import sign_in_by_id

ROLES = (
    "anonymous",
    "student",
    "other_student",
    "instructor_of_class",
    "other_instructor",
    "counselor",
    "admin",
)
SIGNED_IN = ROLES[1:]

# The `now` the world is built at (the tests' clock).
WORLD_NOW = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)

# Redirect to /login for anonymous visitors.
LOGIN = 302
DENIED = 403


def statuses(**by_role: int) -> dict[str, int]:
    """Spell out every role: statuses(anonymous=302, student=403, ..., admin=200)."""
    assert set(by_role) == set(ROLES), f"give a status for each of {ROLES}"
    return by_role


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def signed_in(status: int) -> dict[str, int]:
    """Any signed-in person gets `status`; anonymous visitors are sent to sign in."""
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status)}


def admin_only(status: int) -> dict[str, int]:
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, DENIED), "admin": status}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    expected: dict[str, int]
    data: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


ROUTES: list[Route] = [
    # main
    Route("GET", "/", everyone(200)),
    Route("GET", "/dashboard", everyone(302)),
    # accounts
    Route("GET", "/login", {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    Route("POST", "/logout", everyone(302)),
    Route("GET", "/account/password", signed_in(200)),
    # The language switcher: anyone, signed in or not (a cookie; saved on the account too).
    Route("POST", "/language", everyone(302), data={"language": "es", "next": "/"}),
    Route("GET", "/invite/{invite_token}", everyone(200)),
    Route("GET", "/admin/users", admin_only(200)),
    Route(
        "POST",
        "/admin/users",
        admin_only(200),
        data={"name": "Nina New", "email": "nina@school.test", "role": "student", "class_id": "0"},
    ),
    Route("POST", "/admin/users/{student_id}/role", admin_only(302), data={"role": "instructor"}),
    Route("POST", "/admin/users/{student_id}/deactivate", admin_only(302)),
    Route("POST", "/admin/users/{student_id}/reactivate", admin_only(302)),
    Route("POST", "/admin/users/{student_id}/sign-out", admin_only(302)),
    Route("POST", "/admin/users/{invited_id}/invite", admin_only(200)),
    Route("GET", "/admin/roster", admin_only(200)),
    Route("POST", "/admin/roster", admin_only(400)),
    Route("GET", "/admin/classes", admin_only(200)),
    Route("POST", "/admin/classes", admin_only(302), data={"name": "Physics 1"}),
    Route("GET", "/admin/classes/{class_id}", admin_only(200)),
    Route("GET", "/admin/classes/999999", admin_only(404)),
    Route(
        "POST",
        "/admin/classes/{class_id}/members",
        admin_only(302),
        data={"user_id": "{other_student_id}", "role": "student"},
    ),
    Route("POST", "/admin/classes/{class_id}/members/{student_id}/remove", admin_only(302)),
]


def _people(world: dict, now) -> None:
    """A class with its instructor and student; another instructor and student; an admin."""
    make = services.create_user
    world["student"] = make(email="sam@school.test", name="Sam Student", role=Role.STUDENT)
    world["other_student"] = make(email="olive@school.test", name="Olive Other", role=Role.STUDENT)
    world["instructor_of_class"] = make(
        email="ines@school.test", name="Ines Instructor", role=Role.INSTRUCTOR
    )
    world["other_instructor"] = make(
        email="otto@school.test", name="Otto Other", role=Role.INSTRUCTOR
    )
    world["admin"] = make(email="ada@school.test", name="Ada Admin", role=Role.ADMIN)
    auto_shop = services.create_class("Auto Shop 1")
    algebra = services.create_class("Algebra 2")
    services.add_to_class(world["instructor_of_class"], auto_shop, Role.INSTRUCTOR)
    services.add_to_class(world["student"], auto_shop, Role.STUDENT)
    services.add_to_class(world["other_instructor"], algebra, Role.INSTRUCTOR)
    services.add_to_class(world["other_student"], algebra, Role.STUDENT)
    invited = make(email="ivy@school.test", name="Ivy Invited", role=Role.STUDENT)
    world.update(
        class_id=auto_shop.id,
        other_class_id=algebra.id,
        student_id=world["student"].id,
        other_student_id=world["other_student"].id,
        instructor_id=world["instructor_of_class"].id,
        invited_id=invited.id,
        # The invite page checks expiry against the real clock.
        invite_token=services.invite_user(invited, created_by=world["admin"], now=utcnow()),
    )


# Builders run in order on one database per test; later ones may use earlier results.
WORLD_BUILDERS: list[Callable[[dict, object], None]] = [_people]


def _counselor(world: dict, now) -> None:
    """A counselor assigned to Sam (the `student`), in no class; reads, never reviews."""
    from app.accounts.counselors import assign_counselor

    world["counselor"] = services.create_user(
        email="cora@school.test", name="Cora Counselor", role=Role.COUNSELOR
    )
    assign_counselor(world["counselor"], world["student"], now=now)


WORLD_BUILDERS.append(_counselor)


# --- evidence (web-evidence) ---------------------------------------------------------------


def _evidence(world: dict, now) -> None:
    """Three Auto Shop badges: Sam has a draft, a submission waiting, and an approved one."""
    import io

    from flask import current_app

    from app.badges.services import BadgeInput
    from app.badges.services import RubricLevelInput
    from app.badges.services import create_badge
    from app.badges.services import publish_badge
    from app.demo_files import temperature_workbook
    from app.demo_files import truck_photo
    from app.evidence import services as evidence
    from app.evidence.storage import configured_storage

    teacher, student = world["instructor_of_class"], world["student"]
    storage = configured_storage(current_app.config)
    badges = []
    for name in ("Matrix Draft", "Matrix Review", "Matrix Approved"):
        badge = create_badge(
            BadgeInput(
                name=name,
                description="A badge.",
                criteria_narrative="Show it.",
                accepted_kinds=("photo", "spreadsheet", "link", "text"),
                rubric_levels=(RubricLevelInput("Developing"), RubricLevelInput("Proficient")),
                required_level="Proficient",
                class_id=world["class_id"],
            ),
            actor=teacher,
            now=now,
        )
        badges.append(publish_badge(badge, actor=teacher, now=now))

    def photo_and_reflection(submission, *, public: bool):
        item = evidence.add_file(
            submission,
            student=student,
            stream=io.BytesIO(truck_photo()),
            filename="truck.jpg",
            storage=storage,
            max_bytes=10**7,
            public=public,
            now=now,
        )
        evidence.save_draft(
            submission, student=student, reflection="I did it.", criteria_reflections={}, now=now
        )
        return item

    draft = evidence.start_submission(badges[0], student=student, now=now)
    draft_item = evidence.add_text(draft, student=student, text="My notes.", now=now)
    waiting = evidence.start_submission(badges[1], student=student, now=now)
    waiting_item = photo_and_reflection(waiting, public=True)
    evidence.submit(waiting, student=student, now=now)
    approved = evidence.start_submission(badges[2], student=student, now=now)
    approved_item = photo_and_reflection(approved, public=True)
    private_item = evidence.add_file(
        approved,
        student=student,
        stream=io.BytesIO(temperature_workbook()),
        filename="data.xlsx",
        storage=storage,
        max_bytes=10**7,
        now=now,
    )
    evidence.submit(approved, student=student, now=now)
    evidence.approve(
        approved, ctx=issuing_context(), reviewer=teacher, level_id=None, feedback="", now=now
    )
    world.update(
        evidence_badge_slug=badges[0].slug,
        draft_id=draft.id,
        draft_item_id=draft_item.id,
        submitted_id=waiting.id,
        proficient_id=badges[1].required_level_id,
        waiting_public_file_id=waiting_item.id,
        approved_public_file_id=approved_item.id,
        approved_public_token=approved_item.public_token,
        private_file_id=private_item.id,
    )


WORLD_BUILDERS.append(_evidence)


def _only(**by_role: int) -> dict[str, int]:
    """Statuses for the evidence routes: anonymous visitors sign in unless told otherwise."""
    return statuses(**{"anonymous": LOGIN, **by_role})


STUDENT_PAGE = _only(
    student=200,
    other_student=200,
    instructor_of_class=DENIED,
    other_instructor=DENIED,
    counselor=DENIED,
    admin=DENIED,
)
STAFF_PAGE = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=200,
    other_instructor=200,
    counselor=DENIED,
    admin=200,
)
# Sam's own draft: the other student and the other class's instructor may not know it exists.
OWNER_ACTION = _only(
    student=302,
    other_student=404,
    instructor_of_class=DENIED,
    other_instructor=404,
    counselor=404,
    admin=DENIED,
)
# A decision on Sam's waiting submission: the first reviewer decides, the admin comes too late.
DECISION = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=302,
    other_instructor=404,
    counselor=DENIED,
    admin=409,
)

ROUTES += [
    Route("GET", "/dashboard/student", STUDENT_PAGE),
    Route("GET", "/dashboard/instructor", STAFF_PAGE),
    Route("GET", "/review", STAFF_PAGE),
    Route(
        "POST",
        "/badges/{evidence_badge_slug}/pursue",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
    ),
    Route(
        "POST",
        "/badges/{evidence_badge_slug}/unpursue",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
    ),
    Route(
        "POST",
        "/badges/{evidence_badge_slug}/submission",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
    ),
    Route(
        "GET",
        "/submissions/{draft_id}",
        _only(
            student=200,
            other_student=404,
            instructor_of_class=302,
            other_instructor=404,
            counselor=404,
            admin=302,
        ),
    ),
    Route(
        "GET",
        "/submissions/{draft_id}/edit",
        _only(
            student=200,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=404,
            counselor=404,
            admin=DENIED,
        ),
    ),
    Route("POST", "/submissions/{draft_id}/edit", OWNER_ACTION, data={"reflection": "Changed."}),
    Route(
        "POST",
        "/submissions/{draft_id}/links",
        OWNER_ACTION,
        data={"link-url": "https://video.example/truck"},
    ),
    Route("POST", "/submissions/{draft_id}/texts", OWNER_ACTION, data={"text-text": "More notes."}),
    Route(
        "POST",
        "/submissions/{draft_id}/files",
        _only(
            student=400,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=404,
            counselor=404,
            admin=DENIED,
        ),
    ),
    Route("POST", "/submissions/{draft_id}/items/{draft_item_id}/remove", OWNER_ACTION),
    Route("POST", "/submissions/{submitted_id}/withdraw", OWNER_ACTION),
    Route(
        "POST",
        "/submissions/{submitted_id}/comments",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=302,
            other_instructor=404,
            counselor=404,
            admin=302,
        ),
        data={"comment-message": "A question."},
    ),
    Route(
        "GET",
        "/review/{submitted_id}",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=200,
            other_instructor=404,
            counselor=DENIED,
            admin=200,
        ),
    ),
    Route(
        "POST",
        "/review/{submitted_id}/approve",
        DECISION,
        data={"approve-level": "{proficient_id}"},
    ),
    Route(
        "POST",
        "/review/{submitted_id}/changes",
        DECISION,
        data={"changes-feedback": "Add a photo."},
    ),
    Route(
        "POST", "/review/{submitted_id}/reject", DECISION, data={"reject-reason": "Not your work."}
    ),
    Route(
        "GET",
        "/review/999999",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=404,
            other_instructor=404,
            counselor=DENIED,
            admin=404,
        ),
    ),
    # Files: private ones only for the student and the badge's reviewers; a public item of an
    # approved submission opens to anyone only while its credential is shared (below), at
    # /evidence/<token>. Sam does not share this one.
    Route(
        "GET",
        "/files/{private_file_id}",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=404,
            counselor=404,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/files/{waiting_public_file_id}",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=404,
            counselor=404,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/files/{waiting_public_file_id}/thumbnail",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=404,
            counselor=404,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/files/{approved_public_file_id}",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=404,
            counselor=404,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/files/{approved_public_file_id}/thumbnail",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=404,
            counselor=404,
            admin=200,
        ),
    ),
    Route("GET", "/evidence/{approved_public_token}", everyone(404)),
    Route("GET", "/files/999999", everyone(404)),
]


def build_world() -> dict:
    """Run every builder in the current app context: ids, slugs, tokens and the people."""
    built: dict = {}
    for build in WORLD_BUILDERS:
        build(built, WORLD_NOW)
        db.session.commit()
    return built


def people_of(built: dict) -> dict[str, str]:
    """Each signed-in role's Flask-Login id, as the session holds it."""
    return {role: built[role].get_id() for role in SIGNED_IN}


def _plain(built: dict) -> dict:
    """What the routes name (ids, slugs, tokens) and the people, without ORM objects."""
    plain = {key: value for key, value in built.items() if isinstance(value, (int, str))}
    return {**plain, "people": people_of(built)}


@dataclass(frozen=True)
class BuiltWorld:
    instance: Path
    world: dict
    snapshot: Snapshot | None  # PostgreSQL's rows; on SQLite the database is in `instance`


@pytest.fixture(scope="session")
def built_world(tmp_path_factory, migrated_database, keys_dir) -> BuiltWorld:
    """The world built once per run, in an instance folder each test copies."""
    instance = tmp_path_factory.mktemp("authz-world")
    url, template = migrated_database
    if postgres_url():
        empty_all_tables(url)
    else:
        shutil.copy(template, instance / "laurel.db")
        url = f"sqlite:///{instance / 'laurel.db'}"
    application = create_app(_config(instance, url, keys_dir))
    with application.app_context():
        world = _plain(build_world())
        db.session.remove()
        db.engine.dispose()
    return BuiltWorld(instance, world, Snapshot.take(url) if postgres_url() else None)


@pytest.fixture
def app_config(app_config, built_world, tmp_path) -> dict:
    """The test's instance folder (and PostgreSQL's rows) start as the built world's."""
    shutil.copytree(built_world.instance, tmp_path, dirs_exist_ok=True)
    if built_world.snapshot is not None:
        built_world.snapshot.restore(app_config["SQLALCHEMY_DATABASE_URI"])
    return app_config


@pytest.fixture
def world(app_ctx, built_world) -> dict:
    return built_world.world


def _client_as(app, world: dict, role: str):
    return sign_in_by_id(app.test_client(), world["people"].get(role))


def _fill(template: str, world: dict) -> str:
    return template.format(**{k: v for k, v in world.items() if isinstance(v, (int, str))})


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.id)
def test_authz_matrix_route_status_per_role(app, world, route):
    path = _fill(route.path, world)
    data = {key: _fill(value, world) for key, value in route.data.items()}
    actual = {}
    for role in ROLES:
        client = _client_as(app, world, role)
        # A fresh application context per request, as in production: otherwise the
        # request reuses the test's context and Flask-Login's cached user in `g`.
        with app.app_context():
            with client.open(path, method=route.method, data=data or None) as response:
                actual[role] = response.status_code
    assert actual == route.expected


# --- badges, issuer, credentials, public documents (web-badges) ------------------------------


def _badges(world: dict, now) -> None:
    """An Auto Shop draft badge, a published one, and Sam's credential for the published one."""
    from app.badges.services import BadgeInput
    from app.badges.services import RubricLevelInput
    from app.badges.services import create_badge
    from app.badges.services import publish_badge
    from app.issuing.issuance import issue_credential

    teacher = world["instructor_of_class"]

    def make(name: str):
        return create_badge(
            BadgeInput(
                name=name,
                description="A badge.",
                criteria_narrative="Show it.",
                accepted_kinds=("text",),
                rubric_levels=(RubricLevelInput("Proficient"),),
                required_level="Proficient",
                class_id=world["class_id"],
            ),
            actor=teacher,
            now=now,
        )

    draft = make("Matrix Badge Draft")
    published = publish_badge(make("Matrix Badge Published"), actor=teacher, now=now)
    credential = issue_credential(
        issuing_context(),
        badge=published,
        recipient=world["student"],
        level_id=None,
        issued_by=teacher,
        now=now,
    )
    world.update(
        draft_badge_slug=draft.slug,
        badge_slug=published.slug,
        draft_achievement_uuid=draft.achievement_uuid,
        achievement_uuid=published.achievement_uuid,
        credential_id=credential.id,
    )


WORLD_BUILDERS.append(_badges)

BADGE_FORM = {
    "name": "Matrix Form Badge",
    "description": "A badge.",
    "criteria_narrative": "Show it.",
    "accepted_kinds": "text",
    "levels-0-name": "Proficient",
    "required_row": "0",
    "achievement_type": "Badge",
    "class_id": "0",
    "revision": "1",
}
STAFF_ONLY = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=200,
    other_instructor=200,
    counselor=DENIED,
    admin=200,
)
# Seen by Sam's class and all staff; the other student may not know the badge exists.
CLASS_BADGE = _only(
    student=200,
    other_student=404,
    instructor_of_class=200,
    other_instructor=200,
    counselor=404,
    admin=200,
)
# Changing a class badge: its instructor and the admin; the student sees it but may not change it.
CLASS_BADGE_CHANGE = _only(
    student=DENIED,
    other_student=404,
    instructor_of_class=302,
    other_instructor=DENIED,
    counselor=404,
    admin=302,
)
# Changing a draft: students may not know it exists.
DRAFT_CHANGE = _only(
    student=404,
    other_student=404,
    instructor_of_class=302,
    other_instructor=DENIED,
    counselor=404,
    admin=302,
)

ROUTES += [
    Route("GET", "/badges", signed_in(200)),
    Route("GET", "/badges?state=archived", signed_in(200)),
    Route("GET", "/badges/new", STAFF_ONLY),
    Route(
        "POST",
        "/badges/new",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=302,
            other_instructor=302,
            counselor=DENIED,
            admin=302,
        ),
        data=BADGE_FORM,
    ),
    Route(
        "GET",
        "/badges/{draft_badge_slug}",
        _only(
            student=404,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=404,
            admin=200,
        ),
    ),
    Route("GET", "/badges/{badge_slug}", CLASS_BADGE),
    Route("GET", "/badges/no-such-badge", signed_in(404)),
    # Images of published badges are public anyway (/achievements/<uuid>/image).
    Route("GET", "/badges/{badge_slug}/image", signed_in(200)),
    Route(
        "GET",
        "/badges/{draft_badge_slug}/image",
        _only(
            student=404,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=404,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/badges/{draft_badge_slug}/edit",
        _only(
            student=404,
            other_student=404,
            instructor_of_class=200,
            other_instructor=DENIED,
            counselor=404,
            admin=200,
        ),
    ),
    # The admin posts the form loaded before the instructor's edit: a stale form is a 409.
    Route(
        "POST",
        "/badges/{draft_badge_slug}/edit",
        _only(
            student=404,
            other_student=404,
            instructor_of_class=302,
            other_instructor=DENIED,
            counselor=404,
            admin=409,
        ),
        data={**BADGE_FORM, "class_id": "{class_id}"},
    ),
    Route("POST", "/badges/{draft_badge_slug}/publish", DRAFT_CHANGE),
    Route("POST", "/badges/{badge_slug}/archive", CLASS_BADGE_CHANGE),
    Route("GET", "/admin/issuer", admin_only(200)),
    Route(
        "POST",
        "/admin/issuer",
        admin_only(302),
        data={"name": "Matrix High", "url": "https://matrix.example"},
    ),
    Route("GET", "/issuer/logo", everyone(404)),
    Route("GET", "/.well-known/did.json", everyone(200)),
    Route("GET", "/.well-known/jwks.json", everyone(200)),
    Route("GET", "/status/revocation/1", everyone(200)),
    Route("GET", "/status/suspension/1", everyone(200)),
    Route("GET", "/status/revocation/2", everyone(404)),
    Route(
        "GET",
        "/credentials/{credential_id}",
        _only(
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=200,
            admin=200,
        ),
    ),
    Route("GET", "/credentials/{credential_id}?format=json", everyone(200)),
    Route("GET", "/credentials/{credential_id}?format=jwt", everyone(200)),
    Route("GET", "/credentials/00000000-0000-0000-0000-000000000000?format=json", everyone(404)),
    # Revoking: the badge's reviewers; the admin comes after the instructor revoked it.
    Route(
        "POST",
        "/credentials/{credential_id}/revoke",
        _only(
            student=DENIED,
            other_student=404,
            instructor_of_class=302,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=409,
        ),
        data={"reason": "Issued by mistake.", "step": "confirm", "understood": "y"},
    ),
    # Suspending: the admin comes after the instructor suspended it;
    # reinstating an active one is 409.
    Route(
        "POST",
        "/credentials/{credential_id}/suspend",
        _only(
            student=DENIED,
            other_student=404,
            instructor_of_class=302,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=409,
        ),
        data={"reason": "Under review."},
    ),
    Route(
        "POST",
        "/credentials/{credential_id}/reinstate",
        _only(
            student=DENIED,
            other_student=404,
            instructor_of_class=409,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=409,
        ),
        data={"reason": "Fine."},
    ),
    # Re-issuing with a corrected name: the badge's reviewers only; their answer is 409 here
    # because the credential already carries the name on record.
    Route(
        "POST",
        "/credentials/{credential_id}/reissue",
        _only(
            student=DENIED,
            other_student=404,
            instructor_of_class=409,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=409,
        ),
    ),
    # The suspension entry the issuer publishes for any verifier: public, says nothing else.
    Route("GET", "/credentials/{credential_id}/status", everyone(200)),
    Route("GET", "/favicon.ico", everyone(200)),
    # Correcting a student's recorded name: admins and the student's instructors.
    Route(
        "GET",
        "/learners/{student_id}/name",
        _only(
            student=404,
            other_student=404,
            instructor_of_class=200,
            other_instructor=404,
            counselor=404,
            admin=200,
        ),
    ),
    Route(
        "POST",
        "/learners/{student_id}/name",
        _only(
            student=404,
            other_student=404,
            instructor_of_class=302,
            other_instructor=404,
            counselor=404,
            admin=302,
        ),
        data={"name": "Sam Student-Corrected"},
    ),
    Route("GET", "/achievements/{achievement_uuid}", everyone(200)),
    Route("GET", "/achievements/{achievement_uuid}/image", everyone(200)),
    Route("GET", "/achievements/{draft_achievement_uuid}", everyone(404)),
]


# --- sharing, verification, learner records, JSON API (share) ---------------------------------


def _sharing(world: dict, now) -> None:
    """Sam shares his credential publicly."""
    from app.badges.models import IssuedCredential

    credential = db.session.get(IssuedCredential, world["credential_id"])
    credential.share_enabled = True
    world["share_token"] = credential.share_token


WORLD_BUILDERS.append(_sharing)

# A credential's sharing page and downloads: the learner and the staff, as its own page
# (the learner's counselor too: the record links there).
LEARNER_AND_STAFF = _only(
    student=200,
    other_student=404,
    instructor_of_class=200,
    other_instructor=200,
    counselor=200,
    admin=200,
)
# A learner record: the learner, the instructors of their classes, their counselor, the admin.
LEARNER_AND_TEACHERS = _only(
    student=200,
    other_student=404,
    instructor_of_class=200,
    other_instructor=404,
    counselor=200,
    admin=200,
)

ROUTES += [
    Route("GET", "/s/{share_token}", everyone(200)),
    Route("GET", "/s/{share_token}/og.png", everyone(200)),
    Route("GET", "/s/{share_token}/badge.png", everyone(200)),
    Route("GET", "/s/{share_token}/download/json", everyone(200)),
    Route("GET", "/s/{share_token}/download/svg", everyone(200)),
    Route("GET", "/s/not-a-share-token-at-all/download/json", everyone(404)),
    Route("GET", "/s/not-a-share-token-at-all", everyone(404)),
    Route("GET", "/credentials/{credential_id}/verify", everyone(200)),
    Route("GET", "/credentials/00000000-0000-0000-0000-000000000000/verify", everyone(404)),
    Route("GET", "/credentials/{credential_id}/share", LEARNER_AND_STAFF),
    # Only the learner decides; the staff see the page but may not share for them.
    Route(
        "POST",
        "/credentials/{credential_id}/share",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
        data={"sharing": "off"},
    ),
    Route("GET", "/credentials/{credential_id}/download/png", LEARNER_AND_STAFF),
    Route("GET", "/credentials/{credential_id}/download/jwt", LEARNER_AND_STAFF),
    Route("GET", "/credentials/{credential_id}/certificate.pdf", LEARNER_AND_STAFF),
    Route("GET", "/verify", everyone(200)),
    Route("POST", "/verify", everyone(400), data={"text": "not a credential"}),
    Route("GET", "/record", signed_in(302)),
    Route("GET", "/learners/{student_id}/record", LEARNER_AND_TEACHERS),
    Route("GET", "/learners/{student_id}/record.json", LEARNER_AND_TEACHERS),
    Route("GET", "/learners/{student_id}/transcript.pdf", LEARNER_AND_TEACHERS),
    Route("GET", "/learners/{student_id}/archive.zip", LEARNER_AND_TEACHERS),
    Route("GET", "/api/v1/health", everyone(200)),
    Route("GET", "/api/v1/openapi.json", everyone(200)),
    Route("GET", "/api/v1/credentials/{credential_id}", everyone(200)),
    Route("GET", "/api/v1/credentials/00000000-0000-0000-0000-000000000000", everyone(404)),
    Route("POST", "/api/v1/verify", everyone(400), data={"text": "not a credential"}),
]


# --- privacy: unshared documents, evidence tokens, the certificate's verification link ---------


def _privacy(world: dict, now) -> None:
    """Sam's unshared credential with its QR link switched off; his shared one with evidence."""
    import io

    from flask import current_app

    from app.badges.models import IssuedCredential
    from app.badges.services import BadgeInput
    from app.badges.services import RubricLevelInput
    from app.badges.services import create_badge
    from app.badges.services import publish_badge
    from app.demo_files import temperature_workbook
    from app.demo_files import truck_photo
    from app.evidence import services as evidence
    from app.evidence.storage import configured_storage
    from app.issuing.issuance import issue_credential

    teacher, student = world["instructor_of_class"], world["student"]
    badge = publish_badge(
        create_badge(
            BadgeInput(
                name="Matrix Privacy",
                description="A badge.",
                criteria_narrative="Show it.",
                accepted_kinds=("photo", "spreadsheet"),
                rubric_levels=(RubricLevelInput("Proficient"),),
                required_level="Proficient",
                class_id=world["class_id"],
            ),
            actor=teacher,
            now=now,
        ),
        actor=teacher,
        now=now,
    )
    storage = configured_storage(current_app.config)
    submission = evidence.start_submission(badge, student=student, now=now)
    photo = evidence.add_file(
        submission,
        student=student,
        stream=io.BytesIO(truck_photo()),
        filename="truck.jpg",
        storage=storage,
        max_bytes=10**7,
        public=True,
        now=now,
    )
    workbook = evidence.add_file(
        submission,
        student=student,
        stream=io.BytesIO(temperature_workbook()),
        filename="data.xlsx",
        storage=storage,
        max_bytes=10**7,
        now=now,
    )
    evidence.save_draft(
        submission, student=student, reflection="I did it.", criteria_reflections={}, now=now
    )
    evidence.submit(submission, student=student, now=now)
    shared = evidence.approve(
        submission, ctx=issuing_context(), reviewer=teacher, level_id=None, feedback="", now=now
    )
    shared.share_enabled = True
    first = db.session.get(IssuedCredential, world["credential_id"])
    unshared = issue_credential(
        issuing_context(),
        badge=first.badge,
        recipient=student,
        level_id=None,
        issued_by=teacher,
        now=now,
    )
    unshared.verify_enabled = False
    db.session.flush()
    world.update(
        shared_public_token=photo.public_token,
        shared_private_token=workbook.public_token,
        unshared_credential_id=unshared.id,
        verify_token=first.verify_token,
        verify_token_off=unshared.verify_token,
    )


WORLD_BUILDERS.append(_privacy)

ROUTES += [
    # Unshared: the document, the verification page by id and the downloads answer the
    # learner and the staff; anyone else gets 404 without the document.
    Route(
        "GET",
        "/credentials/{unshared_credential_id}?format=json",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=200,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/credentials/{unshared_credential_id}?format=jwt",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=200,
            admin=200,
        ),
    ),
    Route(
        "GET",
        "/credentials/{unshared_credential_id}/verify",
        statuses(
            anonymous=404,
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=200,
            admin=200,
        ),
    ),
    Route("GET", "/api/v1/credentials/{unshared_credential_id}", everyone(404)),
    Route("GET", "/credentials/{unshared_credential_id}/download/json", LEARNER_AND_STAFF),
    # The certificate's QR link: anyone while it is on, nobody once the learner switched it off.
    Route("GET", "/v/{verify_token}", everyone(200)),
    Route("GET", "/v/{verify_token_off}", everyone(404)),
    Route("GET", "/v/not-a-verification-token", everyone(404)),
    # Only the learner flips it; the staff see the page but may not switch it for them.
    Route(
        "POST",
        "/credentials/{unshared_credential_id}/verification",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
        data={"verification": "on"},
    ),
    # Evidence of a shared credential: the public item by its token, never a private one.
    Route("GET", "/evidence/{shared_public_token}", everyone(200)),
    Route("GET", "/evidence/{shared_private_token}", everyone(404)),
    Route("GET", "/evidence/not-an-evidence-token", everyone(404)),
]


# --- trust list (admin) --------------------------------------------------------------------


def _trust(world: dict, now) -> None:
    """One issuer on the trust list, for its remove button."""
    from app.verify.trust_list import add_trusted

    entry = add_trusted("did:web:matrix.example", "Matrix District", actor="test", now=now)
    world["trust_entry_id"] = entry.id


WORLD_BUILDERS.append(_trust)

ROUTES += [
    Route("GET", "/admin/trust", admin_only(200)),
    Route(
        "POST",
        "/admin/trust",
        admin_only(302),
        data={"identifier": "did:web:district.example", "name": "Lakeside District"},
    ),
    Route("POST", "/admin/trust/import", admin_only(400)),
    Route("POST", "/admin/trust/{trust_entry_id}/remove", admin_only(302)),
    Route("POST", "/admin/trust/999999/remove", admin_only(404)),
]


# --- bulk issuance ---------------------------------------------------------------------------


def _bulk(world: dict, now) -> None:
    """A checked, unconfirmed bulk job of the class's instructor: Sam's waiting submission."""
    from app.bulk.checks import check_submissions
    from app.bulk.models import JobSource
    from app.bulk.services import create_job

    teacher = world["instructor_of_class"]
    report = check_submissions([world["submitted_id"]], actor=teacher)
    job = create_job(report.rows, source=JobSource.SUBMISSIONS, filename="", actor=teacher, now=now)
    world["bulk_job_id"] = job.id


WORLD_BUILDERS.append(_bulk)

# Only who started the job (and an admin) may know it exists.
JOB_OWNER = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=200,
    other_instructor=404,
    counselor=DENIED,
    admin=200,
)

ROUTES += [
    Route("GET", "/bulk", STAFF_PAGE),
    Route(
        "POST",
        "/bulk",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=400,
            other_instructor=400,
            counselor=DENIED,
            admin=400,
        ),
    ),
    Route(
        "POST",
        "/review/bulk",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=302,
            other_instructor=400,
            counselor=DENIED,
            admin=302,
        ),
        data={"submission": "{submitted_id}"},
    ),
    Route("GET", "/bulk/{bulk_job_id}", JOB_OWNER),
    Route("GET", "/bulk/{bulk_job_id}/progress.json", JOB_OWNER),
    Route("GET", "/bulk/{bulk_job_id}/result.csv", JOB_OWNER),
    Route(
        "POST",
        "/bulk/{bulk_job_id}/confirm",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=302,
            other_instructor=404,
            counselor=DENIED,
            admin=302,
        ),
    ),
    Route(
        "GET",
        "/bulk/not-a-job-id-at-all",
        _only(
            student=DENIED,
            other_student=DENIED,
            instructor_of_class=404,
            other_instructor=404,
            counselor=DENIED,
            admin=404,
        ),
    ),
]


# --- the Open Badges API backpack --------------------------------------------------------------


def _backpack(world: dict, now) -> None:
    """A registered application, Sam's valid authorization request, and a credential he keeps."""
    from urllib.parse import urlencode

    from app.backpack.models import HeldCredential
    from app.backpack.models import OAuthClient
    from app.backpack.models import OAuthToken
    from app.backpack.models import hash_token
    from app.backpack.scopes import SCOPES

    client = OAuthClient(client_id="matrix-client", client_secret="matrix-secret")
    client.set_client_metadata(
        {
            "client_name": "Matrix Wallet",
            "redirect_uris": ["https://wallet.example/cb"],
            "scope": " ".join(SCOPES),
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
    )
    held = HeldCredential(
        owner_id=world["student_id"],
        raw_text='{"id": "urn:uuid:1"}',
        format="json",
        verdict="unknown issuer",
        verification_summary="Unknown issuer.",
        verified_at=now,
        received_at=now,
    )
    # Sam connected the application: it holds a token for him (stored hashed).
    token = OAuthToken(
        client_id="matrix-client",
        user_id=world["student_id"],
        token_type="Bearer",
        access_token=hash_token("matrix-access"),
        refresh_token=hash_token("matrix-refresh"),
        scope=" ".join(SCOPES),
        expires_in=3600,
    )
    db.session.add_all([client, held, token])
    db.session.flush()
    world["held_credential_id"] = held.id
    world["connected_client_id"] = "matrix-client"
    world["authorize_query"] = urlencode(
        {
            "response_type": "code",
            "client_id": "matrix-client",
            "redirect_uri": "https://wallet.example/cb",
            "scope": " ".join(SCOPES),
            "state": "s",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
    )


WORLD_BUILDERS.append(_backpack)


def _api_clients(world: dict, now) -> None:
    """A VC-API client an admin may revoke."""
    from app.backpack.models import CLIENT_CREDENTIALS
    from app.backpack.models import OAuthClient

    client = OAuthClient(client_id="matrix-api-client", client_secret="sha256:0")
    client.set_client_metadata(
        {"client_name": "Matrix office", "grant_types": [CLIENT_CREDENTIALS], "scope": "vc:issue"}
    )
    db.session.add(client)
    db.session.flush()
    world["api_client_id"] = client.client_id


WORLD_BUILDERS.append(_api_clients)

STUDENTS_ONLY = statuses(
    anonymous=LOGIN,
    student=200,
    other_student=200,
    instructor_of_class=DENIED,
    other_instructor=DENIED,
    counselor=DENIED,
    admin=DENIED,
)

ROUTES += [
    # Importing an Open Badges 2.0 badge: the learner alone (an empty form is a clear 400).
    Route("GET", "/backpack/import", STUDENTS_ONLY),
    Route("POST", "/backpack/import", {**STUDENTS_ONLY, "student": 400, "other_student": 400}),
    # Discovery is public; every other API operation takes a bearer token, never the session.
    Route("GET", "/ims/ob/v3p0/discovery", everyone(200)),
    Route("GET", "/ims/ob/v3p0/credentials", everyone(401)),
    Route("POST", "/ims/ob/v3p0/credentials", everyone(401)),
    Route("GET", "/ims/ob/v3p0/profile", everyone(401)),
    Route("PUT", "/ims/ob/v3p0/profile", everyone(401)),
    # Applications' endpoints: no session plays a part.
    Route("POST", "/oauth/register", everyone(400), data={"client_name": "Not JSON"}),
    Route("POST", "/oauth/token", everyone(401), data={"grant_type": "authorization_code"}),
    Route("POST", "/oauth/revoke", everyone(401), data={"token": "a-token"}),
    # The VC-API: tokens, never the session; verification is public (a form body is not JSON).
    Route("POST", "/credentials/issue", everyone(401), data={"credential": "x"}),
    Route("POST", "/credentials/status", everyone(401), data={"credentialId": "x"}),
    Route("POST", "/credentials/verify", everyone(400), data={"verifiableCredential": "x"}),
    Route("POST", "/presentations/verify", everyone(400), data={"verifiablePresentation": "x"}),
    Route("GET", "/admin/api-clients", admin_only(200)),
    Route(
        "POST", "/admin/api-clients", admin_only(200), data={"name": "Office", "scopes": "vc:issue"}
    ),
    Route("POST", "/admin/api-clients/{api_client_id}/revoke", admin_only(302)),
    Route("POST", "/admin/api-clients/unknown/revoke", admin_only(404)),
    Route("POST", "/admin/api-clients/did-key", admin_only(302)),
    # The consent page: students only (staff hold no backpack).
    Route("GET", "/oauth/authorize?{authorize_query}", STUDENTS_ONLY),
    Route(
        "POST",
        "/oauth/authorize?{authorize_query}",
        {**STUDENTS_ONLY, "student": 302, "other_student": 302},
        data={"decision": "deny"},
    ),
    Route(
        "POST",
        "/backpack/{held_credential_id}/record",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
        data={"include": "off"},
    ),
    # Connected apps: the learner's own; another student has no such app.
    Route("GET", "/backpack/apps", STUDENTS_ONLY),
    Route(
        "POST",
        "/backpack/apps/{connected_client_id}/revoke",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
    ),
    Route(
        "POST",
        "/backpack/{held_credential_id}/remove",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
    ),
]


# --- sending a credential to another backpack --------------------------------------------------


def _backpack_send(world: dict, now) -> None:
    """A backpack Sam connected (its token sealed as Laurel seals it)."""
    from flask import current_app

    from app.backpack_send.models import BackpackConnection
    from app.backpack_send.models import RemoteBackpack
    from app.backpack_send.services import SEALING_PURPOSE
    from app.sealing import Sealer

    sealer = Sealer(current_app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)
    remote = RemoteBackpack(
        discovery_url="https://backpack.example/ims/ob/v3p0/discovery",
        name="Matrix Backpack",
        api_base="https://backpack.example/ims/ob/v3p0",
        authorization_url="https://backpack.example/auth",
        token_url="https://backpack.example/token",
        redirect_uri="https://laurel.test/backpack/send/callback",
        client_id="laurel-at-matrix",
        sealed_client_secret=sealer.seal("secret"),
        registered_at=now,
    )
    db.session.add(remote)
    db.session.flush()
    connection = BackpackConnection(
        owner_id=world["student_id"],
        backpack_id=remote.id,
        sealed_access_token=sealer.seal("token"),
        scope="",
        connected_at=now,
    )
    db.session.add(connection)
    db.session.flush()
    world["backpack_connection_id"] = connection.id


WORLD_BUILDERS.append(_backpack_send)

ROUTES += [
    # Only the learner sends (an address Laurel refuses: a clear 400, nothing fetched).
    Route(
        "POST",
        "/credentials/{credential_id}/send",
        _only(
            student=400,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
        data={"address": "http://backpack.example"},
    ),
    # The backpack's answer: without a state of one's own it is refused.
    Route("GET", "/backpack/send/callback?state=s&code=c", signed_in(400)),
    Route(
        "POST",
        "/backpack/connections/{backpack_connection_id}/disconnect",
        _only(
            student=302,
            other_student=404,
            instructor_of_class=404,
            other_instructor=404,
            counselor=404,
            admin=404,
        ),
    ),
]


def _proposals(world: dict, now) -> None:
    """Sam's proposal, sent to the instructors of Auto Shop."""
    from app.proposals import services as proposals

    proposal = proposals.create_proposal(
        proposals.ProposalInput(
            title="Matrix Proposal",
            learning="Wheels.",
            criteria="Build one.",
            evidence_plan="A video.",
        ),
        student=world["student"],
        class_id=world["class_id"],
        now=now,
    )
    proposals.submit_proposal(proposal, student=world["student"], expected_version=1, now=now)
    world["proposal_id"] = proposal.id


WORLD_BUILDERS.append(_proposals)

# A proposal: its student and its reviewers (the class's instructors, admins); 404 for others.
PROPOSAL_PAGE = _only(
    student=200,
    other_student=404,
    instructor_of_class=200,
    other_instructor=404,
    counselor=404,
    admin=200,
)
# Its student's steps: reviewers may read it but not act for the student.
PROPOSAL_STEP = _only(
    student=302,
    other_student=404,
    instructor_of_class=DENIED,
    other_instructor=404,
    counselor=404,
    admin=DENIED,
)
PROPOSAL_TEXT = {
    "title": "Matrix Proposal",
    "learning": "Wheels.",
    "criteria": "Build one.",
    "evidence_plan": "A video.",
}

ROUTES += [
    Route("GET", "/proposals", signed_in(200)),
    Route("GET", "/proposals/new", STUDENTS_ONLY),
    # The other student is not in the class named, so that is a 400.
    Route(
        "POST",
        "/proposals/new",
        {**STUDENTS_ONLY, "student": 302, "other_student": 400},
        data={**PROPOSAL_TEXT, "class_id": "{class_id}", "action": "save"},
    ),
    Route("GET", "/proposals/{proposal_id}", PROPOSAL_PAGE),
    Route("GET", "/proposals/{proposal_id}/edit", PROPOSAL_PAGE),
    Route("GET", "/proposals/{proposal_id}/compare", PROPOSAL_PAGE),
    Route("GET", "/proposals/999999", _only(**dict.fromkeys(SIGNED_IN, 404))),
    # The unchanged text saves no version, so each allowed role gets the same answer.
    Route(
        "POST",
        "/proposals/{proposal_id}/edit",
        {**PROPOSAL_PAGE, "student": 302, "instructor_of_class": 302, "admin": 302},
        data={**PROPOSAL_TEXT, "version": "1"},
    ),
    # It is already sent: its student gets a 400 that says so.
    Route(
        "POST",
        "/proposals/{proposal_id}/submit",
        {**PROPOSAL_STEP, "student": 400},
        data={"version": "1"},
    ),
    Route("POST", "/proposals/{proposal_id}/withdraw", PROPOSAL_STEP, data={"version": "1"}),
    Route(
        "POST",
        "/proposals/{proposal_id}/comments",
        {**PROPOSAL_PAGE, "student": 302, "instructor_of_class": 302, "admin": 302},
        data={"comment-message": "Which spokes?"},
    ),
    # Asking for changes without saying which is a 400 for reviewers; a student cannot decide.
    Route(
        "POST",
        "/proposals/{proposal_id}/decide",
        _only(
            student=DENIED,
            other_student=404,
            instructor_of_class=400,
            other_instructor=404,
            counselor=404,
            admin=400,
        ),
        data={"decision": "changes", "version": "1"},
    ),
    Route(
        "POST",
        "/proposals/{proposal_id}/decide",
        _only(
            student=DENIED,
            other_student=404,
            instructor_of_class=302,
            other_instructor=404,
            counselor=404,
            admin=400,
        ),
        data={"decision": "decline", "version": "1"},
    ),
]


# --- goals, reflections, learner profiles, counselors (wt-goals) -------------------------------


def _goals(world: dict, now) -> None:
    """Sam's goal (set by his draft) with a reflection on it; Sam's and Olive's profiles."""
    import sqlalchemy as sa

    from app.badges.models import Badge
    from app.evidence.models import Goal
    from app.goals import services as goals

    goal = db.session.scalar(sa.select(Goal).where(Goal.student_id == world["student_id"]))
    reflection = goals.write_reflection(
        student=world["student"],
        text="I learned to bleed brakes.",
        submission_id=world["draft_id"],
        goal_id=goal.id,
        now=now,
    )
    for who in ("student", "other_student"):
        goals.save_profile(student=world[who], interests="Engines", strengths="Patience", now=now)
    world.update(
        goal_id=goal.id,
        reflection_id=reflection.id,
        counselor_id=world["counselor"].id,
        published_badge_id=db.session.scalar(
            sa.select(Badge.id).where(Badge.slug == world["badge_slug"])
        ),
    )


WORLD_BUILDERS.append(_goals)

# The student's own goal pages: the other student has theirs, staff have none.
OWN_GOAL_PAGE = _only(
    student=200,
    other_student=404,
    instructor_of_class=DENIED,
    other_instructor=DENIED,
    counselor=DENIED,
    admin=DENIED,
)
OWN_GOAL_ACTION = {**OWN_GOAL_PAGE, "student": 302}
# Profiles: the learner, their instructors, their counselor and the admin; never other students.
SAM_PROFILE = {**LEARNER_AND_TEACHERS}
OLIVE_PROFILE = _only(
    student=404,
    other_student=200,
    instructor_of_class=404,
    other_instructor=200,
    counselor=404,
    admin=200,
)

ROUTES += [
    Route("GET", "/goals", STUDENT_PAGE),
    # The published badge belongs to Sam's class: Olive may not aim at it (400).
    Route(
        "POST",
        "/goals",
        {**STUDENT_PAGE, "student": 302, "other_student": 400},
        data={"title": "Earn it", "kind": "badge", "badge_id": "{published_badge_id}"},
    ),
    Route("GET", "/goals/{goal_id}/edit", OWN_GOAL_PAGE),
    Route("POST", "/goals/{goal_id}/edit", OWN_GOAL_ACTION, data={"title": "Brakes first"}),
    Route("GET", "/goals/999999/edit", {**OWN_GOAL_PAGE, "student": 404}),
    Route("POST", "/goals/{goal_id}/delete", OWN_GOAL_ACTION),
    Route("GET", "/reflections", STUDENT_PAGE),
    # Olive may not link a reflection to Sam's draft: not one of her choices (400).
    Route(
        "POST",
        "/reflections",
        {**STUDENT_PAGE, "student": 302, "other_student": 400},
        data={"text": "It went well.", "submission_id": "{draft_id}"},
    ),
    Route("POST", "/reflections/{reflection_id}/delete", OWN_GOAL_ACTION),
    Route("GET", "/profile", STUDENT_PAGE),
    Route(
        "POST",
        "/profile",
        {**STUDENT_PAGE, "student": 302, "other_student": 302},
        data={"interests": "Welding", "strengths": "Care"},
    ),
    Route("GET", "/learners/{student_id}/profile", SAM_PROFILE),
    Route("GET", "/learners/{other_student_id}/profile", OLIVE_PROFILE),
    Route("GET", "/learners/999999/profile", _only(**dict.fromkeys(SIGNED_IN, 404))),
    Route(
        "GET",
        "/dashboard/counselor",
        _only(**{**dict.fromkeys(SIGNED_IN, DENIED), "counselor": 200}),
    ),
    Route("GET", "/admin/counselors", admin_only(200)),
    Route(
        "POST",
        "/admin/counselors",
        admin_only(302),
        data={"counselor_id": "{counselor_id}", "student_id": "{other_student_id}"},
    ),
    Route("POST", "/admin/counselors/{counselor_id}/students/{student_id}/remove", admin_only(302)),
    Route(
        "POST",
        "/admin/counselors/{counselor_id}/students/{other_student_id}/remove",
        admin_only(404),
    ),
]


# --- pathways (wt-path) ----------------------------------------------------------------------


def _pathways(world: dict, now) -> None:
    """An Auto Shop pathway of one badge that Sam holds: his completion waits to be confirmed."""
    from app.badges.services import BadgeInput
    from app.badges.services import RubricLevelInput
    from app.badges.services import create_badge
    from app.badges.services import publish_badge
    from app.issuing.issuance import issue_credential
    from app.pathways.completion import settle_completions
    from app.pathways.services import PathwayInput
    from app.pathways.services import StepInput
    from app.pathways.services import create_pathway

    teacher, ctx = world["instructor_of_class"], issuing_context()
    badge = create_badge(
        BadgeInput(
            name="Matrix Step",
            description="A badge.",
            criteria_narrative="Show it.",
            accepted_kinds=("text",),
            rubric_levels=(RubricLevelInput("Proficient"),),
            required_level="Proficient",
            class_id=world["class_id"],
        ),
        actor=teacher,
        now=now,
    )
    publish_badge(badge, actor=teacher, now=now)
    pathway = create_pathway(
        PathwayInput(
            name="Matrix Pathway",
            description="A route.",
            class_id=world["class_id"],
            steps=[StepInput(badge.id)],
        ),
        actor=teacher,
        now=now,
    )
    credential = issue_credential(
        ctx, badge=badge, recipient=world["student"], level_id=None, issued_by=teacher, now=now
    )
    [completion] = settle_completions(ctx, [credential], actor=teacher, now=now)
    world.update(
        pathway_id=pathway.id, pathway_step_id=str(badge.id), pathway_completion_id=completion.id
    )


WORLD_BUILDERS.append(_pathways)

PATHWAY_FORM = {
    "name": "Matrix Pathway",
    "description": "A route.",
    "class_id": "{class_id}",
    "rule": "all",
    "badges": "{pathway_step_id}",
}
# Staff who review the pathway's class (and admins) change it; its student may read it only.
PATHWAY_EDITORS = _only(
    student=DENIED,
    other_student=404,
    instructor_of_class=200,
    other_instructor=DENIED,
    counselor=404,
    admin=200,
)

ROUTES += [
    Route("GET", "/pathways", signed_in(200)),
    Route("GET", "/pathways/new", STAFF_ONLY),
    # The other instructor does not teach Auto Shop, whose badge the form names.
    Route(
        "POST",
        "/pathways/new",
        {**STAFF_ONLY, "instructor_of_class": 302, "other_instructor": DENIED, "admin": 302},
        data=PATHWAY_FORM,
    ),
    Route(
        "GET",
        "/pathways/{pathway_id}",
        _only(
            student=200,
            other_student=404,
            instructor_of_class=200,
            other_instructor=200,
            counselor=404,
            admin=200,
        ),
    ),
    Route("GET", "/pathways/999999", _only(**dict.fromkeys(SIGNED_IN, 404))),
    Route("GET", "/pathways/{pathway_id}/edit", PATHWAY_EDITORS),
    Route(
        "POST",
        "/pathways/{pathway_id}/edit",
        {**PATHWAY_EDITORS, "instructor_of_class": 302, "admin": 302},
        data=PATHWAY_FORM,
    ),
    # The first confirmation issues the credential; a second one says it is already issued.
    Route(
        "POST",
        "/pathways/{pathway_id}/completions/{pathway_completion_id}/confirm",
        {**PATHWAY_EDITORS, "instructor_of_class": 302, "admin": 400},
    ),
    Route(
        "POST",
        "/pathways/{pathway_id}/completions/999999/confirm",
        {**PATHWAY_EDITORS, "instructor_of_class": 404, "admin": 404},
    ),
    # The first archive takes; a second says it is archived already; restoring one not
    # archived, and deleting one Sam has started, are conflicts too.
    Route(
        "POST",
        "/pathways/{pathway_id}/archive",
        {**PATHWAY_EDITORS, "instructor_of_class": 302, "admin": 409},
    ),
    Route(
        "POST",
        "/pathways/{pathway_id}/restore",
        {**PATHWAY_EDITORS, "instructor_of_class": 409, "admin": 409},
    ),
    Route(
        "POST",
        "/pathways/{pathway_id}/delete",
        {**PATHWAY_EDITORS, "instructor_of_class": 409, "admin": 409},
    ),
]


# Email notifications: each person chooses for themselves.
ROUTES += [
    Route("GET", "/account/notifications", signed_in(200)),
    Route(
        "POST",
        "/account/notifications",
        signed_in(302),
        data={
            "submission_received": "now",
            "review": "digest",
            "credential_issued": "now",
            "endorsement_request": "never",
        },
    ),
    Route("POST", "/account/notifications", signed_in(400), data={"review": "sometimes"}),
]


# --- endorsements ---------------------------------------------------------------------------


def _endorsements(world: dict, now) -> None:
    """An open link for the matrix badge; endorsements of it and of Sam's unshared credential."""
    from app.badges.models import Badge
    from app.badges.models import IssuedCredential
    from app.endorsements import services as endorsements
    from app.endorsements.models import Endorsement

    teacher = world["instructor_of_class"]

    def endorse(credential_id: str, subject: str) -> str:
        credential = db.session.get(IssuedCredential, credential_id)
        token = endorsements.create_invite(
            badge=db.session.get(Badge, credential.badge_id),
            credential=credential,
            invitee="Dana",
            actor=teacher,
            now=utcnow(),
        )
        data = endorsements.EndorserInput(
            name="Dana Ruiz",
            organisation="Riverside Garage",
            email="dana@garage.example",
            url="",
            comment="Fine work.",
            subject=subject,
        )
        return endorsements.endorse(token, data, ctx=issuing_context(), now=utcnow()).id

    badge_endorsement = db.session.get(
        Endorsement, endorse(world["credential_id"], endorsements.BADGE_SUBJECT)
    )
    unshared = world["unshared_credential_id"]
    world.update(
        endorsement_badge_id=badge_endorsement.badge_id,
        badge_endorsement_id=badge_endorsement.id,
        credential_endorsement_id=endorse(unshared, unshared),
        endorser_id=badge_endorsement.endorser_id,
        endorse_token=endorsements.create_invite(
            badge=badge_endorsement.badge,
            credential=None,
            invitee="Dana",
            actor=teacher,
            now=utcnow(),
        ),
    )


WORLD_BUILDERS.append(_endorsements)

# Staff invite endorsers for the badges they review; an instructor of another class does not.
ENDORSEMENT_STAFF = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=200,
    other_instructor=200,
    counselor=DENIED,
    admin=200,
)

ROUTES += [
    Route("GET", "/endorsements", ENDORSEMENT_STAFF),
    Route(
        "POST",
        "/endorsements",
        {**ENDORSEMENT_STAFF, "other_instructor": DENIED},
        data={"badge_id": "{endorsement_badge_id}", "credential_id": "", "invitee": "Dana"},
    ),
    # The endorser's page needs no account; an empty comment is refused and spends nothing.
    Route("GET", "/endorse/{endorse_token}", everyone(200)),
    Route("GET", "/endorse/not-a-link-anybody-was-ever-given", everyone(404)),
    Route(
        "POST",
        "/endorse/{endorse_token}",
        everyone(400),
        data={"name": "Dana", "email": "dana@garage.example", "comment": "", "subject": "badge"},
    ),
    Route("GET", "/endorsements/{badge_endorsement_id}", everyone(200)),
    # An endorsement of one credential is as private as the credential.
    Route(
        "GET", "/endorsements/{credential_endorsement_id}", {**LEARNER_AND_STAFF, "anonymous": 404}
    ),
    Route("GET", "/endorsements/00000000-0000-0000-0000-000000000000", everyone(404)),
    Route("GET", "/endorsers/{endorser_id}/did.json", everyone(200)),
    Route("GET", "/endorsers/00000000-0000-0000-0000-000000000000/did.json", everyone(404)),
    Route("POST", "/endorsements/{badge_endorsement_id}/withdraw", admin_only(302)),
]

# --- roster import ----------------------------------------------------------------------------


def _roster(world: dict, now) -> None:
    """A roster upload previewed by the admin, not applied yet."""
    from app.roster.services import start_import

    csv = b"name,email,role,class\nRita Roster,rita@school.test,student,Auto Shop 1\n"
    roster_import, plan = start_import([("roster.csv", csv)], actor=world["admin"], now=now)
    assert roster_import is not None, plan.problems
    world["roster_import_id"] = roster_import.id
    world["roster_digest"] = plan.digest()


WORLD_BUILDERS.append(_roster)

ROUTES += [
    Route("GET", "/admin/roster/{roster_import_id}", admin_only(200)),
    Route("GET", "/admin/roster/not-an-import", admin_only(404)),
    Route(
        "POST",
        "/admin/roster/{roster_import_id}/apply",
        admin_only(200),
        data={"digest": "{roster_digest}"},
    ),
]


def _sso(world: dict, now) -> None:
    """A stored sign-in provider an admin may remove."""
    from app.sso import services as sso

    provider = sso.add_provider(
        key="matrix-idp",
        name="Matrix IdP",
        issuer="https://idp.matrix.example",
        client_id="laurel",
        client_secret="a-matrix-secret",
        allowed_domains=["school.test"],
        create_students=False,
        now=now,
    )
    world["sso_key"] = provider.key


WORLD_BUILDERS.append(_sso)

SSO_PROVIDER = {
    "name": "School IdP",
    "key": "school-idp",
    "issuer": "https://idp.school.example",
    "client_id": "laurel",
    "client_secret": "a-client-secret",
    "allowed_domains": "school.test",
}

ROUTES += [
    # Single sign-on: starting is for visitors (signed-in people go to their dashboard); an
    # unknown provider is a 404 before any request leaves Laurel.
    Route("GET", "/sso/nobody/start", {**everyone(302), "anonymous": 404}),
    Route("GET", "/sso/nobody/callback?code=x&state=y", everyone(404)),
    # A callback without the state this browser was given is refused, signed in or not.
    Route("GET", "/sso/{sso_key}/callback?code=x&state=y", everyone(400)),
    Route("GET", "/admin/sso", admin_only(200)),
    Route("POST", "/admin/sso/providers", admin_only(302), data=SSO_PROVIDER),
    Route("POST", "/admin/sso/providers/{sso_key}/remove", admin_only(302)),
    Route("POST", "/admin/sso/providers/nobody/remove", admin_only(404)),
    Route("POST", "/admin/sso/passwords", admin_only(302), data={"passwords": "admins"}),
]


# --- LTI 1.3 (wt-lti) -------------------------------------------------------------------------


def _lti(world: dict, now) -> None:
    """A registered LMS whose course is linked to Auto Shop 1 (no roster service offered)."""
    from app.lti.models import LtiContextLink
    from app.lti.platforms import PlatformInput
    from app.lti.platforms import add_platform

    platform = add_platform(
        PlatformInput(
            name="Matrix LMS",
            issuer="https://lms.matrix.example",
            client_id="matrix-client",
            auth_login_url="https://lms.matrix.example/auth",
            auth_token_url="https://lms.matrix.example/token",
            key_set_url="https://lms.matrix.example/jwks",
            deployment_ids=("1:matrix",),
        ),
        now=now,
    )
    db.session.add(
        LtiContextLink(
            platform_id=platform.id,
            context_id="course-1",
            class_id=world["class_id"],
            title="Auto Shop (LMS)",
            deployment_id="1:matrix",
            linked_at=now,
        )
    )
    world["lti_platform_id"] = platform.id


WORLD_BUILDERS.append(_lti)

LTI_PLATFORM = {
    "name": "Another LMS",
    "issuer": "https://lms.other.example",
    "client_id": "other-client",
    "deployment_ids": "1:other",
    "auth_login_url": "https://lms.other.example/auth",
    "auth_token_url": "https://lms.other.example/token",
    "key_set_url": "https://lms.other.example/jwks",
}
# The linked class's page: its instructors and admins.
LTI_CLASS = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=200,
    other_instructor=DENIED,
    counselor=DENIED,
    admin=200,
)

ROUTES += [
    # The LMS's side: anyone may call them; without a login request's parameters, or a
    # launch's state, they answer 400 before anything else.
    Route("GET", "/lti/login", everyone(400)),
    Route("POST", "/lti/login", everyone(400)),
    Route("POST", "/lti/launch", everyone(400), data={"id_token": "a.b.c", "state": "s"}),
    Route("GET", "/lti/jwks", everyone(200)),
    Route("GET", "/lti/config.json", everyone(200)),
    # Placing a badge needs a deep-linking launch first (kept in the session).
    Route("GET", "/lti/deep-link", signed_in(400)),
    Route("POST", "/lti/deep-link", signed_in(400), data={"badge": "x"}),
    Route("GET", "/lti/classes/{class_id}", LTI_CLASS),
    Route(
        "GET",
        "/lti/classes/{other_class_id}",
        {**LTI_CLASS, "instructor_of_class": DENIED, "other_instructor": 404, "admin": 404},
    ),
    # The course offered no roster service: a 400 that says so, for those who may import.
    Route(
        "POST",
        "/lti/classes/{class_id}/roster",
        {**LTI_CLASS, "instructor_of_class": 400, "admin": 400},
    ),
    Route("GET", "/admin/lti", admin_only(200)),
    Route("POST", "/admin/lti/platforms", admin_only(302), data=LTI_PLATFORM),
    Route("GET", "/admin/lti/platforms/{lti_platform_id}", admin_only(200)),
    Route("GET", "/admin/lti/platforms/999999", admin_only(404)),
    Route("POST", "/admin/lti/platforms/{lti_platform_id}", admin_only(302), data=LTI_PLATFORM),
    Route("POST", "/admin/lti/platforms/{lti_platform_id}/remove", admin_only(302)),
]


# --- progress at a glance (wt-plots) -----------------------------------------------------------

# The other instructor's own page shows Algebra 2; Auto Shop 1 is not theirs to pick.
PROGRESS_STAFF = _only(
    student=DENIED,
    other_student=DENIED,
    instructor_of_class=200,
    other_instructor=200,
    counselor=DENIED,
    admin=200,
)
PROGRESS_OF_CLASS = {**PROGRESS_STAFF, "other_instructor": DENIED}
PROGRESS_LEARNER = _only(
    student=200,
    other_student=200,
    instructor_of_class=DENIED,
    other_instructor=DENIED,
    counselor=DENIED,
    admin=DENIED,
)

ROUTES += [
    Route("GET", "/progress/class", PROGRESS_STAFF),
    Route("GET", "/progress/class?class={class_id}", PROGRESS_OF_CLASS),
    Route("GET", "/progress/class/mastery.csv?class={class_id}", PROGRESS_OF_CLASS),
    Route("GET", "/progress/class/earned.csv", PROGRESS_STAFF),
    Route("GET", "/progress/class/reviews.csv", PROGRESS_STAFF),
    Route("GET", "/progress/class/pathways.csv", PROGRESS_STAFF),
    Route(
        "GET",
        "/progress/class?class=abc",
        _only(
            **dict.fromkeys(("student", "other_student"), DENIED),
            instructor_of_class=400,
            other_instructor=400,
            counselor=DENIED,
            admin=400,
        ),
    ),
    Route("GET", "/progress/mine", PROGRESS_LEARNER),
    Route("GET", "/progress/mine/standards.csv", PROGRESS_LEARNER),
    # Sam is not in Algebra 2; the other student is.
    Route("GET", "/progress/mine?class={other_class_id}", {**PROGRESS_LEARNER, "student": DENIED}),
]


# --- wallets: OpenID4VCI offers and the Learner Credential Wallet's VC-API exchange ---------


def _wallets(world: dict, now) -> None:
    """Sam's two wallet offers of his credential: an OpenID4VCI offer and a VC-API exchange."""
    from flask import current_app

    from app.badges.models import IssuedCredential
    from app.sealing import Sealer
    from app.wallets.models import WalletProtocol
    from app.wallets.offers import SEALING_PURPOSE
    from app.wallets.offers import create_offer

    credential = db.session.get(IssuedCredential, world["credential_id"])
    sealer = Sealer(current_app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)
    for protocol, name in (
        (WalletProtocol.OPENID4VCI, "wallet_offer_id"),
        (WalletProtocol.VCAPI, "wallet_exchange_id"),
    ):
        made = create_offer(
            credential,
            owner=world["student"],
            protocol=protocol,
            with_pin=True,
            sealer=sealer,
            now=utcnow(),
        )
        world[name] = made.offer.id


WORLD_BUILDERS.append(_wallets)

ROUTES += [
    # Only the learner makes an offer; staff who see the credential are refused, others 404.
    Route(
        "POST",
        "/credentials/{credential_id}/wallet",
        _only(
            student=200,
            other_student=404,
            instructor_of_class=DENIED,
            other_instructor=DENIED,
            counselor=DENIED,
            admin=DENIED,
        ),
        data={"protocol": "openid4vci"},
    ),
    # The wallet's side: no cookie matters; the offer's random id, its code and tokens do.
    Route("GET", "/.well-known/openid-credential-issuer", everyone(200)),
    Route("GET", "/.well-known/oauth-authorization-server", everyone(200)),
    Route("GET", "/openid4vci/offers/{wallet_offer_id}", everyone(200)),
    Route("GET", "/openid4vci/offers/{wallet_exchange_id}", everyone(404)),
    Route("POST", "/openid4vci/token", everyone(400), data={"pre-authorized_code": "guess"}),
    Route("POST", "/openid4vci/nonce", everyone(200)),
    Route("POST", "/openid4vci/credential", everyone(401)),
    Route("GET", "/exchanges/{wallet_exchange_id}", everyone(200)),
    Route("POST", "/exchanges/{wallet_exchange_id}", everyone(200)),
    Route("POST", "/exchanges/{wallet_offer_id}", everyone(404)),
]
