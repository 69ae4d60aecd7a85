"""Open Badges 2.0 assertions: reading one from what a learner hands in, and checking it.

Pure module: no Flask, no database; documents come through an injected `Fetcher`
(the guarded HTTPS fetcher in production, a table in tests). The rules are those
of Open Badges 2.0 §Verification:

- hosted: the assertion's id is an HTTPS URL; what it answers must equal the
  assertion handed in, and its origin must be the issuer's (or one of the issuer's
  `verification.allowedOrigins`);
- signed: a compact JWS (RS256) whose payload is the assertion, checked with the
  issuer's key: the CryptographicKey at `verification.creator` (owned by the issuer)
  or the issuer's `publicKey`;
- the recipient identity, plain or hashed (`sha256$` / `md5$`, with the salt),
  must be one of the learner's e-mail addresses;
- revoked: `revoked: true` on the assertion or its id in the issuer's revocationList;
  expired: `expires` in the past.

A refusal (`Ob2Refused`) carries a message a person can act on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from app.credentials.baking import OB2
from app.credentials.baking import read_png
from app.credentials.baking import read_svg
from app.credentials.errors import BakingError
from app.credentials.errors import InputError
from app.credentials.words import N_
from app.credentials.words import Text
from app.credentials.words import text_of

from .fetching import Fetcher
from .fetching import fetch_bytes
from .fetching import fetch_json
from .parse import MAX_INPUT_BYTES
from .parse import MAX_SVG_ELEMENTS
from .parse import PNG_SIGNATURE
from .parse import decode_text
from .parse import load_json

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
HOSTED_TYPES = ("hosted", "HostedBadge")
SIGNED_TYPES = ("signed", "SignedBadge")
# Images shown on the learner record: only data: URIs of these types (no hotlinking).
IMAGE_DATA_PREFIXES = ("data:image/png;base64,", "data:image/svg+xml;base64,")
MAX_IMAGE_DATA_CHARS = 256 * 1024


class Ob2Refused(InputError):
    """Not an Open Badges 2.0 badge Laurel can accept; the message says why."""


@dataclass(frozen=True)
class Ob2Badge:
    """A checked assertion: its text as it came, what it says, and what the checks found."""

    text: str
    method: str  # "hosted" or "signed"
    assertion: dict[str, Any]
    badge_class: dict[str, Any]
    issuer: dict[str, Any]
    issued_on: datetime | None
    revoked: bool
    revocation_reason: str | None
    expired: bool

    @property
    def assertion_id(self) -> str | None:
        value = self.assertion.get("id")
        return value if isinstance(value, str) else None

    @property
    def issuer_id(self) -> str | None:
        value = self.issuer.get("id")
        return value if isinstance(value, str) else None

    @property
    def issuer_name(self) -> str | None:
        value = self.issuer.get("name")
        return value if isinstance(value, str) else None

    @property
    def name(self) -> str | None:
        value = self.badge_class.get("name")
        return value if isinstance(value, str) else None

    @property
    def image_data_uri(self) -> str | None:
        """The badge image if it is a PNG or SVG data: URI of bounded size, else None."""
        for holder in (self.assertion, self.badge_class):
            image = holder.get("image")
            if isinstance(image, dict):
                image = image.get("id")
            if (
                isinstance(image, str)
                and image.startswith(IMAGE_DATA_PREFIXES)
                and len(image) <= MAX_IMAGE_DATA_CHARS
            ):
                return image
        return None

    @property
    def outcome(self) -> str:
        """ "revoked", "expired" or "verified"."""
        if self.revoked:
            return "revoked"
        if self.expired:
            return "expired"
        return "verified"

    @property
    def summary(self) -> Text:
        if self.method == "hosted":
            sentence = N_(
                "An Open Badges 2.0 badge hosted by its issuer and matching what the issuer "
                "hosts, awarded to you."
            )
        else:
            sentence = N_("An Open Badges 2.0 badge signed with its issuer's key, awarded to you.")
        if self.revoked and self.revocation_reason:
            return N_(
                "%(sentence)s Its issuer has revoked it (%(reason)s).",
                sentence=sentence,
                reason=self.revocation_reason,
            )
        if self.revoked:
            return N_("%(sentence)s Its issuer has revoked it.", sentence=sentence)
        if self.expired:
            return N_("%(sentence)s It has expired.", sentence=sentence)
        return sentence


# Reading what was handed in


def assertion_text(raw: bytes, *, fetcher: Fetcher) -> str:
    """The assertion text in an upload or paste: JSON, a compact JWS, a URL, a baked PNG or SVG.

    A URL (pasted or baked, as pre-2.0 badges did) is fetched with `fetcher`.

    :raises Ob2Refused: too large, unreadable, or holding no Open Badges 2.0 assertion.
    :raises FetchError: a URL that cannot be fetched (refused address, unreachable).
    """
    if len(raw) > MAX_INPUT_BYTES:
        raise Ob2Refused(
            N_(
                "The file is too large; Laurel reads badges up to %(limit)s MB.",
                limit=MAX_INPUT_BYTES // (1024 * 1024),
            )
        )
    if not raw.strip():
        raise Ob2Refused(N_("There is nothing to import: the file or text is empty."))
    if raw.startswith(PNG_SIGNATURE):
        text = _baked(read_png, raw, "PNG")
    else:
        text = decode_text(raw).strip()
        if text.startswith("<"):
            text = _baked(read_svg, raw, "SVG")
    if text.startswith(("https://", "http://")) and len(text.split()) == 1:
        return decode_text(fetch_bytes(fetcher, text))
    return text


def _baked(read: Any, raw: bytes, kind: str) -> str:
    if kind == "SVG" and raw.count(b"<") > MAX_SVG_ELEMENTS:
        raise Ob2Refused(
            N_(
                "The SVG has more than %(limit)s elements; a badge image has far fewer, so "
                "Laurel does not read it.",
                limit=f"{MAX_SVG_ELEMENTS:,}",
            )
        )
    try:
        baked = read(raw)
    except BakingError as error:
        raise Ob2Refused(text_of(error)) from None
    except InputError:
        raise
    except Exception:
        raise Ob2Refused(
            N_("The %(kind)s image is damaged, so no badge can be read from it.", kind=kind)
        ) from None
    if baked.standard != OB2:
        raise Ob2Refused(
            N_(
                "This %(kind)s image holds an %(standard)s credential, not an Open Badges 2.0 "
                "badge; an application can send it to your backpack through the Open Badges API.",
                kind=kind,
                standard=baked.standard,
            )
        )
    text: str = baked.text.strip()
    return text


def _parse(text: str) -> tuple[dict[str, Any], str | None]:
    """The assertion object and, for a signed one, its compact JWS."""
    stripped = text.strip()
    if stripped.startswith("{"):
        document = load_json(stripped)
        if not isinstance(document, dict):
            raise Ob2Refused(N_("The JSON is not an Open Badges 2.0 assertion."))
        return document, None
    parts = stripped.split(".")
    if len(parts) == 3 and all(parts[:2]):
        try:
            payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
            document = load_json(decode_text(payload))
        except (binascii.Error, ValueError, InputError):
            raise Ob2Refused(N_("The signed badge's payload is not a JSON assertion.")) from None
        if not isinstance(document, dict):
            raise Ob2Refused(N_("The signed badge's payload is not an Open Badges 2.0 assertion."))
        return document, stripped
    raise Ob2Refused(
        N_(
            "This is not JSON, a signed badge (JWS) or a badge URL: Laurel cannot read it as an "
            "Open Badges 2.0 badge."
        )
    )


def _require_assertion(assertion: dict[str, Any]) -> None:
    kinds = assertion.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "Assertion" not in kinds or assertion.get("@context") != OB2_CONTEXT:
        raise Ob2Refused(
            N_(
                "This JSON is not an Open Badges 2.0 assertion (it needs the context "
                "%(context)s and the type Assertion).",
                context=OB2_CONTEXT,
            )
        )
    for name in ("id", "recipient", "badge", "verification", "issuedOn"):
        if name not in assertion:
            raise Ob2Refused(
                N_("The assertion has no %(name)s, which Open Badges 2.0 requires.", name=name)
            )


# Checking


def check_ob2(text: str, *, emails: list[str], fetcher: Fetcher, now: datetime) -> Ob2Badge:
    """Check an Open Badges 2.0 assertion (JSON or compact JWS) for a learner with `emails`.

    :raises Ob2Refused: not an assertion, not genuine, or not awarded to these e-mails.
    :raises FetchError: a document the check needs cannot be fetched.
    """
    assertion, token = _parse(text)
    _require_assertion(assertion)
    verification = assertion.get("verification")
    method = verification.get("type") if isinstance(verification, dict) else None
    if token is None:
        if method not in HOSTED_TYPES:
            raise Ob2Refused(
                N_("The assertion is not hosted, so it must be given as its signed form (a JWS).")
            )
        assertion = _check_hosted(assertion, fetcher)
    elif method not in SIGNED_TYPES:
        raise Ob2Refused(N_("The JWS holds an assertion whose verification type is not signed."))
    badge_class = _document(assertion.get("badge"), fetcher, "BadgeClass")
    issuer = _document(badge_class.get("issuer"), fetcher, "Issuer", "Profile")
    issuer_id = issuer.get("id")
    if not isinstance(issuer_id, str):
        raise Ob2Refused(N_("The badge's issuer has no id."))
    if token is None:
        _check_hosted_origin(assertion, issuer)
    else:
        _check_signature(token, assertion, issuer, fetcher)
    _check_recipient(assertion.get("recipient"), emails)
    revoked, reason = _revocation(assertion, issuer, fetcher)
    expires = _date(assertion.get("expires"), "expires")
    return Ob2Badge(
        text=text,
        method="hosted" if token is None else "signed",
        assertion=assertion,
        badge_class=badge_class,
        issuer=issuer,
        issued_on=_date(assertion.get("issuedOn"), "issuedOn"),
        revoked=revoked,
        revocation_reason=reason,
        expired=expires is not None and expires < now,
    )


def _check_hosted(assertion: dict[str, Any], fetcher: Fetcher) -> dict[str, Any]:
    assertion_id = assertion["id"]
    if not isinstance(assertion_id, str) or not assertion_id.startswith("https://"):
        raise Ob2Refused(
            N_("A hosted assertion's id must be the HTTPS address where it is hosted.")
        )
    hosted = fetch_json(fetcher, assertion_id)
    if hosted != assertion:
        raise Ob2Refused(
            N_(
                "The assertion does not match what its issuer hosts at %(url)s: it was "
                "changed, or the issuer has replaced it.",
                url=assertion_id,
            )
        )
    return hosted


def _check_hosted_origin(assertion: dict[str, Any], issuer: dict[str, Any]) -> None:
    """A hosted assertion must live on the issuer's origin or one it allows."""
    verification = issuer.get("verification")
    allowed = verification.get("allowedOrigins") if isinstance(verification, dict) else None
    origins = (
        [allowed]
        if isinstance(allowed, str)
        else [origin for origin in allowed if isinstance(origin, str)]
        if isinstance(allowed, list)
        else [urlsplit(str(issuer["id"])).netloc]
    )
    host = urlsplit(str(assertion["id"])).netloc
    if host not in origins:
        raise Ob2Refused(
            N_(
                "The assertion is hosted at %(host)s, which its issuer (%(issuer)s) does not "
                "allow, so it cannot be the issuer's.",
                host=host,
                issuer=str(issuer["id"]),
            )
        )


