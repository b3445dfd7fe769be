"""A registry holding every kind of record up2k keeps, made through the CLI: for copies between
backends, which must carry each of them over unchanged."""

from __future__ import annotations

from typing import Any

from tests.enrollment_data import cadres_csv

COUNTS = {"Pondok Labu": 6, "Lebak Bulus": 4, "Cilandak Barat": 3}

# (arguments, stdin): run in order on an empty location, each must exit 0.
EVERYTHING: list[tuple[list[str], str | None]] = [
    (["init", "--start", "2026-01-05"], None),
    (["import", "cadres", "-"], cadres_csv(COUNTS)),
    (["batch", "add", "B01", "--title", "Pelatihan", "--start", "2026-11-01", "--end", "2026-11-30",
      "--sessions", "2", "--min-attendance", "50", "--capacity", "5", "--quota-per-kelurahan", "3",
      "--mentor", "Bu Rina", "--venue", "Balai RW 03"], None),
    (["batch", "add", "M01", "--kind", "mentoring", "--title", "Pendampingan", "--start", "2026-11-02",
      "--end", "2026-11-20"], None),
    (["enroll", "-b", "B01", "K0001", "K0002", "K0003", "K0007", "--date", "2026-10-20"], None),
    (["enroll", "-b", "B01", "--waitlist", "K0004", "K0008", "K0009", "--date", "2026-10-21"], None),
    (["attend", "-b", "B01", "-s", "1", "K0001", "K0002", "K0007", "--date", "2026-11-03"], None),
    (["attend", "-b", "B01", "-s", "2", "K0001", "--date", "2026-11-10"], None),
    (["complete", "-b", "B01", "K0001", "--date", "2026-11-20"], None),
    (["complete", "-b", "B01", "K0003", "--date", "2026-11-20", "--force", "--reason", "sakit"], None),
    (["withdraw", "-b", "B01", "K0002", "--reason", "pindah rumah", "--date", "2026-11-12"], None),
    (["enroll", "-b", "M01", "K0005", "K0010", "--date", "2026-10-25"], None),
    (["batch", "close", "M01"], None),
    (["business", "add", "K0001", "--name", "Kue Ani", "--category", "kuliner", "--started",
      "2026-11-15", "--nib", "1234567890123", "--licensed-on", "2026-11-16", "--address", "Jl. A"], None),
    (["business", "add", "K0007", "--name", "Jahit Rapi", "--category", "Fesyen", "--started", "2026-11-18"], None),
    (["business", "update", "U0002", "--pirt", "2063174010123-27"], None),
    (["step", "K0005", "pendampingan", "--date", "2026-11-14", "--note", "kunjungan rumah"], None),
    (["income", "add", "K0001", "--amount", "1.200.000", "--date", "2026-11-01"], None),
    (["income", "add", "K0001", "--amount", "1,5 jt", "--date", "2026-11-20", "--note", "naik"], None),
    (["income", "add", "K0006", "--baseline", "--amount", "900 rb"], None),
    (["cadre", "update", "K0006", "--phone", "0813-1111-2222", "--rt", "9"], None),
    (["cadre", "deactivate", "K0012", "--reason", "pindah", "--date", "2026-11-05"], None),
    (["cadre", "reactivate", "K0012", "--date", "2026-11-25"], None),
    (["settings", "agency-map", "Jasa", "Sudin PPKUKM Jaksel"], None),
    (["export", "cadres"], None),
    (["cadre", "show", "K0004", "--show-nik"], None),
    (["cadre", "forget", "K0013", "--reason", "permintaan ybs"], None),
]  # fmt: skip

# What every table looks like from outside: exports, and reports in machine formats.
EXPORTS = [
    ["export", "batches", "--format", "json"],
    ["export", "enrollments", "--format", "json"],
    ["export", "businesses", "--format", "json"],
    ["export", "steps", "--format", "json"],
    ["export", "incomes", "--format", "json"],
    ["cadre", "list", "--format", "json"],
    ["history", "--format", "json"],
    ["report", "summary", "--format", "json"],
    ["report", "kelurahan", "--format", "json"],
    ["report", "batch", "B01", "--format", "json"],
    ["report", "income", "--format", "json"],
]


def build(run: Any) -> None:
    """Run EVERYTHING with `run(*args, input=...)` (tests.helpers.cli_runner)."""
    for args, stdin in EVERYTHING:
        run(*args, input=stdin)
