"""Forms of the share feature."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


class SharingForm(FlaskForm):
    """Turn the public page on ("on") or off ("off")."""

    sharing = HiddenField(validators=[AnyOf(("on", "off"), message="Choose on or off.")])
