"""Fixtures of the single sign-on tests: the school's OpenID Provider on loopback."""

from tests.sso.school_idp import school_idp  # noqa: F401  (a fixture)
from tests.sso.school_idp import school_idp_origin  # noqa: F401  (a fixture)
