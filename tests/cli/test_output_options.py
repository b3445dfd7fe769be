"""The shared output options: one --format/-f and --output/-o for every command that writes,
validated by the parser; --limit/--offset in every format; the terminal (styles, pager, one
screenful) against pipes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.helpers import CLEARED_ENV, REPO, TODAY, run_on_terminal
from tests.output_data import build
from up2k_cli.cli.main import app

# Every command that writes output, with the arguments it needs besides the options.
OUTPUT_COMMANDS: dict[str, list[str]] = {
    "cadre list": [],
    "cadre show": ["K0001"],
    "batch list": [],
    "batch show": ["B01"],
    "business list": [],
    "business show": ["U0001"],
    "settings agency-map": [],
    "check": [],
    "history": [],
    "backup list": [],
    **{
        f"export {what}": []
        for what in (
            "cadres",
            "batches",
            "enrollments",
            "businesses",
            "steps",
            "incomes",
            "business-follow-ups",
            "groups",
            "memberships",
            "group-tiers",
            "referrals",
            "referral-updates",
        )
    },
    **{
        f"report {what}": []
        for what in (
            "summary",
            "kelurahan",
            "weekly",
            "target",
            "pipeline",
            "income",
            "agencies",
            "jobs",
            "pokja2",
            "facilitation",
            "dashboard",
        )
    },
    "report batch": ["B01"],
    "office list": [],
    "group list": [],
    "group show": ["G0001"],
    "group assess": [],
    "settings group-tiers": [],
    "settings pokja2": [],
    "referral list": [],
    "referral show": ["R0001"],
}


def _commands(command: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    found = {" ".join(path): command} if path else {}
    for name, sub in getattr(command, "commands", {}).items():
        found |= _commands(sub, (*path, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _format_option(path: str) -> Any:
    return next((p for p in COMMANDS[path].params if "--format" in getattr(p, "opts", ())), None)


@pytest.fixture(scope="module")
def registry_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    db = tmp_path_factory.mktemp("options") / "registry.json"
    runner = CliRunner()
    env = {**{name: None for name in CLEARED_ENV}, "UP2K_DB": str(db), "UP2K_TODAY": TODAY, "UP2K_LANG": "en"}

    def run(*args: str) -> None:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, (args, result.stderr)

    build(run)
    return db.read_bytes()


@pytest.fixture
def up2k(registry_bytes: bytes, tmp_path: Path) -> Any:
    db = tmp_path / "registry.json"
    db.write_bytes(registry_bytes)
    db.chmod(0o600)
    runner = CliRunner()

    def run(*args: str, **env: str | None) -> Any:
        full = {**{n: None for n in CLEARED_ENV}, "UP2K_DB": str(db), "UP2K_TODAY": TODAY, "UP2K_LANG": "en",
                "COLUMNS": "200", **env}  # fmt: skip
        return runner.invoke(app, list(args), env=full)

    run.db = db  # type: ignore[attr-defined]
    return run


def test_every_command_that_writes_has_the_shared_options() -> None:
    with_format = {path for path in COMMANDS if _format_option(path) is not None}
    assert with_format == set(OUTPUT_COMMANDS)
    for path in with_format:
        opts = {o for p in COMMANDS[path].params for o in getattr(p, "opts", ())}
        assert {"--format", "-f", "--output", "-o"} <= opts, path


@pytest.mark.parametrize("path", list(OUTPUT_COMMANDS))
def test_an_unknown_format_is_a_usage_error_listing_the_formats(up2k: Any, path: str) -> None:
    before = up2k.db.read_bytes()
    result = up2k(*path.split(), *OUTPUT_COMMANDS[path], "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    formats = _format_option(path).metavar.strip("[]").split("|")
    assert f"Invalid value for '--format' / '-f': 'xml': use one of {', '.join(formats)}" in result.stderr
    assert up2k.db.read_bytes() == before
    assert f"[{'|'.join(formats)}]" in up2k(*path.split(), "--help").stdout


def test_the_three_commands_that_disagreed_now_agree(up2k: Any) -> None:
    """Before: cadre show refused xml, business show printed a table, agency-map wrote CSV."""
    for args in (["cadre", "show", "K0001"], ["business", "show", "U0001"], ["settings", "agency-map"]):
        result = up2k(*args, "--format", "xml")
        assert (result.exit_code, result.stdout) == (2, ""), args


def test_the_format_follows_the_output_extension(up2k: Any, tmp_path: Path) -> None:
    md = tmp_path / "cadres.md"
    assert up2k("cadre", "list", "-o", str(md)).exit_code == 0
    assert md.read_text().startswith("# Cadres (8)\n\n| ID | NIK |")
    book = tmp_path / "kel.xlsx"
    assert up2k("report", "kelurahan", "-o", str(book)).exit_code == 0
    assert load_workbook(book).sheetnames == ["kelurahan"]
    plain = tmp_path / "cadres.txt"  # no format of its own: the command's default
    assert up2k("cadre", "list", "-o", str(plain)).exit_code == 0
    assert plain.read_text().startswith("Cadres (8)\nID ")
    refused = up2k("cadre", "show", "K0001", "-o", str(tmp_path / "k.csv"))
    assert refused.exit_code == 2
    assert (
        "means --format csv, which this command does not write; use one of table, json, markdown"
        in refused.stderr
    )
    assert not (tmp_path / "k.csv").exists()
    # An explicit --format wins over the extension.
    assert up2k("export", "cadres", "-f", "json", "-o", str(tmp_path / "x.csv")).exit_code == 0
    assert json.loads((tmp_path / "x.csv").read_text())[0]["id"] == "K0001"


LIST_IDS = {
    "cadre list": [f"K{n:04d}" for n in range(1, 9)],
    "business list": [f"U{n:04d}" for n in range(1, 5)],
    "batch list": ["B01", "M01"],
    "group list": ["G0001", "G0002"],
    "referral list": ["R0001", "R0002", "R0003"],
}


def _ids_in(fmt: str, out: str, path: Path) -> list[str]:
    if fmt == "csv":
        return [row[0] for row in list(csv.reader(io.StringIO(out)))[1:]]
    if fmt == "json":
        return [next(iter(r.values())) for r in json.loads(out)]
    if fmt == "jsonl":
        return [next(iter(json.loads(line).values())) for line in out.splitlines()]
    if fmt == "ids":
        return out.split()
    if fmt == "xlsx":
        return [row[0].value for row in list(load_workbook(path).active.iter_rows())[1:]]
    return re.findall(r"^(?:\| )?([KUBMGR]\d+)\b", out, re.MULTILINE)  # table, markdown


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl", "ids", "markdown", "xlsx"])
@pytest.mark.parametrize("path", list(LIST_IDS))
def test_limit_and_offset_work_in_every_format(up2k: Any, tmp_path: Path, path: str, fmt: str) -> None:
    book = tmp_path / "l.xlsx"
    extra = ["--output", str(book)] if fmt == "xlsx" else []
    every = LIST_IDS[path]
    whole = up2k(*path.split(), "-f", fmt, *extra)
    assert _ids_in(fmt, whole.stdout, book) == every
    part = up2k(*path.split(), "-f", fmt, "--limit", "2", "--offset", "1", *extra)
    assert part.exit_code == 0, part.stderr
    assert _ids_in(fmt, part.stdout, book) == every[1:3]
    beyond = up2k(*path.split(), "-f", fmt, "--offset", "50", *extra)
    assert _ids_in(fmt, beyond.stdout, book) == []


def test_history_counts_limit_and_offset_from_the_newest(up2k: Any) -> None:
    every = json.loads(up2k("history", "-f", "json").stdout)
    assert [h["seq"] for h in json.loads(up2k("history", "-f", "json", "--limit", "3").stdout)] == [
        h["seq"] for h in every[-3:]
    ]
    older = json.loads(up2k("history", "-f", "json", "--limit", "3", "--offset", "2").stdout)
    assert [h["seq"] for h in older] == [h["seq"] for h in every[-5:-2]]
    rows = list(
        csv.DictReader(io.StringIO(up2k("history", "-f", "csv", "--limit", "3", "--offset", "2").stdout))
    )
    assert [int(r["seq"]) for r in rows] == [h["seq"] for h in older]
    assert up2k("history", "--limit", "0").exit_code == 2


def test_piped_tables_keep_their_natural_width_unless_columns_is_set(up2k: Any) -> None:
    natural = up2k("cadre", "list", COLUMNS=None).stdout
    assert max(map(len, natural.splitlines())) > 120 and "…" not in natural
    fitted = up2k("cadre", "list", COLUMNS="80").stdout
    assert max(map(len, fitted.splitlines())) <= 80
    assert "Not shown, to fit 80 columns:" in fitted
    wide = up2k("cadre", "list", "--wide", COLUMNS="80").stdout
    assert wide == natural


# --- on a terminal ----------------------------------------------------------------------------------


def on_terminal(db: Path, args: list[str], *, cols: int = 100, lines: int = 40, **env: str | None) -> str:
    """Run up2k with its stdout on a pseudo-terminal of the given size; what the terminal got."""
    full = {
        k: v for k, v in os.environ.items() if k not in (*CLEARED_ENV, "COLUMNS", "LINES", "PAGER", "LESS")
    }
    full |= {"UP2K_DB": str(db), "UP2K_TODAY": TODAY, "UP2K_LANG": "en", "TERM": "xterm-256color",
             "PYTHONPATH": str(REPO)}  # fmt: skip
    for key, value in env.items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    code, out, err = run_on_terminal(
        [sys.executable, "-m", "up2k_cli", *args], full, columns=cols, lines=lines
    )
    assert code == 0, err
    return out.decode("utf-8").replace("\r\n", "\n")


pty_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pty_only
def test_a_terminal_gets_bold_titles_and_no_color_removes_every_style(up2k: Any) -> None:
    styled = on_terminal(up2k.db, ["report", "kelurahan"], PAGER="cat")
    assert "\x1b[1mUP2K Kecamatan Cilandak: per kelurahan\x1b[0m" in styled
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        for args in (["report", "kelurahan"], ["cadre", "show", "K0002"], ["cadre", "list", "--no-pager"]):
            out = on_terminal(up2k.db, args, **env)
            assert "\x1b" not in out, (env, args)
            assert "Cadre" in out or "kelurahan" in out


@pty_only
def test_a_long_list_goes_through_the_pager_as_git_log_does(up2k: Any, tmp_path: Path) -> None:
    got, env_file = tmp_path / "paged.txt", tmp_path / "env.txt"
    pager = f"env > {env_file}; cat > {got}"
    shown = on_terminal(up2k.db, ["history"], lines=10, PAGER=pager)
    assert shown == ""  # everything went to the pager
    paged = got.read_text()
    assert paged.startswith("\x1b[1mHistory (")
    rows = re.findall(r"^ *\d+  2026-", paged, re.MULTILINE)
    assert len(rows) == len(json.loads(up2k("history", "-f", "json").stdout))
    assert "LESS=FRX" in env_file.read_text().splitlines()
    # LESS as the user set it is kept.
    on_terminal(up2k.db, ["history"], lines=10, PAGER=pager, LESS="-S")
    assert "LESS=-S" in env_file.read_text().splitlines()
    # A list that fits the screen is written directly.
    got.unlink()
    assert on_terminal(up2k.db, ["batch", "list"], lines=40, PAGER=pager).startswith("\x1b[1mBatches (2)")
    assert not got.exists()


@pty_only
@pytest.mark.parametrize("env", [{"PAGER": "cat"}, {"PAGER": ""}, {}], ids=["cat", "empty", "--no-pager"])
def test_without_a_pager_one_screenful_and_a_hint(up2k: Any, env: dict[str, str]) -> None:
    args = ["history"] if env else ["history", "--no-pager"]
    out = on_terminal(up2k.db, args, lines=12, cols=80, NO_COLOR="1", **env)
    lines = out.splitlines()
    assert len(lines) == 11  # the twelfth is the prompt's
    total = len(json.loads(up2k("history", "-f", "json").stdout))
    when = re.compile(r"\b2026-\d\d-\d\d \d\d:\d\d\b")  # one a row (a narrow screen may show '#' first)
    shown = [line for line in lines if when.search(line)]
    assert re.search(
        rf"Rows {total - len(shown) + 1}-{total} of {total}; older ones: --offset {len(shown)}", out
    )
    assert all(len(line) <= 80 for line in lines)
    # --limit shows what it says, whatever the screen.
    assert len([x for x in on_terminal(up2k.db, [*args, "--limit", "20"], lines=12, cols=80, NO_COLOR="1", **env)
                .splitlines() if when.search(x)]) == 20  # fmt: skip


@pty_only
def test_machine_output_to_a_terminal_shows_stored_escapes_visibly(up2k: Any) -> None:
    from tests.helpers import edit_registry

    def plant(data: dict[str, Any]) -> None:
        data["cadres"]["1"]["name"] = "Siti\x1b[2J\x9b31m"

    edit_registry(up2k.db, plant)
    csv_out = on_terminal(up2k.db, ["cadre", "list", "-f", "csv"])
    assert "Siti\\x1b[2J\\x9b31m" in csv_out and "\x1b" not in csv_out
    piped = up2k("cadre", "list", "-f", "csv").stdout  # a pipe gets the data as it is
    assert "Siti\x1b[2J\x9b31m" in piped


@pty_only
def test_a_command_that_is_not_a_list_never_pages(up2k: Any, tmp_path: Path) -> None:
    got = tmp_path / "paged.txt"
    out = on_terminal(up2k.db, ["settings", "agency-map"], lines=5, PAGER=f"cat > {got}", NO_COLOR="1")
    assert out.startswith("Agency referral map\n") and "Rows " not in out
    assert not got.exists()


def test_a_page_of_a_kelurahan_list_is_that_part_of_the_whole_list(up2k: Any) -> None:
    """`cadre list --kelurahan X --limit N` reads only its page (LIMIT/OFFSET on PostgreSQL):
    the same rows as the whole list's, and the title still counts the whole list."""
    for filters in (["--kelurahan", "Pondok Labu"], ["--kelurahan", "1002"], ["--status", "active"], []):
        every = up2k("cadre", "list", *filters, "-f", "ids").stdout.split()
        assert every, filters
        for limit, offset in ((1, 0), (2, 1), (50, 0), (3, len(every) - 1), (2, len(every) + 5)):
            part = up2k(
                "cadre", "list", *filters, "-f", "ids", "--limit", str(limit), "--offset", str(offset)
            )
            assert part.stdout.split() == every[offset : offset + limit], (filters, limit, offset)
        table = up2k("cadre", "list", *filters, "--limit", "1")
        assert table.stdout.startswith(f"Cadres ({len(every)})\n"), table.stdout
    refused = up2k("cadre", "list", "--kelurahan", "Pondok Lbu", "--limit", "5")
    assert refused.exit_code == 2 or refused.exit_code == 1
    assert "did you mean 'Pondok Labu'?" in refused.stderr


@pty_only
@pytest.mark.parametrize("offset", [[], ["--offset", "2"]], ids=["first", "offset"])
def test_a_kelurahan_list_on_a_terminal_reads_one_screenful_and_shows_the_whole_lists_hint(
    up2k: Any, offset: list[str]
) -> None:
    """Without --limit and without a pager, `cadre list` on a terminal reads only the rows a
    screen can show (the rest is counted): the same rows and hint as the whole list gives."""
    every = up2k("cadre", "list", "--status", "active", "-f", "ids").stdout.split()
    out = on_terminal(up2k.db, ["cadre", "list", "--status", "active", "--no-pager", *offset], lines=10, cols=100,
                      NO_COLOR="1")  # fmt: skip
    start = int(offset[1]) if offset else 0
    shown = re.findall(r"^(K\d{4})\b", out, re.MULTILINE)
    assert shown and shown == every[start : start + len(shown)]
    assert len(shown) < len(every) - start  # one screenful of a longer list
    last = start + len(shown)
    assert f"Rows {start + 1}-{last} of {len(every)}; the next ones: --offset {last}" in " ".join(out.split())
    assert out.startswith(f"Cadres ({len(every)})")
