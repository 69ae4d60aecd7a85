"""The school's issuer profile, badge definitions, issued credentials and status lists."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.accounts.models import CounselorAssignment
from app.accounts.models import Role
from app.accounts.models import SchoolClass
from app.accounts.models import User
from app.extensions import Model
from app.extensions import db
from app.models_base import UTCDateTime
from app.models_base import new_token
from app.models_base import new_uuid
from app.models_base import utcnow


class IssuerProfile(Model):
    """The school as issuer of every credential (one row)."""

    __tablename__ = "issuer_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str] = mapped_column(sa.String(500))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    description: Mapped[str | None] = mapped_column(sa.Text)
    logo: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    logo_mime: Mapped[str | None] = mapped_column(sa.String(50))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# Kinds of evidence a badge may accept: key -> label shown to people.
EVIDENCE_KINDS: dict[str, str] = {
    "photo": "Photos",
    "document": "Documents (PDF, DOCX)",
    "spreadsheet": "Spreadsheets (XLSX, CSV)",
    "video": "Video",
    "link": "Links",
    "text": "Text",
}

# The Open Badges 3.0 achievementType vocabulary (extensible with an `ext:` prefix).
ACHIEVEMENT_TYPES: tuple[str, ...] = (
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
)

DEFAULT_RUBRIC_LEVELS: tuple[str, ...] = ("Developing", "Proficient", "Mastery")


class BadgeState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Badge(Model):
    """A badge definition: becomes the OB 3.0 Achievement embedded in each credential.

    `criteria_items`, `rubric_levels` and `alignments` are JSON lists:
    - criteria_items: ["Documents each stage with photos", …]
    - rubric_levels: [{"id": "urn:uuid:…", "name": "Proficient", "description": "…"}, …]
      ordered low to high; `required_level_id` names the level needed to earn the badge.
    - alignments: [{"framework": …, "code": …, "name": …, "url": …}, …]
    Editing a badge that has been issued bumps `version`; credentials embed the
    achievement as it stood, so they keep the version they were issued under.
    """

    __tablename__ = "badge"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    # Stable achievement id across versions (urn:uuid); the URL form is built from it.
    achievement_uuid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    criteria_narrative: Mapped[str] = mapped_column(sa.Text)
    criteria_items: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    evidence_prompt: Mapped[str] = mapped_column(sa.Text, default="")
    accepted_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    rubric_levels: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    required_level_id: Mapped[str | None] = mapped_column(sa.String(60))
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    achievement_type: Mapped[str] = mapped_column(sa.String(60), default="Badge")
    expiry_months: Mapped[int | None] = mapped_column()
    # The uploaded image, and the same drawn once as PNG when it was saved (a PNG upload
    # is its own PNG): previews, baked downloads and certificates use the PNG and never
    # render `image` again. No PNG with an image means it could not be drawn: the
    # medallion stands in. Each is kept where app.badges.image_store says: its bytes in
    # this row (the local default), or in the bucket under its sha256 with the bytes
    # column NULL. The sha256 columns are set either way: ETag, cache key, object key.
    image: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    image_mime: Mapped[str | None] = mapped_column(sa.String(50))
    image_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    image_png: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    image_png_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    class_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("school_class.id", ondelete="SET NULL")
    )
    state: Mapped[BadgeState] = mapped_column(
        sa.Enum(BadgeState, native_enum=False, length=20), default=BadgeState.DRAFT
    )
    # A badge a student proposed (app.proposals): its achievement says so.
    student_proposed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A personal badge: only this student sees it and may earn it.
    personal_for_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="RESTRICT")
    )
    version: Mapped[int] = mapped_column(default=1)
    # Optimistic lock: bumped by every edit, so a form saved over a newer edit (or an
    # edit racing an approval) is refused with 409 instead of half-overwriting it.
    revision: Mapped[int] = mapped_column(default=1)
    # The version under which the last credential was issued: an edit of that version
    # must become a new version, because credentials embed the achievement as issued.
    issued_version: Mapped[int | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    school_class: Mapped[SchoolClass | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    personal_for: Mapped[User | None] = relationship(foreign_keys=[personal_for_id])

    @property
    def has_image(self) -> bool:
        """An image was uploaded (wherever its bytes are kept)."""
        return self.image_sha256 is not None

    def _has_class_role(self, user: User, role: Role) -> bool:
        return self.class_id is not None and any(
            m.class_id == self.class_id and m.role == role for m in user.memberships
        )

    def is_for_learner(self, user: User) -> bool:
        """A school-wide badge is for every learner; a class badge for the students of its class.

        A personal badge is for its one student alone.
        """
        if self.personal_for_id is not None:
            return user.id == self.personal_for_id
        return self.class_id is None or self._has_class_role(user, Role.STUDENT)

    def can_review(self, user: User | None) -> bool:
        """Admins, the badge's creator and the instructors of its class review (and edit) it.

        A school-wide badge has no class: any instructor may review it.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_admin:
            return True
        if not user.is_instructor:
            return False
        if self.created_by_id == user.id or self.class_id is None:
            return True
        return self._has_class_role(user, Role.INSTRUCTOR)

    def is_visible_to(self, user: User | None) -> bool:
        """Staff see every badge; students see the published badges meant for them.

        That is the school's, their class's, and their own personal badges.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_admin or user.is_instructor:
            return True
        if self.state != BadgeState.PUBLISHED:
            return False
        return self.is_for_learner(user)


class CredentialState(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class IssuedCredential(Model):
    """A signed credential, stored byte for byte as issued (never re-serialized)."""

    __tablename__ = "issued_credential"

    # The uuid is the credential id's last segment: <public url>/credentials/<id>.
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_uuid)
    # One approved submission yields exactly one credential, whatever the retries.
    submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("submission.id", ondelete="RESTRICT"), unique=True
    )
    badge_id: Mapped[int] = mapped_column(sa.ForeignKey("badge.id", ondelete="RESTRICT"))
    badge_version: Mapped[int] = mapped_column()
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"))
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    level_id: Mapped[str | None] = mapped_column(sa.String(60))
    level_name: Mapped[str | None] = mapped_column(sa.String(120))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The exact bytes served: the JSON with its Data Integrity proof, and the VC-JWT.
    json_text: Mapped[str] = mapped_column(sa.Text)
    jwt_text: Mapped[str | None] = mapped_column(sa.Text)
    revocation_index: Mapped[int] = mapped_column()
    suspension_index: Mapped[int] = mapped_column()
    state: Mapped[CredentialState] = mapped_column(
        sa.Enum(CredentialState, native_enum=False, length=20), default=CredentialState.ACTIVE
    )
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    # The student decides whether the public page exists; the token makes its URL unguessable.
    share_enabled: Mapped[bool] = mapped_column(default=False)
    share_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    # The printed certificate's QR link (/v/<token>), independent of sharing: on by
    # default so that paper certificates verify; the learner may switch it off.
    verify_enabled: Mapped[bool] = mapped_column(default=True)
    verify_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)

    badge: Mapped[Badge] = relationship()
    recipient: Mapped[User] = relationship(foreign_keys=[recipient_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    def can_view(self, user: User | None) -> bool:
        """The learner and the school's staff see the credential whether or not it is shared."""
        return self.may_view(self.recipient_id, user)

    @staticmethod
    def may_view(recipient_id: int, user: User | None) -> bool:
        """`can_view` for a credential known by its learner's id alone (no row loaded)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.id == recipient_id or user.is_admin or user.is_instructor:
            return True
        return user.is_counselor and _counsels(user.id, recipient_id)

    def can_read_document(self, user: User | None) -> bool:
        """The signed document: anyone while the learner shares it, else the learner and staff."""
        return self.share_enabled or self.can_view(user)


def _counsels(counselor_id: int, student_id: int) -> bool:
    """Is the student assigned to the counselor (who then reads their credentials, as staff do)?"""
    found = db.session.scalar(
        sa.select(CounselorAssignment.id).where(
            CounselorAssignment.counselor_id == counselor_id,
            CounselorAssignment.student_id == student_id,
        )
    )
    return found is not None


class StatusPurpose(enum.StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class StatusList(Model):
    """One Bitstring Status List per purpose and number; its signed credential as last published."""

    __tablename__ = "status_list"
    __table_args__ = (sa.UniqueConstraint("purpose", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[StatusPurpose] = mapped_column(
        sa.Enum(StatusPurpose, native_enum=False, length=20)
    )
    number: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column()
    bits: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signed_json: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class StatusSlot(Model):
    """An index taken in a status list: the unique constraint makes each index single-use.

    The slot names the credential holding it: a badge credential or a VC-API credential.
    """

    __tablename__ = "status_slot"
    __table_args__ = (sa.UniqueConstraint("status_list_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status_list_id: Mapped[int] = mapped_column(
        sa.ForeignKey("status_list.id", ondelete="RESTRICT")
    )
    index: Mapped[int] = mapped_column()
    credential_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("issued_credential.id", ondelete="RESTRICT")
    )
    # Or the VC-API credential holding the index (POST /credentials/issue with status).
    api_credential_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("api_credential.id", ondelete="RESTRICT")
    )
