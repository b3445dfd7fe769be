"""Accounts on PostgreSQL (`up2k office`), tested as an attacker would: with the real psql,
logged in as a kelurahan office or a viewer, trying to read, change and delete what is not
theirs, to enroll beyond the quota and to raise their own rights. The server refuses each; the
same through the CLI is exit 1 with one clear line."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner
from tests.pgcluster import PostgresCluster

pytestmark = pytest.mark.postgres
PASSWORD = "sandi-kantor-rahasia"
_serial = itertools.count(1)
PONDOK_LABU = "31.74.06.1003"
LEBAK_BULUS = "31.74.06.1002"


class Office:
    def __init__(self, cluster: PostgresCluster, db: str, login: str) -> None:
        self.cluster, self.db, self.login = cluster, db, login
        self.url = cluster.url(db, user=login, password=PASSWORD)
        self.run = cli_runner(self.url, check_default=False)

    def psql(self, sql: str) -> Any:
        return self.cluster.psql(sql, user=self.login, password=PASSWORD, db=self.db)


@pytest.fixture
def setup(postgres_cluster: PostgresCluster, postgres_url: str) -> Iterator[dict[str, Any]]:
    """A registry (the superuser as coordinator): 4 cadres in Pondok Labu (K0001-K0004), 4 in
    Lebak Bulus (K0005-K0008) with a business, a step and an income each; batch B01 with a quota
    of 3 per kelurahan; an office login for Pondok Labu and a viewer."""
    coordinator = cli_runner(postgres_url)
    coordinator("init")
    coordinator("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 4, "Lebak Bulus": 4}))
    coordinator("batch", "add", "B01", "--title", "Pelatihan", "--start", "2026-11-01", "--end", "2026-11-30",
                "--quota-per-kelurahan", "3")  # fmt: skip
    for cadre in ("K0001", "K0005"):
        coordinator("business", "add", cadre, "--name", f"Usaha {cadre}", "--category", "Kuliner")
        coordinator("income", "add", cadre, "--amount", "2000000")
    coordinator("enroll", "--batch", "B01", "K0005", "K0006")
    n = next(_serial)
    office_login = coordinator(
        "office", "add", "Pondok Labu", "--login", f"kantor_pl_{n}", input=PASSWORD + "\n"
    )
    viewer_login = coordinator("office", "add", "--viewer", "Sudin PPKUKM", "--login", f"viewer_{n}",
                               input=PASSWORD + "\n")  # fmt: skip
    db = postgres_url.rsplit("/", 1)[1]
    office = Office(postgres_cluster, db, office_login.stdout.strip())
    viewer = Office(postgres_cluster, db, viewer_login.stdout.strip())
    try:
        yield {"coordinator": coordinator, "office": office, "viewer": viewer, "url": postgres_url}
    finally:
        for login in (office.login, viewer.login):
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
                    conn.execute(f'DROP OWNED BY "{login}"')
            postgres_cluster.drop_role(login)


def superuser(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def test_office_add_prints_the_login_and_lists_it(setup: dict[str, Any]) -> None:
    office, viewer = setup["office"], setup["viewer"]
    assert office.login.startswith("kantor_pl_") and viewer.login.startswith("viewer_")
    rows = json.loads(setup["coordinator"]("office", "list", "--format", "json").stdout)
    assert [(r["login"], r["kind"], r["kelurahan_code"]) for r in rows] == [
        (office.login, "office", PONDOK_LABU),
        (viewer.login, "viewer", None),
    ]
    assert superuser(setup["url"], "SELECT count(*) FROM up2k.offices")[0][0] == 2
    # The password reached the server as a SCRAM verifier and works.
    assert office.psql("SELECT 1").returncode == 0
    assert (
        setup["office"]
        .cluster.psql("SELECT 1", user=office.login, password="tebakan", db=office.db)
        .returncode
        == 2
    )


def test_an_office_reads_only_its_kelurahan(setup: dict[str, Any]) -> None:
    office = setup["office"]
    done = office.psql(
        "SELECT count(*) FROM up2k.cadres; SELECT DISTINCT kelurahan_code FROM up2k.cadres;"
        "SELECT count(*) FROM up2k.businesses; SELECT count(*) FROM up2k.incomes;"
        "SELECT count(*) FROM up2k.enrollments; SELECT count(*) FROM up2k.batches;"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4", PONDOK_LABU, "1", "1", "0", "1"]


def test_an_office_cannot_change_or_delete_another_kelurahans_rows(setup: dict[str, Any]) -> None:
    office, url = setup["office"], setup["url"]
    before = superuser(url, "SELECT id, name, phone FROM up2k.cadres ORDER BY id")
    for sql in (
        f"UPDATE up2k.cadres SET name = 'diganti' WHERE kelurahan_code = '{LEBAK_BULUS}'",
        "UPDATE up2k.cadres SET phone = '+6281200000000' WHERE id = 'K0005'",
        "DELETE FROM up2k.incomes WHERE cadre_id = 'K0005'",
        "DELETE FROM up2k.businesses WHERE cadre_id = 'K0005'",
        "DELETE FROM up2k.enrollments",
    ):
        done = office.psql(sql)
        assert done.returncode == 0 and done.stdout.strip() == "", (sql, done.stderr)  # 0 rows: none visible
    assert superuser(url, "SELECT id, name, phone FROM up2k.cadres ORDER BY id") == before
    assert superuser(url, "SELECT count(*) FROM up2k.incomes")[0][0] == 2
    # Moving its own cadre to another kelurahan, or adding one there, is refused outright.
    for sql in (
        f"UPDATE up2k.cadres SET kelurahan_code = '{LEBAK_BULUS}' WHERE id = 'K0001'",
        "INSERT INTO up2k.cadres (id, name, kelurahan_code, registered_on, consent_on, status, pos) "
        f"VALUES ('K0999', 'x', '{LEBAK_BULUS}', '2026-11-01', '2026-11-01', 'active', 999)",
        "INSERT INTO up2k.incomes (id, cadre_id, amount, \"on\", pos) VALUES ('I0999', 'K0005', 1, '2026-11-01', 999)",
    ):
        done = office.psql(sql)
        assert done.returncode == 3 and "row-level security" in done.stderr, (sql, done.stderr)


def test_an_office_reads_only_the_history_of_its_own_records(setup: dict[str, Any]) -> None:
    office, url = setup["office"], setup["url"]
    done = office.psql("SELECT DISTINCT ref FROM up2k.history ORDER BY 1")
    assert done.returncode == 0, done.stderr
    visible = done.stdout.split()
    assert "U0002" not in visible and "K0005" not in visible  # Lebak Bulus's business and cadre
    assert "U0001" in visible
    total = superuser(url, "SELECT count(*) FROM up2k.history")[0][0]
    assert len(visible) < total
    for sql in (
        "SELECT count(*) FROM up2k.files",
        "SELECT count(*) FROM up2k.origins",
        "SELECT * FROM up2k.peers",
    ):
        done = office.psql(sql)
        assert done.returncode == 3 and "permission denied" in done.stderr, sql


def test_an_office_cannot_enroll_beyond_its_quota_nor_another_kelurahans_cadre(setup: dict[str, Any]) -> None:
    office = setup["office"]
    rows = ", ".join(
        f"('E09{i}', 'B01', 'K000{i}', 'enrolled', '{PONDOK_LABU}', '2026-11-01', {900 + i})"
        for i in range(1, 5)
    )
    done = office.psql(
        f"INSERT INTO up2k.enrollments (id, batch, cadre_id, status, kelurahan_code, enrolled_on, pos) VALUES {rows}"
    )
    assert done.returncode == 3 and "over its quota of 3" in done.stderr
    done = office.psql(
        "INSERT INTO up2k.enrollments (id, batch, cadre_id, status, kelurahan_code, enrolled_on, pos) "
        f"VALUES ('E0990', 'B01', 'K0007', 'enrolled', '{PONDOK_LABU}', '2026-11-01', 990)"
    )
    assert done.returncode == 3 and "row-level security" in done.stderr
    # Up to the quota it enrolls, through the CLI (the batch locked, places counted over all).
    assert office.run("enroll", "--batch", "B01", "K0001", "K0002", "K0003").exit_code == 0
    result = office.run("enroll", "--batch", "B01", "K0004")
    assert result.exit_code == 1 and "quota" in result.stderr


def test_an_office_cannot_raise_its_own_rights(setup: dict[str, Any]) -> None:
    office = setup["office"]
    for sql, says in (
        ("SET ROLE postgres", "permission denied"),
        (f"ALTER ROLE {office.login} BYPASSRLS", "permission denied"),
        (f"ALTER ROLE {office.login} SUPERUSER", "permission denied"),
        ("INSERT INTO up2k.offices VALUES (current_user, 'viewer', NULL, 'x')", "permission denied"),
        (f"UPDATE up2k.offices SET kelurahan_code = '{LEBAK_BULUS}'", "permission denied"),
        ("ALTER TABLE up2k.cadres DISABLE ROW LEVEL SECURITY", "must be owner"),
        ("CREATE TABLE up2k.x (a int)", "permission denied"),
        ("CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "permission denied"),
        (f"SELECT up2k.grant_account('{office.login}', 'viewer')", "permission denied"),
        ("SELECT setval('up2k.counter_cadre', 1)", "permission denied"),
        ("UPDATE up2k.meta SET registry_id = 'x'", "permission denied"),
    ):
        done = office.psql(sql)
        assert done.returncode == 3 and (says in done.stderr or "must be" in done.stderr), (sql, done.stderr)
    granted = office.psql(f"GRANT SELECT ON up2k.files TO {office.login}; GRANT {office.login} TO postgres;")
    assert "no privileges were granted" in granted.stderr or granted.returncode == 3
    assert "permission denied" in office.psql("SELECT count(*) FROM up2k.files").stderr
    # A function of its own standing in for the catalog's does not widen what it sees.
    done = office.psql(
        "CREATE FUNCTION pg_temp.pg_has_role(name, oid, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';"
        "SET search_path = pg_temp, pg_catalog, up2k; SELECT count(*) FROM up2k.cadres;"
    )
    assert done.stdout.split()[-1:] in (["4"], []), done.stderr
    assert superuser(
        setup["url"],
        f"SELECT rolsuper OR rolbypassrls OR rolcreaterole FROM pg_roles WHERE rolname = '{office.login}'",
    ) == [(False,)]


def test_the_viewer_reads_aggregate_views_only(setup: dict[str, Any]) -> None:
    viewer = setup["viewer"]
    for sql in ("SELECT nik FROM up2k.cadres", "SELECT * FROM up2k.history", "SELECT * FROM up2k.files",
                "SELECT name FROM up2k.businesses"):  # fmt: skip
        done = viewer.psql(sql)
        assert done.returncode == 3 and "permission denied" in done.stderr, sql
    done = viewer.psql(
        "SELECT count(*), count(nik), count(phone), count(address), max(name) FROM up2k.viewer_cadres;"
        "SELECT count(*) FROM up2k.viewer_history; SELECT DISTINCT name FROM up2k.viewer_businesses;"
        "SELECT DISTINCT note FROM up2k.viewer_incomes"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["8|0|0|0|", "0"]
    assert "Usaha" not in done.stdout
    # Through the CLI: aggregate reports work; anything with personal data is one line, exit 1.
    report = json.loads(viewer.run("report", "kelurahan", "--format", "json").stdout)
    assert report
    for args in (
        ["export", "cadres"],
        ["cadre", "list"],
        ["cadre", "show", "K0001"],
        ["history"],
        ["report", "agencies", "--with-contacts"],
    ):
        result = viewer.run(*args)
        assert result.exit_code == 1, (args, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "viewer account" in lines[0], (args, result.stderr)


def test_through_the_cli_an_office_is_refused_with_one_line(setup: dict[str, Any]) -> None:
    run = setup["office"].run
    shown = run("cadre", "show", "K0005")
    assert shown.exit_code == 1 and "cadre K0005 not found" in shown.stderr
    from tests.helpers import make_nik, register_args

    other = run(*register_args(kelurahan="Lebak Bulus", nik=make_nik(4242)))
    assert other.exit_code == 1
    lines = [line for line in other.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "row-level security" in lines[0] and "table cadres" in lines[0]
    own = run(*register_args(kelurahan="Pondok Labu", nik=make_nik(4243)))
    assert own.exit_code == 0, own.stderr
    listed = json.loads(run("cadre", "list", "--format", "json").stdout)
    assert {r["kelurahan"] for r in listed} == {"Pondok Labu"} and len(listed) == 5
    summary = run("report", "kelurahan", "--format", "json")
    assert summary.exit_code == 0
    removed = setup["coordinator"]("office", "remove", setup["office"].login)
    assert removed.exit_code == 0
    assert run("cadre", "list").exit_code == 3  # the login is gone


def test_an_office_imports_many_rows_through_the_policies(setup: dict[str, Any]) -> None:
    """Past ten rows, up2k copies them into a temporary table and inserts them from it in one
    statement (PostgreSQL refuses COPY where row-level security applies); each row is still
    checked. Without the right to make temporary tables, the rows go as one JSON array."""
    from tests.enrollment_data import HEADER
    from tests.helpers import make_nik

    office, url = setup["office"], setup["url"]

    def rows(kelurahan: str, first: int) -> str:
        return (
            HEADER
            + "\n"
            + "".join(
                f"{make_nik(n)},Kader {n},{kelurahan},001,002,Jl. Melati No. {n},0812{n:08d},2026-10-01,ya\n"
                for n in range(first, first + 12)
            )
        )

    count = "SELECT count(*) FROM up2k.cadres"
    assert superuser(url, count) == [(8,)]
    refused = office.run("import", "cadres", "-", input=rows("Lebak Bulus", 500))
    assert refused.exit_code == 1 and "row-level security" in refused.stderr, refused.stderr
    assert superuser(url, count) == [(8,)]
    done = office.run("import", "cadres", "-", input=rows("Pondok Labu", 600))
    assert done.exit_code == 0, done.stderr
    assert superuser(url, count) == [(20,)]
    db = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'REVOKE TEMPORARY ON DATABASE "{db}" FROM PUBLIC')
    try:
        assert office.psql("CREATE TEMP TABLE t (x int)").returncode != 0
        again = office.run("import", "cadres", "-", input=rows("Pondok Labu", 700))
        assert again.exit_code == 0, again.stderr
        refused = office.run("import", "cadres", "-", input=rows("Lebak Bulus", 800))
        assert refused.exit_code == 1 and "row-level security" in refused.stderr, refused.stderr
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'GRANT TEMPORARY ON DATABASE "{db}" TO PUBLIC')
    assert superuser(url, count) == [(32,)]
    listed = superuser(url, "SELECT kelurahan_code, count(*) FROM up2k.cadres GROUP BY 1 ORDER BY 1")
    assert listed == [(LEBAK_BULUS, 4), (PONDOK_LABU, 28)]


def test_row_level_security_lets_queries_run_in_parallel_and_still_holds(setup: dict[str, Any]) -> None:
    """Migration 0010: the policies' functions are parallel safe, so an office's scan of cadres
    may be shared with parallel workers (the plan gathers), and the workers see what the office
    sees: its kelurahan's cadres only. Costs are set to nothing so that a small table gets the
    parallel plan a large one would."""
    office = setup["office"]
    costs = ("SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; "
             "SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;")  # fmt: skip
    query = "SELECT kelurahan_code, count(*) FROM up2k.cadres GROUP BY 1"
    plan = office.psql(f"{costs} EXPLAIN (COSTS OFF) {query}")
    assert plan.returncode == 0, plan.stderr
    assert "Gather" in plan.stdout, plan.stdout
    seen = office.psql(f"{costs} {query}")
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.split() == [f"{PONDOK_LABU}|4"]
    # The offices' policy asks up2k.is_owner() row by row: in the workers too (its own
    # search_path setting and current_user there). The office sees its own login only.
    offices = "SELECT login FROM up2k.offices"
    plan = office.psql(f"{costs} EXPLAIN (COSTS OFF) {offices}")
    assert "Gather" in plan.stdout, plan.stdout
    assert office.psql(f"{costs} {offices}").stdout.split() == [office.login]
    for name in ("scope", "is_owner"):
        (marked,) = superuser(
            setup["url"], f"SELECT proparallel FROM pg_proc WHERE oid = 'up2k.{name}'::regproc"
        )
        assert marked == ("s",)
