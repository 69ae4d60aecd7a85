"""The one rule for email addresses Laurel stores."""

from __future__ import annotations

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask_babel import gettext

from app.errors import UserError


def normalize_email(email: str) -> str:
    """The address as stored: syntax-checked (no DNS lookup, so it works offline) and lower-cased.

    `.test` addresses are accepted (`test_environment`): demo and training schools use
    them; other reserved names (localhost, .invalid, .local …) are refused.

    :raises UserError: the address is not valid, with the reason.
    """
    try:
        return validate_email(
            email.strip(), check_deliverability=False, test_environment=True
        ).normalized.lower()
    except EmailNotValidError as error:
        raise UserError(
            gettext(
                "“%(strip)s” is not a valid email address: %(error)s",
                strip=email.strip(),
                error=error,
            )
        ) from error
