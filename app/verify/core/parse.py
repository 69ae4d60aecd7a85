"""Reading what a person hands to the verifier: JSON, a compact JWT, a PNG, an SVG or a PDF.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. Every limit is checked before the expensive step it guards
(size before parsing, nesting depth before `json.loads`, attachment size before
decompressing), and every refusal is an `InputError` whose text a person can act on.

Memory is bounded by the shape of the input, not only its size: parsed into Python
objects and expanded as JSON-LD, a credential costs about 120 times its text, so a
credential's JSON (pasted, in a JWT, baked in an image or attached to a PDF) may be
at most MAX_CREDENTIAL_BYTES with MAX_JSON_CONTAINERS objects and lists, an SVG at
most MAX_SVG_ELEMENTS tags and a PDF MAX_PDF_OBJECTS objects. bench/verify_memory.py
measures the worst shapes.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from pypdf import PdfReader

from app.credentials.baking import extract_png
from app.credentials.baking import extract_svg
from app.credentials.errors import BakingError
from app.credentials.errors import CredentialError
from app.credentials.errors import InputError
from app.credentials.proofs.vc_jwt import read_jwt
from app.credentials.words import N_
from app.credentials.words import text_of

MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64
# A real credential is a few KB with a few hundred objects; these leave room for
# long descriptions and many evidence items while keeping a hostile one under 100 MB.
MAX_CREDENTIAL_BYTES = 512 * 1024
MAX_JSON_CONTAINERS = 10_000
MAX_SVG_ELEMENTS = 50_000
MAX_PDF_OBJECTS = 20_000
MAX_PDF_ATTACHMENTS = 100
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat", "aud")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_SIGNATURE = b"%PDF-"
# PDF attachments Laurel's certificates carry (share/pdf): the credential and, for
# offline checks, the issuer's DID document and JWKS as they stood at issuance.
CREDENTIAL_JSON_NAME = "credential.json"
CREDENTIAL_JWT_NAME = "credential.jwt"
LEARNER_RECORD_NAME = "learner-record.json"
DID_DOCUMENT_NAME = "did.json"
JWKS_NAME = "jwks.json"

_COMPACT_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_JWT_START = re.compile(r"^eyJ[A-Za-z0-9_.-]*$")
_JSON_STRUCTURE = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_XML_DECLARATIONS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_PDF_OBJECT = re.compile(rb"\sobj\b")


@dataclass(frozen=True)
class Attachments:
    """Documents a PDF certificate carries for offline checks, as they stood at issuance."""

    did_document: dict[str, Any] | None = None
    jwks: dict[str, Any] | None = None


@dataclass(frozen=True)
class Parsed:
    """A credential found in the input: its JSON form, its JWT form, or both (a PDF)."""

    source_format: str
    credential: dict[str, Any] | None = None
    jwt: str | None = None
    attachments: Attachments = field(default_factory=Attachments)


# How the messages name what was given: a file, pasted text, or what an address answered.
_THIS = {
    "file": N_("this file"),
    "text": N_("this text"),
    "address": N_("what the address answered"),
}
_EMPTY = {
    "file": N_("The file is empty: there is no credential to check."),
    "text": N_("The text is empty: there is no credential to check."),
    "address": N_("The address answered with nothing: there is no credential to check."),
}


def parse_input(
    data: bytes | str,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    given_as: str = "file",
) -> Parsed:
    """Find the credential in an uploaded file or pasted text.

    The format is decided by content, never by `filename` or `content_type`,
    which only sharpen the error message.

    :param given_as: "file", "text" (pasted) or "address" (downloaded): the wording of errors.
    :raises InputError: empty, too large, unreadable, or holding no credential.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    check_size(raw)
    if not raw.strip():
        raise InputError(_EMPTY[given_as])
    if raw.startswith(PNG_SIGNATURE):
        return Parsed("png", *_read_text_credential(_from_image(extract_png, raw, "PNG")))
    if raw.startswith(PDF_SIGNATURE):
        return _read_pdf(raw)
    text = decode_text(raw, _THIS[given_as])
    stripped = text.strip()
    if stripped.startswith("<"):
        if "<svg" not in stripped.lower():
            raise InputError(
                N_("This looks like an XML or HTML page, not a credential or an SVG badge.")
            )
        return Parsed("svg", *_read_text_credential(_from_image(extract_svg, raw, "SVG")))
    if stripped.startswith('"') and _COMPACT_JWT.match(stripped.strip('"')):
        stripped = stripped.strip('"')  # a JWT pasted as a JSON string
    if stripped.startswith(("{", "[", '"')):
        return Parsed("json", credential=read_credential_json(stripped))
    # A JWT copied from an e-mail or a terminal may be broken over several lines.
    compact = "".join(stripped.split())
    if _COMPACT_JWT.match(compact):
        return Parsed("jwt", jwt=check_jwt(compact))
    if _JWT_START.match(compact):
        raise InputError(
            N_(
                "This looks like a JWT, but it is incomplete: a signed JWT has three parts "
                "separated by dots. Copy the whole text again."
            )
        )
    if given_as == "text":
        raise InputError(
            N_(
                "Laurel cannot read this text: it is neither a credential in JSON nor a JWT. "
                "Paste the whole signed JSON (it starts with {) or the JWT (it starts with eyJ)."
            )
        )
    named = filename or content_type
    if named:
        raise InputError(
            N_(
                "Laurel cannot read %(what)s (%(named)s): it is not a credential in JSON, a "
                "JWT, or a PNG, SVG or PDF badge.",
                what=_THIS[given_as],
                named=named,
            )
        )
    raise InputError(
        N_(
            "Laurel cannot read %(what)s: it is not a credential in JSON, a JWT, or a PNG, "
            "SVG or PDF badge.",
            what=_THIS[given_as],
        )
    )


