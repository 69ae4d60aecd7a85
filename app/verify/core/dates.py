"""The validity dates: validFrom / validUntil (issuanceDate / expirationDate in VC 1.1).

Pure module. An expired credential is still a genuine record of the award, so
expiry is a failed line that does not make the document invalid; a start date
in the future does.
"""

from __future__ import annotations

from .fields import format_day
from .fields import parse_date
from .report import Outcome
from .run import Run


def check_dates(run: Run) -> None:
    """Judge the validity period against `run.now`."""
    credential = run.credential
    valid_from_text = credential.get("validFrom", credential.get("issuanceDate"))
    valid_until_text = credential.get("validUntil", credential.get("expirationDate"))
    valid_from = parse_date(valid_from_text)
    valid_until = parse_date(valid_until_text)
    if valid_from_text is not None and valid_from is None:
        run.add(
            "dates", Outcome.FAILED, f"The start date {valid_from_text!r} is not a date and time."
        )
        return
    if valid_until_text is not None and valid_until is None:
        run.add(
            "dates", Outcome.FAILED, f"The end date {valid_until_text!r} is not a date and time."
        )
        return
    if valid_from is not None and valid_from > run.now:
        run.facts.not_yet_valid = True
        run.add(
            "dates", Outcome.FAILED, f"Not yet valid: it takes effect on {format_day(valid_from)}."
        )
        return
    if valid_until is not None and valid_until <= run.now:
        run.facts.expired = True
        run.note(
            "dates",
            f"Expired on {format_day(valid_until)}; still a genuine record of the award.",
        )
        return
    since = f" since {format_day(valid_from)}" if valid_from else ""
    until = f", until {format_day(valid_until)}" if valid_until else ", with no end date"
    run.add("dates", Outcome.PASSED, f"Valid{since}{until}.")
