"""A registry written by an older up2k (schema 2, the line layout of tests/data/v2) opens, gives
the figures that version gave, and is rewritten plainly by the next change."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson
import pytest

from tests.helpers import TEST_DATA, cli_runner
from up2k_cli.storage import migrations

pytestmark = pytest.mark.file_only
OLD = TEST_DATA / "v2"
REPORTS = ("summary", "kelurahan", "pipeline", "income")
EXPORTS = ("cadres", "enrollments")


@pytest.fixture
def old(tmp_path: Path) -> Path:
    db = tmp_path / "registry.json"
    shutil.copyfile(OLD / "registry.json", db)
    db.chmod(0o600)
    return db


def same_as_then(then: object, now: object) -> None:
    """Now holds what then held: the same keys with the same values (columns added since are
    allowed: stable columns only ever grow; so are rows of a summary's metrics, each found by its
    `metric` code, as the jobs lines of issue 15)."""
    if isinstance(then, dict):
        assert isinstance(now, dict)
        for key, value in then.items():
            same_as_then(value, now[key])
    elif isinstance(then, list) and then and all(isinstance(r, dict) and "metric" in r for r in then):
        assert isinstance(now, list)
        rows = {r["metric"]: r for r in now if isinstance(r, dict) and "metric" in r}
        assert [r["metric"] for r in then] == [m for m in rows if m in {r["metric"] for r in then}]
        for row in then:
            same_as_then(row, rows[row["metric"]])
    elif isinstance(then, list):
        assert isinstance(now, list) and len(now) == len(then)
        for a, b in zip(then, now, strict=True):
            same_as_then(a, b)
    else:
        assert now == then


def figures(run) -> dict[str, object]:  # type: ignore[no-untyped-def]
    out = {r: json.loads(run("report", r, "--format", "json").stdout)["tables"] for r in REPORTS}
    out |= {e: json.loads(run("export", e, "--format", "json").stdout) for e in EXPORTS}
    return out


def test_a_schema_2_registry_gives_the_figures_it_gave_then(old: Path) -> None:
    run = cli_runner(old)
    before = old.read_bytes()
    now = figures(run)
    for name in REPORTS:
        same_as_then(json.loads((OLD / f"{name}.json").read_text())["tables"], now[name])
    for name in EXPORTS:
        same_as_then(json.loads((OLD / f"{name}.json").read_text()), now[name])
    assert b'"_crc32"' in before and before.startswith(b'{\n"meta":{\n')  # truly the line layout


def test_the_next_change_rewrites_it_plainly(old: Path) -> None:
    run = cli_runner(old)
    then = figures(run)
    run("cadre", "update", "K0002", "--phone", "0812-2222-3333")
    data = orjson.loads(old.read_bytes())
    assert "_crc32" not in data and list(data)[-1] == "meta"
    assert data["meta"]["1"]["schema_version"] == migrations.CURRENT_VERSION and "seal" in data["meta"]["1"]
    assert all(key == str(int(r["id"][1:])) for key, r in data["cadres"].items())
    assert data["cadres"]["2"]["name_key"] == "ekamaharani"
    now = figures(run)
    now["cadres"][1]["phone"] = then["cadres"][1]["phone"]  # the one change made
    assert now == then
    assert run("check").exit_code == 0
