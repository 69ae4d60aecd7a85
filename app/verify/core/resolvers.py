"""Where the verifier gets documents and keys: fetchers, host guards and key resolvers.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. The outside world reaches the pipeline only through these
objects, which callers build and pass in: the web page adds Laurel's own key
store, the CLI's offline mode passes no fetcher at all, and tests serve
documents from memory.

A resolver answers `None` when a verification method is not its kind (so the
next resolver in a chain may try), raises `KeyResolutionError` when it is its
kind but the key is missing or untrustworthy, and lets `FetchError` through
when a document could not be retrieved (which the pipeline reports as
"could not check", never as a forgery).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Protocol
from urllib.parse import urljoin
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import requests
from requests.adapters import HTTPAdapter

from app.credentials.did import did_web_document_url
from app.credentials.did import public_key_from_did_key
from app.credentials.errors import CredentialError
from app.credentials.errors import InputError
from app.credentials.errors import KeyResolutionError
from app.credentials.errors import KeyStoreError
from app.credentials.keys import KeyStore
from app.credentials.keys import PublicKey
from app.credentials.keys import public_key_from_jwk
from app.credentials.keys import public_key_from_multikey

from .parse import MAX_INPUT_BYTES
from .parse import decode_text
from .parse import load_json

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 10
MAX_REDIRECTS = 3
MAX_DOCUMENT_BYTES = 1024 * 1024
ACCEPT = "application/did+json, application/vc+ld+json, application/json;q=0.9, */*;q=0.5"


class FetchError(CredentialError):
    """A document could not be retrieved: refused address, network or HTTP error, too large."""


class Fetcher(Protocol):
    """Retrieve the bytes at a URL, or raise `FetchError`."""

    def __call__(self, url: str) -> bytes: ...


HostResolver = Callable[[str], Sequence[str]]


def system_host_addresses(host: str) -> list[str]:
    """Every IP address the system resolver gives for `host`."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"The host {host} could not be found.") from None
    return [str(info[4][0]) for info in infos]


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL with the default port made explicit."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def check_public_url(
    url: str,
    *,
    resolve_host: HostResolver,
    allow_loopback: bool = False,
    own_origin: str | None = None,
) -> str:
    """Refuse a URL that is not HTTPS or whose host resolves to a non-public address.

    This runs before any connection, so a credential cannot make Laurel probe the
    school's own network (an internal admin page, a cloud metadata address).
    With `allow_loopback` (tests, a developer's machine) plain HTTP to a loopback
    host is allowed too. A URL of exactly the `own_origin` (scheme, host and port of
    this school's own Laurel, whose documents are public by design) is allowed
    whatever its scheme and address: a development server is plain HTTP on loopback.

    :returns: the checked address, which the fetcher then connects to.
    :raises FetchError: the URL is refused, with the reason.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        raise FetchError(f"The address {url!r} has no host name.")
    own_parts = _origin(own_origin) if own_origin else None
    own = own_parts is not None and _origin(url) == own_parts
    loopback_ok = allow_loopback and _is_loopback_host(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and (loopback_ok or own)):
        raise FetchError(f"Laurel fetches documents over HTTPS only, not {url!r}.")
    addresses = [ipaddress.ip_address(address.split("%", 1)[0]) for address in resolve_host(host)]
    if not addresses:
        raise FetchError(f"The host {host} could not be found.")
    if own:
        return str(addresses[0])
    for ip in addresses:
        if ip.is_loopback and allow_loopback:
            continue
        if not ip.is_global or ip.is_multicast:
            raise FetchError(
                f"The address {url!r} points into a private network ({ip}); Laurel does not fetch "
                "from private, loopback or link-local addresses."
            )
    return str(addresses[0])


class _PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked, while TLS still verifies the host name.

    Without pinning, the HTTP library would resolve the name again, and a DNS
    answer that changed in between ("DNS rebinding") could lead it into the
    private network the check refused.
    """

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)


def _pinned_url(url: str, address: str) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


