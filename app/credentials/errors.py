"""The exception tree of Laurel's credential library.

Pure module: imports neither flask nor sqlalchemy nor any other app package.
Every error's `str()` is one plain sentence a person can read; callers (the
verify pipeline, services, the CLI) turn it into a failed or "could not check"
line or a 4xx response.
"""

from __future__ import annotations

from collections.abc import Sequence


class CredentialError(Exception):
    """Base of every error the credential library raises on purpose."""


class InputError(CredentialError):
    """The input is unusable: empty, not JSON, too large, too deep, not a credential."""


class UnknownContextError(CredentialError):
    """A JSON-LD context URL that Laurel does not bundle; it is never fetched."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The JSON-LD context {url!r} is not one Laurel knows, "
            "so the document cannot be read safely."
        )
        self.url = url


class DroppedTermError(CredentialError):
    """JSON-LD expansion would silently drop these terms (Laurel's "safe mode")."""

    def __init__(self, terms: Sequence[str], message: str | None = None) -> None:
        self.terms = list(terms)
        if message is None:
            listed = ", ".join(repr(term) for term in self.terms)
            message = f"The document uses terms that no context defines: {listed}."
        super().__init__(message)


class ProofError(CredentialError):
    """The signature does not verify, or the proof is malformed or unsupported."""


class KeyResolutionError(CredentialError):
    """The signing key cannot be found, resolved or trusted."""


class SchemaError(CredentialError):
    """The document does not match the JSON Schema; `.errors` lists each problem."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


class StatusError(CredentialError):
    """A status list is malformed or unusable."""


class BakingError(CredentialError):
    """An image holds no credential, several credentials, or a broken chunk."""


class KeyStoreError(CredentialError):
    """The key store is missing, the passphrase is wrong, or a key file is corrupt."""
