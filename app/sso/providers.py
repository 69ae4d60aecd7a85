"""The school's OpenID Providers: those in LAUREL_OIDC_PROVIDERS and those the admin added.

LAUREL_OIDC_PROVIDERS is a JSON list, one object per provider:

    [{"key": "google", "name": "Google", "issuer": "https://accounts.google.com",
      "client_id": "…", "client_secret": "…", "allowed_domains": ["maplegrove.example"],
      "create_students": false}]

`key` names the provider in Laurel's URLs (lowercase letters, digits and dashes); the
redirect URI to register at the provider is <public URL>/sso/<key>/callback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext

from app.errors import NotFound
from app.errors import Unavailable
from app.extensions import db
from app.sealing import Sealer
from app.sealing import Unreadable
from app.sso.errors import SsoError
from app.sso.models import MAX_KEY_CHARS
from app.sso.models import SsoProvider

ENVIRONMENT_VARIABLE = "LAUREL_OIDC_PROVIDERS"
_KEY = re.compile(rf"[a-z0-9](?:[a-z0-9-]{{0,{MAX_KEY_CHARS - 1}}})")
_DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
SEALING_PURPOSE = b"laurel sso client secrets v1"


@dataclass(frozen=True)
class Provider:
    """One provider as the sign-in flow needs it; the secret is never shown on a page."""

    key: str
    name: str
    issuer: str
    client_id: str
    # As the environment gives it, or sealed (from_environment False).
    secret: str = field(repr=False)
    allowed_domains: tuple[str, ...]
    create_students: bool
    from_environment: bool

    def client_secret(self) -> str:
        """:raises Unavailable: sealed under another SECRET_KEY."""
        if self.from_environment:
            return self.secret
        try:
            return sealer().open(self.secret)
        except Unreadable:
            raise Unavailable(
                lazy_gettext(
                    "Laurel cannot read the client secret of %(name)s: the "
                    "server's SECRET_KEY changed since it was added. An admin "
                    "removes the provider and adds it again.",
                    name=self.name,
                )
            ) from None

    def allows(self, email: str) -> bool:
        """Is `email` in one of the allowed domains (exactly, not a subdomain)?"""
        return email.rpartition("@")[2].lower() in self.allowed_domains


def sealer() -> Sealer:
    return Sealer(current_app.config["SECRET_KEY"], purpose=SEALING_PURPOSE)


def check_key(key: str) -> str:
    """:raises SsoError: not a short lowercase name."""
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise SsoError(
            gettext(
                "“%(key)s” cannot be a provider's key: use up to %(limit)s lowercase letters, "
                "digits and dashes, e.g. google or school-entra.",
                key=key[:60],
                limit=MAX_KEY_CHARS,
            )
        )
    return key


def check_issuer(issuer: str) -> str:
    """The issuer URL without a trailing slash.

    :raises SsoError: not an http(s) URL with a host, or with a query or fragment.
    """
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise SsoError(
            gettext(
                "“%(issuer)s” is not an issuer URL: it looks like https://accounts.google.com "
                "(the address before /.well-known/openid-configuration).",
                issuer=issuer[:200],
            )
        )
    return issuer.rstrip("/")


def check_domains(domains: Iterable[str]) -> tuple[str, ...]:
    """The domains, lowercased and without duplicates.

    :raises SsoError: none, or one that is not a domain name.
    """
    cleaned: list[str] = []
    for domain in domains:
        domain = domain.strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.fullmatch(domain):
            raise SsoError(
                gettext(
                    "“%(domain)s” is not an email domain such as maplegrove.example.",
                    domain=domain[:100],
                )
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if not cleaned:
        raise SsoError(
            gettext(
                "Name at least one email domain: only verified addresses in those domains sign in."
            )
        )
    return tuple(cleaned)


def _text(entry: Mapping[str, Any], name: str, index: int) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise Unavailable(
            gettext(
                "%(environment_variable)s: provider number %(index)s has no “%(name)s” (a text).",
                environment_variable=ENVIRONMENT_VARIABLE,
                index=index + 1,
                name=name,
            )
        )
    return value.strip()


def parse_environment(text: str | None) -> list[Provider]:
    """The providers of LAUREL_OIDC_PROVIDERS (unset or empty: none).

    :raises Unavailable: not a JSON list of complete provider objects; the message names
        the problem, as a misconfigured server must be fixed by whoever runs it.
    """
    if not text or not text.strip():
        return []
    try:
        entries = json.loads(text)
    except ValueError:
        raise Unavailable(
            gettext(
                "%(environment_variable)s is not valid JSON.",
                environment_variable=ENVIRONMENT_VARIABLE,
            )
        ) from None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise Unavailable(
            gettext(
                "%(environment_variable)s must be a JSON list of provider objects.",
                environment_variable=ENVIRONMENT_VARIABLE,
            )
        )
    providers = []
    for index, entry in enumerate(entries):
        domains = entry.get("allowed_domains")
        try:
            provider = Provider(
                key=check_key(_text(entry, "key", index)),
                name=_text(entry, "name", index),
                issuer=check_issuer(_text(entry, "issuer", index)),
                client_id=_text(entry, "client_id", index),
                secret=_text(entry, "client_secret", index),
                allowed_domains=check_domains(domains if isinstance(domains, list) else []),
                create_students=entry.get("create_students") is True,
                from_environment=True,
            )
        except SsoError as error:
            raise Unavailable(
                gettext(
                    "%(environment_variable)s, provider %(index)s: %(error)s",
                    environment_variable=ENVIRONMENT_VARIABLE,
                    index=index + 1,
                    error=error,
                )
            ) from None
        providers.append(provider)
    return providers


def _from_row(row: SsoProvider) -> Provider:
    return Provider(
        key=row.key,
        name=row.name,
        issuer=row.issuer,
        client_id=row.client_id,
        secret=row.sealed_client_secret,
        allowed_domains=tuple(row.allowed_domains.split()),
        create_students=row.create_students,
        from_environment=False,
    )


def environment_providers() -> list[Provider]:
    return parse_environment(current_app.config.get(ENVIRONMENT_VARIABLE))


def stored_providers() -> list[SsoProvider]:
    return list(db.session.scalars(sa.select(SsoProvider).order_by(SsoProvider.name)))


def all_providers() -> list[Provider]:
    """Every provider, the environment's first (a stored one with a taken key is hidden)."""
    providers = environment_providers()
    taken = {provider.key for provider in providers}
    return providers + [_from_row(row) for row in stored_providers() if row.key not in taken]


def get_provider(key: str) -> Provider:
    """:raises NotFound: no provider has this key."""
    for provider in all_providers():
        if provider.key == key:
            return provider
    raise NotFound(gettext("This school has no sign-in provider named “%(key)s”.", key=key[:60]))
