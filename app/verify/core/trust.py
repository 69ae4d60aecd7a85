"""Who issued a credential, as far as Laurel could establish it, and the trust list it relies on.

Pure module. A name written inside a credential proves nothing: anyone can make
a key and sign "Maple Grove High School". What a valid signature does establish
is the key's owner: this school (its own key store), a domain (did:web or HTTPS,
whose key was fetched from that domain), or an entry of the school's trust
list (a DID or a domain with the name the school gave it). Otherwise the issuer
is one Laurel does not know, and its self-asserted name is shown as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.credentials.errors import InputError


@dataclass(frozen=True)
class TrustEntry:
    """An issuer the school vouches for: a DID (did:key:…, did:web:…) or a domain, and its name."""

    identifier: str
    name: str


class IssuerKind(StrEnum):
    """How the issuer's identity was established."""

    OWN = "own"
    TRUSTED = "trusted"
    DOMAIN = "domain"
    UNKNOWN = "unknown"


UNKNOWN_ISSUER = "an issuer Laurel does not know"


@dataclass(frozen=True)
class IssuerIdentity:
    """The issuer as established, and the name the credential gives itself (unchecked)."""

    kind: IssuerKind
    name: str
    asserted_name: str | None = None

    @property
    def established(self) -> bool:
        return self.kind is not IssuerKind.UNKNOWN

    @property
    def phrase(self) -> str:
        """The issuer for "issued by …": the established identity first, a claimed name quoted."""
        claimed = self.asserted_name
        if self.kind in (IssuerKind.OWN, IssuerKind.TRUSTED) or not claimed or claimed == self.name:
            return self.name
        if self.kind is IssuerKind.DOMAIN:
            return f"{self.name} (which calls itself “{claimed}”)"
        return f"{self.name}, calling itself “{claimed}” (unverified)"

    def to_json(self) -> dict[str, str | bool | None]:
        return {
            "kind": self.kind.value,
            "name": self.name,
            "asserted_name": self.asserted_name,
            "established": self.established,
        }


def trusted_entry(
    entries: Iterable[TrustEntry], issuer_id: str, domain: str | None
) -> TrustEntry | None:
    """The trust-list entry for this issuer: its exact DID, or the domain its key came from."""
    for entry in entries:
        wanted = entry.identifier.strip()
        if wanted == issuer_id or (domain is not None and wanted.lower() == domain.lower()):
            return entry
    return None


def read_trust_list(document: str) -> tuple[TrustEntry, ...]:
    """Trust entries from JSON: a list of {"id": DID or domain, "name": display name}.

    :raises InputError: not such a list, with what is wrong.
    """
    try:
        data = json.loads(document)
    except ValueError:
        raise InputError("The trust list is not JSON.") from None
    if not isinstance(data, list):
        raise InputError('The trust list must be a JSON list of {"id": …, "name": …} objects.')
    entries = []
    for number, item in enumerate(data, start=1):
        identifier = item.get("id") if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else None
        if not (isinstance(identifier, str) and identifier.strip()):
            raise InputError(f"Trust list entry {number} has no id (a DID or a domain).")
        if not (isinstance(name, str) and name.strip()):
            raise InputError(f"Trust list entry {number} ({identifier}) has no name.")
        entries.append(TrustEntry(identifier.strip(), name.strip()))
    return tuple(entries)
