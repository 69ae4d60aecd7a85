"""The interop tests run node scripts and, for the served documents, reuse the school fixtures."""

from tests.badges.conftest import login  # noqa: F401  (fixtures, used by name)
from tests.badges.conftest import make_badge  # noqa: F401
from tests.badges.conftest import school  # noqa: F401
from tests.fixtures.node import node_scripts  # noqa: F401
