"""The test suite's own PostgreSQL cluster (tests/pgcluster.py, tests/pg_fixtures.py).

Tests using postgres_cluster / postgres_url are skipped when PostgreSQL is not installed;
the ones about finding it and about that skip run everywhere.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import pgcluster
from tests.helpers import REPO
from tests.pgcluster import PostgresCluster, PostgresClusterError

# -- helpers ---------------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    """Running (a zombie left to a parent that does not reap it does not count)."""
    try:
        return bool(Path(f"/proc/{pid}/cmdline").read_bytes())
    except OSError:
        return False


def _wait_until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def office_role(postgres_cluster: PostgresCluster) -> Iterator[tuple[str, str]]:
    """(name, password) of a login role made for this test and dropped after it."""
    name, password = f"office_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    postgres_cluster.create_role(name, password)
    yield name, password
    postgres_cluster.drop_role(name)


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1]


# -- the session cluster and its databases ---------------------------------------------------


def test_superuser_connects_with_psycopg_to_a_fast_loopback_cluster(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url) as conn:
        row = conn.execute(
            "SELECT current_user, current_database(), host(inet_server_addr()),"
            " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
            " current_setting('server_encoding'), current_setting('listen_addresses'),"
            " current_setting('fsync'), current_setting('synchronous_commit'),"
            " current_setting('full_page_writes'), current_setting('max_connections')::int"
        ).fetchone()
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
        hba = conn.execute("SELECT type, address, auth_method FROM pg_hba_file_rules").fetchall()
    assert row is not None
    assert row[:6] == ("postgres", _dbname(postgres_url), "127.0.0.1", True, "UTF8", "127.0.0.1")
    assert row[6:9] == ("off", "off", "off")
    assert row[9] >= 12  # 8+ concurrent clients, the test runner, the superuser's reserve
    assert tables == (0,)
    assert sorted(hba, key=str) == [("host", "127.0.0.1", "scram-sha-256"), ("local", None, "trust")]


def test_login_role_connects_through_the_real_psql(
    postgres_cluster: PostgresCluster, postgres_url: str, office_role: tuple[str, str]
) -> None:
    name, password = office_role
    result = postgres_cluster.psql(
        "SELECT current_user, session_user; SELECT rolsuper FROM pg_roles WHERE rolname = current_user;",
        user=name,
        password=password,
        db=_dbname(postgres_url),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{name}|{name}", "f"]
    # An ordinary role, as an attacker would hold: PostgreSQL 15 gives it no CREATE on public.
    denied = postgres_cluster.psql(
        "CREATE TABLE public.planted (x int);", user=name, password=password, db=_dbname(postgres_url)
    )
    assert denied.returncode == 3
    assert "permission denied for schema public" in denied.stderr
    # The URL form connects as the role too.
    import psycopg

    with psycopg.connect(postgres_cluster.url(_dbname(postgres_url), name, password)) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (name,)


def test_a_wrong_or_missing_password_is_refused(
    postgres_cluster: PostgresCluster, postgres_url: str, office_role: tuple[str, str]
) -> None:
    import psycopg

    name, _ = office_role
    db = _dbname(postgres_url)
    for user, password in ((name, "not-the-password"), ("postgres", "not-the-password"), ("nobody", "x")):
        refused = postgres_cluster.psql("SELECT 1;", user=user, password=password, db=db)
        assert refused.returncode == 2, (user, refused.stdout)
        assert f'password authentication failed for user "{user}"' in refused.stderr
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(postgres_cluster.url(db, user, password))
    # No password at all: psql never prompts, TCP never trusts.
    silent = postgres_cluster.psql("SELECT 1;", user=name, db=db)
    assert silent.returncode == 2
    assert "no password supplied" in silent.stderr


def test_two_databases_are_isolated(postgres_url: str, postgres_db_factory: Callable[[], str]) -> None:
    import psycopg

    other_url = postgres_db_factory()
    assert _dbname(other_url) != _dbname(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as first:
        first.execute("CREATE TABLE cadre (id text PRIMARY KEY); INSERT INTO cadre VALUES ('K0001')")
    with psycopg.connect(other_url, autocommit=True) as second:
        assert second.execute("SELECT to_regclass('public.cadre')").fetchone() == (None,)
        second.execute("CREATE TABLE cadre (id text PRIMARY KEY)")
        assert second.execute("SELECT count(*) FROM cadre").fetchone() == (0,)
    with psycopg.connect(postgres_url) as first:
        assert first.execute("SELECT id FROM cadre").fetchall() == [("K0001",)]


def test_earlier_tests_databases_are_gone(postgres_cluster: PostgresCluster, postgres_url: str) -> None:
    """postgres_url databases are dropped after each test: only this test's one is left."""
    names = {row[0] for row in postgres_cluster.execute("SELECT datname FROM pg_database")}
    assert {"postgres", "template0", "template1", _dbname(postgres_url)} <= names
    assert [name for name in names if re.match(r"t\d+_", name)] == [_dbname(postgres_url)]


