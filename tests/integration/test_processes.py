"""Real up2k processes: writers racing for the registry, and output into a pipe."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson

from tests.conftest import Run
from tests.helpers import make_nik, register_args, up2k_cmd
from up2k_cli.storage import tiny

# Each worker process registers 50 cadres, one whole command (lock, load, write) at a time.
WORKER = """
import sys, time
from pathlib import Path
from up2k_cli.cli.main import app

worker, count, go = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.002)
for i in range(count):
    serial = worker * 1000 + i + 1
    nik = f"317406{(i % 28) + 1:02d}0{(worker % 9) + 1}85{serial:04d}"
    args = [
        "--lock-timeout", "60", "register",
        "--nik", nik, "--name", f"Kader Proses {worker} Nomor {i}",
        "--kelurahan", "Lebak Bulus", "--rw", "1", "--rt", str(i % 9 + 1),
        "--address", "Jl. Lebak Bulus", "--phone", "0812-3456-7890",
        "--business-type", "Jasa", "--household-size", "3", "--income", "900 rb",
        "--consent",
    ]
    code = app(args, standalone_mode=False)
    if code not in (None, 0):
        sys.exit(f"worker {worker}: register {i} exited {code}")
"""


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _check_registry(db: Path, expected: int) -> dict[str, dict[str, object]]:
    data = orjson.loads(db.read_bytes())
    tiny.check_shape(data, db)
    cadres = {c["id"]: c for c in data["cadres"].values()}
    assert len(data["cadres"]) == expected
    assert sorted(cadres) == [f"K{n:04d}" for n in range(1, expected + 1)]
    assert len({c["nik"] for c in cadres.values()}) == expected
    assert data["meta"]["1"]["counters"]["cadre"] == expected
    assert len(data["history"]) == expected
    return cadres


def test_two_processes_registering_50_each_make_100_cadres(
    registry: Path, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    go = tmp_path / "go"
    workers = [_spawn([sys.executable, "-c", WORKER, str(w), "50", str(go)], subprocess_env) for w in (1, 2)]
    time.sleep(0.3)  # both are importing; release them together
    go.touch()
    outputs = [w.communicate(timeout=60) for w in workers]
    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
        assert stdout.count("\n") == 50
    printed = [line for stdout, _ in outputs for line in stdout.split()]
    assert len(set(printed)) == 100
    cadres = _check_registry(registry, 100)
    assert set(printed) == set(cadres)
    # The two workers interleaved rather than one running after the other.
    first_half = [cadres[f"K{n:04d}"]["name"] for n in range(1, 51)]
    assert {name.split()[2] for name in first_half} == {"1", "2"}


def test_six_up2k_processes_started_at_once(registry: Path, subprocess_env: dict[str, str]) -> None:
    procs = [
        _spawn(
            up2k_cmd(
                "--lock-timeout",
                "30",
                *register_args(nik=make_nik(500 + n), name=f"Kader Serentak {n}"),
            ),
            subprocess_env,
        )
        for n in range(6)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    for proc, (_, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr
    ids = sorted(stdout.strip() for stdout, _ in results)
    assert ids == [f"K{n:04d}" for n in range(1, 7)]
    _check_registry(registry, 6)


LONG_NAME = "Raden Ajeng Siti Nurhayati Kusumawardhani Purbaningrum Wulandari Setyaningsih"


def test_piped_list_has_no_escape_codes_and_keeps_its_full_width(
    registry_with_sample: Path, run: Run, subprocess_env: dict[str, str]
) -> None:
    assert run(register_args(name=LONG_NAME, kelurahan="Cilandak Brt")).exit_code == 0
    env = {k: v for k, v in subprocess_env.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    done = subprocess.run(up2k_cmd("cadre", "list"), capture_output=True, text=True, env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout
    assert "…" not in done.stdout
    lines = done.stdout.splitlines()
    row = next(line for line in lines if "K0016" in line)
    assert len(row) > 80
    assert LONG_NAME in row
    assert "Cilandak Barat" in row
    assert "Kuliner" in row
    assert all(line == line.rstrip() for line in lines), "no trailing padding in a pipe"
    assert sum(1 for line in lines if line.strip().startswith("K00")) == 16


def test_piped_help_and_errors_have_no_escape_codes(registry: Path, subprocess_env: dict[str, str]) -> None:
    env = {k: v for k, v in subprocess_env.items() if k not in ("NO_COLOR", "COLUMNS")}
    env["TERM"] = "xterm-256color"
    for args in (["--help"], ["cadre", "show", "K9999"], ["cadre", "list", "--format", "xml"]):
        done = subprocess.run(up2k_cmd(*args), capture_output=True, text=True, env=env, timeout=30)
        assert "\x1b[" not in done.stdout + done.stderr, args


def test_python_dash_m_and_version(subprocess_env: dict[str, str]) -> None:
    from up2k_cli import __version__

    done = subprocess.run(
        up2k_cmd("--version"), capture_output=True, text=True, env=subprocess_env, timeout=30
    )
    assert done.returncode == 0
    assert done.stdout == f"up2k {__version__}\n"


def test_missing_registry_from_a_real_process(db: Path, subprocess_env: dict[str, str]) -> None:
    done = subprocess.run(
        up2k_cmd("cadre", "list"), capture_output=True, text=True, env=subprocess_env, timeout=30
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr == (
        f"Error: no registry at {db}; create it with 'up2k init' (or pass --db / set UP2K_DB)\n"
    )
    assert not db.exists()


def test_a_reader_that_stops_early_gets_no_traceback(
    registry: Path, run: Run, subprocess_env: dict[str, str]
) -> None:
    from tests.enrollment_data import cadres_csv

    assert run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 1500})).exit_code == 0
    # Like `up2k export cadres | head -1`: far more than a pipe holds, and the reader goes away.
    proc = subprocess.Popen(
        up2k_cmd("export", "cadres", "--format", "csv"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=subprocess_env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"id,nik,name")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) in (0, 1)
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_output_is_whole_and_the_exit_code_kept_when_the_process_ends_at_once(
    registry: Path, run: Run, subprocess_env: dict[str, str]
) -> None:
    from tests.enrollment_data import cadres_csv

    assert run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 1500})).exit_code == 0
    done = subprocess.run(
        up2k_cmd("export", "cadres", "--format", "csv"), capture_output=True, env=subprocess_env, timeout=30
    )
    assert done.returncode == 0
    assert len(done.stdout.splitlines()) == 1501  # flushed in full before os._exit
    refused = subprocess.run(
        up2k_cmd("cadre", "show", "K9999"), capture_output=True, text=True, env=subprocess_env, timeout=30
    )
    assert refused.returncode == 1 and refused.stderr.startswith("Error: cadre K9999 not found")
