"""The interop tests run node scripts; their fixture lives with the other fixtures."""

from tests.fixtures.node import node_scripts  # noqa: F401  (a fixture, used by name)
