"""Quotas hold when two real processes enroll into the same batch at the same moment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tests.enrollment_data import cadres_csv
from up2k_cli.cli.main import app


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "r.json"
    runner = CliRunner()
    env = {"UP2K_DB": str(path), "UP2K_TODAY": "2026-11-27"}

    def run(*args: str, input: str | None = None) -> None:
        result = runner.invoke(app, list(args), input=input, env=env)
        assert result.exit_code == 0, result.stderr

    run("init")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 30}))
    run("batch", "add", "B01", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-30")
    return path


def enroll_at_once(db, *extra: str) -> list[subprocess.CompletedProcess]:
    env = {**os.environ, "UP2K_DB": str(db), "UP2K_TODAY": "2026-11-27"}
    halves = ([f"K{n:04d}" for n in range(1, 16)], [f"K{n:04d}" for n in range(16, 31)])
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "up2k_cli",
                "--lock-timeout",
                "30",
                "enroll",
                "-b",
                "B01",
                *extra,
                *half,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in halves
    ]
    return [subprocess.CompletedProcess(p.args, p.wait(), *p.communicate()) for p in procs]


def statuses(db) -> list[str]:
    data = json.loads(db.read_bytes())  # the file itself must be valid JSON
    return [e["status"] for e in data["enrollments"].values()]


def test_two_processes_with_waitlist_give_exactly_20_enrolled_and_10_waitlisted(db):
    results = enroll_at_once(db, "--waitlist")
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    found = statuses(db)
    assert found.count("enrolled") == 20
    assert found.count("waitlisted") == 10


def test_two_processes_without_waitlist_never_break_the_quota(db):
    results = enroll_at_once(db)
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1]  # the second sees 15 taken and is refused whole
    refused = next(r for r in results if r.returncode == 1)
    assert "over its quota of 20 by 10" in refused.stderr
    assert statuses(db).count("enrolled") == 15
