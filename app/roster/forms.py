"""Forms of the roster import pages."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField
from wtforms.validators import DataRequired


class RosterUploadForm(FlaskForm):
    roster = MultipleFileField(
        lazy_gettext("Roster: a OneRoster zip, its CSV files, or a CSV file"),
        description=(
            lazy_gettext(
                "A OneRoster 1.2 bundle exported by your student information "
                "system (the zip, or manifest.csv, users.csv, classes.csv, "
                "enrollments.csv and orgs.csv chosen together), or a UTF-8 "
                "CSV with the header name,email,role,class."
            )
        ),
        render_kw={"accept": ".zip,.csv,text/csv,application/zip", "multiple": True},
    )


class ApplyForm(FlaskForm):
    """Apply the preview shown: its digest says which one."""

    digest = HiddenField(validators=[DataRequired()])
