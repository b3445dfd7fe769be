"""--output and --rejects with real files, symlinks, hard links, a FIFO, /dev/null and /dev/full.

What must hold: nothing ever lands on the registry, its lock, its backups or the command's input
(exit 1, one line, nothing written); devices and FIFOs are written into, never replaced; a full
device is a write error; regular files are private and replacing one is said.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.helpers import SAMPLE_CSV, up2k_cmd

pytestmark = pytest.mark.file_only  # about files beside the registry file

# Commands that write through the shared --output option: a list, an export, a report.
WRITERS = [
    ["cadre", "list", "--format", "csv"],
    ["export", "cadres"],
    ["report", "summary", "--format", "json"],
]


def _state(folder: Path) -> dict[str, bytes]:
    """Every file under the registry's folder and its bytes (links followed as they lie)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def registry_with_backups(registry_with_sample: Path, run: Run) -> Path:
    """The sample registry after one write, so that a backups folder and a lock file exist."""
    assert run("cadre", "update", "K0001", "--rt", "9").exit_code == 0
    assert (registry_with_sample.parent / "backups").is_dir()
    return registry_with_sample


def _targets(db: Path) -> dict[str, Path]:
    folder = db.parent
    backups = folder / "backups"
    (folder / "link-abs.json").symlink_to(db)
    (folder / "link-rel.json").symlink_to(db.name)
    (folder / "linked-folder").symlink_to(backups)
    os.link(db, folder / "hard-link.json")
    return {
        "the registry": db,
        "an absolute symlink to it": folder / "link-abs.json",
        "a relative symlink to it": folder / "link-rel.json",
        "a hard link to it": folder / "hard-link.json",
        "its lock": Path(f"{db}.lock"),
        "its lock's holder file": Path(f"{db}.lock.info"),
        "its backups folder": backups,
        "a backup": next(backups.iterdir()),
        "a new file in its backups": backups / "export.csv",
        "a file through a link to the backups": folder / "linked-folder" / "x.csv",
    }


@pytest.mark.parametrize("args", WRITERS, ids=[" ".join(a[:2]) for a in WRITERS])
def test_output_never_lands_on_the_registry_its_lock_or_its_backups(
    registry_with_backups: Path, run: Run, args: list[str]
) -> None:
    db = registry_with_backups
    for what, target in _targets(db).items():
        before = _state(db.parent)
        result = run(*args, "--output", str(target))
        assert result.exit_code == 1, (what, result.stderr)
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: output "), what
        assert "choose another file (nothing was written)" in result.stderr, what
        assert _state(db.parent) == before, f"{what}: something was written"
        for name in ("link-abs.json", "link-rel.json"):
            assert (db.parent / name).is_symlink()
        for link in ("hard-link.json",):
            assert os.stat(db.parent / link).st_ino == os.stat(db).st_ino
        # The short options are the same options.
        if what == "the registry":
            assert run(*args, "-o", str(target)).exit_code == 1


def test_rejects_never_overwrite_the_input_or_the_registry(
    registry_with_backups: Path, run: Run, tmp_path: Path
) -> None:
    source = tmp_path / "kader.csv"
    source.write_bytes(SAMPLE_CSV.read_bytes())
    alias = tmp_path / "alias.csv"
    alias.symlink_to(source)
    for target in (source, alias, registry_with_backups):
        before = _state(tmp_path)
        result = run("import", "cadres", str(source), "--skip-invalid", "--rejects", str(target))
        assert result.exit_code == 1, result.stderr
        assert result.stderr.startswith("Error: rejects ")
        assert _state(tmp_path) == before
    # Reading the input through a link protects the file behind it too.
    result = run("import", "cadres", str(alias), "--skip-invalid", "--rejects", str(source))
    assert result.exit_code == 1 and "input file" in result.stderr


def test_a_regular_file_is_private_and_replacing_one_is_said(
    registry_with_sample: Path, run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "kader.csv"
    first = run("cadre", "list", "--output", str(target))
    assert first.exit_code == 0 and first.stdout == "" and "Replaced" not in first.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("id,nik,name")  # the extension chose CSV
    target.chmod(0o644)
    again = run("cadre", "list", "--output", str(target))
    assert again.exit_code == 0
    assert again.stderr == f"Replaced {target}.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_folder_is_refused(registry_with_sample: Path, run: Run, tmp_path: Path) -> None:
    result = run("export", "cadres", "--output", str(tmp_path))
    assert result.exit_code == 1
    assert "that is a folder" in result.stderr


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_dev_null_is_written_into_never_replaced(registry_with_sample: Path, run: Run) -> None:
    before = os.stat("/dev/null")
    for args in (["export", "cadres"], ["report", "weekly"], ["cadre", "list", "--format", "json"]):
        result = run(*args, "--output", "/dev/null")
        assert result.exit_code == 0, result.stderr
        assert "Replaced" not in result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert not list(Path("/dev").glob(".null.*.tmp"))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_dev_full_is_a_write_error(registry_with_sample: Path, run: Run) -> None:
    result = run("export", "cadres", "--output", "/dev/full")
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: output '/dev/full': cannot write it (the disk is full); nothing was written\n"
    )
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_written_into_and_stays_a_fifo(
    registry_with_sample: Path, run: Run, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "cadres", "--output", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert received and received[0].startswith(b"id,nik,name")
    assert received[0].count(b"\r\n") == 16  # header and 15 cadres
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="no /dev/stdout")
@pytest.mark.parametrize("name", ["/dev/stdout", "-"])
def test_dev_stdout_and_dash_are_stdout(
    registry_with_sample: Path, subprocess_env: dict[str, str], name: str
) -> None:
    env = subprocess_env | {"UP2K_DB": str(registry_with_sample)}
    proc = subprocess.run(
        up2k_cmd("export", "cadres", "--format", "jsonl", "--output", name),
        env=env, capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(b"\n") == 15 and proc.stdout.startswith(b'{"id": "K0001"')
    assert proc.stderr == b""


def test_a_workbook_needs_a_file(registry_with_sample: Path, run: Run) -> None:
    for args in (["cadre", "list", "--format", "xlsx"], ["export", "cadres", "-f", "xlsx", "-o", "-"]):
        result = run(*args)
        assert result.exit_code == 2
        assert "--format xlsx writes a file: add --output FILE.xlsx" in result.stderr
        assert result.stdout == ""


def test_a_postgresql_registry_has_no_file_to_protect(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from up2k_cli.cli.context import Settings, protected_paths

    def ctx(db: str | Path) -> object:
        root = SimpleNamespace(obj=Settings(db=db, lock_timeout=1))  # type: ignore[arg-type]
        return SimpleNamespace(find_root=lambda: root)

    source = tmp_path / "in.csv"
    guarded = protected_paths(ctx("postgresql://u@localhost/up2k"), inputs=[source, "-"])  # type: ignore[arg-type]
    assert [p.path for p in guarded] == [source]
    on_file = protected_paths(ctx(tmp_path / "r.json"))  # type: ignore[arg-type]
    assert {p.what for p in on_file} == {
        "the registry file",
        "the registry's lock",
        "the registry's backups folder",
    }
