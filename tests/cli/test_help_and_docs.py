"""Every command has help text and is documented in the README (sqlite-utils style)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import typer.main

from tests.conftest import Run
from tests.helpers import REPO
from up2k_cli.cli.main import app


def walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """(full command path, command) for every command and group below the root.

    Duck-typed: Typer may build on click or on its own vendored copy of it.
    """
    found: list[tuple[str, Any]] = []
    if path:
        found.append((" ".join(path), command))
    if isinstance(getattr(command, "commands", None), dict):
        for name, sub in sorted(command.commands.items()):
            found.extend(walk(sub, (*path, name)))
    return found


COMMANDS = walk(typer.main.get_command(app))
PATHS = [path for path, _ in COMMANDS]


def test_the_issue_2_commands_exist() -> None:
    for path in (
        "init",
        "where",
        "register",
        "cadre",
        "cadre list",
        "cadre show",
        "cadre update",
        "cadre deactivate",
        "cadre reactivate",
        "import",
        "import cadres",
        "export",
        "export cadres",
    ):
        assert path in PATHS


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=PATHS)
def test_every_command_has_help(path: str, command: Any) -> None:
    text = (command.help or command.short_help or "").strip()
    assert text, f"'up2k {path}' has no help text"
    for param in command.params:
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            assert param.help, f"'up2k {path}' option {param.opts[0]} has no help"


@pytest.mark.parametrize("path", PATHS)
def test_every_command_is_in_the_readme(path: str) -> None:
    readme = REPO / "README.md"
    assert readme.is_file(), "README.md is missing"
    if f"up2k {path}" not in readme.read_text(encoding="utf-8"):
        pytest.fail(f"README.md never shows 'up2k {path}'", pytrace=False)


@pytest.mark.file_only  # no registry is opened: once is enough
@pytest.mark.parametrize("path", PATHS)
def test_help_runs_for_every_command(run: Run, path: str) -> None:
    result = run(*path.split(), "--help")
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout


def test_readme_documents_exit_codes_and_location() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "UP2K_DB" in text
    assert "--db" in text
    table = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = dict(re.findall(r"^\| (\d) \| (.+?) \|$", table, flags=re.M))
    assert sorted(documented) == ["0", "1", "2", "3"]
    assert "refused" in documented["1"] and "usage" in documented["2"] and "registry" in documented["3"]
    assert "130" in table  # Ctrl-C


# --- one command's start builds one command (up2k_cli.cli.main.app_for) -----------------------


def _help(application: Any, args: list[str]) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    result = CliRunner().invoke(application, args, env={"COLUMNS": "100", "UP2K_LANG": "en"})
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.file_only  # no registry is opened: once is enough
@pytest.mark.parametrize("path", PATHS)
def test_a_command_built_alone_is_the_command_of_the_whole_app(path: str) -> None:
    from up2k_cli.cli.main import app_for

    args = ["--lang", "en", *path.split(), "--help"]
    alone = app_for(args)
    assert alone is not app
    assert len(alone.registered_commands) + len(alone.registered_groups) == 1
    assert _help(alone, args) == _help(app, args)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["register", "--nik", "x"], "register"),
        (["--db", "enroll", "report", "summary"], "report"),  # a global option's value is skipped
        (["--db=x.json", "--lock-timeout", "3", "cadre", "list"], "cadre"),
        (["--lang", "id", "daftar"], "register"),  # an alias is its command
        (["ikut", "--batch", "B1"], "enroll"),
        (["laporan", "summary"], "report"),
        (["--version"], "--version"),
        (["--db", "x", "--version", "register"], "--version"),
        ([], None),
        (["--db", "x"], None),
        (["-h"], None),
        (["--help", "register"], None),
        (["--", "register"], None),
    ],
)
def test_the_command_a_line_names(args: list[str], name: str | None) -> None:
    from up2k_cli.cli.main import command_name

    assert command_name(args) == name


@pytest.mark.parametrize("args", [[], ["--help"], ["reprt"], ["--db", "x"]])
def test_the_whole_app_serves_the_help_and_names_it_does_not_know(args: list[str]) -> None:
    from up2k_cli.cli.main import app_for

    assert app_for(args) is app


def test_completion_sees_the_whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    from up2k_cli.cli.main import app_for

    monkeypatch.setenv("_UP2K_COMPLETE", "complete_bash")
    assert app_for(["register"]) is app


def test_a_misspelt_command_is_told_the_names_it_may_mean() -> None:
    from up2k_cli.cli.main import app_for

    code, out, err = _help(app_for(["reprt"]), ["reprt"])
    assert code == 2 and out == ""
    assert "No such command 'reprt'" in err and "report" in err


def test_the_version_needs_no_command() -> None:
    from up2k_cli import __version__
    from up2k_cli.cli.main import app_for

    alone = app_for(["--version"])
    assert alone.registered_commands == [] and alone.registered_groups == []
    assert _help(alone, ["--version"]) == (0, f"up2k {__version__}\n", "")
