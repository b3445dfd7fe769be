"""up2k init, up2k where, --version, --db and usage errors."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

from tests.conftest import Run
from up2k_cli import __version__
from up2k_cli.storage import migrations


def meta_of(db: Path) -> dict:  # type: ignore[type-arg]
    return orjson.loads(db.read_bytes())["meta"]["1"]


def test_init_creates_the_cilandak_registry(db: Path, run: Run) -> None:
    result = run("init")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"Created {db}: Kecamatan Cilandak (5 kelurahan)")
    assert re.search(r"target 4\.?000-5\.?000 new entrepreneurs in 5 years from 2026-11-27", result.stderr)
    meta = meta_of(db)
    assert meta["schema_version"] == migrations.CURRENT_VERSION
    assert meta["region"]["kecamatan"] == {"code": "31.74.06", "name": "Cilandak"}
    assert [(k["code"], k["name"]) for k in meta["region"]["kelurahan"]] == [
        ("31.74.06.1001", "Cilandak Barat"),
        ("31.74.06.1002", "Lebak Bulus"),
        ("31.74.06.1003", "Pondok Labu"),
        ("31.74.06.1004", "Gandaria Selatan"),
        ("31.74.06.1005", "Cipete Selatan"),
    ]
    assert meta["target"] == {"minimum": 4000, "stretch": 5000, "years": 5, "start": "2026-11-27"}
    data = orjson.loads(db.read_bytes())
    assert data["cadres"] == {}


@pytest.mark.parametrize(("given", "start"), [("27/11/2025", "2025-11-27"), ("2026-01-05", "2026-01-05")])
def test_init_start_date(db: Path, run: Run, given: str, start: str) -> None:
    result = run("init", "--start", given)
    assert result.exit_code == 0, result.stderr
    assert meta_of(db)["target"]["start"] == start
    assert f"from {start}." in result.stderr


def test_init_bad_start_date_is_refused_and_creates_nothing(db: Path, run: Run) -> None:
    result = run("init", "--start", "31/02/2026")
    assert result.exit_code == 1
    assert result.stderr == "Error: start '31/02/2026': no such day in the calendar\n"
    assert not db.exists()


def test_second_init_changes_nothing_and_says_so(registry: Path, run: Run) -> None:
    before = registry.read_bytes()
    result = run("init", "--start", "2020-01-01")
    assert result.exit_code == 0
    assert result.stderr == f"{registry} already exists; nothing changed.\n"
    assert registry.read_bytes() == before


def test_init_creates_missing_folders(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "a" / "b" / "registry.json"
    result = run("--db", str(target), "init")
    assert result.exit_code == 0, result.stderr
    assert target.is_file()


def test_where_prints_the_file_in_use(db: Path, run: Run) -> None:
    result = run("where")
    assert result.exit_code == 0
    assert result.stdout == f"{db}\n"
    assert "does not exist yet" in result.stderr and "up2k init" in result.stderr
    assert not db.exists()


def test_where_after_init_says_only_the_path(registry: Path, run: Run) -> None:
    result = run("where")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"{registry}\n", "")


def test_db_option_beats_the_environment(tmp_path: Path, run: Run) -> None:
    other = tmp_path / "other.json"
    assert run("--db", str(other), "where").stdout == f"{other}\n"
    assert run("--db", str(other), "init").exit_code == 0
    assert other.exists()
    assert not (tmp_path / "registry.json").exists()


@pytest.mark.file_only  # the default is a file
def test_default_location_is_a_per_user_data_folder(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("UP2K_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = run("where")
    assert result.stdout == f"{tmp_path / 'data' / 'up2k' / 'registry.json'}\n"


def test_version(run: Run) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"up2k {__version__}\n")


@pytest.mark.parametrize(
    "args",
    [
        ["cadre", "list", "--format", "xml"],
        ["cadre", "list", "--status", "gone"],
        ["cadre", "frobnicate"],
        ["--lock-timeout", "-1", "cadre", "list"],
        ["export", "cadres", "--format", "pdf"],
        ["import", "cadres"],
        ["cadre", "deactivate", "K0001"],
        ["nonsense"],
    ],
)
def test_usage_errors_exit_2(registry: Path, run: Run, args: list[str]) -> None:
    before = registry.read_bytes()
    result = run(args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert "Usage:" in result.stderr or "Error" in result.stderr
    assert registry.read_bytes() == before


def test_no_arguments_shows_help_as_a_usage_error(run: Run) -> None:
    """No command is a usage error (exit 2, so a script notices), with the help on stderr."""
    result = run()
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: ")
    assert "Commands:" in result.stderr
