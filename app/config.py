"""Settings from the environment (LAUREL_*), with safe defaults.

Nothing here reads configuration at import time; `load_settings` is called by
`create_app` and by the CLI commands that must work without an application.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

from . import PROJECT_ROOT

DEVELOPMENT_KEY_PASSPHRASE = "laurel-development-only"
# Written by `make run` into the instance folder; read by the `laurel` command only.
DEVELOPMENT_SETTINGS_FILE = "development.env"
_DEVELOPMENT_SETTINGS = ("LAUREL_ENV", "LAUREL_PUBLIC_URL")


class ConfigurationError(RuntimeError):
    """The settings do not allow Laurel to start safely."""


# Objects in a bucket are named PREFIX + key; the prefix when LAUREL_STORAGE_URL names none.
DEFAULT_STORAGE_PREFIX = "evidence/"


def laurel_version() -> str:
    """The installed Laurel's version (a backup records it; other services are told it)."""
    try:
        return version("laurel")
    except PackageNotFoundError:  # pragma: no cover (a checkout that was never installed)
        return "unknown"


def parse_storage_url(url: str) -> dict[str, Any]:
    """The parts of LAUREL_STORAGE_URL: bucket, prefix, endpoint, region and any credentials.

    :raises ConfigurationError: not an s3:// URL, no bucket, or an unknown option.
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ConfigurationError(
            f"LAUREL_STORAGE_URL {shown_url(url)!r} is not an s3://BUCKET URL. Write it as "
            "s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION], or leave it unset to keep "
            "evidence in LAUREL_STORAGE_DIR."
        )
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"endpoint", "region"}
    if unknown:
        raise ConfigurationError(
            f"LAUREL_STORAGE_URL has unknown options: {', '.join(sorted(unknown))} "
            "(known: endpoint, region)."
        )
    prefix = parts.path.strip("/")
    return {
        # urlsplit lowercases the host; bucket names are lowercase anyway, keep what was written.
        "bucket": parts.netloc.rpartition("@")[2].split(":")[0],
        "prefix": f"{prefix}/" if prefix else DEFAULT_STORAGE_PREFIX,
        "endpoint": options.get("endpoint"),
        "region": options.get("region"),
        "access_key": unquote(parts.username) if parts.username else None,
        "secret_key": unquote(parts.password) if parts.password else None,
    }


def shown_url(url: str) -> str:
    """The URL without its credentials, for messages and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


SMTP_SCHEMES = {"smtp": 587, "smtps": 465}


def parse_smtp_url(url: str) -> dict[str, Any]:
    """The parts of LAUREL_SMTP_URL: scheme, host, port, credentials and the sender.

    smtp://[USER:PASSWORD@]HOST[:PORT] uses STARTTLS when the server offers it (port 587 by
    default); smtps:// is TLS from the first byte (port 465). `?from=ADDRESS` names the
    sender (default: no-reply at the public URL's host).

    :raises ConfigurationError: another scheme, no host, a bad port or an unknown option.
    """
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
        raise ConfigurationError(
            f"LAUREL_SMTP_URL {shown_url(url)!r} is not an smtp:// or smtps:// URL. Write it as "
            "smtp://USER:PASSWORD@HOST:587 (STARTTLS), smtps://USER:PASSWORD@HOST:465, or leave "
            "it unset to send no email."
        )
    try:
        port = parts.port or SMTP_SCHEMES[parts.scheme]
    except ValueError as error:
        raise ConfigurationError(f"LAUREL_SMTP_URL has a bad port: {error}.") from None
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(options) - {"from"}
    if unknown:
        raise ConfigurationError(
            f"LAUREL_SMTP_URL has unknown options: {', '.join(sorted(unknown))} (known: from)."
        )
    return {
        "implicit_tls": parts.scheme == "smtps",
        "host": parts.hostname,
        "port": port,
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "sender": options.get("from"),
    }


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def is_production(env: str) -> bool:
    """Anything but development and test is a real school's server."""
    return env not in ("development", "test")


def default_instance_path() -> Path:
    """The instance folder: LAUREL_INSTANCE_PATH, or instance/ in the project."""
    return Path(_env("LAUREL_INSTANCE_PATH") or PROJECT_ROOT / "instance")


