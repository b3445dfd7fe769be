"""Fictional PKK cadres as a kelurahan office exports them from Excel (CSV UTF-8, semicolons).

Deterministic: the same --seed and --count always give the same bytes. Stdlib only, so it runs
before up2k is installed. Every person is made up; any likeness to a real NIK or phone number is
chance.

    python sample_data/generate.py                      # sample_data/kader-cilandak.csv, 100 rows
    python sample_data/generate.py --count 50000 --output /tmp/big.csv

As a module (benchmarks and tests):

    from generate import CadreFactory, generate_rows, to_csv
    rows = generate_rows(50_000)         # list of dicts keyed by HEADERS (minus "No")
    text = to_csv(rows)                  # the file's text, numbered from 1
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_COUNT = 100
DEFAULT_SEED = 3174_06
DEFAULT_OUTPUT = Path(__file__).with_name("kader-cilandak.csv")

HEADERS = (
    "No",
    "Nama Lengkap",
    "NIK",
    "Kelurahan",
    "RW",
    "RT",
    "Alamat",
    "No. HP",
    "Jenis Usaha",
    "Jumlah Anggota Keluarga",
    "Penghasilan per Bulan",
    "Tanggal Daftar",
    "Persetujuan",
    "Status Pekerjaan",  # added with schema 4: the last column, so the others stay as they were
)

# The five kelurahan of Kecamatan Cilandak in Kemendagri order, each with the spellings people
# use in spreadsheets (the first is the official name).
KELURAHAN: dict[str, tuple[str, ...]] = {
    "Cilandak Barat": ("Kel. Cilandak Barat", "CILANDAK BARAT", "Cilandak Brt", "cilandak barat"),
    "Lebak Bulus": ("Kel. Lebak Bulus", "LEBAK BULUS", "Kelurahan Lebak Bulus", "lebak bulus"),
    "Pondok Labu": ("Kel. Pondok Labu", "PONDOK LABU", "Pondok  Labu", "pondok labu"),
    "Gandaria Selatan": ("Kel. Gandaria Selatan", "GANDARIA SELATAN", "Gandaria Sel."),
    "Cipete Selatan": ("Kel. Cipete Selatan", "CIPETE SELATAN", "Cipete Sel", "cipete selatan"),
}

# Street names per kelurahan: generic Jakarta-style names, not a map of the place.
STREETS: dict[str, tuple[str, ...]] = {
    "Cilandak Barat": ("Jl. Kenanga", "Jl. Haji Saleh", "Jl. Sawo", "Gg. Masjid", "Jl. Damai"),
    "Lebak Bulus": ("Jl. Mawar", "Jl. Delman Raya", "Gg. Kelapa", "Jl. Bina Karya", "Jl. Anggrek"),
    "Pondok Labu": ("Jl. Pinang", "Jl. Melati", "Gg. Haji Ipin", "Jl. Duku", "Jl. Kemuning"),
    "Gandaria Selatan": ("Jl. Cempaka", "Jl. Bakti", "Gg. Langgar", "Jl. Manggis", "Jl. Flamboyan"),
    "Cipete Selatan": ("Jl. Kamboja", "Jl. Swadaya", "Gg. Mushola", "Jl. Nangka", "Jl. Teratai"),
}

WOMEN_FIRST = (
    "Siti", "Sri", "Dewi", "Rina", "Nur", "Eka", "Wati", "Endang", "Yuni", "Ratna", "Lestari",
    "Maya", "Ika", "Sumarni", "Tuti", "Rini", "Yanti", "Fitri", "Ani", "Dian", "Novi", "Indah",
    "Kartini", "Suryani", "Rohayati", "Aminah", "Halimah", "Nurhayati", "Sulastri", "Wulan",
    "Puji", "Ernawati", "Susilawati", "Mulyani", "Rahmawati", "Nining", "Heni", "Lilis", "Euis",
    "Cucu", "Neneng", "Yeni", "Titin", "Umi", "Khadijah", "Fatimah", "Nur'aini", "Rosmiati",
    "Maryam", "Juwita",
)  # fmt: skip
WOMEN_LAST = (
    "Rahayu", "Susanti", "Sari", "Kurniasih", "Handayani", "Fauziah", "Maharani", "Wulandari",
    "Lestari", "Aminah", "Rahmawati", "Permatasari", "Purnamasari", "Puspitasari", "Anggraini",
    "Hidayati", "Nurjanah", "Suryani", "Marlina", "Setiawati", "Kusumawati", "Indriani",
    "Safitri", "Yulianti", "Utami", "Pratiwi", "Ningsih", "Astuti", "Hasanah", "Zubaidah",
)  # fmt: skip
MEN_FIRST = (
    "Budi", "Agus", "Slamet", "Joko", "Hendra", "Rudi", "Bambang", "Dedi", "Ahmad", "Yusuf",
    "Sutrisno", "Hadi", "Iwan", "Eko", "Ma'ruf",
)  # fmt: skip
MEN_LAST = (
    "Santoso", "Setiawan", "Saputra", "Hidayat", "Gunawan", "Wijaya", "Kurniawan", "Nugroho",
    "Prasetyo", "Hermawan", "Siregar", "Lubis", "Rahman", "Sulaiman",
)  # fmt: skip
# A share of names with a religious or family prefix, as people write them on a KTP.
PREFIXES = ("Hj. ", "Siti ", "Nyai ")

# Where a NIK was first issued (PPKKCC). Most cadres got theirs in Cilandak (317406); others in
# another South Jakarta kecamatan or in the towns people move to Jakarta from.
NIK_REGIONS: tuple[tuple[str, int], ...] = (
    ("317406", 70),  # Cilandak
    ("317404", 4),  # Pasar Minggu
    ("317405", 4),  # Kebayoran Lama
    ("317409", 3),  # Jagakarsa
    ("317410", 3),  # Pesanggrahan
    ("327501", 4),  # Kota Bekasi
    ("320101", 3),  # Kabupaten Bogor
    ("327601", 3),  # Kota Depok
    ("330101", 2),  # Kabupaten Cilacap
    ("337401", 2),  # Kota Semarang
    ("350701", 1),  # Kabupaten Malang
    ("120101", 1),  # Kabupaten Tapanuli Tengah (Sumatera Utara)
)

# Mobile prefixes after the leading 0 (Telkomsel, Indosat, XL, Tri, Smartfren).
PHONE_PREFIXES = (
    "811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856",
    "857", "858", "817", "818", "819", "859", "877", "878", "895", "896", "897", "898", "899",
    "881", "882", "883", "887", "888",
)  # fmt: skip

# (label as written, weight): the categories of domain.md in the spellings offices use.
BUSINESS_TYPES: tuple[tuple[str, int], ...] = (
    ("Kuliner", 20),
    ("kuliner", 8),
    ("Makanan", 3),
    ("Fesyen/Konveksi", 6),
    ("Konveksi", 4),
    ("Kerajinan", 7),
    ("Daur ulang", 2),
    ("Jasa", 5),
    ("Penjahit", 2),
    ("Perdagangan/Warung", 6),
    ("Warung", 10),
    ("Pertanian perkotaan/Perikanan", 3),
    ("Pertanian perkotaan", 4),
    ("Perikanan", 2),
    ("Lainnya", 2),
)

# (status as offices write it, weight): work status at registration, in Sakernas terms
# (mencari kerja = open unemployment). Drawn from a generator of its own, so that adding the
# column left every other value of the file as it was.
WORK_STATUSES: tuple[tuple[str, int], ...] = (
    ("Mengurus rumah tangga", 18),
    ("IRT", 12),
    ("Ibu rumah tangga", 8),
    ("Bekerja", 14),
    ("Wiraswasta", 8),
    ("Karyawan", 5),
    ("Mencari kerja", 16),
    ("Menganggur", 8),
    ("Sekolah", 2),
    ("Lainnya", 4),
)

FIRST_DAY = dt.date(2026, 1, 5)
LAST_DAY = dt.date(2026, 11, 27)
BIRTH_FIRST = dt.date(1961, 1, 1)
BIRTH_LAST = dt.date(2004, 12, 31)
WOMEN_SHARE = 0.93


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def spread(count: int, parts: int) -> list[int]:
    """`count` split over `parts` as evenly as possible, the earlier parts taking the rest."""
    base, rest = divmod(count, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


class CadreFactory:
    """Makes fictional cadres; NIKs, phones and (name, kelurahan, birth date) never repeat."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.rng = random.Random(seed)
        self.work_rng = random.Random(seed + 1)  # the work status column's own draws
        self.niks: set[str] = set()
        self.phones: set[str] = set()
        self.people: set[tuple[str, str, dt.date]] = set()

    def rows(self, count: int = DEFAULT_COUNT) -> list[dict[str, str]]:
        """`count` cadres spread evenly over the five kelurahan, each in registration order."""
        rows: list[dict[str, str]] = []
        for kelurahan, n in zip(KELURAHAN, spread(count, len(KELURAHAN)), strict=True):
            batch = [self.cadre(kelurahan, keep_date=True) for _ in range(n)]
            batch.sort(key=lambda r: r["_registered"])
            rows.extend(batch)
        for row in rows:
            del row["_registered"]
        return rows

    def cadre(self, kelurahan: str, *, keep_date: bool = False) -> dict[str, str]:
        """One cadre of `kelurahan` (official name), in the spellings a spreadsheet holds.

        keep_date adds the ISO registration date as "_registered", for sorting.
        """
        rng = self.rng
        woman = rng.random() < WOMEN_SHARE
        while True:
            name = self._name(woman)
            born = BIRTH_FIRST + dt.timedelta(days=rng.randrange((BIRTH_LAST - BIRTH_FIRST).days))
            person = ("".join(ch for ch in name.lower() if ch.isalnum()), kelurahan, born)
            if person not in self.people:
                self.people.add(person)
                break
        registered = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
        row = {
            "Nama Lengkap": name,
            "NIK": self._nik(born, woman),
            "Kelurahan": self._kelurahan(kelurahan),
            "RW": _number(rng, rng.randint(1, 12)),
            "RT": _number(rng, rng.randint(1, 15)),
            "Alamat": self._address(kelurahan),
            "No. HP": self._phone(),
            "Jenis Usaha": _weighted(rng, BUSINESS_TYPES),
            "Jumlah Anggota Keluarga": str(rng.choices(range(1, 11), weights=_HOUSEHOLD)[0]),
            "Penghasilan per Bulan": _rupiah(rng, round(rng.triangular(8, 120, 36)) * 50_000),
            "Tanggal Daftar": _date(rng, registered),
            "Persetujuan": rng.choice(("Ya", "Ya", "Ya", "ya", "YA")),
            "Status Pekerjaan": _weighted(self.work_rng, WORK_STATUSES),
        }
        if keep_date:
            row["_registered"] = registered.isoformat()
        return row

    def _name(self, woman: bool) -> str:
        rng = self.rng
        if not woman:
            return f"{rng.choice(MEN_FIRST)} {rng.choice(MEN_LAST)}"
        first, last = rng.choice(WOMEN_FIRST), rng.choice(WOMEN_LAST)
        roll = rng.random()
        if roll < 0.08:
            return f"{rng.choice(PREFIXES)}{first} {last}".replace("Siti Siti", "Siti")
        if roll < 0.15:
            return first  # one-word names are common on Indonesian KTPs
        if roll < 0.22:
            return f"{first} {rng.choice(WOMEN_FIRST)} {last}"
        return f"{first} {last}"

    def _nik(self, born: dt.date, woman: bool) -> str:
        region = _weighted(self.rng, NIK_REGIONS)
        day = born.day + (40 if woman else 0)
        stem = f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}"
        while True:
            nik = f"{stem}{self.rng.randint(1, 9999):04d}"
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def _kelurahan(self, official: str) -> str:
        spellings = KELURAHAN[official]
        return official if self.rng.random() < 0.5 else self.rng.choice(spellings)

    def _address(self, kelurahan: str) -> str:
        rng = self.rng
        street = rng.choice(STREETS[kelurahan])
        number = rng.randint(1, 120)
        roll = rng.random()
        if roll < 0.1:
            return f"{street} No. {number}{rng.choice('ABC')}"
        if roll < 0.2:
            return f"{street} Gg. {rng.choice(('I', 'II', 'III', 'IV'))} No. {number}"
        if roll < 0.25:
            return f"{street} No.{number}, dekat masjid"
        return f"{street} No. {number}"

    def _phone(self) -> str:
        rng = self.rng
        while True:
            prefix = rng.choice(PHONE_PREFIXES)
            length = rng.choice((8, 8, 8, 8, 9))  # digits after the 3-digit prefix
            rest = "".join(rng.choice("0123456789") for _ in range(length))
            if prefix + rest not in self.phones:
                self.phones.add(prefix + rest)
                break
        local = "0" + prefix + rest
        style = rng.randrange(6)
        if style == 0:
            return local
        if style == 1:
            return f"{local[:4]}-{local[4:8]}-{local[8:]}"
        if style == 2:
            return f"{local[:4]} {local[4:8]} {local[8:]}"
        if style == 3:
            return f"+62 {prefix} {rest[:4]} {rest[4:]}"
        if style == 4:
            return f"62{prefix}{rest}"
        return f"+62{prefix}{rest}"