def _document(value: Any, fetcher: Fetcher, *types: str) -> dict[str, Any]:
    """An embedded object or one fetched from its URL, of one of `types`."""
    if isinstance(value, str):
        if not value.startswith("https://"):
            raise Ob2Refused(
                N_(
                    "The %(kind)s address %(url)s is not an HTTPS URL.",
                    kind=types[0],
                    url=repr(value),
                )
            )
        value = fetch_json(fetcher, value)
    if not isinstance(value, dict):
        raise Ob2Refused(N_("The badge's %(kind)s is missing.", kind=types[0]))
    kinds = value.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if not any(kind in kinds for kind in types):
        raise Ob2Refused(
            N_("The badge's %(kind)s is not an Open Badges 2.0 %(kind)s.", kind=types[0])
        )
    return value


def _check_signature(
    token: str, assertion: dict[str, Any], issuer: dict[str, Any], fetcher: Fetcher
) -> None:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Ob2Refused(N_("The signed badge's header is unreadable.")) from None
    if header.get("alg") != "RS256":
        raise Ob2Refused(
            N_(
                "The signed badge uses %(alg)s; Open Badges 2.0 signs with RS256.",
                alg=repr(header.get("alg")),
            )
        )
    key = _public_key(assertion, issuer, fetcher)
    try:
        jwt.api_jws.PyJWS().decode(token, key, algorithms=["RS256"])
    except jwt.PyJWTError:
        raise Ob2Refused(
            N_("The signature does not match the issuer's key: the badge was changed or forged.")
        ) from None


