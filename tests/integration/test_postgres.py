"""The PostgreSQL backend itself: the schema against schema.py, what a user meets when the server
or the schema is not as expected, the rules the database keeps against psql, one snapshot per
reading command, and copies between backends. (Every command's output on PostgreSQL is
tested by the CLI suite, which runs on both backends.)"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests import registry_data
from tests.helpers import REPO, TODAY, cli_runner, edit_registry, make_nik, register_args
from tests.pgcluster import PostgresCluster, free_port
from up2k_cli import storage
from up2k_cli.domain.errors import RegistryUnusable
from up2k_cli.services import cadres
from up2k_cli.storage import migrations, presets
from up2k_cli.storage.postgres import PostgresUnitOfWork, ddl, migrate
from up2k_cli.storage.schema import COUNTERS, HISTORY, TABLES

Run = Callable[..., Any]
NOW_STAMP = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def url(postgres_url: str) -> str:
    """An initialised, empty registry in a database of the test cluster."""
    cli_runner(postgres_url)("init", "--start", "2026-01-05")
    return postgres_url


@pytest.fixture
def up2k(url: str) -> Run:
    return cli_runner(url, check_default=False)


def psql(cluster: PostgresCluster, url: str, sql: str) -> subprocess.CompletedProcess[str]:
    """SQL through the real psql client, as the superuser, on the registry's database."""
    return cluster.psql(sql, db=url.rsplit("/", 1)[1])