def test_databases_are_created_fast(
    postgres_db_factory: Callable[[], str], record_property: Callable[[str, object], None]
) -> None:
    times = []
    for _ in range(20):
        start = time.perf_counter()
        postgres_db_factory()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    record_property("create_database_median_s", round(median, 4))
    assert median < 0.2, f"median {median * 1000:.0f} ms over 20 databases: {times}"


def test_connections_for_eight_concurrent_clients(
    postgres_cluster: PostgresCluster, postgres_url: str
) -> None:
    import psycopg

    conns = [psycopg.connect(postgres_url) for _ in range(10)]
    try:
        pids = {conn.execute("SELECT pg_backend_pid()").fetchone() for conn in conns}
        assert len(pids) == 10
    finally:
        for conn in conns:
            conn.close()


# -- clusters of their own: start, stop, failures -------------------------------------------


def test_start_and_stop_leave_nothing_behind(postgres_cluster: PostgresCluster) -> None:
    with PostgresCluster(bindir=postgres_cluster.bindir) as pg:
        assert pg.running and pg.port != postgres_cluster.port
        folder, pids, port = pg.folder, pg.pids(), pg.port
        assert folder is not None and (pg.socket_dir / f".s.PGSQL.{port}").exists()
        assert len(pids) >= 3 and all(_alive(pid) for pid in pids)  # postmaster, checkpointer, ...
        assert pg.psql("SELECT 40 + 2;").stdout == "42\n"
        if os.geteuid() == 0:
            assert pg.os_user == "postgres" and pg.data_dir.stat().st_uid != 0
    assert pg.folder is None and not folder.exists()
    assert not any(_alive(pid) for pid in pids)
    assert not _port_open(port)
    pg.stop()  # a second stop does nothing


