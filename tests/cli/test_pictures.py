"""Pictures (issue 16): `report target|pipeline|income --format png|svg` (one chart for a phone,
captioned), native Excel charts in the reports' workbooks, and `report dashboard` (one
self-contained HTML page without personal data), on the sample programme of the README."""

from __future__ import annotations

import importlib.util
import struct
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
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


# --- the dashboard --------------------------------------------------------------------------------


class Page(HTMLParser):
    """The dashboard parsed: its tags with their attributes, its text, its tables and charts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str, **attrs: str) -> int:
        return sum(1 for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items()))

    @property
    def words(self) -> str:
        return " ".join(self.text)


@pytest.fixture(scope="module")
def dashboard(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("dashboard") / "dashboard.html"
    result = invoke(sample, "report", "dashboard", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    return out.read_text(encoding="utf-8")


def test_the_dashboard_has_every_area_and_every_chart_with_its_numbers(dashboard: str) -> None:
    page = Page(dashboard)
    assert page.count("section", **{"class": "area"}) == 6  # the kecamatan and 5 kelurahan
    charts = [a for t, a in page.tags if t == "figure"]
    assert len(charts) == 30
    assert page.count("svg", role="img") == 30
    assert all(a.get("aria-label") for t, a in page.tags if t == "svg")
    assert page.count("table") >= 30 + 6 * 3  # every chart's table(s)
    for area in ("kecamatan", "kel-31-74-06-1001", "kel-31-74-06-1005"):
        for chart in ("progress", "funnel", "income", "jobs", "weeks"):
            assert page.count("figure", id=f"{area}-{chart}") == 1
    words = page.words
    for heading in ("Kelurahan Pondok Labu", "Progress toward the target", "OK OCE 7 PAS steps",
                    "Household income", "Jobs and groups", "The last 12 weeks", "As of 27 Nov 2026"):  # fmt: skip
        assert heading in words


def test_the_dashboard_shows_the_reports_figures(sample: Path, dashboard: str) -> None:
    import json

    target = json.loads(invoke(sample, "report", "target", "--format", "json").stdout)
    total = target["tables"]["target"][-1]
    income = json.loads(invoke(sample, "report", "income", "--format", "json").stdout)["tables"]["income"][-1]
    section = dashboard.split('id="kecamatan"')[1].split("</section>")[0]
    words = Page(section).words
    assert f"Achieved {total['achieved']:,}" in " ".join(words.split())
    assert f"Projected at the end {total['projected_at_end']:,}" in " ".join(words.split())
    assert f"Median change +{income['median_change']:,}" in " ".join(words.split())


def test_the_dashboard_holds_no_personal_data(sample: Path, dashboard: str) -> None:
    from up2k_cli.storage import open_registry

    with open_registry(sample) as uow:
        cadres = uow.cadres.all()
        businesses = uow.businesses.all()
    assert cadres
    for c in cadres:
        for field in ("nik", "name", "phone", "address"):
            value = c.get(field)
            if value and len(str(value)) >= 6:
                assert str(value) not in dashboard, (field, c["id"])
        assert c["id"] not in dashboard
    for b in businesses:
        assert b["name"] not in dashboard


def test_the_dashboard_fetches_nothing_and_runs_nothing(dashboard: str) -> None:
    page = Page(dashboard)
    assert "http://" not in dashboard and "https://" not in dashboard
    assert "@import" not in dashboard and "url(" not in dashboard
    assert not {"script", "link", "img", "iframe", "object", "embed", "image", "use"} & {
        t for t, _ in page.tags
    }
    assert all(not k.startswith("on") for _t, a in page.tags for k in a)
    assert all((a.get("href") or "#").startswith("#") for _t, a in page.tags)
    (csp,) = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp["content"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_the_dashboard_prints_on_a4_without_cutting_a_chart(dashboard: str) -> None:
    assert "@page{size:A4" in dashboard
    assert "break-inside:avoid" in dashboard.split("figure.chart{")[1].split("}")[0]


def test_the_dashboard_names_its_registry_never_credentials() -> None:
    from up2k_cli.pictures.figures import registry_label

    shown = registry_label("postgresql://kecamatan:rahasia%21@db.example:5433/up2k?sslmode=require")
    assert shown == "database up2k on db.example:5433"
    shown = registry_label("postgresql:///up2k?user=ani&password=rahasia&host=/run/postgresql")
    assert "rahasia" not in shown and "ani" not in shown and "up2k" in shown
    assert registry_label("/srv/up2k/registry.json") == "/srv/up2k/registry.json"


def test_the_dashboard_names_its_registry_file(sample: Path, dashboard: str) -> None:
    assert f"Registry: {sample}" in Page(dashboard).words


def test_the_dashboard_to_stdout_and_in_indonesian(sample: Path) -> None:
    result = invoke(sample, "report", "dashboard", "--as-of", "2026-09-30", "--lang", "id")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    page = Page(result.stdout)
    assert ("html", {"lang": "id"}) in page.tags
    assert "Per 30 Sep 2026" in page.words
    assert "Progress toward the target" not in page.words


def test_the_dashboard_as_of_a_day_counts_that_day(sample: Path) -> None:
    result = invoke(sample, "report", "dashboard", "--as-of", "2026-03-31")
    assert result.exit_code == 0, result.stderr
    assert "As of 31 Mar 2026" in Page(result.stdout).words
    assert invoke(sample, "report", "dashboard", "--as-of", "2027-01-01").exit_code == 1


def test_the_dashboard_writes_only_html(sample: Path, tmp_path: Path) -> None:
    result = invoke(sample, "report", "dashboard", "-o", str(tmp_path / "d.csv"))
    assert result.exit_code == 2
    assert "means --format csv" in result.stderr


def test_the_dashboard_and_pictures_on_either_backend(registry_with_sample: Any, tmp_path: Path) -> None:
    """The same commands on a registry file and on PostgreSQL (tests/backends.py): the page names
    the database without its credentials."""
    from tests.helpers import location

    run = cli_runner(registry_with_sample)
    page = run("report", "dashboard").stdout
    assert Page(page).count("figure") == 30
    assert "Cadres per step" in page
    url = location(registry_with_sample)
    if url.startswith("postgresql"):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        assert "Registry: database " in Page(page).words
        for secret in (parts.password, f"{parts.username}:"):
            if secret:
                assert secret not in page
    out = tmp_path / "pipeline.png"
    run("report", "pipeline", "-o", str(out))
    assert png_size(out.read_bytes()) == (1080, 1350)


PROBE = """
import sys
from up2k_cli.cli.main import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    print("matplotlib" in sys.modules)
"""


@pytest.mark.parametrize(
    ("args", "loaded"),
    [
        (["--version"], False),
        (["report", "summary"], False),
        (["report", "dashboard", "-o", "{tmp}/d.html"], False),
        (["report", "target", "-o", "{tmp}/t.png"], True),  # so that the other cases can fail
    ],
)
def test_only_the_pictures_load_matplotlib(
    sample: Path, tmp_path: Path, args: list[str], loaded: bool
) -> None:
    import subprocess

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "UP2K_DB": str(sample), "UP2K_TODAY": TODAY}
    argv = [sys.executable, "-c", PROBE, *(a.format(tmp=tmp_path) for a in args)]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == str(loaded), done.stderr