def scalar(url: str, sql: str, params: Any = None) -> Any:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]  # type: ignore[index]


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def process(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """up2k in a process of its own, as a user runs it."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "UP2K_DB": url, "UP2K_TODAY": TODAY,
           "UP2K_LANG": "en"}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "up2k_cli", *args], env=env, capture_output=True, text=True, timeout=60
    )


# --- the schema -------------------------------------------------------------------------------


def test_migrations_are_numbered_up_to_the_current_schema() -> None:
    assert sorted(migrate.steps()) == list(range(3, migrations.CURRENT_VERSION + 1))
    assert migrate.pending(0) == sorted(migrate.steps())
    assert migrate.pending(migrations.CURRENT_VERSION) == []


def test_the_database_holds_what_schema_py_describes(url: str) -> None:
    """Migrations are frozen SQL; schema.py is the description: they must agree."""
    with psycopg.connect(url) as conn:

        def rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
            return conn.execute(sql, params).fetchall()

        for spec in TABLES.values():
            columns = rows(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped "
                "AND a.attgenerated = '' ORDER BY a.attnum",
                f"up2k.{spec.name}",
            )
            expected = [(f.name, ddl.sql_type(f), f.required) for f in spec.fields] + [
                (ddl.POS, "bigint", True)
            ]
            # Columns a later migration added come after `pos` on disk; up2k always names them.
            assert sorted(columns) == sorted(expected), spec.name
            constraints = {
                name: definition
                for name, definition in rows(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                    f"up2k.{spec.name}",
                )
            }
            assert constraints[f"{spec.name}_pkey"] == f"PRIMARY KEY ({spec.key})"
            for f in spec.fields:
                if f.unique and f.name != spec.key:
                    assert constraints[f"{spec.name}_{f.name}_key"] == f"UNIQUE ({f.name})"
                if f.choices:
                    check = constraints[f"{spec.name}_{f.name}_check"]
                    assert all(f"'{choice}'" in check for choice in f.choices), check
                if f.references:
                    other, column = f.references.split(".")
                    assert constraints[f"{spec.name}_{f.name}_fkey"] == (
                        f"FOREIGN KEY ({f.name}) REFERENCES up2k.{other}({column})"
                    )
            for fields in spec.unique_together:
                assert constraints[f"{spec.name}_{'_'.join(fields)}_key"] == f"UNIQUE ({', '.join(fields)})"
            indexes = dict(rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'up2k'"))
            for fields in spec.indexes:
                definition = indexes[f"{spec.name}_{'_'.join(fields)}_idx"]
                assert definition.endswith(f"({', '.join(fields)})"), definition
        assert "USING gin (refs)" in indexes["history_refs_idx"]
        # The database's own columns for the reports in SQL (migration 0006): generated, never written.
        generated = rows("SELECT attrelid::regclass::text, attname FROM pg_attribute WHERE attgenerated = 's' "
                         "AND attrelid::regclass::text LIKE 'up2k.%%' ORDER BY 1, 2")  # fmt: skip
        assert generated == [("up2k.cadres", "status_dates"), ("up2k.cadres", "status_last"),
                             ("up2k.enrollments", "attendance_short"), ("up2k.enrollments", "event_dates"),
                             ("up2k.enrollments", "event_last")]  # fmt: skip
        sequences = {
            name for (name,) in rows("SELECT sequencename FROM pg_sequences WHERE schemaname = 'up2k'")
        }
        assert {f"counter_{kind}" for kind in COUNTERS} <= sequences


def test_records_come_back_as_the_file_holds_them(url: str) -> None:
    """Fields in schema order, dates as ISO text, nested values with their key order, the history's
    optional fields only when set; every record a copy of its own."""
    with PostgresUnitOfWork(url, command="test") as uow:
        cadres.register(uow, dict(_raw(1), consent=True), today=_today())
    with PostgresUnitOfWork(url) as uow:
        cadre = uow.cadres.get("K0001")
        assert cadre is not None and list(cadre) == list(TABLES["cadres"].field_names)
        assert cadre["registered_on"] == "2026-11-27" and cadre["household_size"] == 3
        uow.update_meta({"settings": {"z": 1, "a": {"y": [1, 2], "b": None}}})
        uow.cadres.update_many(
            {"K0001": {"status_log": [{"status": "inactive", "on": "2026-11-27", "reason": "x"}]}}
        )
        cadre["name"] = "changed in my copy only"
        again = uow.cadres.get("K0001")
        assert again is not None and again["name"] == "Kader Nomor 1"
        assert list(again["status_log"][0]) == ["status", "on", "reason"]
        assert list(uow.meta["settings"]) == ["z", "a"]
        (entry,) = uow.history.all()
        assert list(entry) == [f for f in HISTORY.field_names if f not in ("refs", "reason", "on", "record")]
        assert uow.cadres.get(1) is None and 1 not in uow.cadres and uow.history.get("1") is None
        uow.commit()
    with PostgresUnitOfWork(url) as uow:
        assert list(uow.meta["settings"]) == ["z", "a"]


def _raw(serial: int) -> dict[str, Any]:
    return {"nik": make_nik(serial), "name": f"Kader Nomor {serial}", "kelurahan": "Pondok Labu",
            "rw": "1", "rt": "2", "address": "Jl. Pinang", "household_size": "3"}  # fmt: skip


def _today() -> Any:
    import datetime as dt

    return dt.date.fromisoformat(TODAY)


# --- the unit of work -------------------------------------------------------------------------


def test_leaving_without_commit_writes_nothing_and_an_error_rolls_back(url: str) -> None:
    with PostgresUnitOfWork(url, command="test") as uow:
        (ident,) = uow.next_ids("cadre", "K")
        uow.cadres.add_many([{**_record(ident), "nik": make_nik(1)}])
        assert uow.cadres.count() == 1
    with pytest.raises(RuntimeError), PostgresUnitOfWork(url, command="test") as uow:
        uow.cadres.add_many([{**_record("K0999"), "nik": make_nik(2)}])
        raise RuntimeError("boom")
    with PostgresUnitOfWork(url) as uow:
        assert uow.cadres.count() == 0 and uow.history.count() == 0


def _record(ident: str) -> dict[str, Any]:
    return {"id": ident, "name": "X", "kelurahan_code": "31.74.06.1003", "registered_on": TODAY,
            "consent_on": TODAY, "status": "active", "name_key": "x"}  # fmt: skip


def test_a_reading_command_sees_one_moment_and_a_writer_reads_after_its_lock(url: str) -> None:
    """A report never mixes two moments; a command that locks reads what others committed."""
    with PostgresUnitOfWork(url, command="report") as reader:
        assert reader.cadres.count() == 0
        cadres.register(
            PostgresUnitOfWork(url, command="register"), dict(_raw(1), consent=True), today=_today()
        )
        assert reader.cadres.count() == 0 and reader.history.count() == 0  # still the first moment
        reader.cadres.lock("K0001")  # about to change: the transaction starts again, nothing written yet
        assert reader.cadres.count() == 1 and reader.history.count() == 1


def test_a_record_locked_by_another_command_is_waited_for_then_refused_with_exit_3(
    url: str, up2k: Run
) -> None:
    up2k("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30", check=True)
    up2k(*register_args(), check=True)
    with psycopg.connect(url) as holder:
        holder.execute("SELECT 1 FROM up2k.batches WHERE code = 'B01' FOR UPDATE")
        started = time.monotonic()
        result = up2k("--lock-timeout", "0.5", "enroll", "-b", "B01", "K0001")
        assert time.monotonic() - started < 5
    assert result.exit_code == 3
    line = one_error_line(result.stderr)
    assert "another command held the records this one needs for more than 0.5 s; nothing was written" in line
    assert scalar(url, "SELECT count(*) FROM up2k.enrollments") == 0


# --- a server or schema that is not as expected -----------------------------------------------


def test_an_unreachable_server_is_one_line_naming_host_port_and_database_never_the_password() -> None:
    port = free_port()  # nothing listens there
    done = process(f"postgresql://clerk:s3cret-pw@127.0.0.1:{port}/up2k_office", "cadre", "list")
    assert done.returncode == 3 and done.stdout == ""
    line = one_error_line(done.stderr)
    assert line.startswith(f"Error: cannot connect to database up2k_office on 127.0.0.1:{port}: ")
    assert "refused" in line.lower()
    assert "s3cret" not in done.stderr


def test_a_wrong_password_or_a_missing_database_is_one_line(
    postgres_cluster: PostgresCluster, url: str
) -> None:
    wrong = url.replace(postgres_cluster.password, "not-the-password")
    done = process(wrong, "cadre", "list")
    assert done.returncode == 3
    line = one_error_line(done.stderr)
    assert 'password authentication failed for user "postgres"' in line
    assert "not-the-password" not in done.stderr and postgres_cluster.password not in done.stderr
    missing = url.rsplit("/", 1)[0] + "/no_such_db"
    done = process(missing, "cadre", "list")
    assert done.returncode == 3
    assert 'database "no_such_db" does not exist' in one_error_line(done.stderr)


def test_where_shows_the_url_with_the_password_masked(postgres_cluster: PostgresCluster, url: str) -> None:
    done = process(url, "where")
    assert done.returncode == 0 and done.stderr == ""
    port = postgres_cluster.port
    assert done.stdout == f"postgresql://postgres:***@127.0.0.1:{port}/{url.rsplit('/', 1)[1]}\n"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("postgresql://clerk:pw@db.example:5433/up2k", "postgresql://clerk:***@db.example:5433/up2k"),
        ("postgres://clerk@db.example/up2k", "postgres://clerk@db.example/up2k"),
        ("postgresql:///up2k?host=/run/pg&password=pw&sslmode=require",
         "postgresql:///up2k?host=/run/pg&password=***&sslmode=require"),
        ("postgresql://clerk:p%40ss@[::1]:5432/up2k", "postgresql://clerk:***@[::1]:5432/up2k"),
        ("data/registry.json", "data/registry.json"),
    ],
)  # fmt: skip
def test_locations_are_shown_without_passwords(given: str, shown: str) -> None:
    assert storage.shown(given) == shown


def test_a_database_without_the_schema_asks_for_init(postgres_url: str) -> None:
    done = process(postgres_url, "cadre", "list")
    assert done.returncode == 3
    shown = storage.shown(postgres_url)
    assert one_error_line(done.stderr) == (
        f"Error: no registry at {shown}; create it with 'up2k init' (or pass --db / set UP2K_DB)"
    )


def test_a_newer_schema_is_refused_by_every_command_and_by_init(url: str, up2k: Run) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE up2k.meta SET schema_version = 99")
    for args in (["cadre", "list"], register_args(), ["init"]):
        result = up2k(*args)
        assert result.exit_code == 3, args
        known = migrations.CURRENT_VERSION
        assert f"written by a newer up2k (schema 99; this program knows up to {known})" in one_error_line(
            result.stderr
        )


def test_a_schema_3_database_is_upgraded_by_its_next_command(postgres_url: str) -> None:
    """A database made before issue 15 (schema 3) gets schema 4's tables and columns, its records
    intact, the first time a newer up2k opens it."""
    with psycopg.connect(postgres_url) as conn:
        migrate.apply(conn, 0, target=3)
        meta = json.dumps({"kecamatan": {"code": "31.74.06", "name": "Cilandak"}, "kelurahan": [
            {"code": "31.74.06.1003", "name": "Pondok Labu", "aliases": []}]})  # fmt: skip
        conn.execute(
            "INSERT INTO up2k.meta (schema_version, created_at, region, target, settings) VALUES "
            "(3, '2026-01-05T08:00:00+07:00', %s, %s, %s)",
            (meta, json.dumps({"minimum": 4000, "stretch": 5000, "years": 5, "start": "2026-01-05"}),
             json.dumps({"agency_map": {}, "licensing_agency": "DPMPTSP (PTSP)"})),
        )  # fmt: skip
    run = cli_runner(postgres_url, check_default=False)
    done = run(*register_args(kelurahan="Pondok Labu"))
    assert done.exit_code == 0, done.stderr
    assert (
        run("group", "add", "Melati", "--kelurahan", "Pondok Labu", "--formed", "2026-08-20").exit_code == 0
    )
    with psycopg.connect(postgres_url) as conn:
        assert (
            conn.execute("SELECT schema_version FROM up2k.meta").fetchone()[0] == migrations.CURRENT_VERSION
        )
        assert conn.execute("SELECT id, work_status FROM up2k.cadres").fetchall() == [("K0001", None)]


def test_an_older_schema_is_upgraded_by_the_first_command(
    url: str, up2k: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next schema's SQL (here a made-up one) runs once, in a transaction, then the version
    says so; a failing migration leaves the database as it was."""
    now = migrations.CURRENT_VERSION
    folder = tmp_path / "migrations"
    shutil.copytree(migrate.FOLDER, folder)
    (folder / f"{now + 1:04d}.sql").write_text("ALTER TABLE up2k.cadres ADD COLUMN nickname text;\n")
    monkeypatch.setattr(migrate, "FOLDER", folder)
    monkeypatch.setattr(migrations, "CURRENT_VERSION", now + 1)
    assert up2k("cadre", "list").exit_code == 0
    assert scalar(url, "SELECT schema_version FROM up2k.meta") == now + 1
    assert scalar(url, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'up2k.cadres'::regclass "
                       "AND attname = 'nickname'") == 1  # fmt: skip
    (folder / f"{now + 2:04d}.sql").write_text("ALTER TABLE up2k.cadres ADD COLUMN x text; SELECT 1/0;\n")
    monkeypatch.setattr(migrations, "CURRENT_VERSION", now + 2)
    result = up2k("cadre", "list")
    assert result.exit_code == 3 and "division by zero" in one_error_line(result.stderr)
    assert scalar(url, "SELECT schema_version FROM up2k.meta") == now + 1


# --- what the database refuses, also to psql ----------------------------------------------------


@pytest.fixture
def enrolled(url: str, up2k: Run) -> str:
    """Batch B01 (capacity 4, quota 2) holding K0001, K0002 (Pondok Labu) and K0005 (Lebak Bulus),
    K0003 (Pondok Labu) waiting; K0004 (Pondok Labu), K0006 and K0007 (Lebak Bulus) not in it.
    One export: the files log has a record."""
    from tests.enrollment_data import cadres_csv

    up2k("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 4, "Lebak Bulus": 3}), check=True)
    up2k("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30",
         "--capacity", "4", "--quota-per-kelurahan", "2", check=True)  # fmt: skip
    up2k("enroll", "-b", "B01", "K0001", "K0002", "K0005", check=True)
    up2k("enroll", "-b", "B01", "--waitlist", "K0003", check=True)
    up2k("export", "cadres", check=True)
    return url


def test_psql_cannot_break_a_quota_or_the_capacity(postgres_cluster: PostgresCluster, enrolled: str) -> None:
    new = ("INSERT INTO up2k.enrollments (id, batch, cadre_id, status, kelurahan_code, pos) "
           "VALUES ('E0099', 'B01', '{cadre}', 'enrolled', '{kel}', 99)")  # fmt: skip
    over_quota = psql(postgres_cluster, enrolled, new.format(cadre="K0004", kel="31.74.06.1003"))
    assert over_quota.returncode == 3
    assert "kelurahan 31.74.06.1003 over its quota of 2 in batch B01 (3 places held)" in over_quota.stderr
    promoted = psql(
        postgres_cluster, enrolled, "UPDATE up2k.enrollments SET status = 'enrolled' WHERE cadre_id = 'K0003'"
    )
    assert promoted.returncode == 3 and "over its quota of 2" in promoted.stderr
    psql(postgres_cluster, enrolled, "UPDATE up2k.batches SET quota_per_kelurahan = 0 WHERE code = 'B01'")
    assert psql(postgres_cluster, enrolled, new.format(cadre="K0006", kel="31.74.06.1002")).returncode == 0
    over_capacity = psql(
        postgres_cluster, enrolled, new.format(cadre="K0007", kel="31.74.06.1002").replace("99", "98")
    )
    assert over_capacity.returncode == 3
    assert "batch B01 over its capacity of 4 (5 places held)" in over_capacity.stderr
    lowered = psql(postgres_cluster, enrolled, "UPDATE up2k.batches SET capacity = 3 WHERE code = 'B01'")
    assert lowered.returncode == 3 and "holds 4 places, more than a capacity of 3" in lowered.stderr
    quota = psql(
        postgres_cluster, enrolled, "UPDATE up2k.batches SET quota_per_kelurahan = 1 WHERE code = 'B01'"
    )
    assert quota.returncode == 3 and "more than a quota of 1" in quota.stderr
    assert scalar(enrolled, "SELECT count(*) FROM up2k.enrollments WHERE status = 'enrolled'") == 4


def test_psql_cannot_edit_delete_or_truncate_the_history(
    postgres_cluster: PostgresCluster, enrolled: str
) -> None:
    for sql in (
        "UPDATE up2k.history SET action = 'nothing happened' WHERE seq = 1",
        "UPDATE up2k.history SET changes = '{}' WHERE seq = 1",
        "UPDATE up2k.history SET \"user\" = 'someone else'",
        "DELETE FROM up2k.history WHERE seq = 1",
        "TRUNCATE up2k.history",
        "UPDATE up2k.files SET path = 'elsewhere'",
        "DELETE FROM up2k.files",
        "TRUNCATE up2k.files CASCADE",
    ):
        done = psql(postgres_cluster, enrolled, sql)
        assert done.returncode == 3, sql
        assert "append-only" in done.stderr, (sql, done.stderr)
    # An erasure's change (values replaced by '(erased)') is the one update it takes...
    erasing = "UPDATE up2k.history SET changes = jsonb_set(changes::jsonb, '{{source,1}}', '\"{0}\"')::json WHERE seq = 1"
    assert psql(postgres_cluster, enrolled, erasing.format("(erased)")).returncode == 0
    assert scalar(enrolled, "SELECT changes->'source'->>1 FROM up2k.history WHERE seq = 1") == "(erased)"
    # ...and only with that mark.
    assert psql(postgres_cluster, enrolled, erasing.format("something else")).returncode == 3


def test_psql_cannot_store_what_up2k_would_refuse(postgres_cluster: PostgresCluster, enrolled: str) -> None:
    nik = scalar(enrolled, "SELECT nik FROM up2k.cadres WHERE id = 'K0001'")
    columns = "(id, nik, name, kelurahan_code, registered_on, consent_on, status, pos)"
    for sql, says in (
        (f"INSERT INTO up2k.cadres {columns} VALUES ('K0100', '{nik}', 'X', 'k', '2026-11-01', '2026-11-01', 'active', 100)",
         "cadres_nik_key"),
        (f"INSERT INTO up2k.cadres {columns} VALUES ('K0001', NULL, 'X', 'k', '2026-11-01', '2026-11-01', 'active', 101)",
         "cadres_pkey"),
        ("UPDATE up2k.cadres SET status = 'enrollex' WHERE id = 'K0001'", "cadres_status_check"),
        ("UPDATE up2k.cadres SET registered_on = '2026-02-30' WHERE id = 'K0001'", "out of range"),
        ("UPDATE up2k.cadres SET name = NULL WHERE id = 'K0001'", "not-null"),
        ("UPDATE up2k.enrollments SET cadre_id = 'K0999' WHERE id = 'E0001'", "enrollments_cadre_id_fkey"),
        ("INSERT INTO up2k.enrollments (id, batch, cadre_id, status, kelurahan_code, pos) "
         "VALUES ('E0050', 'B01', 'K0001', 'withdrawn', 'k', 50)", "enrollments_batch_cadre_id_key"),
        ("DELETE FROM up2k.cadres WHERE id = 'K0001'", "enrollments_cadre_id_fkey"),
    ):  # fmt: skip
        done = psql(postgres_cluster, enrolled, sql)
        assert done.returncode == 3 and says in done.stderr, (sql, done.stderr)


def test_the_erasure_reaches_the_history_through_the_database_rule(enrolled: str, up2k: Run) -> None:
    up2k("cadre", "update", "K0001", "--phone", "0813-9999-0000", check=True)
    result = up2k("cadre", "forget", "K0001", "--reason", "permintaan ybs", check=True)
    assert "section 'Backups on PostgreSQL'" in result.stderr
    with psycopg.connect(enrolled) as conn:
        (changes,) = conn.execute(
            "SELECT changes FROM up2k.history WHERE ref = 'K0001' AND action = 'update'"
        ).fetchone()  # type: ignore[misc]
    assert changes == {"phone": ["(erased)", "(erased)"]}
    text = json.dumps(storage_dump(enrolled))
    assert "9999" not in text and 'Kader 1"' not in text


def storage_dump(url: str) -> dict[str, Any]:
    with PostgresUnitOfWork(url) as uow:
        return uow.data()


# --- copies between backends ------------------------------------------------------------------


def exports(run: Run) -> list[str]:
    return [run(*args).stdout for args in registry_data.EXPORTS]


def test_file_to_postgresql_to_file_is_byte_identical(tmp_path: Path, postgres_url: str) -> None:
    source = tmp_path / "registry.json"
    run = cli_runner(source)
    registry_data.build(run)
    before = source.read_bytes()
    seen = exports(run)
    copied = run("copy", "--to", postgres_url)
    assert copied.stderr == (
        f"Copied {source} to {storage.shown(postgres_url)}: 13 cadres, 2 batches, 9 enrollments, "
        "2 businesses and 28 history entries, IDs kept.\n"
    )
    server = cli_runner(postgres_url)
    assert exports(server) == seen
    back = tmp_path / "back" / "registry.json"
    server("copy", "--to", str(back))
    assert back.read_bytes() == before
    assert oct(back.stat().st_mode & 0o777) == "0o600"
    assert exports(cli_runner(back)) == seen
    assert server("check").exit_code == 0


def test_postgresql_to_file_to_postgresql_keeps_every_record_and_counter(
    tmp_path: Path, postgres_db_factory: Callable[[], str]
) -> None:
    first, second = postgres_db_factory(), postgres_db_factory()
    run = cli_runner(first)
    registry_data.build(run)
    before = storage_dump(first)
    seen = exports(run)
    middle = tmp_path / "registry.json"
    run("copy", "--to", str(middle))
    cli_runner(middle)("copy", "--to", second)
    assert storage_dump(second) == before
    assert exports(cli_runner(second)) == seen
    # IDs go on from the copied counters, on both.
    for target in (second, middle):
        assert cli_runner(target)(*register_args(nik=make_nik(900), name="Baru Sekali")).stdout == "K0014\n"


def test_a_copy_is_recorded_in_the_source_as_a_file_with_everyones_data(
    tmp_path: Path, postgres_url: str, url: str
) -> None:
    run = cli_runner(url)
    run(*register_args())
    target = tmp_path / "laptop.json"
    run("copy", "--to", str(target))
    (entry,) = json.loads(run("history", "--entity", "export", "--format", "json").stdout)
    assert (entry["action"], entry["ref"], entry["changes"]["file"]) == (
        "personal-data-export", "copy of the registry", [None, str(target)],
    )  # fmt: skip
    assert json.loads(cli_runner(target)("history", "--entity", "export", "--format", "json").stdout) == []
    forgot = run("cadre", "forget", "K0001", "--reason", "ybs")
    assert f"  {target} (" in forgot.stderr  # the copy is named as holding the person


def test_a_copy_never_overwrites_a_registry(tmp_path: Path, url: str, postgres_url: str) -> None:
    run = cli_runner(url, check_default=False)
    existing = tmp_path / "registry.json"
    cli_runner(existing)("init")
    before = existing.read_bytes()
    for target, shown in ((str(existing), str(existing)), (url, storage.shown(url))):
        result = run("copy", "--to", target)
        assert result.exit_code == 1
        line = one_error_line(result.stderr)
        assert shown in line and ("is the registry itself" in line or "holds a registry already" in line)
    assert existing.read_bytes() == before
    into_file = cli_runner(existing, check_default=False)("copy", "--to", url)
    assert into_file.exit_code == 1 and "holds a registry already" in into_file.stderr


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda d: d["cadres"]["1"].update(nickname="Ani"),
         "table cadres, record K0001 holds a field 'nickname' that up2k does not know; nothing was copied"),
        (lambda d: d["cadres"]["2"].update(nik=d["cadres"]["1"]["nik"]),
         "table cadres cannot go into the database: duplicate key value violates unique constraint "
         '"cadres_nik_key" (Key (nik)=(317406******0001) already exists.); nothing was copied'),
        (lambda d: d["cadres"]["1"].update(registered_on="2026-02-30"),
         'table cadres cannot go into the database: date/time field value out of range: "2026-02-30"'),
    ],
    ids=["unknown field", "duplicate NIK", "no such day"],
)  # fmt: skip
def test_a_file_the_database_cannot_hold_is_refused_and_nothing_is_created(
    tmp_path: Path, postgres_url: str, damage: Callable[[dict[str, Any]], None], says: str
) -> None:
    from tests.enrollment_data import cadres_csv

    source = tmp_path / "registry.json"
    run = cli_runner(source, check_default=False)
    run("init")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 2}))
    edit_registry(source, damage)
    result = run("copy", "--to", postgres_url)
    assert result.exit_code in (1, 3)
    assert says in one_error_line(result.stderr)
    assert scalar(postgres_url, "SELECT to_regnamespace('up2k') IS NULL") is True


