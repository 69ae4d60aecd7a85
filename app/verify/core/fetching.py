"""How the verifier retrieves documents: the fetcher protocol and the guarded HTTPS fetcher.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. The outside world reaches the pipeline only through a
fetcher that callers build and pass in: the web page answers its own URLs from
the database, the CLI's offline mode passes no fetcher at all, and tests serve
documents from memory. A document that could not be retrieved is a
`FetchError`, which the pipeline reports as "could not check", never as a forgery.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import Protocol
from urllib.parse import urljoin
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

import requests
from requests.adapters import HTTPAdapter

from app.credentials.errors import CredentialError
from app.credentials.errors import InputError
from app.credentials.words import N_
from app.credentials.words import text_of

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


class DocumentNotFound(FetchError):
    """The server answered that it has no document at the URL (HTTP 404 or 410)."""


class Fetcher(Protocol):
    """Retrieve the bytes at a URL, or raise `FetchError`."""

    def __call__(self, url: str) -> bytes: ...


HostResolver = Callable[[str], Sequence[str]]


def system_host_addresses(host: str) -> list[str]:
    """Every IP address the system resolver gives for `host`."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(N_("The host %(host)s could not be found.", host=host)) from None
    return [str(info[4][0]) for info in infos]


def is_loopback_host(host: str) -> bool:
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
        raise FetchError(N_("The address %(url)s has no host name.", url=repr(url)))
    own_parts = _origin(own_origin) if own_origin else None
    own = own_parts is not None and _origin(url) == own_parts
    loopback_ok = allow_loopback and is_loopback_host(host)
    if parts.scheme != "https" and not (parts.scheme == "http" and (loopback_ok or own)):
        raise FetchError(
            N_("Laurel fetches documents over HTTPS only, not %(url)s.", url=repr(url))
        )
    addresses = [ipaddress.ip_address(address.split("%", 1)[0]) for address in resolve_host(host)]
    if not addresses:
        raise FetchError(N_("The host %(host)s could not be found.", host=host))
    if own:
        return str(addresses[0])
    for ip in addresses:
        if ip.is_loopback and allow_loopback:
            continue
        if not ip.is_global or ip.is_multicast:
            raise FetchError(
                N_(
                    "The address %(url)s points into a private network (%(ip)s); Laurel does "
                    "not fetch from private, loopback or link-local addresses.",
                    url=repr(url),
                    ip=str(ip),
                )
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


class GuardedAdapter(HTTPAdapter):
    """The fetcher's guard for other requests (an OAuth client's POSTs): checked, then pinned.

    Mounted on a `requests.Session`, it passes every request's URL through
    `check_public_url` and connects to the checked address, TLS still verifying the
    host name, and reads at most `max_bytes` of an answer. It never follows a redirect
    itself; callers pass allow_redirects=False.

    :raises FetchError: from `send`, when the URL is refused or the answer is too large.
    """

    def __init__(
        self,
        *,
        resolve_host: HostResolver = system_host_addresses,
        allow_loopback: bool = False,
        max_bytes: int = MAX_INPUT_BYTES,
    ) -> None:
        self.resolve_host = resolve_host
        self.allow_loopback = allow_loopback
        self.max_bytes = max_bytes
        self._tls_hostname = ""
        super().__init__(max_retries=0)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        url = request.url or ""
        address = check_public_url(
            url, resolve_host=self.resolve_host, allow_loopback=self.allow_loopback
        )
        self._tls_hostname = urlsplit(url).hostname or ""
        request.headers["Host"] = _host_header(url)
        request.url = _pinned_url(url, address)
        response = super().send(request, *args, **{**kwargs, "stream": True})
        body = bytearray()
        for chunk in response.iter_content(chunk_size=65536):
            body += chunk
            if len(body) > self.max_bytes:
                response.close()
                raise _too_large(url, self.max_bytes)
        # The body, read within the limit, is the response's content from here on.
        response._content = bytes(body)
        return response

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        pool: dict[str, Any] = dict(pool_kwargs)
        if host_params.get("scheme") == "https":
            pool["server_hostname"] = self._tls_hostname
            pool["assert_hostname"] = self._tls_hostname
        return host_params, pool


# One GET of a checked URL at its checked address: (body, redirect target or None).
Transport = Callable[[str, str], tuple[bytes, str | None]]


class HttpFetcher:
    """The network fetcher: guarded and pinned hosts, timeouts, a size cap, redirects re-checked.

    Proxy settings from the environment are ignored (a proxy would resolve the
    name itself, out of the guard's sight). `own_origin`: see `check_public_url`.
    `transport` replaces the HTTPS request itself (tests serve documents with it,
    nothing on the wire); every address still passes the guard first.
    """

    def __init__(
        self,
        *,
        resolve_host: HostResolver = system_host_addresses,
        allow_loopback: bool = False,
        own_origin: str | None = None,
        max_bytes: int = MAX_INPUT_BYTES,
        ca_bundle: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.resolve_host = resolve_host
        self.allow_loopback = allow_loopback
        self.own_origin = own_origin
        self.max_bytes = max_bytes
        self.ca_bundle = ca_bundle
        self.transport = transport or self._fetch_once

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
                body, redirect = self.transport(current, address)
            except requests.RequestException as error:
                raise FetchError(
                    N_(
                        "%(url)s could not be reached (%(error)s).",
                        url=current,
                        error=type(error).__name__,
                    )
                ) from None
            if redirect is None:
                return body
            current = urljoin(current, redirect)
        raise FetchError(
            N_("%(url)s redirects more than %(limit)s times.", url=url, limit=MAX_REDIRECTS)
        )

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
                if response.status_code in (404, 410):
                    raise DocumentNotFound(
                        N_(
                            "%(url)s answered with HTTP status %(status)s: no such document.",
                            url=url,
                            status=response.status_code,
                        )
                    )
                if response.status_code != 200:
                    raise FetchError(
                        N_(
                            "%(url)s answered with HTTP status %(status)s.",
                            url=url,
                            status=response.status_code,
                        )
                    )
                return self._read_bounded(response, url), None

    def _read_bounded(self, response: requests.Response, url: str) -> bytes:
        body = bytearray()
        for chunk in response.iter_content(chunk_size=65536):
            body += chunk
            if len(body) > self.max_bytes:
                raise _too_large(url, self.max_bytes)
        return bytes(body)


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(
        N_("%(url)s sent more than %(limit)s MB.", url=url, limit=max_bytes // (1024 * 1024))
    )


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
        raise FetchError(
            N_("%(url)s could not be retrieved (%(error)s).", url=url, error=type(error).__name__)
        ) from None


def fetch_json(fetcher: Fetcher, url: str) -> dict[str, Any]:
    """Fetch a JSON object with the document limits of the parser.

    :raises FetchError: not retrievable, too large, or not a JSON object.
    """
    return json_document(url, fetch_bytes(fetcher, url))


def json_document(url: str, raw: bytes) -> dict[str, Any]:
    """The JSON object fetched from `url`, read with the document limits of the parser.

    :raises FetchError: too large, or not a JSON object.
    """
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise FetchError(
            N_(
                "The document at %(url)s is larger than %(limit)s KB.",
                url=url,
                limit=MAX_DOCUMENT_BYTES // 1024,
            )
        )
    try:
        document = load_json(decode_text(raw))
    except InputError as error:
        raise FetchError(
            N_("The document at %(url)s is unreadable: %(error)s", url=url, error=text_of(error))
        ) from None
    if not isinstance(document, dict):
        raise FetchError(N_("The document at %(url)s is not a JSON object.", url=url))
    return document
