"""`laurel verify FILE|URL` and `laurel sign FILE`: credentials on the command line, offline.

Neither command needs a server, an application context or a database: they
read the settings with `load_settings()` and use the key directory alone, so a
counselor (or the school in ten years) can check a file with nothing else
running. `verify` trusts this school's key store only for this school's own
DID; every other issuer is resolved over HTTPS, or not at all with --offline.
The school's own public URL is fetched even over plain HTTP or on loopback, so
on a development server a credential's own status list is read too.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import NoReturn

import click

from app.commands import TranslatedCommand
from app.commands import fail
from app.commands import option
from app.config import ConfigurationError
from app.config import load_settings
from app.credentials.did import did_web_from_url
from app.credentials.errors import CredentialError
from app.credentials.errors import InputError
from app.credentials.keys import KeyStore
from app.credentials.signing import sign_credential
from app.i18n import N_
from app.i18n import gettext
from app.main.filters import say
from app.verify.core.fetching import HttpFetcher
from app.verify.core.parse import MAX_INPUT_BYTES
from app.verify.core.parse import load_json
from app.verify.core.pipeline import verify as verify_credential
from app.verify.core.report import Outcome
from app.verify.core.report import Report
from app.verify.core.report import Verdict
from app.verify.core.resolvers import OwnKeyResolver
from app.verify.core.resolvers import build_resolver
from app.verify.core.trust import TrustEntry
from app.verify.core.trust import read_trust_list

VERIFIED = 0
NOT_VERIFIED = 1
UNUSABLE_INPUT = 2
UNKNOWN_ISSUER = 3
SIGN_FORMATS = {"di": ("di",), "jwt": ("jwt",), "both": ("di", "jwt")}
# verify reads public keys only, so the passphrase does not matter to it.
_PUBLIC_ONLY = {"SECRET_KEY": "unused-by-verify", "LAUREL_KEY_PASSPHRASE": "unused-by-verify"}
_MARKS = {
    Outcome.PASSED: N_("passed"),
    Outcome.FAILED: N_("FAILED"),
    Outcome.UNKNOWN: N_("could not check"),
}


class _Unusable(Exception):
    """The input (or a file beside it) cannot be verified at all: exit 2, with the reason."""


def _fail_verify(message: str, as_json: bool) -> NoReturn:
    """End `verify` on unusable input; with --json that too is one JSON object on stdout."""
    if not as_json:
        fail(message, UNUSABLE_INPUT)
    click.echo(
        json.dumps(
            {
                "verified": False,
                "verdict": "unusable input",
                "headline": gettext("Could not read a credential"),
                "error": message,
                "checks": [],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    raise SystemExit(UNUSABLE_INPUT)


def _is_url(target: str) -> bool:
    return target.startswith(("https://", "http://"))


def _read_input(target: str) -> bytes | str:
    """The URL itself, or the file's bytes after a size check that reads nothing."""
    if _is_url(target):
        return target
    path = Path(target)
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise _Unusable(
                gettext(
                    "%(target)s is larger than %(megabytes)s MB; no credential is.",
                    target=target,
                    megabytes=MAX_INPUT_BYTES // (1024 * 1024),
                )
            )
        return path.read_bytes()
    except OSError as error:
        raise _Unusable(
            gettext(
                "cannot read %(target)s: %(error)s.", target=target, error=error.strerror or error
            )
        ) from error


def _own_resolver(settings: dict[str, Any]) -> OwnKeyResolver | None:
    """This school's keys, when a key store is here and the public URL names its DID."""
    store = KeyStore(Path(settings["LAUREL_KEYS_DIR"]), settings["LAUREL_KEY_PASSPHRASE"])
    if not store.exists():
        return None
    try:
        return OwnKeyResolver(store, did_web_from_url(settings["LAUREL_PUBLIC_URL"]))
    except CredentialError:
        return None