def test_a_copy_reads_the_server_in_one_snapshot(url: str, tmp_path: Path) -> None:
    """data() reads what was committed when it began, all tables at one moment."""
    with PostgresUnitOfWork(url) as uow:
        cadres.register(
            PostgresUnitOfWork(url, command="register"), dict(_raw(7), consent=True), today=_today()
        )
        data = uow.data()
    assert len(data["cadres"]) == len(data["history"]) == 1
    assert data["meta"]["1"]["counters"] == {"cadre": 1, "history": 1}


def test_a_server_url_that_is_not_one_is_refused() -> None:
    with pytest.raises(RegistryUnusable, match="is not a PostgreSQL URL up2k can use"):
        PostgresUnitOfWork("postgresql://a:b@host/db?colour=blue")


OFFICE_GRANTS = """
GRANT USAGE ON SCHEMA up2k TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA up2k TO {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA up2k TO {role};
"""


def test_a_role_with_grants_but_no_account_sees_nothing_and_cannot_switch_the_rules_off(
    postgres_cluster: PostgresCluster, url: str, request: pytest.FixtureRequest
) -> None:
    """Row-level security denies by default: a role given table rights by hand, but not made an
    account with `up2k office add`, reads and writes no record; and, not owning the tables, it
    cannot disable a trigger or the row-level security, truncate or drop."""
    role = f"office_{abs(hash(request.node.name)) % 10**8}"
    postgres_cluster.create_role(role, "kantor-rahasia")
    try:
        assert psql(postgres_cluster, url, OFFICE_GRANTS.format(role=role)).returncode == 0
        cli_runner(url)("import", "cadres", "-", input=registry_data.EVERYTHING[1][1])
        office = postgres_cluster.url(url.rsplit("/", 1)[1], user=role, password="kantor-rahasia")
        run = cli_runner(office, check_default=False)
        assert json.loads(run("cadre", "list", "--format", "json").stdout) == []
        registered = run(*register_args())
        assert registered.exit_code == 1 and "row-level security" in one_error_line(registered.stderr)
        db = url.rsplit("/", 1)[1]
        for sql in ("ALTER TABLE up2k.history DISABLE TRIGGER history_append_only", "TRUNCATE up2k.history",
                    "DROP TABLE up2k.files", "ALTER TABLE up2k.cadres NO FORCE ROW LEVEL SECURITY"):  # fmt: skip
            done = postgres_cluster.psql(sql, user=role, password="kantor-rahasia", db=db)
            assert done.returncode == 3, sql
            assert "must be owner" in done.stderr or "permission denied" in done.stderr
        done = postgres_cluster.psql(
            "SELECT count(*) FROM up2k.cadres", user=role, password="kantor-rahasia", db=db
        )
        assert done.stdout.strip() == "0"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
        postgres_cluster.drop_role(role)