def test_a_taken_port_is_retried(postgres_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        ports = iter([taken])
        real = pgcluster.free_port
        monkeypatch.setattr(pgcluster, "free_port", lambda: next(ports, None) or real())
        with PostgresCluster(bindir=postgres_cluster.bindir) as pg:
            assert pg.port != taken
            assert "could not bind" in pg.log_text()
            assert pg.psql("SELECT 1;").returncode == 0


def test_a_failed_start_cleans_up_and_says_why(postgres_cluster: PostgresCluster) -> None:
    pg = PostgresCluster(bindir=postgres_cluster.bindir, settings={"shared_buffers": "nonsense"})
    with pytest.raises(
        PostgresClusterError, match=r"(?s)pg_ctl start failed.*invalid value for parameter \"shared_buffers\""
    ):
        pg.start()
    assert pg.folder is None


def test_stop_after_the_server_was_killed(postgres_cluster: PostgresCluster) -> None:
    pg = PostgresCluster(bindir=postgres_cluster.bindir).start()
    folder, pids = pg.folder, pg.pids()
    os.kill(pids[0], signal.SIGKILL)
    pg.stop()
    assert folder is not None and not folder.exists()
    assert _wait_until(lambda: not any(_alive(pid) for pid in pids), 10)


RUNNER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from tests.pgcluster import PostgresCluster
pg = PostgresCluster(bindir=sys.argv[2]).start()
print(json.dumps({"folder": str(pg.folder), "pids": pg.pids(), "os_user": pg.os_user,
                  "uid": pg.data_dir.stat().st_uid, "psql": pg.psql("SELECT current_user;").stdout}))
sys.stdout.flush()
if sys.argv[3] == "stop":
    pg.stop()
else:
    time.sleep(600)
"""


def test_the_watchdog_cleans_up_when_the_test_run_is_killed(postgres_cluster: PostgresCluster) -> None:
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(REPO), str(postgres_cluster.bindir), "hang"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = json.loads(runner.stdout.readline())  # type: ignore[union-attr]
        assert started["pids"] and Path(started["folder"]).exists()
    finally:
        runner.kill()  # SIGKILL: no finalizer, no atexit
        runner.communicate(timeout=30)
    assert _wait_until(lambda: not Path(started["folder"]).exists(), 30)
    assert _wait_until(lambda: not any(_alive(pid) for pid in started["pids"]), 10)


def _python_for(os_user: str) -> str | None:
    """A Python 3.11+ that `os_user` can run and that can import this checkout's tests.pgcluster."""
    check = "import sys; sys.path.insert(0, sys.argv[1]); import tests.pgcluster"
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3", shutil.which("python3")]):
        try:
            done = subprocess.run(
                [python or "-", "-c", check, str(REPO)],
                user=os_user,
                extra_groups=[],
                cwd="/",
                capture_output=True,
            )
        except OSError:  # this user may not run it
            continue
        if done.returncode == 0:
            return python
    return None


@pytest.mark.skipif(os.geteuid() != 0, reason="as another user: the other tests already run unprivileged")
def test_runs_as_the_current_user_when_not_root(postgres_cluster: PostgresCluster) -> None:
    python = _python_for("postgres")
    if python is None:
        pytest.skip("the postgres OS user cannot run a Python 3.11+ that reads this checkout")
    done = subprocess.run(
        [python, "-c", RUNNER, str(REPO), str(postgres_cluster.bindir), "stop"],
        capture_output=True,
        text=True,
        timeout=120,
        user="postgres",
        group="postgres",
        extra_groups=[],
        cwd="/",
    )
    assert done.returncode == 0, done.stderr
    started = json.loads(done.stdout)
    assert started["os_user"] is None and started["uid"] != 0 and started["psql"] == "postgres\n"
    assert not Path(started["folder"]).exists()


# -- finding PostgreSQL, and skipping without it (no server needed) -------------------------


def _fake_initdb(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "initdb").write_text("#!/bin/sh\n")
    (folder / "initdb").chmod(0o755)
    return folder


def test_find_bindir_looks_on_path_then_pg_config_then_debian_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_path = _fake_initdb(tmp_path / "path-bin")
    assert pgcluster.find_bindir({"PATH": f"/nonexistent:{on_path}"}) == on_path.resolve()

    configured = _fake_initdb(tmp_path / "configured")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "pg_config").write_text(f"#!/bin/sh\necho {configured}\n")
    (tools / "pg_config").chmod(0o755)
    assert pgcluster.find_bindir({"PATH": str(tools)}) == configured

    debian = tmp_path / "lib"
    for version in ("9.6", "15", "10"):
        _fake_initdb(debian / version / "bin")
    (debian / "16" / "bin").mkdir(parents=True)  # a client-only install: no initdb
    assert pgcluster._newest_debian_bindir(debian) == debian / "15" / "bin"
    assert pgcluster._newest_debian_bindir(tmp_path / "none") is None

    assert pgcluster.find_bindir({"UP2K_PG_BINDIR": str(on_path), "PATH": ""}) == on_path
    assert pgcluster.find_bindir({"UP2K_PG_BINDIR": str(tools), "PATH": str(on_path)}) is None


def test_missing_reason_says_how_to_install() -> None:
    assert pgcluster.missing_reason({"PATH": ""}) == (
        "PostgreSQL not installed (initdb not on PATH): install postgresql"
        " (Debian: apt-get install postgresql) to run the PostgreSQL tests"
    )
    with pytest.raises(PostgresClusterError, match="PostgreSQL not installed"):
        PostgresCluster(bindir="/nonexistent")


INNER_TESTS = """
def test_url(postgres_url):
    pass

def test_cluster(postgres_cluster):
    pass

def test_plain():
    pass
"""


@pytest.mark.parametrize("required", [False, True])
def test_without_postgresql_the_tests_skip_with_one_reason(tmp_path: Path, required: bool) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "UP2K_"))}
    env.update(
        PYTHONPATH=str(REPO), UP2K_PG_BINDIR=str(tmp_path), UP2K_REQUIRE_POSTGRES="1" if required else ""
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.pg_fixtures", "-p", "no:cacheprovider", "-rs", "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = done.stdout
    reason = f"PostgreSQL not installed (no initdb in $UP2K_PG_BINDIR={tmp_path})"
    if required:
        assert done.returncode == 1, out
        assert "1 passed, 2 errors" in out and f"{reason}: install postgresql" in out
    else:
        assert done.returncode == 0, out
        assert "1 passed, 2 skipped" in out
        # One reason for all: -rs lists it per test, the summary says it once.
        skipped = [line for line in out.splitlines() if line.startswith("SKIPPED")]
        assert len(skipped) == 2 and all(
            line.endswith(f"{reason}: {pgcluster.INSTALL_HINT}") for line in skipped
        )
        assert out.count(f"PostgreSQL tests skipped: {reason}") == 1