def _trust_list(path: Path | str | None) -> tuple[TrustEntry, ...]:
    if not path:
        return ()
    try:
        return read_trust_list(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise _Unusable(_unreadable_trust_list(path, error.strerror or error)) from error
    except UnicodeDecodeError as error:
        raise _Unusable(_unreadable_trust_list(path, error)) from error
    except InputError as error:
        raise _Unusable(f"{path}: {say(error)}") from error


def _unreadable_trust_list(path: Path | str, error: object) -> str:
    return gettext("cannot read the trust list %(path)s: %(error)s.", path=path, error=error)


class _OneLineFormatter(logging.Formatter):
    """Log records as one line on the terminal: a person running a command gets no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        return f"laurel: {record.getMessage()}"


@contextmanager
def _one_line_library_logs() -> Iterator[None]:
    """While the command runs, the pipeline's log records print as one line each."""
    handler = logging.StreamHandler()
    handler.setFormatter(_OneLineFormatter())
    logger = logging.getLogger("app.verify")
    logger.addHandler(handler)
    logger.propagate, propagate = False, logger.propagate
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _print_report(report: Report) -> None:
    click.echo(say(report.headline))
    click.echo(say(report.learner_statement))
    click.echo()
    marks = {outcome: gettext(mark) for outcome, mark in _MARKS.items()}
    width = max(len(marks[check.outcome]) for check in report.checks)
    for check in report.checks:
        click.echo(f"  {marks[check.outcome]:<{width}}  {check.name:<10} {say(check.message)}")
    if report.endorsements:
        click.echo()
        click.echo(gettext("Endorsements it carries (each verified on its own):"))
        for endorsement in report.endorsements:
            click.echo(f"  {marks[endorsement.outcome]:<{width}}  {say(endorsement.line)}")
    for number, part in enumerate(report.parts, start=1):
        click.echo()
        click.echo(
            gettext(
                "Credential %(number)s of %(value_count)s in the record: %(headline)s",
                number=number,
                value_count=len(report.parts),
                headline=say(part.headline),
            )
        )


@click.command(
    "verify",
    cls=TranslatedCommand,
    help=N_(
        "Check a credential (JSON, JWT, PNG, SVG, PDF or URL).\n"
        "\n"
        "With --json every outcome, unusable input included, is one JSON object on stdout.\n"
        "\n"
        "\b\n"
        "Exit status:\n"
        "  0  verified: genuine, from this school, a did:web domain or a trusted issuer\n"
        "  1  not verified, revoked, suspended, expired or not fully checked\n"
        "  2  unusable input\n"
        "  3  unknown issuer: the signature is valid, but its key belongs to no issuer\n"
        "     Laurel knows, so the name written inside proves nothing"
    ),
)
@click.argument("target", metavar="FILE|URL")
@option("--json", "as_json", is_flag=True, help=N_("Print the report as JSON."))
@option(
    "--offline",
    is_flag=True,
    help=N_("Use no network: own keys, did:key and PDF attachments only."),
)
@option(
    "--trust",
    "trust_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_('Trust list JSON ([{"id": DID or domain, "name": ...}]); default: LAUREL_TRUST_LIST.'),
)
def verify(target: str, as_json: bool, offline: bool, trust_file: Path | None) -> None:
    try:
        settings = load_settings(_PUBLIC_ONLY)
        data = _read_input(target)
        trusted = _trust_list(trust_file or settings["LAUREL_TRUST_LIST"])
    except (ConfigurationError, _Unusable) as error:
        _fail_verify(str(error), as_json)
    fetcher = None if offline else HttpFetcher(own_origin=settings["LAUREL_PUBLIC_URL"])
    own = _own_resolver(settings)
    resolver = build_resolver(fetcher=fetcher, own=own)
    try:
        with _one_line_library_logs():
            report = verify_credential(
                data,
                filename=None if _is_url(target) else Path(target).name,
                resolver=resolver,
                fetcher=fetcher,
                now=datetime.now(UTC),
                own_issuer_id=own.issuer_id if own else None,
                trusted=trusted,
            )
    except InputError as error:
        _fail_verify(say(error), as_json)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    if report.verdict is Verdict.UNKNOWN_ISSUER:
        raise SystemExit(UNKNOWN_ISSUER)
    raise SystemExit(VERIFIED if report.verified else NOT_VERIFIED)


def _with_school_issuer(document: dict[str, Any], school_id: str) -> dict[str, Any]:
    """The credential with issuer.id set to the school's DID; another issuer is refused."""
    issuer = document.get("issuer")
    if issuer is None:
        issuer = {"id": school_id, "type": ["Profile"]}
    elif isinstance(issuer, str):
        issuer = {"id": issuer}
    if not isinstance(issuer, dict):
        fail(gettext("the credential's issuer must be a Profile object or an id."), UNUSABLE_INPUT)
    named = issuer.get("id")
    if named is not None and named != school_id:
        fail(
            gettext(
                "the credential names the issuer %(named)s, but this school "
                "signs as %(school_id)s; Laurel signs only its own "
                "credentials.",
                named=named,
                school_id=school_id,
            ),
            UNUSABLE_INPUT,
        )
    return {**document, "issuer": {**issuer, "id": school_id}}


@click.command(
    "sign",
    cls=TranslatedCommand,
    help=N_("Sign an unsigned credential JSON with this school's current keys."),
)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@option(
    "--format",
    "output_format",
    type=click.Choice(list(SIGN_FORMATS)),
    default="di",
    show_default=True,
    help=N_("di: embedded eddsa-rdfc-2022 proof (JSON); jwt: VC-JWT; both: JSON and JWT."),
)
@option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=N_("Write here instead of printing (with both: the JWT goes beside it with .jwt)."),
)
def sign(source: Path, output_format: str, out: Path | None) -> None:
    try:
        settings = load_settings({"SECRET_KEY": "unused-by-sign"})
    except ConfigurationError as error:
        fail(error, UNUSABLE_INPUT)
    store = KeyStore(Path(settings["LAUREL_KEYS_DIR"]), settings["LAUREL_KEY_PASSPHRASE"])
    if not store.exists():
        fail(
            gettext(
                "there are no signing keys in %(directory)s; run `laurel keys init` first.",
                directory=store.directory,
            ),
            UNUSABLE_INPUT,
        )
    if source.stat().st_size > MAX_INPUT_BYTES:
        fail(
            gettext(
                "%(source)s is larger than %(max_input_bytes)s MB.",
                source=source,
                max_input_bytes=MAX_INPUT_BYTES // (1024 * 1024),
            ),
            UNUSABLE_INPUT,
        )
    try:
        document = load_json(source.read_text(encoding="utf-8"))
    except (InputError, UnicodeDecodeError) as error:
        fail(
            gettext("%(source)s is not a JSON credential: %(error)s", source=source, error=error),
            UNUSABLE_INPUT,
        )
    if not isinstance(document, dict):
        fail(
            gettext("%(source)s is not a JSON credential (it must be an object).", source=source),
            UNUSABLE_INPUT,
        )
    try:
        school_id = did_web_from_url(settings["LAUREL_PUBLIC_URL"])
        document = _with_school_issuer(document, school_id)
        signed = sign_credential(
            document, keystore=store, now=datetime.now(UTC), formats=SIGN_FORMATS[output_format]
        )
    except CredentialError as error:
        fail(error, UNUSABLE_INPUT)
    outputs = []
    if "di" in SIGN_FORMATS[output_format]:
        outputs.append((out, signed.json_text))
    if signed.jwt is not None:
        outputs.append(
            (out.with_suffix(".jwt") if out and output_format == "both" else out, signed.jwt)
        )
    for path, text in outputs:
        if path is None:
            click.echo(text)
        else:
            # Exactly the signed text: a signed document is never re-serialized or reformatted.
            path.write_text(text, encoding="utf-8")
            click.echo(gettext("Wrote %(path)s", path=path), err=True)


commands = [verify, sign]
