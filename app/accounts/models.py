"""Users, roles, classes (course sections) and invitations."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from app.extensions import Model
from app.models_base import UTCDateTime
from app.models_base import new_uuid
from app.models_base import utcnow


def new_session_token() -> str:
    return secrets.token_hex(16)


class Role(enum.StrEnum):
    ADMIN = "admin"
    INSTRUCTOR = "instructor"
    STUDENT = "student"
    # Reads the profiles and records of the students assigned to them; reviews and issues nothing.
    COUNSELOR = "counselor"


class User(UserMixin, Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))
    # scrypt via werkzeug; NULL until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    # Stable, opaque learner id: credentialSubject.id (`urn:uuid:…`) unless a DID is bound.
    learner_uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    learner_did: Mapped[str | None] = mapped_column(sa.String(500))
    # Salt for the hashed email in credentialSubject.identifier.
    identity_salt: Mapped[str] = mapped_column(
        sa.String(64), default=lambda: new_uuid().replace("-", "")
    )
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Part of every session cookie of this user (see get_id); a new value ends them all.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The language the person chose for pages, emails and certificates (`app.i18n`);
    # NULL follows their browser.
    language: Mapped[str | None] = mapped_column(sa.String(16))

    memberships: Mapped[list[ClassMembership]] = relationship(back_populates="user")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session cookie: `<user id>:<session token>`.

        A cookie is signed but lives on the browser, so the server cannot delete it;
        rotating the token makes every earlier cookie of this user name a stale token.
        """
        return f"{self.id}:{self.session_token}"

    @property
    def subject_id(self) -> str:
        """The id Laurel puts in credentialSubject.id."""
        return self.learner_did or f"urn:uuid:{self.learner_uuid}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        if not self.password_hash:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_counselor(self) -> bool:
        return self.role == Role.COUNSELOR


class SchoolClass(Model):
    """A course section with its instructors and students."""

    __tablename__ = "school_class"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[ClassMembership]] = relationship(
        back_populates="school_class", cascade="all, delete-orphan"
    )


class ClassMembership(Model):
    __tablename__ = "class_membership"
    __table_args__ = (sa.UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(sa.ForeignKey("school_class.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    # The user's role in this class: instructor or student.
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20))

    school_class: Mapped[SchoolClass] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invitation(Model):
    """A link that lets a person set a password and join; only the token's hash is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class CounselorAssignment(Model):
    """A counselor follows a student, whatever classes the student is in."""

    __tablename__ = "counselor_assignment"
    __table_args__ = (sa.UniqueConstraint("counselor_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Made by a roster import (a student's agents in OneRoster), which may also undo it; an
    # assignment an admin made stays until an admin removes it.
    by_roster: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    counselor: Mapped[User] = relationship(foreign_keys=[counselor_id])
    student: Mapped[User] = relationship(foreign_keys=[student_id])
