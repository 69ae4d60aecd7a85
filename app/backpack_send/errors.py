"""Why a send did not happen, in a sentence for the learner."""

from __future__ import annotations

from app.errors import UserError


class SendError(UserError):
    """The credential was not sent: a bad address, or the other backpack said no or failed.

    Always a 4xx: the learner can act on it (fix the address, try again later, or ask
    the other backpack's people); it is never a fault of Laurel's own.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code
