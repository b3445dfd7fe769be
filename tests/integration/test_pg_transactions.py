"""Transactions on PostgreSQL with real processes: a client killed (-9) or interrupted (Ctrl-C)
mid-command, the server stopped mid-command, and eight writers at once. The promise: a command's
changes are all there or none is, nothing committed is lost, quotas and capacity are exact."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.enrollment_data import cadres_csv, nik
from tests.helpers import REPO, TODAY, cli_runner
from tests.pgcluster import PostgresCluster
from up2k_cli.i18n import INTERRUPTED

POOL = 200  # K0001-K0200, 40 per kelurahan in the order of enrollment_data.KELURAHAN
KELURAHAN = ["Cilandak Barat", "Lebak Bulus", "Pondok Labu", "Gandaria Selatan", "Cipete Selatan"]
RESERVE_HISTORY = "SELECT pg_advisory_lock(hashtextextended('up2k.reserve history', 0))"


def env(url: str) -> dict[str, str]:
    return {**os.environ, "UP2K_DB": url, "UP2K_TODAY": TODAY, "UP2K_LANG": "en", "PYTHONPATH": str(REPO)}


def spawn(url: str, *args: str, stdin: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "up2k_cli", *args], env=env(url), cwd=REPO, text=True,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def prepare(url: str) -> None:
    run = cli_runner(url)
    run("init", "--start", "2026-01-05")
    run("import", "cadres", "-", input=cadres_csv(dict.fromkeys(KELURAHAN, POOL // 5)))


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM up2k.{table}").fetchone()[0]  # type: ignore[index]
            for table in ("cadres", "enrollments", "businesses", "incomes", "history")
        }


def big_import(rows: int, first: int = 5000) -> str:
    """`rows` new cadres whose NIKs differ from the pool's."""
    lines = cadres_csv({"Cipete Selatan": rows}).splitlines()
    body = [line.replace("Kader ", "Baru ").replace("3174", "3175", 1) for line in lines[1:]]
    return "\n".join([lines[0], *body]) + "\n"


def wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def waiting_on_the_latch(url: str) -> bool:
    """An up2k command is waiting for the history counter's latch (its rows are written)."""
    return waiting(url, "AND wait_event = 'advisory'") >= 1


def waiting(url: str, also: str = "") -> int:
    """How many up2k commands wait for a lock."""
    with psycopg.connect(url, autocommit=True) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'up2k' "
                f"AND wait_event_type = 'Lock' {also}"
            ).fetchone()[0]  # type: ignore[index]
        )


