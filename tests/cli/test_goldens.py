"""Golden files: every human-readable table, report and `show` view, at 80 and 120 columns, in
English and Indonesian, compared byte for byte with the approved output in tests/goldens/.

After a deliberate change: `.venv/bin/python -m pytest tests/cli/test_goldens.py --update-goldens`,
then read the diff of tests/goldens/ before committing it. At 80 columns no number, code, ID,
date or amount may be broken across lines, and no line may be wider than the screen.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.helpers import CLEARED_ENV, REPO, TODAY
from tests.output_data import build, fix_history
from up2k_cli.cli.main import app

GOLDENS = REPO / "tests" / "goldens"

VIEWS: dict[str, list[str]] = {
    "cadre-list": ["cadre", "list"],
    "cadre-list-show-nik": ["cadre", "list", "--show-nik"],
    "cadre-show": ["cadre", "show", "K0002"],
    "cadre-show-inactive": ["cadre", "show", "K0004"],
    "batch-list": ["batch", "list"],
    "batch-show": ["batch", "show", "B01"],
    "business-list": ["business", "list"],
    "business-show": ["business", "show", "U0003"],
    "history": ["history"],
    "agency-map": ["settings", "agency-map"],
    "report-summary": ["report", "summary"],
    "report-kelurahan": ["report", "kelurahan"],
    "report-batch": ["report", "batch", "B01"],
    "report-weekly": ["report", "weekly", "--week", "2026-W47"],
    "report-target": ["report", "target"],
    "report-pipeline": ["report", "pipeline"],
    "report-income": ["report", "income"],
    "report-agencies": ["report", "agencies"],
    "report-agencies-contacts": ["report", "agencies", "--with-contacts"],
    "report-jobs": ["report", "jobs", "--since", "2026-10-31"],
    "report-pokja2": ["report", "pokja2"],
    "report-facilitation": ["report", "facilitation"],
    "group-list": ["group", "list"],
    "group-show": ["group", "show", "G0001"],
    "group-assess": ["group", "assess"],
    "group-tiers": ["settings", "group-tiers"],
    "referral-list": ["referral", "list"],
    "referral-show": ["referral", "show", "R0001"],
    "referral-show-closed": ["referral", "show", "R0003"],
}
WIDTHS = (80, 120)
LANGS = ("en", "id")

# Values that must never be split across lines: IDs, kelurahan codes, masked or whole NIKs,
# phones, NIB/P-IRT numbers, dates as people read them, amounts, percentages, timestamps.
ATOMS = re.compile(
    r"\b(?:[KBMUEGRT]|UF|RU)\d{2,}\b|31\.74\.06\.\d{4}|\d{6}[*\d]{6}\d{4}|\+62\d{8,13}|\b\d{13,15}\b"
    r"|\b\d{1,2} [A-Z][a-z]{2} \d{4}\b|Rp \d{1,3}(?:\.\d{3})*|\b\d+[.,]\d%|\d{4}-\d\d-\d\d(?: \d\d:\d\d)?"
)


@pytest.fixture(scope="module")
def registry_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    db = tmp_path_factory.mktemp("golden") / "registry.json"
    runner = CliRunner()
    env = {**{name: None for name in CLEARED_ENV}, "UP2K_DB": str(db), "UP2K_TODAY": TODAY, "UP2K_LANG": "en"}

    def run(*args: str) -> None:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, (args, result.stderr)

    build(run)
    fix_history(db)
    return db.read_bytes()


def show(registry_bytes: bytes, tmp_path: Path, args: list[str], lang: str, width: int | None) -> str:
    db = tmp_path / "registry.json"
    db.write_bytes(registry_bytes)
    db.chmod(0o600)
    env: dict[str, Any] = {**{name: None for name in CLEARED_ENV}, "UP2K_DB": str(db), "UP2K_TODAY": TODAY,
                           "UP2K_LANG": lang, "COLUMNS": str(width) if width else None}  # fmt: skip
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_golden(
    registry_bytes: bytes, tmp_path: Path, request: pytest.FixtureRequest, view: str, width: int, lang: str
) -> None:
    text = show(registry_bytes, tmp_path, VIEWS[view], lang, width)
    golden = GOLDENS / f"{view}.{lang}.{width}.txt"
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no approved output yet: run pytest {Path(__file__).name} --update-goldens"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{view} at {width} columns ({lang}) differs from {golden.relative_to(REPO)}; if the change is "
        "intended, run pytest --update-goldens and review the diff"
    )
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("view", [v for v in VIEWS if v != "agency-map"])  # names only: no values to split
def test_nothing_is_broken_across_lines_at_80_columns(
    registry_bytes: bytes, tmp_path: Path, view: str, lang: str
) -> None:
    """Every value that must stay whole, as the view shows it at its natural width, appears whole
    or not at all at 80 columns: a start of it at the end of a cell is a split."""
    wide = show(registry_bytes, tmp_path, VIEWS[view], lang, None)
    narrow = show(registry_bytes, tmp_path, VIEWS[view], lang, 80)
    atoms = set(ATOMS.findall(wide))
    assert atoms, "the view shows values that must stay whole"
    broken = []
    for line in narrow.splitlines():
        whole = [m.span() for m in ATOMS.finditer(line)]
        for atom in atoms:
            for size in range(3, len(atom)):  # "Rp 2", "31.7", "K00", "20 Oct": starts of a value
                if atom[size - 1] == " ":
                    continue
                for m in re.finditer(re.escape(atom[:size]), line):
                    at, end = m.span()
                    inside = any(a <= at and end <= b for a, b in whole)
                    starts_word = at == 0 or line[at - 1] == " "
                    ends_cell = end == len(line) or line[end] == " "
                    if starts_word and ends_cell and not inside:
                        broken.append((atom, line))
    assert not broken, broken[:5]
    shown = {a for a in atoms if a in narrow}
    assert len(shown) >= len(atoms) // 3, "most values still shown at 80 columns"