def write_development_settings(instance_path: Path, public_url: str) -> Path:
    """Record the development server's settings for the `laurel` command run beside it.

    `make run` sets LAUREL_ENV=development and the public URL for its own processes only; a
    second terminal's `laurel badges list` would otherwise start as production and stop for
    want of a passphrase.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / DEVELOPMENT_SETTINGS_FILE
    path.write_text(
        "# Written by `make run`: the `laurel` command beside a development server reads it\n"
        "# when LAUREL_ENV is not set. Delete it on a machine that serves a school.\n"
        f"LAUREL_ENV=development\nLAUREL_PUBLIC_URL={public_url}\n",
        encoding="utf-8",
    )
    return path


def read_development_settings(environ: Mapping[str, str]) -> dict[str, str]:
    """The development settings `make run` left in the instance folder, for the CLI.

    Nothing when LAUREL_ENV or LAUREL_KEY_PASSPHRASE is set: a server configured by its
    environment (production above all) is never switched to development by a file.
    """
    if environ.get("LAUREL_ENV") or environ.get("LAUREL_KEY_PASSPHRASE"):
        return {}
    path = default_instance_path() / DEVELOPMENT_SETTINGS_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    settings = {}
    for line in lines:
        name, _, value = line.partition("=")
        if name.strip() in _DEVELOPMENT_SETTINGS and value.strip():
            settings[name.strip()] = value.strip()
    if settings.get("LAUREL_ENV") != "development":
        return {}
    return settings


def _secret_key(instance_path: Path) -> str:
    """Read the session secret from the instance folder, creating it on first run."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load_settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return Laurel's settings: defaults, then LAUREL_* variables, then `overrides`."""
    overrides = dict(overrides or {})
    instance_path = Path(overrides.get("INSTANCE_PATH") or default_instance_path())
    env = overrides.get("LAUREL_ENV") or _env("LAUREL_ENV", "production")
    settings: dict[str, Any] = {
        "INSTANCE_PATH": str(instance_path),
        "LAUREL_ENV": env,
        "LAUREL_PUBLIC_URL": (_env("LAUREL_PUBLIC_URL", "http://127.0.0.1:5000") or "").rstrip("/"),
        "LAUREL_KEYS_DIR": _env("LAUREL_KEYS_DIR", str(PROJECT_ROOT / "keys")),
        "LAUREL_KEY_PASSPHRASE": _env("LAUREL_KEY_PASSPHRASE"),
        "LAUREL_STORAGE_DIR": _env("LAUREL_STORAGE_DIR", str(instance_path / "evidence")),
        # s3://BUCKET[/PREFIX]?endpoint=…&region=…: evidence in object storage, shared by
        # app servers on several machines (app.storage.buckets). Unset: the directory.
        "LAUREL_STORAGE_URL": _env("LAUREL_STORAGE_URL"),
        "LAUREL_DEMO": _env("LAUREL_DEMO", "1") != "0",
        "LAUREL_MAX_UPLOAD_MB": int(_env("LAUREL_MAX_UPLOAD_MB", "25") or 25),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL")
        or f"sqlite:///{instance_path / 'laurel.db'}",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Where the rate limits count (the login limit above all). memory:// counts in each
        # process, so with several workers or servers it must be a shared store: redis://…
        # (the URL spelling of the variable is accepted too).
        "RATELIMIT_STORAGE_URI": _env("LAUREL_RATELIMIT_STORAGE_URI")
        or _env("LAUREL_RATELIMIT_STORAGE_URL", "memory://"),
        # How many reverse proxies (TLS terminator, load balancer) stand before the app:
        # their X-Forwarded-For/-Proto are then trusted, so the login limit counts each
        # visitor, not the proxy. 0 trusts no forwarded header.
        "LAUREL_PROXY_HOPS": int(_env("LAUREL_PROXY_HOPS", "0") or 0),
        # A JSON file of issuers the school vouches for ([{"id": DID or domain, "name": …}]):
        # the verifier names them; a valid signature by any other did:key is "unknown issuer".
        "LAUREL_TRUST_LIST": _env("LAUREL_TRUST_LIST"),
        # The VC-API's did:key issuer keeps its key here once enabled (unset: did-key/ in
        # the key directory); it exists for conformance test suites.
        "LAUREL_DID_KEY_DIR": _env("LAUREL_DID_KEY_DIR"),
        # The job queue (bulk issuance): unset = SQLite in the instance folder; in production
        # redis://HOST:6379/N, shared by the app servers and `laurel jobs worker`.
        "LAUREL_JOBS_URL": _env("LAUREL_JOBS_URL"),
        # How long a worker's claim on a bulk job holds without news (renewed every chunk):
        # a killed worker's job is taken over after at most this many seconds.
        "LAUREL_JOBS_LEASE_SECONDS": int(_env("LAUREL_JOBS_LEASE_SECONDS", "60") or 60),
        # Email notifications go out through this SMTP server (app.notifications); unset, no
        # email is sent and nothing is queued for sending.
        "LAUREL_SMTP_URL": _env("LAUREL_SMTP_URL"),
    }
    settings.update(overrides)
    if settings["LAUREL_ENV"] != "development" and not settings["LAUREL_KEY_PASSPHRASE"]:
        raise ConfigurationError(
            "LAUREL_KEY_PASSPHRASE is not set. Set it to the passphrase that protects the "
            "signing keys in keys/ (or set LAUREL_ENV=development to use the development "
            "passphrase on a machine that holds no real keys)."
        )
    if not settings["LAUREL_KEY_PASSPHRASE"]:
        settings["LAUREL_KEY_PASSPHRASE"] = DEVELOPMENT_KEY_PASSPHRASE
    if settings.get("LAUREL_STORAGE_URL"):
        parse_storage_url(settings["LAUREL_STORAGE_URL"])
    if settings.get("LAUREL_SMTP_URL"):
        parse_smtp_url(settings["LAUREL_SMTP_URL"])
    # The development server runs the jobs itself unless a queue for workers is named.
    settings.setdefault(
        "LAUREL_JOBS_IN_PROCESS",
        settings["LAUREL_ENV"] == "development" and not settings["LAUREL_JOBS_URL"],
    )
    settings["SESSION_COOKIE_SECURE"] = settings["LAUREL_PUBLIC_URL"].startswith("https://")
    settings.setdefault(
        "MAX_CONTENT_LENGTH", settings["LAUREL_MAX_UPLOAD_MB"] * 1024 * 1024 + 65536
    )
    if "SECRET_KEY" not in settings:
        settings["SECRET_KEY"] = _env("LAUREL_SECRET_KEY") or _secret_key(instance_path)
    return settings
