"""A small programme registry that fills every table people read: long names and addresses,
every kelurahan, a waitlist, attendance, completions, a withdrawal, businesses of several
categories with and without licences, steps, income follow-ups, an inactive cadre; and issue 15's
records: work statuses, a business's workers and turnover with a follow-up, two UP2K groups with
a former member and confirmed tiers, referrals open, done and closed.

Its history is made deterministic (fixed times and user) so that output can be compared byte
for byte (tests/cli/test_goldens.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import edit_registry, make_nik

CADRES = [
    # name, kelurahan, rw, rt, address, phone, business type, household, income
    ("Siti Aminah", "Pondok Labu", "3", "5", "Jl. Pinang No. 1", "0812-3456-7890", "Kuliner", "4", "1,5 jt"),
    ("Nyai Raden Ayu Siti Fatimah Kusumawardhani", "Pondok Labu", "10", "1",
     "Jl. Haji Nawi Raya, Gang Masjid Al-Ikhlas No. 17, belakang warung bakso", "0813-1111-2222",
     "Pertanian perkotaan/Perikanan", "6", "2.250.000"),
    ("Dewi Lestari", "Cilandak Barat", "1", "2", "Jl. Cilandak KKO No. 3", "0857-0000-1234", "Jasa", "3", "900 rb"),
    ("Eni Suryani", "Cilandak Barat", "2", "7", "Jl. Sawo No. 9", "0821-2222-3333", "Kerajinan", "5", "1.200.000"),
    ("Ratna Sari Dewi", "Lebak Bulus", "4", "4", "Jl. Lebak Bulus Raya No. 40", "0877-4444-5555",
     "Perdagangan/Warung", "2", "3 jt"),
    ("Yuliana", "Gandaria Selatan", "5", "1", "Jl. Gandaria I No. 2", "0838-6666-7777", "Fesyen/Konveksi",
     "4", "1.750.000"),
    ("Maya Kurniasih", "Cipete Selatan", "6", "3", "Jl. Cipete Raya No. 88", "0815-8888-9999", "Lainnya", "7",
     "2 jt"),
    ("Fitri Handayani", "Cipete Selatan", "6", "4", "Jl. Kemang Selatan No. 1", "0819-1212-3434", "Kuliner",
     "3", "1 jt"),
]  # fmt: skip


def build(run: Callable[..., Any]) -> None:
    """The registry, through the commands (run raises on a failed command)."""
    run("init", "--start", "2026-01-05")
    for i, (name, kel, rw, rt, address, phone, business, household, income) in enumerate(CADRES):
        run("register", f"--nik={make_nik(i + 1, day=1 + i, month=1 + i)}", f"--name={name}", f"--kelurahan={kel}",
            f"--rw={rw}", f"--rt={rt}", f"--address={address}", f"--phone={phone}", f"--business-type={business}",
            f"--household-size={household}", f"--income={income}", "--consent", "--date=2026-10-01")  # fmt: skip
    run("batch", "add", "B01", "--title", "Pelatihan UP2K Angkatan 1 Kecamatan Cilandak", "--start", "2026-11-02",
        "--end", "2026-11-20", "--sessions", "3", "--min-attendance", "60", "--capacity", "6",
        "--quota-per-kelurahan", "2", "--mentor", "OK OCE Jakarta Selatan",
        "--venue", "Aula Kantor Kecamatan Cilandak, Jl. Raya Cilandak KKO No. 1")  # fmt: skip
    run("batch", "add", "M01", "--kind", "mentoring", "--title", "Pendampingan OK OCE", "--start", "2026-11-09",
        "--end", "2026-12-31", "--capacity", "20")  # fmt: skip
    run("enroll", "-b", "B01", "K0001", "K0003", "K0005", "K0006", "K0007", "--date", "2026-10-20")
    run("enroll", "-b", "B01", "--waitlist", "K0002", "K0008", "--date", "2026-10-21")
    run("attend", "-b", "B01", "-s", "1", "K0001", "K0003", "K0005", "K0006", "--date", "2026-11-02")
    run("attend", "-b", "B01", "-s", "2", "K0001", "K0005", "K0006", "--date", "2026-11-09")
    run("attend", "-b", "B01", "-s", "3", "K0001", "K0006", "--date", "2026-11-16")
    run("withdraw", "-b", "B01", "K0007", "--reason", "sakit", "--date", "2026-11-10")
    run("complete", "-b", "B01", "K0001", "K0006", "--date", "2026-11-20")
    run("enroll", "-b", "M01", "K0001", "K0002", "--date", "2026-11-09")
    run("business", "add", "K0001", "--name", "Kue Basah Bu Siti", "--category", "kuliner", "--started", "2026-11-21",
        "--nib", "1234567890123", "--licensed-on", "2026-11-23", "--address", "Jl. Pinang No. 1")  # fmt: skip
    run("business", "add", "K0002", "--name", "Bibit Cabai dan Tomat Organik Haji Nawi", "--category",
        "urban farming", "--started", "2026-11-18")  # fmt: skip
    run("business", "add", "K0006", "--name", "Jahit Yuli", "--category", "fesyen", "--started", "2026-11-24",
        "--pirt", "206317401234567", "--halal", "yes")  # fmt: skip
    run("business", "add", "K0005", "--name", "Warung Ratna", "--category", "warung")
    run("step", "K0001", "pemasaran", "--date", "2026-11-25", "--note", "bazar Kecamatan Cilandak")
    run("step", "K0006", "permodalan", "--date", "2026-11-26", "--note", "KUR BRI")
    run("income", "add", "K0001", "--amount", "2.100.000", "--date", "2026-11-26", "--note", "survei 1")
    run("income", "add", "K0002", "--amount", "2 jt", "--date", "2026-11-26", "--work-status", "working")
    run("income", "add", "K0006", "--amount", "2,4 jt", "--date", "2026-11-25", "--note", "survei 1")
    run("cadre", "update", "K0003", "--phone", "0857-9999-1234", "--rt", "8")
    run("cadre", "deactivate", "K0004", "--reason", "pindah domisili ke Depok", "--date", "2026-11-22")
    programme(run)


def programme(run: Callable[..., Any]) -> None:
    """Issue 15's records, after the rest (their IDs: UF0001, G0001-G0002, T0001-T0002,
    R0001-R0003): none writes through to a business or a step, so the reports stay as they were."""
    run("cadre", "update", "K0002", "--work-status", "unemployed")
    run("cadre", "update", "K0006", "--work-status", "working")
    run("business", "update", "U0003", "--owner-status", "helped-permanent", "--family-workers", "1",
        "--paid-workers", "2", "--paid-were-unemployed", "1", "--paid-local", "2", "--turnover", "25 jt")  # fmt: skip
    run("business", "follow-up", "U0003", "--date", "2026-11-26", "--paid-workers", "4",
        "--paid-were-unemployed", "3", "--paid-local", "4", "--turnover", "180 jt",
        "--note", "pesanan seragam sekolah")  # fmt: skip
    run("group", "add", "Kelompok UP2K Melati Pondok Labu RW 03", "--kelurahan", "Pondok Labu", "--rw", "3",
        "--formed", "2026-10-05", "--capital", "6 jt", "--savings-loans", "yes", "--bookkeeping", "yes",
        "--reach", "kelurahan", "--note", "arisan dan simpan pinjam tiap Jumat")  # fmt: skip
    run("group", "add", "KUB Mawar", "--kelurahan", "Cipete Selatan", "--formed", "2026-10-10")
    run("group", "join", "G0001", "K0001", "K0002", "K0003", "--date", "2026-10-06")
    run("group", "join", "G0002", "K0007", "K0008", "--date", "2026-10-12")
    run("group", "leave", "G0001", "K0003", "--date", "2026-11-15", "--reason", "pindah ke kelompok RW 08")
    run("settings", "group-tiers", "pemula", "--members", "2")
    run("group", "assess", "--date", "2026-11-20", "--confirm")
    run("refer", "U0002", "--need", "nib", "--date", "2026-11-20", "--note", "berkas lengkap, menunggu OSS")
    run("referral", "update", "R0001", "--status", "contacted", "--date", "2026-11-21")
    run("referral", "update", "R0001", "--status", "in-progress", "--date", "2026-11-24")
    run("refer", "U0004", "--need", "mentoring", "--agency", "Sudin PPKUKM", "--date", "2026-11-27")
    run("referral", "update", "R0002", "--status", "done", "--date", "2026-11-27", "--note", "dua sesi")
    run(
        "refer", "U0001", "--need", "capital", "--agency", "Bank DKI Cabang Fatmawati", "--date", "2026-11-22"
    )
    run("referral", "update", "R0003", "--status", "closed", "--date", "2026-11-25",
        "--note", "pemilik belum siap mengajukan")  # fmt: skip


def fix_history(db: Path) -> None:
    """Fixed times (a minute apart, from 20 Nov 2026 08:00) and one user for every history entry."""

    def change(data: dict[str, Any]) -> None:
        for n, entry in enumerate(data["history"].values()):
            entry["at"] = f"2026-11-{20 + n // 60:02d}T{8 + (n % 60) // 60:02d}:{n % 60:02d}:00+07:00"
            entry["user"] = "pkk"

    edit_registry(db, change)
