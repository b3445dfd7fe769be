"""up2k undo at the command line: shown first, confirmed, one command at a time."""

from __future__ import annotations

import json

import pytest

from tests.enrollment_data import cadres_csv
from tests.helpers import cli_runner


@pytest.fixture
def up2k(db):  # type: ignore[no-untyped-def]
    run = cli_runner(db)
    run("init")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 3}))
    return run


def phones(up2k) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["phone"] for c in json.loads(up2k("export", "cadres", "--format", "json").stdout)]


def test_undo_needs_yes_without_a_terminal_and_changes_nothing_then(up2k) -> None:
    up2k("cadre", "update", "K0001", "--phone", "0813-1111-2222")
    result = up2k("undo", check=False)
    assert result.exit_code == 2
    assert "Last change: up2k cadre update" in result.stderr
    assert "cadre K0001: update, old values come back" in result.stderr
    assert "add --yes" in result.stderr
    assert phones(up2k)[0] == "+6281311112222"


def test_undo_yes_reverts_and_walks_back(up2k) -> None:
    before = phones(up2k)
    up2k("cadre", "update", "K0001", "--phone", "0813-1111-2222")
    up2k("cadre", "update", "K0002", "--phone", "0813-3333-4444")
    assert "Undone: up2k cadre update" in up2k("undo", "--yes").stderr
    assert phones(up2k)[1] == before[1] and phones(up2k)[0] == "+6281311112222"
    up2k("undo", "--yes")
    assert phones(up2k) == before
    up2k("undo", "--yes")  # the import
    assert phones(up2k) == []
    nothing = up2k("undo", "--yes", check=False)
    assert nothing.exit_code == 1 and "nothing to undo" in nothing.stderr


def test_undo_asks_on_a_terminal(up2k, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("up2k_cli.cli.mend.stdin_is_terminal", lambda: True)
    up2k("cadre", "update", "K0001", "--phone", "0813-1111-2222")
    refused = up2k("undo", input="n\n", check=False)
    assert refused.exit_code == 1 and "Nothing was changed." in refused.stderr
    assert up2k("undo", input="y\n").exit_code == 0
    assert phones(up2k)[0] != "+6281311112222"


def test_an_erasure_is_not_undone(up2k) -> None:
    up2k("cadre", "forget", "K0001", "--reason", "permintaan")
    result = up2k("undo", "--yes", check=False)
    assert result.exit_code == 1
    assert "an erasure cannot be undone" in result.stderr
