"""The landing page, the /dashboard dispatcher, the layout, filters and error pages."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.badges.models import IssuerProfile
from app.extensions import db
from app.issuing.profile import IssuerInput
from app.issuing.profile import issuer_profile
from app.issuing.profile import update_issuer_profile
from app.keyring import issuing_context
from app.main.filters import format_date
from app.main.filters import format_datetime
from app.main.filters import render_markdown
from tests.fixtures.users import DEFAULT_PASSWORD


def test_index_anonymous_offers_sign_in_and_verify(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in page
    assert 'href="/verify"' in page
    assert 'class="skip-link" href="#content"' in page


@pytest.mark.parametrize(
    ("role", "target"),
    [
        (Role.STUDENT, "/dashboard/student"),
        (Role.INSTRUCTOR, "/dashboard/instructor"),
        (Role.ADMIN, "/admin/users"),
    ],
)
def test_dashboard_redirects_by_role(client, make_user, login, role, target):
    login(make_user(role))
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.location == target


def test_dashboard_anonymous_sent_to_login(client):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.location.startswith("/login")


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (Role.STUDENT, ["Badges", "My dashboard"], ["Review queue", "Users", "Roster"]),
        (
            Role.INSTRUCTOR,
            ["Badges", "Review queue", "Dashboard"],
            ["My dashboard", "Users", "School profile"],
        ),
        (
            Role.ADMIN,
            ["Review queue", "Users", "Roster", "Classes", "School profile"],
            ["My dashboard"],
        ),
    ],
)
def test_navigation_matches_role(client, make_user, login, role, present, absent):
    login(make_user(role))
    page = client.get("/").get_data(as_text=True)
    nav = page.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    for label in present:
        assert f">{label}</a>" in nav
    for label in absent:
        assert f">{label}</a>" not in nav


def test_flash_region_is_a_status_live_region(client, make_user):
    admin = make_user(Role.ADMIN)
    client.post("/login", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    page = client.get("/admin/users").get_data(as_text=True)
    assert '<div role="status" aria-live="polite">' in page
    assert "flash flash-success" in page


def test_error_page_is_the_site_page_with_status(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "error-page" in page and "laurel.css" in page


def test_markdown_script_and_handlers_removed():
    html = str(
        render_markdown(
            "**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>"
            " [x](javascript:alert(1))"
        )
    )
    assert "<strong>bold</strong>" in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_markdown_links_kept_with_rel():
    html = str(render_markdown("[standard](https://standards.example/a5)"))
    assert 'href="https://standards.example/a5"' in html and "noopener" in html


def test_markdown_empty_is_empty_markup():
    assert str(render_markdown(None)) == ""


def test_datetime_filters_format_in_utc():
    moment = datetime(2026, 11, 3, 9, 5, tzinfo=UTC)
    assert format_datetime(moment) == "3 Nov 2026, 09:05 UTC"
    assert format_date(moment) == "3 November 2026"
    assert format_datetime(None) == ""


def _header_name(page: str) -> str:
    brand = page[page.index('class="site-brand"') :]
    return brand[brand.index("<span>") + len("<span>") : brand.index("<small>")]


def test_header_school_name_same_before_and_after_profile_created(app_ctx, client, make_user):
    """The header names the school as credentials will, without creating the profile."""
    before = client.get("/").get_data(as_text=True)
    assert _header_name(before) == "School at laurel.test"
    assert "<title>" in before and "· School at laurel.test</title>" in before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IssuerProfile)) == 0

    assert issuer_profile(issuing_context().public_url).name == "School at laurel.test"
    db.session.commit()
    assert _header_name(client.get("/").get_data(as_text=True)) == "School at laurel.test"

    update_issuer_profile(
        issuer_profile(issuing_context().public_url),
        IssuerInput(name="Riverside High School", url="https://riverside.example"),
        actor=make_user(Role.ADMIN),
    )
    db.session.commit()
    assert _header_name(client.get("/").get_data(as_text=True)) == "Riverside High School"
