"""NUL and other refused characters, in every part of every request, as every kind of visitor.

Each case names the hostile character and where it goes; each must answer 404 (in the
path) or 400 with a sentence naming the field, never a 5xx, and store nothing.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from tests.security.conftest import fill
from tests.security.conftest import message_of
from tests.security.conftest import send
from tests.security.conftest import snapshot
from tests.security.forms import FORMS
from tests.security.forms import text_fields
from tests.security.routes import url_rules
from tests.test_authz_matrix import ROLES

# Every character the input guard refuses, by name.
REFUSED = {
    "nul": "\x00",
    "start_of_heading": "\x01",
    "bell": "\x07",
    "backspace": "\x08",
    "vertical_tab": "\x0b",
    "form_feed": "\x0c",
    "escape": "\x1b",
    "unit_separator": "\x1f",
    "delete": "\x7f",
}
IN_PATH = ("nul", "bell", "escape", "delete")


def _refused_cleanly(status: int, body: str, expected: int, name: str | None = None) -> None:
    """`expected` status; for a field, a sentence that names it."""
    assert status == expected, body[:500]
    if name is not None:
        assert f"“{name}” contains" in message_of(body), body[:500]


# --- the path: every argument of every rule -----------------------------------------------

PATH_CASES = [
    pytest.param(rule, argument, char, role, id=f"{rule.id} {argument}={char} as {role}")
    for rule in url_rules()
    for argument in sorted(rule.arguments)
    for char, roles in [(c, ("anonymous",)) for c in IN_PATH] + [("nul", ROLES[1:])]
    for role in roles
]


@pytest.mark.parametrize(("rule", "argument", "char", "role"), PATH_CASES)
def test_guard_refused_character_in_path_is_404(
    shared_app, world, client_as, rule, argument, char, role
):
    """Is a path whose argument holds a refused character a 404 page, with nothing stored?"""
    hostile = "abc" + quote(REFUSED[char]) + "def"
    path = fill(rule.path(**{argument: hostile}), world)
    before = snapshot(shared_app)
    status, body = send(client_as(role), rule.method, path)
    _refused_cleanly(status, body, 404)
    assert snapshot(shared_app) == before


@pytest.mark.parametrize(
    "path",
    [
        "/credentials/abc%00def",
        "/api/v1/credentials/abc%00def",
        "/s/abc%00def",
        "/achievements/abc%00def",
        "/badges/abc%00def",
        "/no-such-page%00",
        "/static/css%00/laurel.css",
        "/%00",
    ],
)
def test_guard_nul_in_path_from_the_issue_is_404(client_as, path):
    status, body = send(client_as("anonymous"), "GET", path)
    _refused_cleanly(status, body, 404)


def test_guard_nul_in_api_path_answers_json(client_as):
    with client_as("anonymous").get("/api/v1/credentials/abc%00def") as response:
        assert response.status_code == 404
        assert response.is_json and response.json["status"] == 404


# --- the query string of every GET rule ----------------------------------------------------

QUERY_CASES = [
    pytest.param(rule, char, in_name, id=f"{rule.id} ?{'name' if in_name else 'value'}={char}")
    for rule in url_rules()
    if rule.method == "GET"
    for char in ("nul", "escape")
    for in_name in (False, True)
]


@pytest.mark.parametrize(("rule", "char", "in_name"), QUERY_CASES)
def test_guard_refused_character_in_query_is_400(shared_app, world, client_as, rule, char, in_name):
    hostile = "x" + REFUSED[char]
    name, value = (hostile, "1") if in_name else ("state", hostile)
    before = snapshot(shared_app)
    status, body = send(
        client_as("admin"), "GET", fill(rule.path(), world), query_string={name: value}
    )
    _refused_cleanly(status, body, 400, "x\N{REPLACEMENT CHARACTER}" if in_name else "state")
    assert snapshot(shared_app) == before


# --- every text field of every form ----------------------------------------------------------

FIELD_CASES = [
    pytest.param(form, field, char, id=f"{form.id} {field}={char}")
    for form, field in text_fields()
    for char in REFUSED
]


@pytest.mark.parametrize(("form", "field", "char"), FIELD_CASES)
def test_guard_refused_character_in_field_is_400(shared_app, world, client_as, form, field, char):
    """Is a form field holding a refused character a 400 naming the field, with nothing stored?"""
    data = {name: fill(value, world) for name, value in form.data.items()}
    data[field] = f"{data[field][:3]}{REFUSED[char]}{data[field][3:]}"
    before = snapshot(shared_app)
    status, body = send(client_as(form.role), "POST", fill(form.path, world), data=data)
    _refused_cleanly(status, body, 400, field)
    assert snapshot(shared_app) == before


FILENAME_CASES = [
    pytest.param(form, field, char, id=f"{form.id} {field} filename={char}")
    for form in FORMS
    for field in form.files
    for char in REFUSED
]


@pytest.mark.parametrize(("form", "field", "char"), FILENAME_CASES)
def test_guard_refused_character_in_file_name_is_400(
    shared_app, world, client_as, form, field, char
):
    data = {name: fill(value, world) for name, value in form.data.items()}
    data[field] = (io.BytesIO(b"plain text"), f"note{REFUSED[char]}.txt")
    before = snapshot(shared_app)
    status, body = send(
        client_as(form.role),
        "POST",
        fill(form.path, world),
        data=data,
        content_type="multipart/form-data",
    )
    _refused_cleanly(status, body, 400, field)
    assert snapshot(shared_app) == before


ROLE_CASES = [
    pytest.param(form, role, id=f"{form.id} extra=nul as {role}")
    for form in FORMS
    for role in ROLES
]


@pytest.mark.parametrize(("form", "role"), ROLE_CASES)
def test_guard_nul_in_any_form_as_any_visitor_is_400(shared_app, world, client_as, form, role):
    """Is NUL refused before anything else, whoever sends it (also anonymously)?"""
    data = {name: fill(value, world) for name, value in form.data.items()}
    data["note"] = "le\x00o@school.test"
    before = snapshot(shared_app)
    status, body = send(client_as(role), "POST", fill(form.path, world), data=data)
    _refused_cleanly(status, body, 400, "note")
    assert snapshot(shared_app) == before


def test_guard_login_email_with_nul_from_the_issue_is_400(client_as):
    status, body = send(
        client_as("anonymous"),
        "POST",
        "/login",
        data={"email": "le\x00o@school.test", "password": "x"},
    )
    _refused_cleanly(status, body, 400, "email")


@pytest.mark.parametrize(
    "value",
    ["tab\there", "line\nbreak", "crlf\r\nbreak", "accents é ü ñ", "emoji 🚚", "rtl עברית"],
    ids=["tab", "newline", "crlf", "accents", "emoji", "rtl"],
)
def test_guard_allows_ordinary_text(shared_app, world, client_as, value):
    """Are tabs, line breaks and any printable Unicode let through to the view?"""
    status, body = send(
        client_as("student"),
        "POST",
        fill("/submissions/{submitted_id}/comments", world),
        data={"comment-message": value},
    )
    assert status == 302, body[:500]


# --- the form table covers the application ----------------------------------------------------


def test_forms_table_covers_every_post_rule(world):
    """Does every POST rule of the URL map have a form in the security suite?"""
    import re

    paths = [fill(form.path, world) for form in FORMS]
    missing = [
        rule.rule
        for rule in url_rules()
        if rule.method == "POST"
        and not any(re.fullmatch(re.sub(r"<[^>]+>", "[^/]+", rule.rule), path) for path in paths)
    ]
    assert not missing


# --- JSON bodies: only bodies that cannot hold a refused character skip the walk -------------

JSON_BODIES = {
    "escaped NUL": b'{"url": "https://school.test/\\u0000"}',
    "UTF-8 lone surrogate": '{"url": "\ud800"}'.encode("utf-8", "surrogatepass"),
    "UTF-16 lone surrogate": '{"url": "\ud800"}'.encode("utf-16-le", "surrogatepass"),
    "UTF-16 escaped NUL": '{"url": "\\u0000"}'.encode("utf-16-le"),
}


@pytest.mark.parametrize("body", JSON_BODIES.values(), ids=JSON_BODIES.keys())
def test_guard_refuses_unstorable_json_in_any_encoding(client_as, body):
    with client_as("anonymous").post(
        "/api/v1/verify", data=body, content_type="application/json"
    ) as response:
        assert response.status_code == 400
        assert "JSON value at “url” contains" in message_of(response.get_data(as_text=True))
