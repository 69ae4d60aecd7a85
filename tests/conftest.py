"""Fixtures live in tests/fixtures/, one module per concern, loaded here as plugins."""

pytest_plugins = [
    "tests.fixtures.routing",
    "tests.fixtures.network",
    "tests.fixtures.clock",
    "tests.fixtures.keys",
    "tests.fixtures.app",
    "tests.fixtures.browser",
    "tests.fixtures.node",
    "tests.fixtures.cli",
    "tests.fixtures.users",
    "tests.fixtures.signin",
    "tests.fixtures.badges",
    "tests.fixtures.school",
    "tests.fixtures.credentials",
    "tests.fixtures.evidence",
    "tests.fixtures.object_storage",
    "tests.fixtures.statements",
    "tests.fixtures.mail",
]
