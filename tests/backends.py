"""One test suite, both backends (a pytest plugin: tests/conftest.py lists it).

Every test that uses the `backend` parameter (through the `db`, `registry`,
`registry_with_sample` or `run` fixtures) runs twice: on a registry file and on a PostgreSQL
database of the test cluster. A test about the file itself (its bytes, backups, modes, seal,
lock) is marked `file_only` and runs once.

The fixtures hand out a registry handle: for a file, the Path itself (a Path subclass); for
PostgreSQL, an object with the few Path methods the tests use, reading the database as the
file it would be copied to (`read_bytes()` equal before and after means nothing changed).
`str(handle)` is the registry as up2k names it in messages (a URL's password masked);
`handle.location` is what --db / UP2K_DB take.

PostgreSQL registries come from template databases built once per run through the real CLI
(`init`, then `import`), copied per test with CREATE DATABASE ... TEMPLATE (a few ms).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

BACKENDS = ("file", "postgresql")
_serial = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "file_only: about the registry file itself (bytes, backups, modes, seal, lock): the file backend only",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        only_file = metafunc.definition.get_closest_marker("file_only") is not None
        metafunc.parametrize("backend", ["file"] if only_file else list(BACKENDS))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """PostgreSQL runs carry the `postgres` mark, so that `-m "not postgres"` leaves them out."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)


class FileRegistry(type(Path())):  # type: ignore[misc]
    """A registry file: a Path, with the handle's few extra words."""

    backend = "file"

    @property
    def location(self) -> str:
        return str(self)

    def data(self) -> dict[str, Any]:
        return orjson.loads(self.read_bytes())

    def edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        from tests.helpers import edit_registry

        edit_registry(self, change)


class PgRegistry:
    """A registry in a database of the test cluster, seen as the file it would be copied to."""

    backend = "postgresql"

    def __init__(self, url: str, cluster: Any, dbname: str) -> None:
        from up2k_cli.storage import shown

        self.location = url
        self.cluster = cluster
        self.dbname = dbname
        self.shown = shown(url)

    def __str__(self) -> str:
        return self.shown

    def __repr__(self) -> str:
        return f"PgRegistry({self.shown})"

    def exists(self) -> bool:
        from up2k_cli.storage import registry_exists

        return registry_exists(self.location)

    def data(self) -> dict[str, Any]:
        from up2k_cli.storage.postgres import PostgresUnitOfWork

        with PostgresUnitOfWork(self.location) as uow:
            return uow.data()

    def read_bytes(self) -> bytes:
        from up2k_cli.storage.tiny import serialise

        return b"".join(serialise(self.data()))

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Change the registry as if up2k had written it: dump, change, build it again. What the
        database refuses (a duplicate NIK, a dangling reference) cannot be made here."""
        from up2k_cli.storage import create_copy

        data = self.data()
        change(data)
        self.sql("DROP SCHEMA up2k CASCADE")
        assert create_copy(self.location, data)

    def sql(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement on this database as the superuser (autocommit)."""
        import psycopg

        with psycopg.connect(self.location, autocommit=True) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []


@pytest.fixture(scope="session")
def _pg_templates(postgres_cluster: Any) -> dict[str, str]:
    """Template databases made through the real CLI, as the file templates are."""
    from typer.testing import CliRunner

    from tests.helpers import SAMPLE_CSV, TODAY
    from up2k_cli.cli.main import app

    names = {"empty": "tpl_empty", "sample": "tpl_sample"}
    for name in names.values():
        postgres_cluster.create_database(name, template="template0")
    runner = CliRunner()
    for key, args in (("empty", ["init"]), ("sample", ["init"])):
        env = {
            "UP2K_DB": postgres_cluster.url(names[key]),
            "UP2K_TODAY": TODAY,
            "COLUMNS": "120",
            "UP2K_LANG": "en",
        }
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.stderr
    env = {"UP2K_DB": postgres_cluster.url(names["sample"]), "UP2K_TODAY": TODAY, "UP2K_LANG": "en"}
    result = runner.invoke(app, ["import", "cadres", str(SAMPLE_CSV), "--skip-invalid"], env=env)
    assert result.exit_code == 0, result.stderr
    return names


def _pg_database(request: pytest.FixtureRequest, template: str | None) -> Iterator[PgRegistry]:
    cluster = request.getfixturevalue("postgres_cluster")
    source = "template0" if template is None else request.getfixturevalue("_pg_templates")[template]
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")
    name = cluster.create_database(f"r{next(_serial)}_{slug}"[:63], template=source)
    try:
        yield PgRegistry(cluster.url(name), cluster, name)
    finally:
        cluster.drop_database(name)


@pytest.fixture
def db(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """The registry the CLI uses in this test (UP2K_DB): a file path, or a database of the test
    cluster. Not created, unless the test asks for `registry` or `registry_with_sample`: then a
    database is made from that template at once (one CREATE DATABASE, not two)."""
    if backend == "file":
        handle: Any = FileRegistry(tmp_path / "registry.json")
        monkeypatch.setenv("UP2K_DB", handle.location)
        yield handle
        return
    wanted = request.fixturenames
    template = "sample" if "registry_with_sample" in wanted else "empty" if "registry" in wanted else None
    for handle in _pg_database(request, template):
        monkeypatch.setenv("UP2K_DB", handle.location)
        yield handle


@pytest.fixture
def registry(db: Any, request: pytest.FixtureRequest) -> Any:
    """An empty, initialised Cilandak registry (a copy of one `up2k init` made per run)."""
    return _filled(db, "empty", request)


@pytest.fixture
def registry_with_sample(db: Any, request: pytest.FixtureRequest) -> Any:
    """The registry holding the 15 good cadres of the shared file, as K0001-K0015."""
    return _filled(db, "sample", request)


def _filled(handle: Any, template: str, request: pytest.FixtureRequest) -> Any:
    if handle.backend == "file":
        handle.write_bytes(request.getfixturevalue("_template_registries")[template])
        handle.chmod(0o600)
    return handle  # a database was made from its template already (see db)


@pytest.fixture
def other_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A second registry location on the test's backend, not created: a file in a new folder,
    or another empty database (a copy's target, a registry made from nothing)."""
    if backend == "file":
        yield FileRegistry(tmp_path / "other" / "registry.json")
        return
    yield from _pg_database(request, None)


def clone(handle: Any, template_db: str) -> None:
    """Make the database of `handle` a copy of the database `template_db` (CREATE ... TEMPLATE)."""
    handle.cluster.drop_database(handle.dbname)
    handle.cluster.create_database(handle.dbname, template=template_db)
