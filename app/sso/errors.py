"""Why a single sign-on did not happen, in a sentence for the person signing in."""

from __future__ import annotations

from app.errors import UserError


class SsoError(UserError):
    """The sign-in was refused: the provider said no, its answer did not verify, or the account
    may not sign in here. Always a 4xx, and nobody is signed in."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code
