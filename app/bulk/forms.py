"""Forms of bulk issuance: the CSV upload, and button-only forms (CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired


class UploadForm(FlaskForm):
    csv_file = FileField(
        lazy_gettext("CSV file"),
        validators=[FileRequired("Choose a CSV file to check.")],
        description=(
            lazy_gettext(
                "UTF-8 CSV with the header email,badge,level (and optionally evidence_url,note)."
            )
        ),
        render_kw={"accept": ".csv,text/csv"},
    )


class ButtonForm(FlaskForm):
    """Confirm, or issue the selected submissions (their ids are checkboxes named `submission`)."""
