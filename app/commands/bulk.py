"""`laurel issue --csv FILE`: bulk issuance from the command line, as the web page does it."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import ngettext

from app.accounts.models import Role
from app.accounts.models import User
from app.bulk.checks import check_csv
from app.bulk.models import JobSource
from app.bulk.runner import run_job
from app.bulk.services import confirm
from app.bulk.services import create_job
from app.bulk.services import progress
from app.bulk.services import result_csv
from app.commands import fail
from app.extensions import db
from app.keyring import issuing_context
from app.models_base import utcnow

CHECK_FAILED = 1
USAGE_ERROR = 2


def _actor(email: str | None) -> User:
    """The staff member the credentials are issued by: --by, or the school's only admin."""
    if email:
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email.lower()))
        if user is None or not (user.is_admin or user.is_instructor):
            fail(
                gettext(
                    "--by %(email)s: there is no instructor or admin with that email.",
                    email=email,
                ),
                USAGE_ERROR,
            )
        return user
    admins = list(
        db.session.scalars(
            sa.select(User).where(User.role == Role.ADMIN, User.is_active_account.is_(True))
        )
    )
    if len(admins) != 1:
        fail(
            gettext("name the instructor or admin who issues these credentials: --by EMAIL."),
            USAGE_ERROR,
        )
    return admins[0]


def issue_from_csv(path: Path, *, by: str | None, yes: bool, out: Path | None) -> None:
    """Check every row; print the errors and exit 1, or issue them all with a progress bar."""
    actor = _actor(by)
    try:
        data = path.read_bytes()
    except OSError as error:
        fail(
            gettext("cannot read %(path)s: %(strerror)s.", path=path, strerror=error.strerror),
            USAGE_ERROR,
        )
    report = check_csv(data, actor=actor)
    if report.errors:
        for problem in report.errors:
            if problem.row:
                line = gettext("row %(row)s: %(problem)s", row=problem.row, problem=problem.message)
            else:
                line = f"{path.name}: {problem.message}"
            click.echo(line, err=True)
        fail(
            ngettext(
                "%(num)s problem in %(path_name)s; nothing was issued. Fix it and run the "
                "command again.",
                "%(num)s problems in %(path_name)s; nothing was issued. Fix them and run the "
                "command again.",
                len(report.errors),
                path_name=path.name,
            ),
            CHECK_FAILED,
        )
    click.echo(
        ngettext(
            "%(num)s credential to issue from %(path_name)s, all rows checked.",
            "%(num)s credentials to issue from %(path_name)s, all rows checked.",
            len(report.rows),
            path_name=path.name,
        )
    )
    if not yes and not click.confirm(gettext("Issue them now?"), default=False):
        fail(gettext("nothing was issued."), CHECK_FAILED)
    now = utcnow()
    job = create_job(report.rows, source=JobSource.CSV, filename=path.name, actor=actor, now=now)
    confirm(job, now=now)
    db.session.commit()
    job_id, ctx = job.id, issuing_context()
    with click.progressbar(length=len(report.rows), label=gettext("Issuing"), show_pos=True) as bar:
        run_job(job_id, ctx, on_chunk=bar.update)
    job = db.session.get_one(type(job), job_id)
    result = progress(job, now=utcnow())
    target = out or path.with_name(f"{path.stem}-result.csv")
    target.write_text(result_csv(job, ctx.public_url), encoding="utf-8")
    click.echo(
        gettext(
            "Issued %(issued)s, failed %(failed)s. Result: %(target)s",
            issued=result.issued,
            failed=result.failed,
            target=target,
        )
    )
    if result.failed:
        raise SystemExit(CHECK_FAILED)


commands: list[click.Command] = []
