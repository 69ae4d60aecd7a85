"""Forms of the accounts pages (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

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
    SelectChoice(Role.STUDENT.value, "Student"),
    SelectChoice(Role.INSTRUCTOR.value, "Instructor"),
    SelectChoice(Role.ADMIN.value, "Admin"),
    SelectChoice(Role.COUNSELOR.value, "Counselor"),
]
MEMBER_ROLE_CHOICES = ROLE_CHOICES[:2]
NEW_PASSWORD_HELP = (
    f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong one."
)


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "New password",
            validators=[
                DataRequired(),
                Length(
                    min=MIN_PASSWORD_LENGTH,
                    max=200,
                    message=(
                        f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters "
                        "(at most 200)."
                    ),
                ),
            ],
            description=NEW_PASSWORD_HELP,
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            "Repeat the new password",
            validators=[
                DataRequired(),
                EqualTo("new_password", message="The two passwords are not the same."),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm_password = _new_password_fields()


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        "Your name",
        validators=[DataRequired(), Length(max=200)],
        description="As it should appear on your badges and certificates.",
        render_kw={"autocomplete": "name"},
    )
    new_password, confirm_password = _new_password_fields()


class NewUserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.STUDENT.value)
    class_id = SelectField(
        "Class",
        coerce=int,
        description="Optional. Students and instructors can be added to more classes later.",
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ActionForm(FlaskForm):
    """A button that posts: only the CSRF token."""


class ClassForm(FlaskForm):
    name = StringField(
        "Class name",
        validators=[DataRequired(), Length(max=200)],
        description="For example “Auto Shop 1 — Period 3” or “Algebra 2 (2026–27)”.",
    )


class MemberForm(FlaskForm):
    user_id = SelectField("Person", coerce=int)
    role = SelectField("Role in this class", choices=MEMBER_ROLE_CHOICES)


class NameForm(FlaskForm):
    name = StringField(
        "Name as the school records it",
        validators=[DataRequired(), Length(max=200)],
        description="New credentials carry this name; earlier ones can be re-issued with it.",
        render_kw={"autocomplete": "off"},
    )


class CounselorAssignmentForm(FlaskForm):
    counselor_id = SelectField("Counselor", coerce=int)
    student_id = SelectField("Student", coerce=int)