def check_size(raw: bytes) -> None:
    """Refuse input beyond MAX_INPUT_BYTES before any parsing."""
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(
            N_(
                "The file is too large (%(size)s MB); Laurel reads credentials up to %(limit)s MB.",
                size=len(raw) // (1024 * 1024),
                limit=MAX_INPUT_BYTES // (1024 * 1024),
            )
        )


def decode_text(raw: bytes, what: str = _THIS["file"]) -> str:
    """UTF-8 text (a leading byte-order mark is allowed), or a clear refusal naming `what`."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            N_(
                "Laurel cannot read %(what)s: it is neither UTF-8 text nor a PNG, SVG or PDF "
                "image, so it cannot hold a credential.",
                what=what,
            )
        ) from None


def check_json_shape(
    raw: bytes, limit: int = MAX_JSON_DEPTH, containers: int = MAX_JSON_CONTAINERS
) -> None:
    """Refuse JSON larger than a credential, nested deeper than `limit`, or holding more
    than `containers` objects and lists, counting brackets outside strings.

    `json.loads` recurses once per level and would hit the interpreter's recursion
    limit on hostile input, and every object costs hundreds of bytes once parsed and
    expanded; this scan does not recurse and builds nothing.
    """
    if len(raw) > MAX_CREDENTIAL_BYTES:
        raise InputError(
            N_(
                "The credential is %(size)s KB; Laurel reads credentials of up to %(limit)s KB "
                "(a genuine one is a few KB).",
                size=len(raw) // 1024,
                limit=MAX_CREDENTIAL_BYTES // 1024,
            )
        )
    depth = 0
    count = 0
    for match in _JSON_STRUCTURE.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            count += 1
            if depth > limit:
                raise InputError(
                    N_(
                        "The JSON is nested more than %(limit)s levels deep; no credential is, "
                        "so Laurel does not read it.",
                        limit=limit,
                    )
                )
            if count > containers:
                raise InputError(
                    N_(
                        "The JSON holds more than %(limit)s objects and lists; a credential "
                        "holds a few hundred, so Laurel does not read it.",
                        limit=f"{containers:,}",
                    )
                )
        elif token in (b"]", b"}"):
            depth -= 1


def load_json(text: str) -> Any:
    """Parse JSON text after the size and shape check."""
    check_json_shape(text.encode("utf-8"))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            N_(
                "The text is not valid JSON (line %(line)s, column %(column)s: %(error)s).",
                line=error.lineno,
                column=error.colno,
                error=error.msg,
            )
        ) from None
    except ValueError:
        # Python refuses integers of more than 4,300 digits (a denial-of-service guard).
        raise InputError(
            N_("The JSON holds a number too long to be part of a credential.")
        ) from None
    if _LONE_SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(document):
        raise InputError(
            N_(
                "The JSON holds a broken character (an unpaired \\u surrogate escape), "
                "which no credential can contain."
            )
        )
    return document


# A \uD800-\uDFFF escape: JSON allows it, but alone it is no character and cannot be
# canonicalized or encoded as UTF-8 for a signature check.
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _holds_lone_surrogate(document: Any) -> bool:
    """Whether any key or string of the parsed JSON `document` has an unpaired surrogate."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def read_credential_json(text: str) -> dict[str, Any]:
    """A JSON document that must be a verifiable credential."""
    document = load_json(text)
    if not isinstance(document, dict):
        raise InputError(N_("The JSON is not a credential: a credential is a JSON object."))
    require_credential(document)
    return document


