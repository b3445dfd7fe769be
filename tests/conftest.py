"""Shared fixtures: every test gets its own registry, a fixed 'today' and a CLI runner. The
registry fixtures (db, registry, registry_with_sample) are parametrised over both backends in
tests/backends.py."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.helpers import CLEARED_ENV, REPO, SAMPLE_CSV, TODAY
from up2k_cli.cli.main import app

Run = Callable[..., Result]

# postgres_cluster, postgres_url: a throwaway PostgreSQL; db, registry...: file and PostgreSQL
pytest_plugins = ["tests.pg_fixtures", "tests.backends"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may touch the user's real registry or depend on the calendar or the terminal."""
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UP2K_DB", str(tmp_path / "registry.json"))
    monkeypatch.setenv("UP2K_TODAY", TODAY)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("UP2K_LANG", "en")  # messages are asserted in English


@pytest.fixture
def run(db: Any) -> Run:
    """Invoke the CLI in-process on the test's registry (`db`: UP2K_DB); stdout and stderr stay
    separate on the result.

    Arguments may be strings or lists of strings (e.g. run(register_args(), "--force")).
    """
    runner = CliRunner()

    def invoke(*args: str | list[str], input: str | bytes | None = None, **kwargs: Any) -> Result:
        flat: list[str] = []
        for arg in args:
            flat.extend(arg if isinstance(arg, list) else [arg])
        return runner.invoke(app, flat, input=input, **kwargs)

    return invoke


@pytest.fixture
def sample_csv() -> Path:
    """The Pondok Labu test file (tests/data): 20 rows, 5 of them bad on purpose."""
    if not SAMPLE_CSV.is_file():
        pytest.fail(f"test data missing: {SAMPLE_CSV}")
    return SAMPLE_CSV


@pytest.fixture(scope="session")
def _template_registries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Built once per run through the real CLI: `init`, then `import` of the shared file."""
    if not SAMPLE_CSV.is_file():
        pytest.fail(f"test data missing: {SAMPLE_CSV}")
    path = tmp_path_factory.mktemp("templates") / "registry.json"
    env = {"UP2K_DB": str(path), "UP2K_TODAY": TODAY, "COLUMNS": "120", "UP2K_LANG": "en"}
    runner = CliRunner()
    templates: dict[str, bytes] = {}
    for name, args in (
        ("empty", ["init"]),
        ("sample", ["import", "cadres", str(SAMPLE_CSV), "--skip-invalid"]),
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.stderr
        templates[name] = path.read_bytes()
    return templates


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    """Environment for a real `python -m up2k_cli` process running this checkout's code."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env