class HttpFetcher:
    """The network fetcher: guarded and pinned hosts, timeouts, a size cap, redirects re-checked.

    Proxy settings from the environment are ignored (a proxy would resolve the
    name itself, out of the guard's sight). `own_origin`: see `check_public_url`.
    """

    def __init__(
        self,
        *,
        resolve_host: HostResolver = system_host_addresses,
        allow_loopback: bool = False,
        own_origin: str | None = None,
        max_bytes: int = MAX_INPUT_BYTES,
        ca_bundle: str | None = None,
    ) -> None:
        self.resolve_host = resolve_host
        self.allow_loopback = allow_loopback
        self.own_origin = own_origin
        self.max_bytes = max_bytes
        self.ca_bundle = ca_bundle

    def __call__(self, url: str) -> bytes:
        """Fetch `url`, following at most MAX_REDIRECTS redirects, each to a checked address.

        :raises FetchError: refused address, network failure, HTTP error or too large a body.
        """
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            address = check_public_url(
                current,
                resolve_host=self.resolve_host,
                allow_loopback=self.allow_loopback,
                own_origin=self.own_origin,
            )
            try:
                body, redirect = self._fetch_once(current, address)
            except requests.RequestException as error:
                raise FetchError(
                    f"{current} could not be reached ({type(error).__name__})."
                ) from None
            if redirect is None:
                return body
            current = urljoin(current, redirect)
        raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times.")

    def _fetch_once(self, url: str, address: str) -> tuple[bytes, str | None]:
        """One GET to the checked address: the body, or the redirect target (not followed)."""
        with requests.Session() as session:
            session.trust_env = False
            session.mount(
                f"{urlsplit(url).scheme}://", _PinnedAdapter(urlsplit(url).hostname or "")
            )
            with session.get(
                _pinned_url(url, address),
                # Identity encoding: the size cap then counts the bytes as sent.
                headers={
                    "Accept": ACCEPT,
                    "Accept-Encoding": "identity",
                    "Host": _host_header(url),
                },
                timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
                allow_redirects=False,
                stream=True,
                verify=self.ca_bundle or True,
            ) as response:
                if response.is_redirect and "location" in response.headers:
                    return b"", response.headers["location"]
                if response.status_code != 200:
                    raise FetchError(f"{url} answered with HTTP status {response.status_code}.")
                return self._read_bounded(response, url), None

    def _read_bounded(self, response: requests.Response, url: str) -> bytes:
        body = bytearray()
        for chunk in response.iter_content(chunk_size=65536):
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError(f"{url} sent more than {self.max_bytes // (1024 * 1024)} MB.")
        return bytes(body)


def fetch_bytes(fetcher: Fetcher, url: str) -> bytes:
    """Call an injected fetcher; whatever goes wrong inside it is a `FetchError`.

    Fetchers are supplied by callers (the network, a local store, tests), so this
    is the boundary where their failures become "could not retrieve".
    """
    try:
        return fetcher(url)
    except FetchError:
        raise
    except Exception as error:
        raise FetchError(f"{url} could not be retrieved ({type(error).__name__}).") from None


def fetch_json(fetcher: Fetcher, url: str) -> dict[str, Any]:
    """Fetch a JSON object with the document limits of the parser.

    :raises FetchError: not retrievable, too large, or not a JSON object.
    """
    raw = fetch_bytes(fetcher, url)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise FetchError(f"The document at {url} is larger than {MAX_DOCUMENT_BYTES // 1024} KB.")
    try:
        document = load_json(decode_text(raw))
    except InputError as error:
        raise FetchError(f"The document at {url} is unreadable: {error}") from None
    if not isinstance(document, dict):
        raise FetchError(f"The document at {url} is not a JSON object.")
    return document


@dataclass(frozen=True)
class ResolvedKey:
    """A public key and what is known about who controls it.

    `controller` is the DID or URL the key's publisher says controls it (None when
    nothing says so); `linked` is False when the key came from a copy that could
    not be checked against the issuer's domain (a PDF's attached documents).
    """

    public_key: PublicKey
    verification_method: str
    controller: str | None
    source: str
    linked: bool = True


class KeyResolver(Protocol):
    """Find the public key of a verification method (a DI `verificationMethod` or a JWT `kid`)."""

    def resolve(self, verification_method: str) -> ResolvedKey | None: ...


def _split(verification_method: str) -> tuple[str, str]:
    base, _, fragment = verification_method.partition("#")
    return base, fragment


def _listed_ids(values: Any, base: str) -> set[str]:
    """Absolute ids of the verification methods a DID document relationship lists."""
    ids: set[str] = set()
    for value in values if isinstance(values, list) else [values]:
        reference = value.get("id") if isinstance(value, dict) else value
        if isinstance(reference, str):
            ids.add(base + reference if reference.startswith("#") else reference)
    return ids