@pytest.fixture(scope="module")
def pool_template(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A database with the pool of cadres, copied for each trial (CREATE DATABASE ... TEMPLATE)."""
    name = postgres_cluster.create_database("tpl_pool", template="template0")
    prepare(postgres_cluster.url(name))
    yield name
    postgres_cluster.drop_database(name)


@pytest.fixture
def fresh_pool(postgres_cluster: PostgresCluster, pool_template: str) -> Iterator[Callable[[], str]]:
    made: list[str] = []

    def make() -> str:
        made.append(postgres_cluster.create_database(f"pool_{len(made)}", template=pool_template))
        return postgres_cluster.url(made[-1])

    yield make
    for name in made:
        postgres_cluster.drop_database(name)


# --- a client that dies or is interrupted mid-command -------------------------------------------


def test_kill_9_after_the_rows_are_written_leaves_nothing(fresh_pool: Callable[[], str]) -> None:
    url = fresh_pool()
    before = counts(url)
    with psycopg.connect(url, autocommit=True) as latch:
        latch.execute(RESERVE_HISTORY)  # the import writes its 1,000 cadres, then waits here
        proc = spawn(url, "import", "cadres", "-", stdin=True)
        assert proc.stdin is not None
        proc.stdin.write(big_import(1000))
        proc.stdin.close()
        wait_for(lambda: waiting_on_the_latch(url))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert counts(url) == before
    # The server ended the dead client's transaction: nothing is left holding a lock.
    wait_for(lambda: not waiting_on_the_latch(url))
    result = cli_runner(url, check_default=False)(
        "--lock-timeout", "2", "import", "cadres", "-", input=big_import(10)
    )
    assert result.exit_code == 0, result.stderr


def test_kill_9_at_random_moments_leaves_before_or_after_never_a_mix(fresh_pool: Callable[[], str]) -> None:
    rng = random.Random(20261127)
    csv_text = big_import(3000)
    url = fresh_pool()
    started = time.monotonic()
    whole = subprocess.run(
        [sys.executable, "-m", "up2k_cli", "import", "cadres", "-"], env=env(url), cwd=REPO,
        input=csv_text, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Imported 3000 new cadres" in whole.stderr
    seconds = time.monotonic() - started
    outcomes = []
    for _ in range(8):
        url = fresh_pool()
        before, after = POOL, POOL + 3000
        proc = spawn(url, "import", "cadres", "-", stdin=True)
        assert proc.stdin is not None
        try:
            proc.stdin.write(csv_text)
            proc.stdin.close()
        except OSError:
            pass
        time.sleep(rng.uniform(0.05, seconds * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = counts(url)
        history = found["history"]
        if found["cadres"] == before and history == 1:
            outcomes.append("before")
        elif found["cadres"] == after and history == 2:
            outcomes.append("after")
        else:
            outcomes.append(f"mixed: {found}")
    assert [o for o in outcomes if o.startswith("mixed")] == [], outcomes
    assert "before" in outcomes, (seconds, outcomes)


def test_ctrl_c_mid_command_exits_130_with_one_line_and_writes_nothing(fresh_pool: Callable[[], str]) -> None:
    url = fresh_pool()
    before = counts(url)
    with psycopg.connect(url, autocommit=True) as latch:
        latch.execute(RESERVE_HISTORY)
        proc = spawn(url, "import", "cadres", "-", stdin=True)
        out, err = _interrupt_when_waiting(url, proc, big_import(500))
    assert proc.returncode == 130
    assert err == f"{INTERRUPTED}\n" and out == ""
    assert counts(url) == before


def _interrupt_when_waiting(url: str, proc: subprocess.Popen[str], stdin: str) -> tuple[str, str]:
    assert proc.stdin is not None
    proc.stdin.write(stdin)
    proc.stdin.close()
    wait_for(lambda: waiting_on_the_latch(url))
    proc.send_signal(signal.SIGINT)
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=30)
    return out, err


# --- two commands racing for one thing --------------------------------------------------------

RACES = {
    # The first registers the NIK and stops before committing; the second registers it too.
    "one NIK twice": (
        ["register", "--nik", nik(7777), "--name", "Ani Pertama", "--kelurahan", "Lebak Bulus", "--rw", "1",
         "--rt", "1", "--address", "Jl. A", "--consent"],
        ["register", "--nik", nik(7777), "--name", "Ani Kedua", "--kelurahan", "Pondok Labu", "--rw", "2",
         "--rt", "2", "--address", "Jl. B", "--consent"],
        "Error: nik 317406******7777 is already registered as K0201 (Ani Pertama); "
        "use 'up2k cadre update K0201' to change it\n",
        "K0201\n",
    ),
    # The first takes the batch's last place; the second wants it too.
    "the last place": (
        ["enroll", "-b", "B01", "K0001"],
        ["enroll", "-b", "B01", "K0002"],
        "Error: enrolling these would put the batch over its capacity of 1 by 1; nothing was enrolled. "
        "Enroll fewer, or add --waitlist to queue those beyond the limit\n",
        "",
    ),
}  # fmt: skip


@pytest.mark.parametrize("race", list(RACES))
def test_the_second_of_two_racing_commands_gets_the_files_refusal(
    fresh_pool: Callable[[], str], race: str
) -> None:
    """The first command has written and waits before its commit (the test holds the history
    counter's latch); the second starts meanwhile. It waits for the first, then sees its work
    and is refused exactly as on a file, where the two would have run one after the other."""
    first, second, refusal, printed = RACES[race]
    url = fresh_pool()
    cli_runner(url)("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30",
                    "--capacity", "1")  # fmt: skip
    with psycopg.connect(url, autocommit=True) as latch:
        latch.execute(RESERVE_HISTORY)
        a = spawn(url, *first)
        wait_for(lambda: waiting_on_the_latch(url))
        b = spawn(url, *second)
        wait_for(lambda: waiting(url) == 2)
        latch.execute("SELECT pg_advisory_unlock_all()")
        out_a, err_a = a.communicate(timeout=30)
        out_b, err_b = b.communicate(timeout=30)
    assert (a.returncode, out_a) == (0, printed), err_a
    assert (b.returncode, out_b, err_b) == (1, "", refusal)
    assert cli_runner(url)("check").exit_code == 0


# --- the server going away mid-command -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_the_server_stopped_mid_command_gives_exit_3_and_writes_nothing(tmp_path: Path, mode: str) -> None:
    """Its own cluster: stopped (fast: as an administrator does; immediate: as in a crash) while
    an import has written its rows, then started again."""
    durable = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}  # a crash keeps commits
    with PostgresCluster(settings=durable) as cluster:
        cluster.create_database("office")
        prepare(cluster.url("office"))
        url = cluster.url("office")
        before = counts(url)
        latch = psycopg.connect(url, autocommit=True)
        latch.execute(RESERVE_HISTORY)
        proc = spawn(url, "import", "cadres", "-", stdin=True)
        assert proc.stdin is not None
        proc.stdin.write(big_import(800))
        proc.stdin.close()
        wait_for(lambda: waiting_on_the_latch(url))
        port = cluster.port
        cluster.stop_server(mode)
        assert proc.stdout is not None and proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.wait(timeout=60)
        latch.close()
        assert proc.returncode == 3, err
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert lines[0].startswith(f"Error: lost the connection to database office on 127.0.0.1:{port}: "), (
            err
        )
        assert lines[0].endswith("; nothing was written")
        assert cluster.password not in err
        cluster.start_server()
        url = cluster.url("office")
        assert counts(url) == before
        again = cli_runner(url, check_default=False)("import", "cadres", "-", input=big_import(5))
        assert again.exit_code == 0, again.stderr


# --- eight writers at once -------------------------------------------------------------------------

WORKER = """
import json, sys, time
from pathlib import Path
from typer.testing import CliRunner
from up2k_cli.cli.main import app

url, plan, out, go = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
runner = CliRunner()
while not go.exists():
    time.sleep(0.002)
results = []
for args in plan:
    result = runner.invoke(app, ["--lock-timeout", "60", *args], env={"UP2K_DB": url, "UP2K_TODAY": "2026-11-27"})
    results.append({"args": args, "code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr})
out.write_text(json.dumps(results))
"""
READER = """
import json, sys, time
from pathlib import Path
from typer.testing import CliRunner
from up2k_cli.cli.main import app

url, out, go, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
runner = CliRunner()
while not go.exists():
    time.sleep(0.002)
results = []
while not stop.exists():
    for args in (["report", "kelurahan", "--format", "json"], ["check", "--format", "json"]):
        result = runner.invoke(app, args, env={"UP2K_DB": url, "UP2K_TODAY": "2026-11-27"})
        results.append({"args": args, "code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr})
out.write_text(json.dumps(results))
"""
SHARED_NIKS = [nik(9001), nik(9002)]  # every worker registers both: one wins each
SHARED_NIB = "9999999999999"  # every worker adds a business with it: one wins
WRITERS = 8


def writer_plan(w: int) -> list[list[str]]:
    """Worker w's commands: its own records, contested ones, and enrollment into the same batches."""

    def register(serial: int, name: str) -> list[str]:
        return ["register", "--nik", nik(serial), "--name", name, "--kelurahan", KELURAHAN[w % 5], "--rw", "1",
                "--rt", "1", "--address", "Jl. Baru", "--consent"]  # fmt: skip

    def pool(n: int) -> str:  # 4 cadres per worker, from every kelurahan in turn
        return f"K{1 + (w * 4 + n) % 5 * 40 + (w * 4 + n) // 5:04d}"

    return [
        register(9001, f"Rebutan {w} A"),  # first: all eight at the same moment
        ["enroll", "-b", "B01", "--waitlist", pool(0), pool(1)],
        register(5000 + w * 10, f"Baru {w} A"),
        ["business", "add", f"K{101 + w:04d}", "--name", f"Usaha {w}", "--category", "kuliner"],
        ["enroll", "-b", "B02", f"K{150 + w:04d}"],
        register(5001 + w * 10, f"Baru {w} B"),
        ["income", "add", f"K{120 + w:04d}", "--amount", f"{1_000_000 + w}", "--date", "2026-11-20"],
        register(9002, f"Rebutan {w} B"),
        ["enroll", "-b", "B01", "--waitlist", pool(2), pool(3)],
        [
            "business",
            "add",
            f"K{180 + w:04d}",
            "--name",
            f"NIB {w}",
            "--category",
            "jasa",
            "--nib",
            SHARED_NIB,
        ],
        register(5002 + w * 10, f"Baru {w} C"),
    ]


REFUSALS = (
    "is already registered as",
    "already belongs to business",
    "the batch over its capacity of 6 by 1",
)


def test_eight_writers_at_once_lose_nothing_and_keep_quotas_exact(
    fresh_pool: Callable[[], str], tmp_path: Path
) -> None:
    url = fresh_pool()
    run = cli_runner(url)
    run("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30",
        "--capacity", "20", "--quota-per-kelurahan", "6")  # fmt: skip
    run("batch", "add", "B02", "--title", "U", "--start", "2026-11-01", "--end", "2026-11-30",
        "--capacity", "6", "--quota-per-kelurahan", "0")  # fmt: skip
    start = counts(url)
    go, stop = tmp_path / "go", tmp_path / "stop"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, json.dumps(writer_plan(w)), str(tmp_path / f"w{w}.json"), str(go)],
            env=env(url), cwd=REPO,
        )
        for w in range(WRITERS)
    ]  # fmt: skip
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, url, str(tmp_path / "reader.json"), str(go), str(stop)],
        env=env(url),
        cwd=REPO,
    )
    time.sleep(0.5)  # all are importing; release them together
    go.touch()
    for proc in procs:
        assert proc.wait(timeout=300) == 0
    stop.touch()
    assert reader.wait(timeout=120) == 0
    results = [r for w in range(WRITERS) for r in json.loads((tmp_path / f"w{w}.json").read_text())]
    assert len(results) == WRITERS * len(writer_plan(0))

    # Every command either did its whole work or was refused as the file refuses it.
    for r in results:
        assert r["code"] in (0, 1), r
        if r["code"] == 1:
            assert any(text in r["stderr"] for text in REFUSALS), r
            assert r["stderr"].count("\n") == 1, r
    ok = [r for r in results if r["code"] == 0]
    by_kind = Counter(" ".join(r["args"][:2]) if r["args"][0] != "register" else "register" for r in ok)

    with psycopg.connect(url) as conn:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return conn.execute(sql).fetchall()

        # Registers: every ID printed is there, the contested NIKs once each, IDs without gaps.
        printed = sorted(r["stdout"].strip() for r in ok if r["args"][0] == "register")
        assert len(printed) == WRITERS * 3 + len(SHARED_NIKS)
        new = [ident for (ident,) in rows(f"SELECT id FROM up2k.cadres WHERE pos > {POOL} ORDER BY pos")]
        assert sorted(new) == printed == [f"K{n:04d}" for n in range(POOL + 1, POOL + len(printed) + 1)]
        for shared in SHARED_NIKS:
            assert rows(f"SELECT count(*) FROM up2k.cadres WHERE nik = '{shared}'") == [(1,)]
        # Places: the capacity filled exactly, no kelurahan over its quota, as the outputs said.
        places = rows("SELECT batch, status, kelurahan_code, count(*) FROM up2k.enrollments GROUP BY 1, 2, 3")
        held = Counter()
        for batch, status, _kelurahan, n in places:
            if status == "enrolled":
                held[batch] += n
                if batch == "B01":
                    assert n <= 6, places
        assert held == {"B01": 20, "B02": 6}
        said = sum(_enrolled(r) for r in ok if r["args"][:3] == ["enroll", "-b", "B01"])
        assert said == 20
        assert rows("SELECT count(*) FROM up2k.enrollments WHERE status = 'waitlisted'") == [(12,)]
        assert by_kind["enroll -b"] == WRITERS * 2 + 6  # B01 never refuses (--waitlist); B02 takes 6
        # Businesses and incomes: each success is one record; the contested NIB once.
        assert rows("SELECT count(*) FROM up2k.businesses") == [(by_kind["business add"],)]
        assert by_kind["business add"] == WRITERS + 1
        assert rows(f"SELECT count(*) FROM up2k.businesses WHERE nib = '{SHARED_NIB}'") == [(1,)]
        assert rows("SELECT count(*) FROM up2k.incomes") == [(WRITERS,)] == [(by_kind["income add"],)]
        # Every record made has its history entry.
        created = {ref for (ref,) in rows("SELECT ref FROM up2k.history WHERE action = 'create'")}
        for table in ("businesses", "incomes"):
            assert {i for (i,) in rows(f"SELECT id FROM up2k.{table}")} <= created
        assert set(new) <= created
        assert counts(url)["history"] > start["history"]

    # Readers saw whole moments all along: every check passed, every total adds up.
    seen = json.loads((tmp_path / "reader.json").read_text())
    assert seen, "the reader ran"
    for r in seen:
        assert r["code"] == 0, r
        if r["args"][0] == "report":
            kelurahan = json.loads(r["stdout"])["tables"]["kelurahan"]
            total, parts = kelurahan[-1], kelurahan[:-1]
            assert total["cadres"] == sum(p["cadres"] for p in parts)
            assert total["enrolled"] == sum(p["enrolled"] for p in parts) <= 26
    assert cli_runner(url)("check").exit_code == 0


def _enrolled(result: dict[str, Any]) -> int:
    found = re.match(r"Enrolled (\d+) in B01", result["stderr"])
    assert found, result
    return int(found[1])
