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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

import pytest

from app.accounts import services
from app.accounts.models import Role
from app.extensions import db

ROLES = ("anonymous", "student", "other_student", "instructor_of_class", "other_instructor", "admin")
SIGNED_IN = ROLES[1:]

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
    Route("GET", "/invite/{invite_token}", everyone(200)),
    Route("GET", "/admin/users", admin_only(200)),
    Route("POST", "/admin/users", admin_only(200),
          data={"name": "Nina New", "email": "nina@school.test", "role": "student", "class_id": "0"}),
    Route("POST", "/admin/users/{student_id}/role", admin_only(302), data={"role": "instructor"}),
    Route("POST", "/admin/users/{student_id}/deactivate", admin_only(302)),
    Route("POST", "/admin/users/{student_id}/reactivate", admin_only(302)),
    Route("POST", "/admin/users/{invited_id}/invite", admin_only(200)),
    Route("GET", "/admin/roster", admin_only(200)),
    Route("POST", "/admin/roster", admin_only(400)),
    Route("GET", "/admin/classes", admin_only(200)),
    Route("POST", "/admin/classes", admin_only(302), data={"name": "Physics 1"}),
    Route("GET", "/admin/classes/{class_id}", admin_only(200)),
    Route("GET", "/admin/classes/999999", admin_only(404)),
    Route("POST", "/admin/classes/{class_id}/members", admin_only(302),
          data={"user_id": "{other_student_id}", "role": "student"}),
    Route("POST", "/admin/classes/{class_id}/members/{student_id}/remove", admin_only(302)),
]


def _people(world: dict, now) -> None:
    """A class with its instructor and student; another instructor and student; an admin."""
    make = services.create_user
    world["student"] = make(email="sam@school.test", name="Sam Student", role=Role.STUDENT)
    world["other_student"] = make(email="olive@school.test", name="Olive Other", role=Role.STUDENT)
    world["instructor_of_class"] = make(email="ines@school.test", name="Ines Instructor", role=Role.INSTRUCTOR)
    world["other_instructor"] = make(email="otto@school.test", name="Otto Other", role=Role.INSTRUCTOR)
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
        invite_token=services.invite_user(invited, created_by=world["admin"], now=now),
    )


# Builders run in order on one database per test; later ones may use earlier results.
WORLD_BUILDERS: list[Callable[[dict, object], None]] = [_people]


@pytest.fixture
def world(app_ctx, now) -> dict:
    built: dict = {}
    for build in WORLD_BUILDERS:
        build(built, now)
        db.session.commit()
    return built


def _client_as(app, world: dict, role: str):
    client = app.test_client()
    if role != "anonymous":
        with client.session_transaction() as session:
            session["_user_id"] = str(world[role].id)
            session["_fresh"] = True
    return client


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
            actual[role] = client.open(path, method=route.method, data=data or None).status_code
    assert actual == route.expected
