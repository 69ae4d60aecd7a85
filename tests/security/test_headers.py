"""Security headers on every route of the URL map, for every kind of answer (page, file, error)."""

from __future__ import annotations

import pytest

from app.web.headers import CAMERA_ENDPOINTS
from app.web.headers import CONTENT_SECURITY_POLICY
from tests.security.conftest import fill
from tests.security.routes import url_rules

CASES = [
    pytest.param(rule, role, id=f"{rule.id} as {role}")
    for rule in url_rules()
    # POSTs go anonymous only: they must not change the school the other cases look at.
    for role in (("anonymous", "student", "admin") if rule.method == "GET" else ("anonymous",))
]


def _assert_security_headers(response, camera: bool) -> None:
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[-1].split(";")[0]
    if response.mimetype == "text/html":
        assert policy == CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    expected_camera = "camera=(self)" if camera else "camera=()"
    assert expected_camera in headers["Permissions-Policy"].split(", ")


@pytest.mark.parametrize(("rule", "role"), CASES)
def test_headers_on_every_route(world, client_as, rule, role):
    """Does every route send the security headers, the camera allowed only on the verify page?"""
    with client_as(role).open(fill(rule.path(), world), method=rule.method) as response:
        assert response.status_code < 500
        _assert_security_headers(response, camera=rule.endpoint in CAMERA_ENDPOINTS)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/no-such-page"),
        ("DELETE", "/verify"),
        ("GET", "/credentials/abc%00def"),
        ("POST", "/login"),
        ("GET", "/files/999999"),
    ],
    ids=["404", "405", "guard_404", "form_400", "file_404"],
)
def test_headers_on_error_answers(client_as, method, path):
    with client_as("anonymous").open(path, method=method, data={"email": "a\x00"}) as response:
        assert 400 <= response.status_code < 500
        _assert_security_headers(response, camera=False)


def test_headers_own_policy_of_a_file_is_kept_and_made_unframeable(world, client_as):
    """Is an uploaded file still sandboxed, and not framable either?"""
    path = fill("/files/{approved_public_file_id}", world)
    with client_as("student").get(path) as response:
        policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; sandbox")
    assert policy.endswith("frame-ancestors 'none'")