def require_credential(document: dict[str, Any]) -> None:
    """Refuse a JSON object whose type does not include VerifiableCredential."""
    types = document.get("type", [])
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" in types:
        return
    if "Assertion" in types or "BadgeClass" in types:
        raise InputError(
            N_("This is an Open Badges 2.0 document; Laurel verifies Open Badges 3.0 credentials.")
        )
    raise InputError(
        N_(
            "The JSON is not a verifiable credential: its type does not include "
            "VerifiableCredential."
        )
    )


def check_jwt(token: str) -> str:
    """A compact JWT that is signed (not alg none) and readable; returns it unchanged."""
    # Base64url takes 4 characters for 3 bytes; the header and signature add a little.
    if len(token) > MAX_CREDENTIAL_BYTES * 4 // 3 + 4096:
        raise InputError(
            N_(
                "The JWT is %(size)s KB; Laurel reads credentials of up to %(limit)s KB "
                "(a genuine one is a few KB).",
                size=len(token) // 1024,
                limit=MAX_CREDENTIAL_BYTES // 1024,
            )
        )
    for segment in token.split(".")[:2]:
        try:
            decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        except (binascii.Error, ValueError):
            continue  # read_jwt names the broken segment
        check_json_shape(decoded)
    header, _payload = read_jwt(token)
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm.lower() == "none":
        raise InputError(
            N_("The JWT is not signed (its algorithm is 'none'), so nothing proves who issued it.")
        )
    return token


def credential_from_jwt(token: str) -> dict[str, Any]:
    """The credential in a VC-JWT, unverified: the payload minus its claims, or `vc` (VC 1.1)."""
    _header, payload = read_jwt(token)
    if "vc" in payload:
        credential = payload["vc"]
        if not isinstance(credential, dict):
            raise InputError(N_("The JWT's vc claim is not a credential object."))
        return credential
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


def _from_image(extract: Callable[[bytes], str], raw: bytes, kind: str) -> str:
    if kind == "SVG" and raw.count(b"<") > MAX_SVG_ELEMENTS:
        raise InputError(
            N_(
                "The SVG has more than %(limit)s elements; a badge image has far fewer, so "
                "Laurel does not read it.",
                limit=f"{MAX_SVG_ELEMENTS:,}",
            )
        )
    if kind == "SVG" and _XML_DECLARATIONS.search(raw):
        raise InputError(
            N_(
                "The SVG declares a DTD or entities; Laurel refuses those because they can read "
                "files or expand without limit."
            )
        )
    try:
        return extract(raw)
    except BakingError as error:
        raise InputError(text_of(error)) from None
    except CredentialError:
        raise
    except Exception:
        # The image readers face hostile bytes; any failure inside them means a
        # damaged image, which a person must hear about as such, not as a crash.
        raise InputError(
            N_("The %(kind)s image is damaged, so its credential cannot be read.", kind=kind)
        ) from None


