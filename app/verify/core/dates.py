"""The validity dates: validFrom / validUntil (issuanceDate / expirationDate in VC 1.1).

Pure module. An expired credential is still a genuine record of the award, so
expiry is a failed line that does not make the document invalid; a start date
in the future does.
"""

from __future__ import annotations

from datetime import datetime

from app.credentials.words import N_
from app.credentials.words import Text

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
            "dates",
            Outcome.FAILED,
            N_("The start date %(value)s is not a date and time.", value=repr(valid_from_text)),
        )
        return
    if valid_until_text is not None and valid_until is None:
        run.add(
            "dates",
            Outcome.FAILED,
            N_("The end date %(value)s is not a date and time.", value=repr(valid_until_text)),
        )
        return
    if valid_from is not None and valid_from > run.now:
        run.facts.not_yet_valid = True
        run.add(
            "dates",
            Outcome.FAILED,
            N_("Not yet valid: it takes effect on %(date)s.", date=valid_from),
        )
        return
    if valid_until is not None and valid_until <= run.now:
        run.facts.expired = True
        run.note(
            "dates",
            N_("Expired on %(date)s; still a genuine record of the award.", date=valid_until),
        )
        return
    run.add("dates", Outcome.PASSED, _valid_period(valid_from, valid_until))


def _valid_period(start: datetime | None, end: datetime | None) -> Text:
    if start and end:
        return N_("Valid since %(start)s, until %(end)s.", start=start, end=end)
    if start:
        return N_("Valid since %(start)s, with no end date.", start=start)
    if end:
        return N_("Valid until %(end)s.", end=end)
    return N_("Valid, with no end date.")
