"""A command on a file never loads the PostgreSQL driver: start-up stays as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

PROBE = """
import sys
import up2k_cli.cli.main
after_import = 'psycopg' in sys.modules
from up2k_cli.cli.main import app
code = app(sys.argv[1:], standalone_mode=False)
print(after_import, 'psycopg' in sys.modules, code)
"""


def _loaded(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_cli_and_a_file_command_do_not_import_psycopg(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "UP2K_DB": str(tmp_path / "r.json")}
    assert _loaded("init", env=env) == "False False None"
    assert _loaded("cadre", "list", env=env) == "False False None"


def test_a_postgresql_url_is_what_loads_it(tmp_path: Path) -> None:
    """The same probe sees psycopg arrive with a postgresql:// registry (the server need not be
    there: the command fails after loading the driver), so the test above can fail."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "UP2K_DB": "postgresql://x@127.0.0.1:1/none"}
    assert _loaded("where", env=env) == "False True 3"


def test_without_psycopg_a_postgresql_registry_says_what_to_install(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "sys.modules['psycopg'] = None  # as if it were not installed\n"
        "from up2k_cli.cli.main import main\n"
        "main()\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "UP2K_DB": "postgresql://x@127.0.0.1:1/none"}
    done = subprocess.run(
        [sys.executable, "-c", probe, "cadre", "list"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == (
        "Error: a PostgreSQL registry needs psycopg, which is not installed: pip install 'up2k[postgresql]'\n"
    )
