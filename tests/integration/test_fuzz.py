"""Bad input at scale: every command with generated arguments, and imports of hostile files.

Whatever comes in, up2k answers with exit 0, 1, 2 or 3, never a traceback, and the registry
stays loadable.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.enrollment_data import cadres_csv
from up2k_cli.cli.main import app
from up2k_cli.storage import tiny

FUZZ_EXAMPLES = 250


def leaf_commands() -> list[tuple[list[str], Any]]:
    """Every runnable command with its path, e.g. (['cadre', 'list'], <Command>)."""
    found = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            found.append((path, command))

    walk(typer.main.get_command(app), [])
    return found


LEAVES = leaf_commands()

nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "--db",
            "--help",
            "\n",
            "K0001",
            "k0001",
            "B01",
            "U0001",
            "3174065103900001",
            "3,17406E+15",
            "9" * 400,
            "-1",
            "0",
            "1e309",
            "NaN",
            "2026-02-30",
            "27/11/2026",
            "2026-W53",
            "Pondok Labu",
            "kuliner",
            "Rp 1.500.000",
            "1,5 jt",
            "../../etc/passwd",
            "=cmd|'/c calc'!A1",
            "ya",
            "tidak",
            "\x00",
            "💥",
            "Ĳ",
            "a\nb",
            "--db=/tmp/x\ny",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    path, command = draw(st.sampled_from(LEAVES))
    args = list(path)
    for param in command.params:
        if param.name in ("help",) or not draw(st.booleans()):
            continue
        if param.param_type_name == "option":
            flag = draw(st.sampled_from(param.opts))
            if param.is_flag:
                args.append(flag)
            else:
                args += [flag, draw(nasty_text)]
        else:
            args += draw(st.lists(nasty_text, min_size=1, max_size=3))
    if draw(st.integers(0, 9)) == 0:  # stray extra words and options
        args += draw(st.lists(nasty_text, max_size=3))
    return args


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A small registry with a cadre, a batch, an enrollment, a business and an income."""
    db = tmp_path_factory.mktemp("seed") / "registry.json"
    runner = CliRunner()
    env = {"UP2K_DB": str(db), "UP2K_TODAY": "2026-11-27"}
    for args, stdin in (
        (["init"], None),
        (["import", "cadres", "-"], cadres_csv({"Pondok Labu": 3})),
        (["batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30"], None),
        (["enroll", "-b", "B01", "K0001"], None),
        (["business", "add", "K0001", "--name", "Kue", "--category", "kuliner"], None),
        (["income", "add", "K0001", "--amount", "2 jt"], None),
    ):
        assert runner.invoke(app, args, input=stdin, env=env).exit_code == 0
    return db


@settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=command_lines(), global_db=st.one_of(st.none(), st.text(max_size=20)))
def test_every_command_with_generated_arguments(seeded, tmp_path, monkeypatch, line, global_db):
    monkeypatch.chdir(tmp_path)  # generated --output names land here, not in the repository
    db = tmp_path / "registry.json"
    shutil.copyfile(seeded, db)
    db.chmod(0o600)
    prefix = ["--db", str(tmp_path / f"other-{global_db}")] if global_db is not None else []
    result = CliRunner().invoke(
        app, [*prefix, *line], env={"UP2K_DB": str(db), "UP2K_TODAY": "2026-11-27"}, input=""
    )
    assert result.exit_code in (0, 1, 2, 3), (line, result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), (line, result.exception)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (line, result.stderr)
    tiny.load(db)  # still a whole registry


def import_file(tmp_path: Path, data: bytes, measure: bool = False) -> tuple[int, str, float, int]:
    """(exit code, stderr, seconds, peak bytes allocated if measured) of importing `data`."""
    source = tmp_path / "input.csv"
    source.write_bytes(data)
    db = tmp_path / "registry.json"
    runner = CliRunner()
    env = {"UP2K_DB": str(db), "UP2K_TODAY": "2026-11-27"}
    if not db.exists():
        assert runner.invoke(app, ["init"], env=env).exit_code == 0
    if measure:
        tracemalloc.start()
    started = time.monotonic()
    result = runner.invoke(app, ["import", "cadres", str(source)], env=env)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] if measure else 0
    tracemalloc.stop()
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    tiny.load(db)
    return result.exit_code, result.stderr, seconds, peak


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000))
def test_import_of_random_bytes_is_refused_clearly(tmp_path, data):
    code, err, _, _ = import_file(tmp_path, data)
    assert code in (0, 1), err
    if code == 1:
        assert err.strip().split("\n")[-1].startswith("Error: ")


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    quote_all=st.booleans(),
    rows=st.lists(st.lists(cells, min_size=1, max_size=8), max_size=6),
    bom=st.booleans(),
)
def test_import_of_random_csv_dialects_never_crashes(tmp_path, delimiter, newline, quote_all, rows, bom):
    header = ["NIK", "Nama", "Kelurahan", "RW", "RT", "Alamat", "Persetujuan"]

    def line(values: list[str]) -> str:
        if quote_all:
            values = ['"' + v.replace('"', '""') + '"' for v in values]
        return delimiter.join(values)

    text = newline.join([line(header), *(line(r) for r in rows)])
    code, err, _, _ = import_file(tmp_path, (b"\xef\xbb\xbf" if bom else b"") + text.encode())
    assert code in (0, 1), err


def test_a_one_megabyte_field_is_refused_in_bounded_time_and_memory(tmp_path):
    data = (
        b"NIK;Nama;Kelurahan;RW;RT;Alamat;Persetujuan\n3174064101850001;"
        + b"A" * 1_000_000
        + b";x;1;1;a;ya\n"
    )
    code, err, seconds, peak = import_file(tmp_path, data, measure=True)
    assert code == 1
    assert "over 10000 characters" in err or "is not valid CSV" in err
    assert seconds < 5 and peak < 100 * 2**20


def test_a_100000_column_header_is_refused_in_bounded_time_and_memory(tmp_path):
    data = ";".join(f"c{i}" for i in range(100_000)).encode() + b"\n"
    code, err, seconds, peak = import_file(tmp_path, data, measure=True)
    assert code == 1
    assert "the header has 100000 columns; at most 200" in err
    assert seconds < 5 and peak < 200 * 2**20
