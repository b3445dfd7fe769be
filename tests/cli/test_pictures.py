"""Pictures (issue 16): `report target|pipeline|income --format png|svg` (one chart for a phone,
captioned), native Excel charts in the reports' workbooks, and `report dashboard` (one
self-contained HTML page without personal data), on the sample programme of the README."""

from __future__ import annotations

import importlib.util
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.helpers import REPO, TODAY, cli_runner
from up2k_cli.cli.main import app

SAMPLE = REPO / "sample_data"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


def load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"sample_{name}", SAMPLE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The README's first command: init, the sample cadres, the sample programme."""
    import datetime as dt

    db = tmp_path_factory.mktemp("pictures") / "registry.json"
    run = cli_runner(db)
    run("init", "--start", "2026-01-05")
    run("import", "cadres", str(SAMPLE / "kader-cilandak.csv"))
    load("programme").build(db, dt.date.fromisoformat(TODAY))
    return db


def invoke(db: Path, *args: str, lang: str = "en") -> Any:
    env = {"UP2K_DB": str(db), "UP2K_TODAY": TODAY, "COLUMNS": "120", "UP2K_LANG": lang}
    return CliRunner().invoke(app, list(args), env=env)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(data: bytes) -> str:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("report", ["target", "pipeline", "income"])
def test_a_png_for_a_phone_screen(sample: Path, tmp_path: Path, report: str) -> None:
    out = tmp_path / f"{report}.png"
    result = invoke(sample, "report", report, "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert png_size(out.read_bytes()) == (1080, 1350)
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("report", "title", "figure"),
    [
        ("target", "progress toward the target", "Pace of the last 12 weeks"),
        ("pipeline", "7 PAS pipeline", "pendaftaran"),
        ("income", "household income", "Median baseline"),
    ],
)
def test_an_svg_is_captioned_with_period_and_region(
    sample: Path, tmp_path: Path, report: str, title: str, figure: str
) -> None:
    out = tmp_path / "chart.svg"
    result = invoke(
        sample, "report", report, "--format", "svg", "--output", str(out), "--as-of", "2026-10-31"
    )
    assert result.exit_code == 0, result.stderr
    text = svg_texts(out.read_bytes())
    assert title in text and figure in text
    assert "as of 2026-10-31" in text  # the period
    assert "Kecamatan Cilandak, Kota Administrasi Jakarta Selatan" in text  # the registry's region


def test_the_chart_speaks_indonesian(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "target.svg"
    result = invoke(sample, "report", "target", "-o", str(out), lang="id")
    assert result.exit_code == 0, result.stderr
    text = svg_texts(out.read_bytes())
    assert "Kecamatan Cilandak" in text and "Pace of the last" not in text


def test_the_same_figures_give_the_same_svg(sample: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for out in (first, second):
        assert invoke(sample, "report", "pipeline", "-o", str(out)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_png_needs_a_file_and_never_reaches_a_terminal(sample: Path) -> None:
    result = invoke(sample, "report", "target", "--format", "png")
    assert result.exit_code == 2
    assert "--format png writes a file: add --output FILE.png" in result.stderr
    assert result.stdout == ""


def test_png_to_a_terminal_is_refused_in_one_line(sample: Path, tmp_path: Path) -> None:
    from tests.helpers import run_on_terminal

    env = {"UP2K_DB": str(sample), "UP2K_TODAY": TODAY, "UP2K_LANG": "en", "PATH": "/usr/bin:/bin"}
    argv = [sys.executable, "-m", "up2k_cli", "report", "pipeline", "-f", "png", "-o", "/dev/stdout"]
    code, shown, err = run_on_terminal(argv, env)
    assert code == 2
    assert PNG_SIGNATURE not in shown
    assert err.decode().strip().splitlines() == ["Error: --format png writes a file: add --output FILE.png"]


@pytest.mark.parametrize("report", ["summary", "kelurahan", "weekly", "agencies"])
def test_only_the_chart_reports_take_pictures(sample: Path, tmp_path: Path, report: str) -> None:
    result = invoke(sample, "report", report, "--format", "png", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2
    assert "use one of table, csv, json, markdown, xlsx" in result.stderr
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("report", "sheet", "series"),
    [("target", "target", 3), ("pipeline", "funnel", 1), ("income", "income", 2), ("weekly", "totals", 2)],
)
def test_workbooks_carry_native_charts(
    sample: Path, tmp_path: Path, report: str, sheet: str, series: int
) -> None:
    out = tmp_path / f"{report}.xlsx"
    result = invoke(sample, "report", report, "--output", str(out))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    charted = {ws.title: ws._charts for ws in book if ws._charts}
    assert list(charted) == [sheet]
    (chart,) = charted[sheet]
    assert len(chart.series) == series
    # The chart reads the table's own cells: the categories are the kelurahan (no total row)
    # or the steps, the first series is headed by its column's title.
    ref = chart.series[0].cat.strRef.f if chart.series[0].cat.strRef else chart.series[0].cat.numRef.f
    first, last = ref.split("!")[1].replace("$", "").split(":")
    labels = [c.value for (c,) in book[sheet][f"{first}:{last}"]]
    assert "Total" not in labels
    if report in ("target", "income"):
        assert labels == [
            "Cilandak Barat",
            "Lebak Bulus",
            "Pondok Labu",
            "Gandaria Selatan",
            "Cipete Selatan",
        ]
    if report == "pipeline":
        assert labels[0] == "pendaftaran" and len(labels) == 7