def _public_key(
    assertion: dict[str, Any], issuer: dict[str, Any], fetcher: Fetcher
) -> RSAPublicKey:
    verification = assertion["verification"]
    creator = verification.get("creator") if isinstance(verification, dict) else None
    source = creator if creator is not None else issuer.get("publicKey")
    if source is None:
        raise Ob2Refused(N_("Neither the badge nor its issuer names the key it was signed with."))
    document = _document(source, fetcher, "CryptographicKey")
    if document.get("owner") != issuer["id"]:
        raise Ob2Refused(N_("The signing key does not belong to the badge's issuer."))
    pem = document.get("publicKeyPem")
    try:
        key = load_pem_public_key(str(pem).encode())
    except ValueError:
        raise Ob2Refused(N_("The issuer's public key is unreadable.")) from None
    if not isinstance(key, RSAPublicKey):
        raise Ob2Refused(N_("The issuer's public key is not an RSA key."))
    return key


def identity_matches(recipient: dict[str, Any], email: str) -> bool:
    """Whether an Open Badges 2.0 `recipient` (plain or hashed with its salt) is `email`."""
    identity = recipient.get("identity")
    if not isinstance(identity, str):
        return False
    candidates = {email, email.strip().lower()}
    if not recipient.get("hashed"):
        return identity.strip().lower() in {c.lower() for c in candidates}
    algorithm, _, digest = identity.partition("$")
    if algorithm.lower() not in ("sha256", "md5") or not digest:
        return False
    salt = recipient.get("salt") if isinstance(recipient.get("salt"), str) else ""
    return any(
        hmac.compare_digest(
            hashlib.new(algorithm.lower(), f"{candidate}{salt}".encode()).hexdigest(),
            digest.lower(),
        )
        for candidate in candidates
    )


