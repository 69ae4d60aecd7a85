"""`laurel demo seed`: the first-run demo school (skipped with LAUREL_DEMO=0)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from app.commands import TranslatedGroup
from app.commands import fail
from app.config import is_production
from app.extensions import db
from app.i18n import N_
from app.models_base import utcnow

# The demo school's accounts share a published password: refused on a production server.
PRODUCTION_REFUSED = 2


@click.group("demo", cls=TranslatedGroup, help=N_("The demo school for a first look at Laurel."))
def demo() -> None:
    pass


@demo.command(
    "seed",
    help=N_("Create the demo school, once, in an empty database (development and test only)."),
)
@with_appcontext
def seed() -> None:
    from app.demo import seed_demo
    from app.evidence.storage import configured_storage
    from app.evidence.storage import max_upload_bytes
    from app.keyring import issuing_context

    # The demo accounts share a password printed in the README: never on a school's server.
    env = current_app.config["LAUREL_ENV"]
    if is_production(env):
        fail(
            gettext(
                "the demo school is not created with LAUREL_ENV=%(env)s: its accounts share a "
                "published password. Run it with LAUREL_ENV=development on a machine that holds "
                "no real school data (`make run` does).",
                env=env,
            ),
            PRODUCTION_REFUSED,
        )
    if not current_app.config["LAUREL_DEMO"]:
        click.echo(
            gettext(
                "LAUREL_DEMO=0: no demo school. Create the first admin with "
                "`laurel users create --admin`."
            )
        )
        return
    result = seed_demo(
        ctx=issuing_context(),
        storage=configured_storage(current_app.config),
        max_bytes=max_upload_bytes(current_app.config),
        now=utcnow(),
    )
    if not result.created:
        click.echo(gettext("The database already has users: the demo school was not created."))
        return
    db.session.commit()
    width = max(len(login.email) for login in result.logins)
    click.echo("")
    click.echo(gettext("Demo school created: Maple Grove High School"))
    login_url = f"{current_app.config['LAUREL_PUBLIC_URL']}/login"
    click.echo(
        gettext(
            "Sign in at %(login_url)s with any of these (one shared demo password):",
            login_url=login_url,
        )
    )
    click.echo("")
    for login in result.logins:
        click.echo(f"  {login.email.ljust(width)}  {login.role.ljust(10)}  {login.name}")
    click.echo("")
    click.echo("  " + gettext("Password: %(password)s", password=result.password))
    click.echo("")


commands = [demo]
