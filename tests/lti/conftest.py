"""Fixtures of the LTI tests: an LMS played on loopback with its own key."""

from tests.lti.platform import platform  # noqa: F401  (a fixture)
from tests.lti.platform import platform_key  # noqa: F401  (a fixture)
from tests.lti.platform import platform_server  # noqa: F401  (a fixture)
