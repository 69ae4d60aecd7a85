"""The API tests use the sharing tests' school and credentials."""

from tests.share.conftest import issued  # noqa: F401  (fixtures)
from tests.share.conftest import make_credential  # noqa: F401
from tests.share.conftest import school  # noqa: F401