_HOUSEHOLD = (3, 8, 15, 22, 20, 14, 9, 5, 2, 2)


def _number(rng: random.Random, n: int) -> str:
    """RT/RW as offices type them: 005, 05 or 5."""
    return rng.choice((f"{n:03d}", f"{n:03d}", f"{n:02d}", str(n)))


def _rupiah(rng: random.Random, amount: int) -> str:
    dotted = f"{amount:,}".replace(",", ".")
    style = rng.randrange(8)
    if style == 0 and amount % 10_000 == 0 and amount >= 1_000_000:
        millions = f"{amount / 1_000_000:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{millions} {rng.choice(('jt', 'juta'))}"
    if style in (1, 2):
        return f"Rp {dotted}"
    if style == 3:
        return f"Rp{dotted}"
    if style == 4:
        return str(amount)
    return dotted


def _date(rng: random.Random, date: dt.date) -> str:
    """Mostly Indonesian day-first dates as Excel shows them; some ISO."""
    if rng.random() < 0.8:
        return f"{date.day:02d}/{date.month:02d}/{date.year}"
    return date.isoformat()


def generate_rows(count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> list[dict[str, str]]:
    """`count` fictional cadres (dicts keyed by HEADERS without "No"), same for the same seed."""
    if count < 0:
        raise ValueError("count must be 0 or more")
    return CadreFactory(seed).rows(count)


def to_csv(rows: Sequence[dict[str, str]]) -> str:
    """The rows as Excel's 'CSV UTF-8' writes them in an Indonesian locale: ';' and CRLF.

    The byte-order mark is added by `to_bytes`, not here.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for number, row in enumerate(rows, start=1):
        writer.writerow([str(number), *(row[h] for h in HEADERS[1:])])
    return buffer.getvalue()


def to_bytes(rows: Sequence[dict[str, str]]) -> bytes:
    """The file's bytes: UTF-8 with a BOM, as Excel saves 'CSV UTF-8'."""
    return to_csv(rows).encode("utf-8-sig")


def write_csv(path: Path, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED) -> Path:
    """Generate `count` cadres into `path` (parent folders are created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(generate_rows(count, seed)))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, help=f"cadres to make (default {DEFAULT_COUNT})"
    )
    parser.add_argument(
        "--output",
        default=str(DEFAULT_OUTPUT),
        help="CSV file to write, or - for stdout (default: sample_data/kader-cilandak.csv)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be 0 or more")
    if args.output == "-":
        sys.stdout.buffer.write(to_bytes(generate_rows(args.count, args.seed)))
        return 0
    path = write_csv(Path(args.output), args.count, args.seed)
    print(f"Wrote {args.count} fictional cadres to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
