"""Where the verifier finds public keys: own key store, did:key, did:web, JWKS, PDF copies.

Pure module: imports neither flask nor sqlalchemy nor any app package other than
`app.credentials`. Callers build the chain and pass it in: the web page adds
Laurel's own key store, the CLI's offline mode has no fetcher, tests serve
documents from memory.

A resolver answers `None` when a verification method is not its kind (so the
next resolver in a chain may try), raises `KeyResolutionError` when it is its
kind but the key is missing or untrustworthy, and lets `FetchError` through
when a document could not be retrieved (which the pipeline reports as
"could not check", never as a forgery).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Protocol

from app.credentials.did import did_web_document_url
from app.credentials.did import public_key_from_did_key
from app.credentials.errors import KeyResolutionError
from app.credentials.errors import KeyStoreError
from app.credentials.keys import KeyStore
from app.credentials.keys import PublicKey
from app.credentials.keys import public_key_from_jwk
from app.credentials.keys import public_key_from_multikey
from app.credentials.words import N_
from app.credentials.words import text_of

from .fetching import Fetcher
from .fetching import FetchError
from .fetching import fetch_json
from .fetching import is_loopback_host
from .fields import as_list


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
        *as_list(document.get("verificationMethod")),
        *as_list(document.get("assertionMethod")),
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
            N_(
                "The issuer's DID document does not list the key %(method)s.",
                method=verification_method,
            )
        )
    base = _document_base(document, verification_method)
    if verification_method not in _listed_ids(document.get("assertionMethod", []), base):
        raise KeyResolutionError(
            N_(
                "The key %(method)s is not listed for issuing credentials (assertionMethod).",
                method=verification_method,
            )
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
    raise KeyResolutionError(
        N_("The issuer's key set (JWKS) does not list the key %(method)s.", method=kid)
    )


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
            source=N_("the key written in its did:key identifier"),
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
            raise FetchError(
                N_("This school's key store could not be read: %(error)s", error=text_of(error))
            ) from None
        for record in records:
            if record.fragment == fragment:
                return ResolvedKey(
                    public_key=record.public_key,
                    verification_method=verification_method,
                    controller=self.issuer_id,
                    source=N_("this school's own key store"),
                )
        raise KeyResolutionError(
            N_("This school never had the key %(method)s.", method=verification_method)
        )


def _web_scheme(host: str, allow_loopback: bool) -> str:
    return "http" if allow_loopback and is_loopback_host(host) else "https"


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
                N_(
                    "The DID document at %(url)s is not the one for %(did)s.",
                    url=document_url,
                    did=did,
                )
            )
        if _method_in(document, verification_method) is not None:
            public_key, controller = key_from_controller_document(document, verification_method)
            source = N_("the DID document at %(url)s", url=document_url)
        else:
            # Laurel's DID document lists its Ed25519 keys; its RSA (JWT) keys are in the JWKS.
            jwks_url = _jwks_url(document_url)
            jwks = fetch_json(self.fetcher, jwks_url)
            public_key, controller = key_from_jwks(jwks, verification_method), did
            source = N_("the key set at %(url)s", url=jwks_url)
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
            return ResolvedKey(
                public_key, verification_method, jwk_issuer, N_("the key set at %(url)s", url=url)
            )
        if document.get("id") == verification_method and (
            "publicKeyMultibase" in document or "publicKeyJwk" in document
        ):
            controller = document.get("controller")
            return ResolvedKey(
                _public_key_of_method(document),
                verification_method,
                controller if isinstance(controller, str) else None,
                N_("the key document at %(url)s", url=url),
            )
        public_key, controller = key_from_controller_document(document, verification_method)
        return ResolvedKey(
            public_key, verification_method, controller, N_("the document at %(url)s", url=url)
        )


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
