"""Forms of the share feature: on/off switches the learner flips."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


def _switch() -> HiddenField:
    return HiddenField(validators=[AnyOf(("on", "off"), message="Choose on or off.")])


class SharingForm(FlaskForm):
    """Turn the public page on ("on") or off ("off")."""

    sharing = _switch()


class VerificationLinkForm(FlaskForm):
    """Turn the printed certificate's verification link on ("on") or off ("off")."""

    verification = _switch()
