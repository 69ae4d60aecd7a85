"""An admin's client that uploads rosters and applies their previews."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app.accounts.models import ClassMembership
from app.accounts.models import Invitation
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import db
from app.roster.models import RosterClassLink
from app.roster.models import RosterImport
from app.roster.models import RosterUserLink
from tests.roster.bundle import multipart

DIGEST = re.compile(r'name="digest"[^>]*value="([0-9a-f]{64})"')


@dataclass
class Admin:
    client: FlaskClient

    def upload(self, *files: tuple[str, bytes], headers: dict[str, str] | None = None):
        body, content_type = multipart(list(files))
        return self.client.post(
            "/admin/roster", data=body, content_type=content_type, headers=headers
        )

    def apply(self, preview_url: str, digest: str | None = None):
        """Apply the preview at `preview_url` (with the digest it shows, unless one is given)."""
        page = self.client.get(preview_url).get_data(as_text=True)
        if digest is None:
            found = DIGEST.search(page)
            assert found, "the preview offers no Apply button"
            digest = found.group(1)
        return self.client.post(f"{preview_url}/apply", data={"digest": digest})

    def import_(self, *files: tuple[str, bytes]):
        """Upload and apply: the report page."""
        response = self.upload(*files)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        report = self.apply(response.headers["Location"])
        assert report.status_code == 200, report.get_data(as_text=True)[:3000]
        return report


@pytest.fixture
def admin(client, make_user, login) -> Admin:
    login(make_user(Role.ADMIN, email="office@maplegrove.test", name="Office Admin"))
    return Admin(client)


def counts() -> dict[str, int]:
    """Rows of every table a roster import writes to."""
    tables = {
        "users": User,
        "classes": SchoolClass,
        "memberships": ClassMembership,
        "invitations": Invitation,
        "user_links": RosterUserLink,
        "class_links": RosterClassLink,
        "imports": RosterImport,
    }
    return {
        name: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in tables.items()
    }


def classes_of(email: str) -> dict[str, str]:
    """Class name -> role of the person's memberships."""
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.email == email)).one()
    return {m.school_class.name: m.role.value for m in user.memberships}
