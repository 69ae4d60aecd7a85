"""Single sign-on operations: adding and removing providers, the password policy, and
matching a provider's verified account to a Laurel account.

Services take the actor and the clock as arguments, raise LaurelErrors with a sentence for
a person, and flush; the caller commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext

from app.accounts import services as accounts
from app.accounts.emails import normalize_email
from app.accounts.models import Role
from app.accounts.models import User
from app.errors import Conflict
from app.errors import NotFound
from app.errors import UserError
from app.extensions import db
from app.sso.errors import SsoError
from app.sso.models import SignInPolicy
from app.sso.models import SsoIdentity
from app.sso.models import SsoProvider
from app.sso.policy import current_policy
from app.sso.providers import Provider
from app.sso.providers import check_domains
from app.sso.providers import check_issuer
from app.sso.providers import check_key
from app.sso.providers import environment_providers
from app.sso.providers import sealer


def add_provider(
    *,
    key: str,
    name: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: Iterable[str],
    create_students: bool,
    now: datetime,
) -> SsoProvider:
    """Store a provider, its client secret sealed.

    :raises UserError: a bad key, issuer or domain, an empty field, or a key in use.
    """
    key = check_key(key)
    if not name.strip() or not client_id.strip() or not client_secret.strip():
        raise SsoError(gettext("Give the provider a name, a client id and a client secret."))
    taken = {p.key for p in environment_providers()} | set(
        db.session.scalars(sa.select(SsoProvider.key))
    )
    if key in taken:
        raise Conflict(
            gettext("A provider is already named “%(key)s”: choose another key.", key=key)
        )
    provider = SsoProvider(
        key=key,
        name=name.strip()[:200],
        issuer=check_issuer(issuer),
        client_id=client_id.strip(),
        sealed_client_secret=sealer().seal(client_secret.strip()),
        allowed_domains=" ".join(check_domains(allowed_domains)),
        create_students=create_students,
        created_at=now,
    )
    db.session.add(provider)
    db.session.flush()
    return provider


def remove_provider(key: str) -> None:
    """Remove a stored provider; its accounts keep their links in case it is added again.

    :raises NotFound: no stored provider has this key (environment ones are removed there).
    """
    provider = db.session.scalar(sa.select(SsoProvider).where(SsoProvider.key == key))
    if provider is None:
        raise NotFound(
            gettext(
                "There is no such provider on this page (one set in the "
                "environment is removed from LAUREL_OIDC_PROVIDERS)."
            )
        )
    db.session.delete(provider)
    db.session.flush()


def set_passwords_for_everyone(allowed: bool, *, now: datetime) -> None:
    """Turn password sign-in for non-admins on or off (admins always keep theirs)."""
    policy = current_policy()
    if policy is None:
        policy = SignInPolicy(passwords_for_everyone=allowed, changed_at=now)
        db.session.add(policy)
    policy.passwords_for_everyone = allowed
    policy.changed_at = now
    db.session.flush()


def _verified_email(provider: Provider, claims: Mapping[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoError(
            gettext(
                "%(provider)s did not tell Laurel your email address, so Laurel cannot find "
                "your account.",
                provider=provider.name,
            ),
            403,
        )
    if claims.get("email_verified") is not True:
        raise SsoError(
            gettext(
                "%(provider)s has not verified the email address %(email)s, so Laurel cannot "
                "trust it to find your account. Verify it there, then try again.",
                provider=provider.name,
                email=email[:254],
            ),
            403,
        )
    try:
        address = normalize_email(email)
    except UserError:
        raise SsoError(
            gettext("“%(email)s” is not an email address Laurel can use.", email=email[:254]),
            403,
        ) from None
    if not provider.allows(address):
        raise SsoError(
            gettext(
                "%(email)s is not in a domain this school signs in with through %(provider)s "
                "(%(domains)s).",
                email=address,
                provider=provider.name,
                domains=", ".join(provider.allowed_domains),
            ),
            403,
        )
    return address


def _name(claims: Mapping[str, Any], address: str) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()[:200]
    return address.partition("@")[0]


def sign_in_with(provider: Provider, claims: Mapping[str, Any], *, now: datetime) -> User:
    """The Laurel account for a provider's verified ID token claims, linked on first use.

    The account is found by the provider's `sub` once linked, else by verified email;
    without one, a student account is created when the provider allows it.

    :raises SsoError: an unverified email or one outside the allowed domains, no account
        (and no creating them), or a deactivated account.
    """
    address = _verified_email(provider, claims)
    subject = str(claims["sub"])
    identity = db.session.scalar(
        sa.select(SsoIdentity).where(
            SsoIdentity.provider_key == provider.key, SsoIdentity.subject == subject
        )
    )
    if identity is not None:
        user = identity.user
    else:
        found = accounts.find_user_by_email(address)
        if found is None:
            if not provider.create_students:
                raise SsoError(
                    gettext(
                        "There is no Laurel account for %(email)s. Ask your school's Laurel "
                        "admin to add you.",
                        email=address,
                    ),
                    403,
                )
            found = accounts.create_user(
                email=address, name=_name(claims, address), role=Role.STUDENT
            )
        user = found
        db.session.add(
            SsoIdentity(provider_key=provider.key, subject=subject, user=user, linked_at=now)
        )
    if not user.is_active_account:
        raise SsoError(
            gettext("This Laurel account is deactivated. Ask your school's Laurel admin."), 403
        )
    db.session.flush()
    return user
