"""`laurel users create` (the first admin, or anyone) and `laurel users list`."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from app.accounts import services
from app.accounts.models import Role
from app.commands import TranslatedGroup
from app.commands import option
from app.errors import LaurelError
from app.extensions import db
from app.i18n import N_


@click.group("users", cls=TranslatedGroup, help=N_("People who use Laurel."))
def users_group() -> None:
    pass


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(gettext("Password"), hide_input=True, confirmation_prompt=True)


@users_group.command(
    "create", help=N_("Create an account that can sign in at once (prompts for its password).")
)
@option("--email", required=True, help=N_("The address the person signs in with."))
@option("--name", required=True, help=N_("Full name, as it appears on badges."))
@option(
    "--admin", "make_admin", is_flag=True, help=N_("Make the user an admin (same as --role admin).")
)
@option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=None,
    help=N_("admin, instructor, counselor or student (default: student)."),
)
@option(
    "--password-stdin",
    is_flag=True,
    help=N_("Read the password from the first line of standard input."),
)
@with_appcontext
def create_user(
    email: str, name: str, make_admin: bool, role: str | None, password_stdin: bool
) -> None:
    if make_admin and role not in (None, Role.ADMIN.value):
        raise click.UsageError(gettext("--admin and --role disagree; give one of them."))
    chosen = Role.ADMIN if make_admin else Role(role or Role.STUDENT.value)
    password = _read_password(password_stdin)
    try:
        user = services.create_user(email=email, name=name, role=chosen, password=password)
    except LaurelError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        gettext(
            "Created %(role_value)s %(user_name)s <%(email)s>. They can sign in at /login.",
            role_value=user.role.value,
            user_name=user.name,
            email=user.email,
        )
    )


@users_group.command("list", help=N_("Show every account: email, name, role and classes."))
@with_appcontext
def list_users() -> None:
    users = services.list_users()
    if not users:
        click.echo(
            gettext(
                "No users yet. Create the first admin with: laurel users "
                "create --admin --email … --name …"
            )
        )
        return
    width = max(len(user.email) for user in users)
    # The column titles are words for a person; the roles below are values (`--role` takes them).
    email, role, name, classes = (
        gettext("EMAIL"),
        gettext("ROLE"),
        gettext("NAME"),
        gettext("CLASSES"),
    )
    width = max(width, len(email))
    click.echo(f"{email.ljust(width)}  {role:<10}  {name:<24}  {classes}")
    for user in users:
        classes = ", ".join(sorted(m.school_class.name for m in user.memberships)) or "-"
        role = user.role.value if user.is_active else f"{user.role.value}*"
        click.echo(f"{user.email.ljust(width)}  {role:<10}  {user.name:<24}  {classes}")
    if any(not user.is_active for user in users):
        click.echo(gettext("* deactivated: cannot sign in"))


commands = [users_group]
