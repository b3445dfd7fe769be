"""pytest fixtures for PostgreSQL tests (a plugin: tests/conftest.py lists it in pytest_plugins).

postgres_cluster     session: one throwaway cluster (tests/pgcluster.py), started on first use
postgres_db_factory  function: make() -> URL of another fresh empty database, dropped after the test
postgres_url         function: the superuser URL of a fresh empty database, dropped after the test

Without PostgreSQL every test using them is skipped with one reason. UP2K_REQUIRE_POSTGRES=1
turns that skip into a failure (for a CI that must run them).
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator

import pytest

from tests.pgcluster import PostgresCluster, find_bindir, missing_reason

REQUIRE_ENV = "UP2K_REQUIRE_POSTGRES"
_SKIPPED = pytest.StashKey[str]()
_serial = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: uses the test PostgreSQL cluster (skipped when PostgreSQL is not installed)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the cluster, so `-m "not postgres"` leaves them out."""
    for item in items:
        if "postgres_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    reason = config.stash.get(_SKIPPED, None)
    if reason is not None:
        terminalreporter.write_line(f"PostgreSQL tests skipped: {reason}", yellow=True)


@pytest.fixture(scope="session")
def postgres_cluster(request: pytest.FixtureRequest) -> Iterator[PostgresCluster]:
    """The session's PostgreSQL cluster: superuser `postgres` (password: .password), 127.0.0.1:.port."""
    bindir = find_bindir()
    if bindir is None:
        reason = missing_reason()
        if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
            pytest.fail(f"{reason} (required by {REQUIRE_ENV})", pytrace=False)
        request.config.stash[_SKIPPED] = reason
        pytest.skip(reason)
    pytest.importorskip("psycopg", reason="psycopg not installed: pip install -e '.[test]'")
    cluster = PostgresCluster(bindir=bindir).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_db_factory(
    postgres_cluster: PostgresCluster, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """make() -> the superuser URL of another fresh, empty database (from template0).

    The databases are dropped after the test (connections still open to them are ended).
    Roles are not: they belong to the cluster, so give them names unique to the test.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    created: list[str] = []

    def make() -> str:
        name = f"t{next(_serial)}_{slug}"[:63]
        created.append(postgres_cluster.create_database(name, template="template0"))
        return postgres_cluster.url(name)

    yield make
    for name in created:
        postgres_cluster.drop_database(name)


@pytest.fixture
def postgres_url(postgres_db_factory: Callable[[], str]) -> str:
    """postgresql://postgres:PASSWORD@127.0.0.1:PORT/DBNAME of a fresh, empty database."""
    return postgres_db_factory()
