"""Fictional cadres for enrollment tests: valid NIKs, a chosen kelurahan per cadre."""

from __future__ import annotations

from typing import Any

KELURAHAN = ["Cilandak Barat", "Lebak Bulus", "Pondok Labu", "Gandaria Selatan", "Cipete Selatan"]
HEADER = "nik,name,kelurahan,rw,rt,address,phone,registered_on,consent"


def nik(serial: int) -> str:
    """A valid woman's NIK issued in Cilandak, unique per serial (1-9999)."""
    day = 41 + serial % 28
    month = 1 + serial % 12
    return f"317406{day:02d}{month:02d}85{serial:04d}"


def cadres_csv(per_kelurahan: dict[str, int]) -> str:
    """CSV text for `up2k import cadres -`: cadres numbered in the order given."""
    lines = [HEADER]
    serial = 0
    for kelurahan, count in per_kelurahan.items():
        for _ in range(count):
            serial += 1
            lines.append(
                f"{nik(serial)},Kader {serial},{kelurahan},001,002,Jl. Melati No. {serial},"
                f"0812{serial:08d},2026-10-01,ya"
            )
    return "\n".join(lines) + "\n"


def five_cadres(run: Any) -> Any:
    """`run` (tests.helpers.cli_runner) on a new registry of five cadres: K0001-K0003 in Pondok
    Labu, K0004-K0005 in Lebak Bulus."""
    run("init", "--start", "2026-01-05")
    run("import", "cadres", "-", input=cadres_csv({"Pondok Labu": 3, "Lebak Bulus": 2}))
    return run
