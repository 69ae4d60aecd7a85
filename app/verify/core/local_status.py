"""What only the issuing school's own records know about its credentials: an input of the pipeline.

Pure module. Laurel's credentials carry their revocation entry only (the OB 3.0
schemas allow one `credentialStatus`), so a suspension, and the reason and date
of any change, live in the school's database. The web adapter passes a
`LocalStatus` reading them; the status stage consults it for this school's own
credentials and writes the lines, verdict and headline itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class RecordedState(StrEnum):
    """A state change the school recorded (the purposes of its status lists)."""

    REVOKED = "revocation"
    SUSPENDED = "suspension"


@dataclass(frozen=True)
class RecordedStatus:
    """The school's record of a revocation or suspension: its state, reason and date."""

    state: RecordedState
    reason: str | None = None
    changed_at: datetime | None = None


class LocalStatus(Protocol):
    """The school's own record for a credential id of this issuer, or None if it has none."""

    def recorded_status(self, credential_id: str) -> RecordedStatus | None: ...