def _check_recipient(recipient: Any, emails: list[str]) -> None:
    if not isinstance(recipient, dict):
        raise Ob2Refused(N_("The assertion's recipient is missing."))
    if recipient.get("type", "email") != "email":
        raise Ob2Refused(
            N_(
                "The badge was awarded to a %(kind)s identity; Laurel matches badges to your "
                "e-mail address only.",
                kind=repr(recipient.get("type")),
            )
        )
    if not any(identity_matches(recipient, email) for email in emails):
        raise Ob2Refused(
            N_("This badge was awarded to someone else: its recipient is not your e-mail address.")
        )


def _revocation(
    assertion: dict[str, Any], issuer: dict[str, Any], fetcher: Fetcher
) -> tuple[bool, str | None]:
    reason = assertion.get("revocationReason")
    if assertion.get("revoked") is True:
        return True, reason if isinstance(reason, str) else None
    listing = issuer.get("revocationList")
    if listing is None:
        return False, None
    document = _document(listing, fetcher, "RevocationList")
    entries = document.get("revokedAssertions")
    for entry in entries if isinstance(entries, list) else []:
        if entry == assertion["id"] or (isinstance(entry, str) and entry == assertion.get("uid")):
            return True, None
        named = entry.get("id", entry.get("uid")) if isinstance(entry, dict) else None
        if named is not None and named in (assertion["id"], assertion.get("uid")):
            given = entry.get("revocationReason")
            return True, given if isinstance(given, str) else None
    return False, None


def _date(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Ob2Refused(_not_a_date(name)) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise Ob2Refused(_not_a_date(name))


def _not_a_date(name: str) -> Text:
    return N_("The assertion's %(name)s is not a date.", name=name)
