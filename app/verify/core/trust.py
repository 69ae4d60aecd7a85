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
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.credentials.errors import InputError
from app.credentials.words import N_


@dataclass(frozen=True)
class TrustEntry:
    """An issuer the school vouches for: a DID (did:key:…, did:web:…) or a domain, and its name."""

    identifier: str
    name: str
    note: str = ""


class IssuerKind(StrEnum):
    """How the issuer's identity was established."""

    OWN = "own"
    TRUSTED = "trusted"
    DOMAIN = "domain"
    UNKNOWN = "unknown"


UNKNOWN_ISSUER = N_("an issuer Laurel does not know")


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
            return N_(
                "%(name)s (which calls itself “%(claimed)s”)", name=self.name, claimed=claimed
            )
        return N_(
            "%(name)s, calling itself “%(claimed)s” (unverified)", name=self.name, claimed=claimed
        )

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


MAX_IDENTIFIER_CHARS = 500
MAX_NAME_CHARS = 200
MAX_NOTE_CHARS = 500
MAX_TRUST_ENTRIES = 5000
# DID syntax (W3C DID Core §3.1): did:<method>:<method-specific-id>, with idchar and pct-encoded.
_ID_CHAR = r"(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})"
_DID = re.compile(rf"did:[a-z0-9]+:(?:{_ID_CHAR}|:)*{_ID_CHAR}")
# A host name of dot-separated labels (RFC 1123), with an optional port as did:web allows.
_DOMAIN = re.compile(
    r"(?=.{1,253}(?::|$))(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}(?::[0-9]{1,5})?"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plain_text(value: str, what: str, limit: int) -> str:
    """`value` stripped, refused when it holds control characters or exceeds `limit` characters."""
    value = value.strip()
    if _CONTROL.search(value):
        raise InputError(f"The {what} contains a control character (such as NUL or a line break).")
    if len(value) > limit:
        raise InputError(f"The {what} is longer than {limit} characters.")
    return value


def check_identifier(value: str) -> str:
    """A trust-list id as stored: a DID (did:web:…, did:key:…, …) or a lower-case domain.

    :raises InputError: neither, with what is wrong.
    """
    value = _plain_text(value, "issuer id", MAX_IDENTIFIER_CHARS)
    if not value:
        raise InputError("Give the issuer's DID (did:web:…, did:key:…) or its domain.")
    if value.lower().startswith("did:"):
        if not _DID.fullmatch(value):
            raise InputError(f"{value} is not a valid DID (did:method:identifier).")
        return value
    if "://" in value or value.lower().startswith(("javascript:", "data:", "mailto:")):
        raise InputError(
            f"{value} is an address, not a domain: give the domain alone (school.example) or a DID."
        )
    domain = value.lower().rstrip(".")
    if not _DOMAIN.fullmatch(domain):
        raise InputError(f"{value} is neither a DID (did:web:…, did:key:…) nor a domain name.")
    return domain


def check_entry(identifier: str, name: str, note: str = "") -> TrustEntry:
    """A valid trust entry from what a person typed or a file gave.

    :raises InputError: an id, name or note that cannot be stored, with what is wrong.
    """
    name = _plain_text(name, "name", MAX_NAME_CHARS)
    if not name:
        raise InputError("Give the name Laurel should show for this issuer.")
    return TrustEntry(check_identifier(identifier), name, _plain_text(note, "note", MAX_NOTE_CHARS))


def read_trust_list(document: str) -> tuple[TrustEntry, ...]:
    """Trust entries from JSON: a list of {"id": DID or domain, "name": display name, "note": …}.

    "note" is optional (where the entry comes from, e.g. a state registry). An id
    appears once; a DID is kept as written and a domain in lower case.

    :raises InputError: not such a list, with what is wrong and in which entry.
    """
    try:
        data = json.loads(document)
    except ValueError:
        raise InputError("The trust list is not JSON.") from None
    if not isinstance(data, list):
        raise InputError('The trust list must be a JSON list of {"id": …, "name": …} objects.')
    if len(data) > MAX_TRUST_ENTRIES:
        raise InputError(f"The trust list has more than {MAX_TRUST_ENTRIES} entries.")
    entries: dict[str, TrustEntry] = {}
    for number, item in enumerate(data, start=1):
        identifier = item.get("id") if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else None
        note = item.get("note", "") if isinstance(item, dict) else ""
        if not (isinstance(identifier, str) and identifier.strip()):
            raise InputError(f"Trust list entry {number} has no id (a DID or a domain).")
        if not (isinstance(name, str) and name.strip()):
            raise InputError(f"Trust list entry {number} ({identifier[:80]}) has no name.")
        if not isinstance(note, str):
            raise InputError(f"Trust list entry {number} has a note that is not text.")
        try:
            entry = check_entry(identifier, name, note)
        except InputError as error:
            raise InputError(f"Trust list entry {number}: {error}") from None
        if entry.identifier in entries:
            raise InputError(f"Trust list entry {number} repeats {entry.identifier}.")
        entries[entry.identifier] = entry
    return tuple(entries.values())
