"""Forms of the accounts pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length

from app.accounts.models import Role
from app.accounts.services import MIN_PASSWORD_LENGTH

ROLE_CHOICES = [
    SelectChoice(Role.STUDENT.value, lazy_gettext("Student")),
    SelectChoice(Role.INSTRUCTOR.value, lazy_gettext("Instructor")),
    SelectChoice(Role.ADMIN.value, lazy_gettext("Admin")),
    SelectChoice(Role.COUNSELOR.value, lazy_gettext("Counselor")),
]
MEMBER_ROLE_CHOICES = ROLE_CHOICES[:2]
NEW_PASSWORD_HELP = lazy_gettext(
    "At least %(number)s characters. A few unrelated words make a strong one.",
    number=MIN_PASSWORD_LENGTH,
)


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            lazy_gettext("New password"),
            validators=[
                DataRequired(),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=200,
                    message=(
                        lazy_gettext(
                            "Choose a password of at least %(min_password_length)s "
                            "characters (at most 200).",
                            min_password_length=MIN_PASSWORD_LENGTH,
                        )
                    ),
                ),
            ],
            description=NEW_PASSWORD_HELP,
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            lazy_gettext("Repeat the new password"),
            validators=[
                DataRequired(),
                EqualTo(
                    "new_password", message=lazy_gettext("The two passwords are not the same.")
                ),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class LoginForm(FlaskForm):
    email = EmailField(
        lazy_gettext("Email"), validators=[DataRequired()], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        lazy_gettext("Password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        lazy_gettext("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm_password = _new_password_fields()


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        lazy_gettext("Your name"),
        validators=[DataRequired(), Length(max=200)],
        description=lazy_gettext("As it should appear on your badges and certificates."),
        render_kw={"autocomplete": "name"},
    )
    new_password, confirm_password = _new_password_fields()


class NewUserForm(FlaskForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(lazy_gettext("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(lazy_gettext("Role"), choices=ROLE_CHOICES, default=Role.STUDENT.value)
    class_id = SelectField(
        lazy_gettext("Class"),
        coerce=int,
        description=lazy_gettext(
            "Optional. Students and instructors can be added to more classes later."
        ),
    )


class RoleForm(FlaskForm):
    role = SelectField(lazy_gettext("Role"), choices=ROLE_CHOICES)


class ActionForm(FlaskForm):
    """A button that posts: only the CSRF token."""


class ClassForm(FlaskForm):
    name = StringField(
        lazy_gettext("Class name"),
        validators=[DataRequired(), Length(max=200)],
        description=lazy_gettext("For example “Auto Shop 1 — Period 3” or “Algebra 2 (2026–27)”."),
    )


class MemberForm(FlaskForm):
    user_id = SelectField(lazy_gettext("Person"), coerce=int)
    role = SelectField(lazy_gettext("Role in this class"), choices=MEMBER_ROLE_CHOICES)


class NameForm(FlaskForm):
    name = StringField(
        lazy_gettext("Name as the school records it"),
        validators=[DataRequired(), Length(max=200)],
        description=lazy_gettext(
            "New credentials carry this name; earlier ones can be re-issued with it."
        ),
        render_kw={"autocomplete": "off"},
    )


class CounselorAssignmentForm(FlaskForm):
    counselor_id = SelectField(lazy_gettext("Counselor"), coerce=int)
    student_id = SelectField(lazy_gettext("Student"), coerce=int)
