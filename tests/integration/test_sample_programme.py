"""The sample a newcomer imports (README's first command) fills every figure of issue 15: jobs
with owners counted once and small businesses, groups at every tier, referrals at every status."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, cli_runner
from up2k_cli.services import referrals, reporting
from up2k_cli.storage import open_registry

SAMPLE = REPO / "sample_data"
TODAY = dt.date(2026, 11, 27)


def load(name: str) -> Any:
    """A script of sample_data/ as a module (it is not part of the package)."""
    spec = importlib.util.spec_from_file_location(f"sample_{name}", SAMPLE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "registry.json"
    run = cli_runner(db)
    run("init", "--start", "2026-01-05")
    run("import", "cadres", str(SAMPLE / "kader-cilandak.csv"))
    load("programme").build(db, TODAY)
    return db


def test_the_csv_carries_a_work_status_for_everyone(sample: Path) -> None:
    generate = load("generate")
    assert generate.HEADERS[-1] == "Status Pekerjaan"
    with open_registry(sample) as uow:
        statuses = {c["work_status"] for c in uow.cadres.all()}
    assert statuses == {"working", "unemployed", "housekeeping", "school", "other"}


def test_jobs_figures_are_filled(sample: Path) -> None:
    report = reporting.run(open_registry(sample), "jobs", as_of=TODAY, since=dt.date(2026, 9, 30)).figures
    total = report.total.figures
    assert total.owners < total.businesses, "some owners have two businesses: one job each"
    assert total.small >= 1 and total.micro >= 1 and total.size_unknown == 0
    assert total.moved_to_work and total.paid_formerly_unemployed and total.family_workers
    assert report.total.change is not None and report.total.change.businesses > 0
    assert all(line.figures.businesses for line in report.kelurahan)


def test_groups_are_at_every_tier(sample: Path) -> None:
    total = reporting.run(open_registry(sample), "pokja2", period="2026", as_of=TODAY).figures.total
    assert all(count.groups for count in total.tiers.values()), total.tiers


def test_referrals_are_at_every_status_and_some_are_overdue(sample: Path) -> None:
    report = reporting.run(open_registry(sample), "facilitation", as_of=TODAY).figures
    figures = report.total.figures
    assert figures.open and figures.done and figures.closed and figures.capital_received
    assert figures.open_over_90 and report.overdue
    statuses = {row["status"] for row in referrals.list_referrals(open_registry(sample), today=TODAY)}
    assert statuses == {"referred", "contacted", "in-progress", "done", "closed"}


def test_the_sample_is_consistent(sample: Path) -> None:
    run = cli_runner(sample)
    assert run("check").exit_code == 0
