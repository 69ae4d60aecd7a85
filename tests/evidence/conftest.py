"""The evidence factories as fixtures for every test in this folder."""

from tests.evidence.factories import login  # noqa: F401
from tests.evidence.factories import school  # noqa: F401
from tests.evidence.factories import storage  # noqa: F401
from tests.evidence.factories import submitted  # noqa: F401