def _read_text_credential(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The credential text baked in an image or attached to a PDF: JSON or a compact JWT."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return read_credential_json(stripped), None
    if _COMPACT_JWT.match(stripped):
        return None, check_jwt(stripped)
    raise InputError(N_("The badge image holds something that is neither a credential nor a JWT."))


def _read_pdf(raw: bytes) -> Parsed:
    files = _pdf_attachments(raw)
    credential_text = files.get(CREDENTIAL_JSON_NAME, files.get(LEARNER_RECORD_NAME))
    jwt_text = files.get(CREDENTIAL_JWT_NAME)
    if credential_text is None and jwt_text is None:
        raise InputError(
            N_(
                "The PDF has no credential attached (credential.json, credential.jwt or "
                "learner-record.json); only Laurel's certificates carry one. Scan its QR code "
                "instead."
            )
        )
    credential = read_credential_json(credential_text) if credential_text is not None else None
    token = check_jwt(jwt_text.strip()) if jwt_text is not None else None
    attachments = Attachments(
        did_document=_optional_object(files.get(DID_DOCUMENT_NAME), DID_DOCUMENT_NAME),
        jwks=_optional_object(files.get(JWKS_NAME), JWKS_NAME),
    )
    return Parsed("pdf", credential=credential, jwt=token, attachments=attachments)


def _optional_object(text: str | None, name: str) -> dict[str, Any] | None:
    if text is None:
        return None
    document = load_json(text)
    if not isinstance(document, dict):
        raise InputError(N_("The attached %(name)s is not a JSON object.", name=name))
    return document


def _pdf_attachments(raw: bytes) -> dict[str, str]:
    """The known attachments of a PDF as text, each bounded before decompression."""
    wanted = {
        CREDENTIAL_JSON_NAME,
        CREDENTIAL_JWT_NAME,
        LEARNER_RECORD_NAME,
        DID_DOCUMENT_NAME,
        JWKS_NAME,
    }
    if sum(1 for _ in _PDF_OBJECT.finditer(raw)) > MAX_PDF_OBJECTS:
        raise InputError(
            N_(
                "The PDF has more than %(limit)s objects; a certificate has a few hundred, so "
                "Laurel does not read it.",
                limit=f"{MAX_PDF_OBJECTS:,}",
            )
        )
    found: dict[str, str] = {}
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        for number, attachment in enumerate(reader.attachment_list, start=1):
            if number > MAX_PDF_ATTACHMENTS:
                raise InputError(
                    N_(
                        "The PDF has more than %(limit)s attachments; a certificate has a few, "
                        "so Laurel does not read it.",
                        limit=MAX_PDF_ATTACHMENTS,
                    )
                )
            if attachment.name not in wanted:
                continue
            if attachment.name in found:
                raise InputError(
                    N_("The PDF has two attachments named %(name)s.", name=attachment.name)
                )
            content = _bounded_stream_data(attachment.pdf_object, attachment.name)
            found[attachment.name] = decode_text(content)
    except CredentialError:
        raise
    except Exception:
        # pypdf meets hostile bytes here; any failure is a damaged PDF for the reader.
        raise InputError(N_("The PDF is damaged, so its attachments cannot be read.")) from None
    return found


def _bounded_stream_data(filespec: Any, name: str) -> bytes:
    """Decode an embedded file stream without ever producing more than MAX_ATTACHMENT_BYTES.

    pypdf's own decoder stops only at 75 MB, so a small compressed "bomb" would
    still cost that much memory; Laurel reads the encoded bytes and inflates them
    itself with a bound.
    """
    files = filespec["/EF"]
    stream = (files.get("/UF") or files["/F"]).get_object()
    encoded = stream._data  # the stream's bytes as stored, before any filter
    filters = stream.get("/Filter")
    filters = list(filters) if isinstance(filters, list) else ([filters] if filters else [])
    too_large = InputError(
        N_(
            "The attachment %(name)s is larger than %(limit)s KB; a credential never is, so "
            "Laurel does not read it.",
            name=name,
            limit=MAX_ATTACHMENT_BYTES // 1024,
        )
    )
    if not filters:
        if len(encoded) > MAX_ATTACHMENT_BYTES:
            raise too_large
        return bytes(encoded)
    if [str(item) for item in filters] != ["/FlateDecode"]:
        raise InputError(
            N_("The attachment %(name)s is stored in a way Laurel does not read.", name=name)
        )
    inflater = zlib.decompressobj()
    try:
        content = inflater.decompress(encoded, MAX_ATTACHMENT_BYTES + 1)
    except zlib.error:
        raise InputError(N_("The attachment %(name)s is damaged.", name=name)) from None
    if len(content) > MAX_ATTACHMENT_BYTES or inflater.unconsumed_tail:
        raise too_large
    return content


CREDENTIAL_MEDIA_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json")


class _AlternateLinks(HTMLParser):
    """Collects <link rel="alternate" type="…" href="…"> of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: value or "" for name, value in attrs}
        if "alternate" in values.get("rel", "").lower().split() and values.get("href"):
            self.links.append((values.get("type", "").lower(), values["href"]))


def credential_link(raw: bytes, base_url: str) -> str | None:
    """The credential a web page points to (a Laurel share page links its JSON), if any.

    Only pages that declare an alternate credential representation count; the
    link is resolved against the page's own URL.
    """
    head = raw[:65536]
    if not head.lstrip()[:1] == b"<" or b"<html" not in head.lower():
        return None
    parser = _AlternateLinks()
    parser.feed(head.decode("utf-8", errors="replace"))
    for media_type, href in parser.links:
        if media_type in CREDENTIAL_MEDIA_TYPES:
            return urljoin(base_url, href)
    return None
