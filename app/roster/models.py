"""What a roster import keeps: the roster ids of people and classes, and each import.

A OneRoster `sourcedId` is the student information system's stable key for a record.
Laurel keeps it beside the account and the class it matched, so the next import
matches on it even after a name or an email changed.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_token

MAX_SOURCED_ID = 255


class RosterUserLink(Model):
    """The OneRoster user a Laurel account belongs to."""

    __tablename__ = "roster_user_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    sourced_id: Mapped[str] = mapped_column(sa.String(MAX_SOURCED_ID), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), unique=True)

    user: Mapped[User] = relationship()


class RosterClassLink(Model):
    """The OneRoster class a Laurel class belongs to; its members follow the enrollments."""

    __tablename__ = "roster_class_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    sourced_id: Mapped[str] = mapped_column(sa.String(MAX_SOURCED_ID), unique=True)
    class_id: Mapped[int] = mapped_column(
        sa.ForeignKey("school_class.id", ondelete="CASCADE"), unique=True
    )

    school_class: Mapped[SchoolClass] = relationship()


class RosterImport(Model):
    """One uploaded roster: kept from its preview until it is applied, then its report.

    Its id is a random token (it names the import in URLs). The file itself is dropped
    once applied: the report says what changed, and the roster's personal data does
    not linger in the database.
    """

    __tablename__ = "roster_import"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_token)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    # "oneroster" (a zip bundle, as uploaded or zipped from the files) or "csv".
    kind: Mapped[str] = mapped_column(sa.String(20))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The report of what was applied (JSON), written when it is applied.
    report_json: Mapped[str | None] = mapped_column(sa.Text())