def _public_key_of_method(method: dict[str, Any]) -> PublicKey:
    if isinstance(method.get("publicKeyMultibase"), str):
        return public_key_from_multikey(method["publicKeyMultibase"])
    if isinstance(method.get("publicKeyJwk"), dict):
        return public_key_from_jwk(method["publicKeyJwk"])
    raise KeyResolutionError(
        "The verification method holds neither publicKeyMultibase nor publicKeyJwk."
    )


def _document_base(document: dict[str, Any], verification_method: str) -> str:
    """What a relative "#key-1" in the document is relative to: its id, else the method's base."""
    document_id = document.get("id")
    return document_id if isinstance(document_id, str) else _split(verification_method)[0]


def _method_in(document: dict[str, Any], verification_method: str) -> dict[str, Any] | None:
    """The verification method object with this id in a DID (controller) document, if any."""
    base = _document_base(document, verification_method)
    candidates = [
        *_as_list(document.get("verificationMethod")),
        *_as_list(document.get("assertionMethod")),
    ]
    for method in candidates:
        if not isinstance(method, dict):
            continue
        method_id = method.get("id")
        if isinstance(method_id, str) and method_id.startswith("#"):
            method_id = base + method_id
        if method_id == verification_method:
            return method
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def key_from_controller_document(
    document: dict[str, Any], verification_method: str
) -> tuple[PublicKey, str | None]:
    """The key and controller of `verification_method` in a DID (controller) document.

    The method must be listed under `assertionMethod`, the only purpose an issuer's
    credential proof may use.

    :raises KeyResolutionError: the document does not hold that method, or not for assertions.
    """
    method = _method_in(document, verification_method)
    if method is None:
        raise KeyResolutionError(
            f"The issuer's DID document does not list the key {verification_method}."
        )
    base = _document_base(document, verification_method)
    if verification_method not in _listed_ids(document.get("assertionMethod", []), base):
        raise KeyResolutionError(
            f"The key {verification_method} is not listed for issuing credentials "
            "(assertionMethod)."
        )
    controller = method.get("controller")
    return _public_key_of_method(method), controller if isinstance(controller, str) else None


def key_from_jwks(jwks: dict[str, Any], kid: str) -> PublicKey:
    """The key with `kid` (absolute, or its fragment) in a JWK Set.

    :raises KeyResolutionError: no such key.
    """
    keys = jwks.get("keys")
    _base, fragment = _split(kid)
    for jwk in keys if isinstance(keys, list) else []:
        if isinstance(jwk, dict) and jwk.get("kid") in (kid, fragment, "#" + fragment):
            return public_key_from_jwk(jwk)
    raise KeyResolutionError(f"The issuer's key set (JWKS) does not list the key {kid}.")


class DidKeyResolver:
    """did:key: the key is written in the identifier itself, so nothing is fetched."""

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith("did:key:"):
            return None
        did, _fragment = _split(verification_method)
        return ResolvedKey(
            public_key=public_key_from_did_key(verification_method),
            verification_method=verification_method,
            controller=did,
            source="the key written in its did:key identifier",
        )


class OwnKeyResolver:
    """Laurel's own keys, read from its key store: no network, retired keys included."""

    def __init__(self, keystore: KeyStore, issuer_id: str) -> None:
        self.keystore = keystore
        self.issuer_id = issuer_id

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        base, fragment = _split(verification_method)
        if base != self.issuer_id:
            return None
        try:
            records = self.keystore.records()
        except KeyStoreError as error:
            # A damaged store says nothing about the credential: it could not be checked.
            raise FetchError(f"This school's key store could not be read: {error}") from None
        for record in records:
            if record.fragment == fragment:
                return ResolvedKey(
                    public_key=record.public_key,
                    verification_method=verification_method,
                    controller=self.issuer_id,
                    source="this school's own key store",
                )
        raise KeyResolutionError(f"This school never had the key {verification_method}.")


def _web_scheme(host: str, allow_loopback: bool) -> str:
    return "http" if allow_loopback and _is_loopback_host(host) else "https"