def test_a_file_changed_outside_up2k_is_not_copied(tmp_path: Path, postgres_url: str) -> None:
    """The copy is recorded in its source, so a source that may not be written is refused first,
    before anything is made."""
    source = tmp_path / "registry.json"
    run = cli_runner(source, check_default=False)
    run("init")
    data = json.loads(source.read_bytes())
    data["meta"]["1"]["target"]["minimum"] = 1  # by hand, without up2k's seal
    source.write_text(json.dumps(data))
    result = run("copy", "--to", postgres_url)
    assert result.exit_code == 3
    assert "was changed outside up2k" in one_error_line(result.stderr)
    assert scalar(postgres_url, "SELECT to_regnamespace('up2k') IS NULL") is True


def test_many_records_go_in_as_one_insert_where_row_security_applies(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    """The schema's owner (not a superuser) meets row-level security, which refuses COPY: many
    records then go in as one INSERT of a JSON array, and come back as a file holds them
    (nested values, arrays, dates, booleans, optional fields left out)."""
    login = f"owner_{time.monotonic_ns()}"
    postgres_cluster.create_role(login, "owner-password")
    db = postgres_cluster.create_database(login, template="template0", owner=login)
    url = postgres_cluster.url(db, login, "owner-password")
    file = str(tmp_path / "registry.json")
    cadre_rows = [
        {"id": f"K{n:04d}", "nik": make_nik(n), "name": f"Kader {n}", "kelurahan_code": "31.74.06.1003",
         "registered_on": "2026-11-01", "consent_on": "2026-11-01", "status": "active", "name_key": f"kader {n}",
         "household_size": n, "status_log": [{"status": "active", "on": "2026-11-0" + str(n % 9 + 1), "z": None}]}
        for n in range(1, 31)
    ]  # fmt: skip
    entries = [
        {"entity": "cadre", "ref": f"K{n:04d}", "action": "create", "changes": {"b": [None, 1], "a": [2, None]},
         **({"refs": [f"K{n:04d}", "K0001"], "reason": "why"} if n % 2 else {})}
        for n in range(1, 31)
    ]  # fmt: skip
    found = []
    for location in (url, file):
        meta = presets.new_meta(NOW_STAMP.date(), NOW_STAMP, migrations.CURRENT_VERSION)
        assert storage.create_registry(location, meta)
        with storage.open_registry(location, command="test", user="tester", now=NOW_STAMP) as uow:
            assert uow.backend == "file" or uow.row_security  # the owner meets it: no COPY
            uow.cadres.add_many(cadre_rows)
            uow.record_changes(entries)
            uow.commit()
        with storage.open_registry(location) as uow:
            found.append((uow.cadres.all(), uow.history.all(), uow.counters()))
    assert found[0] == found[1]
    assert [list(c) for c in found[0][0]] == [list(c) for c in found[1][0]]  # fields in order
    assert list(found[0][1][0]["changes"]) == ["b", "a"] and "refs" not in found[0][1][1]  # key order kept
    assert list(found[0][0][0]["status_log"][0]) == ["status", "on", "z"]
    postgres_cluster.drop_database(db)
    postgres_cluster.drop_role(login)
