"""The README's crontab line, run as cron runs it: /bin/sh, PATH=/usr/bin:/bin, nothing else."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, TODAY, cli_runner

pytestmark = pytest.mark.file_only


def readme_cron_command() -> str:
    block = re.search(r"```cron\n(.+?)\n```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert block, "the README shows a crontab line"
    fields = block.group(1).split(maxsplit=5)
    assert fields[:5] == ["0", "7", "*", "*", "1"]
    return fields[5]


@pytest.fixture
def cron_home(tmp_path: Path) -> Path:
    """A home as the README assumes: ~/up2k/registry.json and ~/up2k/.venv/bin/up2k, and a `mail`
    that keeps what it is given."""
    home = tmp_path / "home"
    venv_bin = home / "up2k" / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    up2k = venv_bin / "up2k"
    up2k.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\n"
                    "from up2k_cli.entry import run\nrun()\n")  # fmt: skip
    up2k.chmod(0o755)
    tools = tmp_path / "tools"
    tools.mkdir()
    mail = tools / "mail"
    mail.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/mail.args\ncat > {tmp_path}/mail.body\n')
    mail.chmod(0o755)
    return home


def run_cron(home: Path) -> subprocess.CompletedProcess[str]:
    env = {"HOME": str(home), "PATH": f"{home.parent / 'tools'}:/usr/bin:/bin", "UP2K_TODAY": TODAY}
    return subprocess.run(["/bin/sh", "-c", readme_cron_command()], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip


def test_the_readme_crontab_line_mails_the_report(cron_home: Path, tmp_path: Path) -> None:
    cli_runner(cron_home / "up2k" / "registry.json")("init")
    done = run_cron(cron_home)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "mail.body").read_text().startswith("# UP2K Kecamatan Cilandak: weekly report")
    assert "UP2K mingguan" in (tmp_path / "mail.args").read_text()


def test_a_failed_report_mails_nothing(cron_home: Path, tmp_path: Path) -> None:
    done = run_cron(cron_home)  # no registry: up2k exits 3, the line goes no further than rm
    assert "no registry at" in done.stderr
    assert not (tmp_path / "mail.body").exists()