class DidWebResolver:
    """did:web: the DID document at the school's domain, and its JWKS for RSA (JWT) keys."""

    def __init__(self, fetcher: Fetcher, *, allow_loopback: bool = False) -> None:
        self.fetcher = fetcher
        self.allow_loopback = allow_loopback

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith("did:web:"):
            return None
        did, _fragment = _split(verification_method)
        host = did.split(":")[2].replace("%3A", ":").rsplit(":", 1)[0]
        document_url = did_web_document_url(did, scheme=_web_scheme(host, self.allow_loopback))
        document = fetch_json(self.fetcher, document_url)
        if document.get("id") != did:
            raise KeyResolutionError(
                f"The DID document at {document_url} is not the one for {did}."
            )
        if _method_in(document, verification_method) is not None:
            public_key, controller = key_from_controller_document(document, verification_method)
            source = f"the DID document at {document_url}"
        else:
            # Laurel's DID document lists its Ed25519 keys; its RSA (JWT) keys are in the JWKS.
            jwks_url = _jwks_url(document_url)
            jwks = fetch_json(self.fetcher, jwks_url)
            public_key, controller = key_from_jwks(jwks, verification_method), did
            source = f"the key set at {jwks_url}"
        return ResolvedKey(public_key, verification_method, controller, source)


def _jwks_url(document_url: str) -> str:
    """The JWKS beside a did:web document: /.well-known/jwks.json of the same base."""
    base = document_url.removesuffix("did.json").removesuffix(".well-known/")
    return base + ".well-known/jwks.json"


class HttpsKeyResolver:
    """An HTTPS verification method: a JWK Set, a key document or a controller document."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        if not verification_method.startswith(("https://", "http://")):
            return None
        url, _fragment = _split(verification_method)
        document = fetch_json(self.fetcher, url)
        if isinstance(document.get("keys"), list):
            jwk_issuer = next(
                (
                    jwk.get("iss")
                    for jwk in document["keys"]
                    if isinstance(jwk, dict) and jwk.get("kid") == verification_method
                ),
                None,
            )
            public_key = key_from_jwks(document, verification_method)
            return ResolvedKey(public_key, verification_method, jwk_issuer, f"the key set at {url}")
        if document.get("id") == verification_method and (
            "publicKeyMultibase" in document or "publicKeyJwk" in document
        ):
            controller = document.get("controller")
            return ResolvedKey(
                _public_key_of_method(document),
                verification_method,
                controller if isinstance(controller, str) else None,
                f"the key document at {url}",
            )
        public_key, controller = key_from_controller_document(document, verification_method)
        return ResolvedKey(public_key, verification_method, controller, f"the document at {url}")


class AttachedDocumentsResolver:
    """The DID document and JWKS attached to a PDF certificate, as they stood at issuance.

    They let a printed certificate verify with no network, but a copy in the
    file cannot prove that the key belongs to the school's domain: keys found
    here are marked `linked=False`.
    """

    def __init__(self, did_document: dict[str, Any] | None, jwks: dict[str, Any] | None) -> None:
        self.did_document = did_document
        self.jwks = jwks

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        did, _fragment = _split(verification_method)
        if (
            self.did_document is not None
            and self.did_document.get("id") == did
            and _method_in(self.did_document, verification_method) is not None
        ):
            public_key, controller = key_from_controller_document(
                self.did_document, verification_method
            )
            return ResolvedKey(
                public_key,
                verification_method,
                controller,
                "the DID document attached to the PDF",
                False,
            )
        if self.jwks is not None and did.startswith("did:"):
            return ResolvedKey(
                key_from_jwks(self.jwks, verification_method),
                verification_method,
                did,
                "the key set attached to the PDF",
                False,
            )
        return None


class ChainResolver:
    """Ask each resolver in turn; the first that knows the kind of method answers."""

    def __init__(self, *resolvers: KeyResolver) -> None:
        self.resolvers = resolvers

    def resolve(self, verification_method: str) -> ResolvedKey | None:
        for resolver in self.resolvers:
            key = resolver.resolve(verification_method)
            if key is not None:
                return key
        return None


def build_resolver(
    *,
    fetcher: Fetcher | None,
    own: OwnKeyResolver | None = None,
    allow_loopback: bool = False,
) -> ChainResolver:
    """The usual chain: own keys first, then did:key, then did:web and HTTPS when online."""
    resolvers: list[KeyResolver] = [own] if own is not None else []
    resolvers.append(DidKeyResolver())
    if fetcher is not None:
        resolvers += [
            DidWebResolver(fetcher, allow_loopback=allow_loopback),
            HttpsKeyResolver(fetcher),
        ]
    return ChainResolver(*resolvers)
