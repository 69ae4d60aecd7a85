"""Why an LTI launch, deep link or roster import did not happen, in a sentence for a person."""

from __future__ import annotations

from app.errors import UserError


class LtiError(UserError):
    """Refused: the platform's message did not verify, or its user may not do this here.

    Always a 4xx, and nobody is signed in.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code
