"""`laurel develop prepare`: what `make run` checks and records before it serves."""

from __future__ import annotations

import errno
import socket

import click
from flask_babel import gettext

from app.commands import TranslatedGroup
from app.commands import fail
from app.commands import option
from app.config import default_instance_path
from app.config import read_development_settings
from app.config import write_development_settings
from app.i18n import N_

PORT_BUSY = 2


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (as Werkzeug does, reusing the address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


@click.group("develop", cls=TranslatedGroup, help=N_("The development server `make run` starts."))
def develop() -> None:
    pass


@develop.command(
    "prepare",
    help=N_("Check that the port is free, then record the development settings for the CLI."),
)
@option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help=N_("The address the server listens on."),
)
@option(
    "--port",
    type=click.IntRange(1, 65535),
    default=5000,
    show_default=True,
    help=N_("The port the server listens on."),
)
def prepare(host: str, port: int) -> None:
    """The public URL follows the port, so the issuer's did:web, share links and QR codes name
    the address the server really answers on.
    """
    if not port_is_free(host, port):
        fail(
            gettext(
                "port %(port)s on %(host)s is in use (another Laurel or "
                "another server). Stop it, or pick another port: make run "
                "PORT=%(port2)s (or LAUREL_PORT=%(port2)s make run).",
                port=port,
                host=host,
                port2=port + 1,
            ),
            PORT_BUSY,
        )
    instance_path = default_instance_path()
    public_url = f"http://{host}:{port}"
    before = read_development_settings({}).get("LAUREL_PUBLIC_URL")
    if before and before != public_url and (instance_path / "laurel.db").exists():
        click.echo(
            gettext(
                "Note: the demo school in %(instance_path)s was set up at "
                "%(before)s; credentials issued before keep that address. "
                "Delete %(instance_path)s to start afresh at %(public_url)s.",
                instance_path=instance_path,
                before=before,
                public_url=public_url,
            ),
            err=True,
        )
    path = write_development_settings(instance_path, public_url)
    click.echo(gettext("Development settings for the `laurel` command: %(path)s", path=path))


commands = [develop]
