"""Bahasa Indonesia and English: every command once in each language, formats, the choice of
language, translated help and errors, and the Indonesian aliases.

The fixed registry (today is 2026-11-27; programme start 2026-01-05):
  K0001 Ani, K0002 Budi, K0003 Citra (Pondok Labu); K0004 Dewi, K0005 Eni (Cilandak Barat),
  all registered 2026-08-01; K0001's baseline income Rp 1.500.000
  B01 training 2026-08-17..2026-10-05, 8 sessions, minimum 50%, capacity 3, quota 2:
      K0001 K0002 K0004 enrolled; K0001 attended sessions 1-4 and completed on 2026-10-05,
      K0002 attended session 1 only (12.5%)
  U0001 "Kue Ani" (Kuliner) started 2026-10-10; K0001 reached pemasaran on 2026-10-20;
  K0001's income follow-up Rp 2.000.000 on 2026-11-20
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner, Result

from tests.backends import clone
from tests.helpers import edit_registry, location
from up2k_cli import i18n
from up2k_cli.cli.main import app

TODAY = "2026-11-27"
CSV = """nik,name,kelurahan,rw,rt,address,registered_on,consent,income
3174064101850001,Ani,Pondok Labu,1,1,Jl. A 1,2026-08-01,ya,1500000
3174060202850002,Budi,Pondok Labu,1,1,Jl. A 2,2026-08-01,ya,
3174064303850003,Citra,Pondok Labu,1,1,Jl. A 3,2026-08-01,ya,
3174064404850004,Dewi,Cilandak Barat,1,1,Jl. B 4,2026-08-01,ya,
3174064505850005,Eni,Cilandak Barat,1,1,Jl. B 5,2026-08-01,ya,
"""
NEW_CADRE = ["--nik", "3174064606900006", "--name", "Fitri", "--kelurahan", "Pondok Labu",
             "--rw", "2", "--rt", "3", "--address", "Jl. C 6", "--consent"]  # fmt: skip
SETUP = [
    (["init", "--start", "2026-01-05"], None),
    (["import", "cadres", "-"], CSV),
    (["batch", "add", "B01", "--title", "Pelatihan", "--start", "2026-08-17", "--end", "2026-10-05",
      "--sessions", "8", "--min-attendance", "50", "--capacity", "3", "--quota-per-kelurahan", "2"], None),
    (["enroll", "-b", "B01", "K0001", "K0002", "K0004", "--date", "2026-08-10"], None),
    (["attend", "-b", "B01", "-s", "1", "K0001", "K0002", "--date", "2026-08-17"], None),
    (["attend", "-b", "B01", "-s", "2", "K0001", "--date", "2026-08-24"], None),
    (["attend", "-b", "B01", "-s", "3", "K0001", "--date", "2026-08-31"], None),
    (["attend", "-b", "B01", "-s", "4", "K0001", "--date", "2026-09-07"], None),
    (["complete", "-b", "B01", "K0001", "--date", "2026-10-05"], None),
    (["business", "add", "K0001", "--name", "Kue Ani", "--category", "kuliner", "--started", "2026-10-10"], None),
    (["step", "K0001", "pemasaran", "--date", "2026-10-20"], None),
    (["income", "add", "K0001", "--amount", "2 jt", "--date", "2026-11-20"], None),
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english_afterwards():
    """The language is process-wide: leave English behind for the tests that follow."""
    yield
    i18n.install("en")


@pytest.fixture(scope="module")
def _registry_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("i18n") / "registry.json"
    runner = CliRunner()
    for args, stdin in SETUP:
        result = runner.invoke(app, args, input=stdin, env={**base_env(path), "UP2K_LANG": "en"})
        assert result.exit_code == 0, (args, result.stderr)
    return path.read_bytes()


@pytest.fixture(scope="module")
def _pg_template(postgres_cluster: Any) -> Iterator[str]:
    """The fixed registry in a database, made once through the CLI: each test gets a copy."""
    name = postgres_cluster.create_database("tpl_i18n", template="template0")
    runner = CliRunner()
    for args, stdin in SETUP:
        env = {**base_env(postgres_cluster.url(name)), "UP2K_LANG": "en"}
        result = runner.invoke(app, args, input=stdin, env=env)
        assert result.exit_code == 0, (args, result.stderr)
    yield name
    postgres_cluster.drop_database(name)


def base_env(db: Any) -> dict[str, str | None]:
    """No language in the environment unless a test puts one there."""
    return {"UP2K_DB": location(db), "UP2K_TODAY": TODAY, "COLUMNS": "200",
            "UP2K_LANG": None, "LANG": "C", "LC_ALL": None, "LC_MESSAGES": None}  # fmt: skip


@dataclass
class Up2k:
    db: Any  # a registry handle (tests/backends.py): a file, or a database
    folder: Path  # for files a command writes
    runner: CliRunner = field(default_factory=CliRunner)

    def __call__(
        self, *args: str, lang: str | None = None, input: str | None = None, **env: str | None
    ) -> Result:
        argv = ["--lang", lang, *args] if lang else list(args)
        return self.runner.invoke(app, argv, input=input, env={**base_env(self.db), **env})


@pytest.fixture
def up2k(db: Any, tmp_path: Path, request: pytest.FixtureRequest) -> Up2k:
    """The fixed registry, fresh for each test, on each backend."""
    if db.backend == "file":
        db.write_bytes(request.getfixturevalue("_registry_bytes"))
        db.chmod(0o600)
    else:
        clone(db, request.getfixturevalue("_pg_template"))
    return Up2k(db, tmp_path)


@pytest.fixture
def fresh(other_db: Any, tmp_path: Path) -> Up2k:
    """No registry yet."""
    return Up2k(other_db, tmp_path)


# --- every command, once in each language ---------------------------------------------------


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    en: str  # a fragment of the English output
    id: str  # the same fragment in Indonesian (the same text for machine output)
    stream: str = "stderr"
    exit_code: int = 0
    fresh: bool = False  # run on a path with no registry yet
    prepare: Callable[[Up2k], dict[str, str]] | None = None  # returns values for {names} in args
    on_server: Case | None = None  # what the command says instead on PostgreSQL


def _backup_to_restore(up2k: Up2k) -> dict[str, str]:
    assert up2k("cadre", "update", "K0003", "--phone", "0813-1111-2222").exit_code == 0
    listed = up2k("backup", "list", "--format", "json")
    return {"backup": json.loads(listed.stdout)[0]["id"]}


ON_SERVER = Case(
    ("backup", "list"),
    "backups of a PostgreSQL registry are the server's business",
    "cadangan registri PostgreSQL menjadi urusan server",
    exit_code=1,
)


def _own_export(table: str) -> Callable[[Up2k], dict[str, str]]:
    def prepare(up2k: Up2k) -> dict[str, str]:
        target = up2k.folder / f"{table}.csv"
        assert up2k("export", table, "--output", str(target)).exit_code == 0
        return {"export": str(target)}

    return prepare


def _own_bundle(up2k: Up2k) -> dict[str, str]:
    target = up2k.folder / "own.up2k"
    assert up2k("export", "bundle", "--output", str(target), "--no-encryption").exit_code == 0
    return {"bundle": str(target)}


def _group(up2k: Up2k, *members: str) -> dict[str, str]:
    """G0001 in Pondok Labu, with these members since 2026-09-01."""
    assert (
        up2k("group", "add", "Melati", "--kelurahan", "Pondok Labu", "--formed", "2026-08-20").exit_code == 0
    )
    if members:
        assert up2k("group", "join", "G0001", *members, "--date", "2026-09-01").exit_code == 0
    return {}


def _referral(up2k: Up2k) -> dict[str, str]:
    assert up2k("refer", "U0001", "--need", "nib", "--date", "2026-10-15").exit_code == 0
    return {}


CASES: dict[str, Case] = {
    "init": Case(("init",), "Created ", " dibuat: Kecamatan Cilandak (5 kelurahan)", fresh=True),
    "where": Case(("where",), "(it does not exist yet", "(belum ada;", fresh=True),
    "register": Case(("register", *NEW_CADRE), "Registered K0006: Fitri, Pondok Labu.", "Terdaftar K0006: Fitri, Pondok Labu."),
    "enroll": Case(
        ("enroll", "-b", "B01", "--waitlist", "K0003"),
        "Enrolled 0 in B01; waitlisted 1 (K0003).",
        "0 kader diikutkan di B01; 1 masuk daftar tunggu (K0003).",
    ),
    "withdraw": Case(("withdraw", "-b", "B01", "K0004", "--reason", "pindah"), "Withdrew K0004 from B01.", "K0004 dikeluarkan dari B01."),
    "attend": Case(
        ("attend", "-b", "B01", "-s", "5", "K0004", "--date", "2026-09-14"),
        "Recorded attendance of 1 for session 5 of B01.",
        "Kehadiran 1 kader dicatat untuk sesi 5 angkatan B01.",
    ),
    "complete": Case(
        ("complete", "-b", "B01", "K0002", "--date", "2026-10-05"),
        "below the minimum attendance of 50% in B01: K0002 attended 1/8 sessions (12%)",
        "di bawah kehadiran minimum 50% di B01: K0002 hadir 1/8 sesi (12%)",
        exit_code=1,
    ),
    "step": Case(
        ("step", "K0001", "permodalan", "--date", "2026-11-02"),
        "Recorded permodalan for K0001 on 2026-11-02.",
        "permodalan dicatat untuk K0001 pada 2 Nov 2026.",
    ),
    "check": Case(("check",), ": no problems found.", ": tidak ada masalah."),
    "history": Case(("history", "K0001"), "History (", "Riwayat (", stream="stdout"),
    "cadre list": Case(("cadre", "list"), "Cadres (5)", "Kader (5)", stream="stdout"),
    "cadre show": Case(("cadre", "show", "K0001"), "Household income", "Pendapatan rumah tangga", stream="stdout"),
    "cadre update": Case(("cadre", "update", "K0003", "--rt", "7"), "Updated K0003: rt.", "K0003 diperbarui: rt."),
    "cadre deactivate": Case(
        ("cadre", "deactivate", "K0005", "--reason", "pindah"), "K0005 (Eni) is now inactive.", "K0005 (Eni) sekarang tidak aktif."
    ),
    "cadre reactivate": Case(
        ("cadre", "reactivate", "K0005"), "Error: cadre K0005 is already active", "Kesalahan: kader K0005 sudah aktif", exit_code=1
    ),
    "cadre forget": Case(
        ("cadre", "forget", "K0005", "--reason", "permintaan"), "Erased the personal data of K0005", "Data pribadi K0005 dihapus"
    ),
    "batch add": Case(
        ("batch", "add", "B02", "--title", "Lanjutan", "--start", "2026-12-01", "--end", "2026-12-10"),
        "Added training batch B02: Lanjutan.",
        "Angkatan pelatihan B02 ditambahkan: Lanjutan.",
    ),
    "batch list": Case(("batch", "list"), "Batches (1)", "Angkatan (1)", stream="stdout"),
    "batch show": Case(("batch", "show", "B01"), "Minimum attendance", "Kehadiran minimum", stream="stdout"),
    "batch close": Case(("batch", "close", "B01"), "Closed batch B01 to enrollment.", "Pendaftaran angkatan B01 ditutup."),
    "batch update": Case(("batch", "update", "B01", "--venue", "Aula", "--reason", "pindah"), "Updated B01: venue.", "B01 diperbarui: venue."),
    "batch reopen": Case(
        ("batch", "reopen", "B01", "--reason", "tambah"), "Opened batch B01 again.", "Angkatan B01 dibuka kembali.",
        prepare=lambda up2k: up2k("batch", "close", "B01") and {},
    ),
    "business add": Case(
        ("business", "add", "K0003", "--name", "Jahit", "--category", "jasa"),
        "Added business U0002 (Jahit, Jasa).",
        "Usaha U0002 ditambahkan (Jahit, Jasa).",
    ),
    "business update": Case(
        ("business", "update", "U0001", "--nib", "1234567890123"), "Updated U0001: nib, licensed_on.", "U0001 diperbarui: nib, licensed_on."
    ),
    "business list": Case(("business", "list"), "Businesses (1)", "Usaha (1)", stream="stdout"),
    "business show": Case(("business", "show", "U0001"), "Licensed on", "Izin terbit", stream="stdout"),
    "income add": Case(
        ("income", "add", "K0001", "--amount", "2500000"),
        "Recorded follow-up income Rp 2.500.000 for K0001.",
        "Pemantauan pendapatan Rp 2.500.000 dicatat untuk K0001.",
    ),
    "income update": Case(
        ("income", "update", "I0001", "--reason", "typo", "--amount", "2,1 jt"),
        "Updated I0001: amount.",
        "I0001 diperbarui: amount.",
    ),
    "income remove": Case(
        ("income", "remove", "I0001", "--reason", "entered twice"), "Removed I0001 (K0001).", "I0001 (K0001) dihapus."
    ),
    "business remove": Case(
        ("business", "remove", "U0001", "--reason", "never started"), "Removed U0001 (K0001).", "U0001 (K0001) dihapus."
    ),
    "business follow-up": Case(
        ("business", "follow-up", "U0001", "--paid-workers", "1", "--owner-status", "helped-permanent"),
        "Recorded follow-up UF0001 of U0001 on 27 Nov 2026: now 0 family and 1 paid workers",
        "Pemantauan UF0001 untuk U0001 pada 27 Nov 2026 dicatat: kini 0 pekerja keluarga dan 1 pekerja dibayar",
    ),
    "group add": Case(
        ("group", "add", "Melati", "--kelurahan", "Pondok Labu", "--formed", "2026-08-20"),
        "Added group G0001 (Melati).", "Kelompok G0001 ditambahkan (Melati).",
    ),
    "group update": Case(
        ("group", "update", "G0001", "--capital", "2 jt"), "Updated G0001: capital.", "G0001 diperbarui: capital.",
        prepare=_group,
    ),
    "group join": Case(
        ("group", "join", "G0001", "K0001", "K0002", "--date", "2026-09-01"), "2 joined G0001.",
        "2 kader bergabung ke G0001.", prepare=_group,
    ),
    "group leave": Case(
        ("group", "leave", "G0001", "K0001"), "1 left G0001: K0001.", "1 kader keluar dari G0001: K0001.",
        prepare=lambda up2k: _group(up2k, "K0001"),
    ),
    "group list": Case(("group", "list"), "UP2K groups (0)", "Kelompok UP2K (0)", stream="stdout"),
    "group show": Case(("group", "show", "G0001"), "Former members", "Mantan anggota", stream="stdout",
                       prepare=_group),
    "group assess": Case(("group", "assess"), "Nothing recorded: add --confirm", "Tidak ada yang dicatat: tambahkan --confirm",
                         prepare=lambda up2k: _group(up2k, "K0001", "K0002", "K0003", "K0004", "K0005")),
    "settings group-tiers": Case(("settings", "group-tiers"), "not national rules", "bukan aturan nasional"),
    "refer": Case(
        ("refer", "U0001", "--need", "modal", "--agency", "Bank DKI"),
        "Referred U0001 to Bank DKI for capital (R0001).", "U0001 dirujuk ke Bank DKI untuk permodalan (R0001).",
    ),
    "referral update": Case(
        ("referral", "update", "R0001", "--status", "contacted"), "R0001: contacted on 27 Nov 2026 (RU0001).",
        "R0001: sudah dihubungi pada 27 Nov 2026 (RU0001).", prepare=_referral,
    ),
    "referral list": Case(("referral", "list"), "Referrals (0)", "Rujukan (0)", stream="stdout"),
    "referral show": Case(("referral", "show", "R0001"), "Updates", "Perkembangan", stream="stdout",
                          prepare=_referral),
    "settings agency-map": Case(("settings", "agency-map"), "(food licence, no P-IRT)", "(izin pangan, tanpa P-IRT)", stream="stdout"),
    "backup list": Case(("backup", "list"), "Backups (0)", "Cadangan (0)", stream="stdout", on_server=ON_SERVER),
    "undo": Case(("undo", "--yes"), "Undone: up2k income add", "Dibatalkan: up2k income add"),
    "backup restore": Case(
        ("backup", "restore", "{backup}"),
        "the file it replaced is now the newest backup.",
        "berkas yang digantikannya kini menjadi cadangan terbaru.",
        prepare=_backup_to_restore,
        on_server=Case(("backup", "restore", "x"), ON_SERVER.en, ON_SERVER.id, exit_code=1),
    ),
    "copy": Case(
        ("copy", "--to", "{target}"), "history entries, IDs kept.", "entri riwayat, ID tetap.",
        prepare=lambda run: {"target": str(run.folder / "copy.json")},
    ),
    "import cadres": Case(
        ("import", "cadres", "-"), "Imported 1 new cadre (K0006-K0006).", "1 kader baru diimpor (K0006-K0006).", prepare=lambda _: {}
    ),
    # Exports are machine output: the same in both languages.
    "export cadres": Case(("export", "cadres"), "id,nik,name,sex,birth_date,", "id,nik,name,sex,birth_date,", stream="stdout"),
    "export batches": Case(("export", "batches"), "B01,Pelatihan,training,2026-08-17", "B01,Pelatihan,training,2026-08-17", stream="stdout"),
    "export enrollments": Case(("export", "enrollments", "--format", "json"), '"attendance_pct": 12.5', '"attendance_pct": 12.5', stream="stdout"),
    "export businesses": Case(("export", "businesses"), "U0001,K0001,", "U0001,K0001,", stream="stdout"),
    "export steps": Case(("export", "steps"), "K0001,31.74.06.1003,3,pemasaran,2026-10-20,recorded", "K0001,31.74.06.1003,3,pemasaran,2026-10-20,recorded", stream="stdout"),
    "export incomes": Case(("export", "incomes"), "K0001,31.74.06.1003,follow-up,2000000,2026-11-20", "K0001,31.74.06.1003,follow-up,2000000,2026-11-20", stream="stdout"),
    "report summary": Case(("report", "summary"), "Attendance rate", "Tingkat kehadiran", stream="stdout"),
    "report kelurahan": Case(("report", "kelurahan"), "Completion", "Kelulusan", stream="stdout"),
    "report batch": Case(("report", "batch", "B01"), "Attendance per session (8 planned)", "Kehadiran per sesi (8 direncanakan)", stream="stdout"),
    "report weekly": Case(("report", "weekly"), "weekly report 2026-W47", "laporan mingguan 2026-W47", stream="stdout"),
    "report target": Case(
        ("report", "target"), "2026-01-05 to 2031-01-05, as of 2026-11-27", "5 Jan 2026 s.d. 5 Jan 2031, per 27 Nov 2026", stream="stdout"
    ),
    "report pipeline": Case(("report", "pipeline"), "Funnel (all kelurahan)", "Corong (semua kelurahan)", stream="stdout"),
    "report income": Case(("report", "income"), "Median change", "Median perubahan", stream="stdout"),
    "report agencies": Case(("report", "agencies"), "No P-IRT (food)", "Tanpa P-IRT (pangan)", stream="stdout"),
    "report jobs": Case(("report", "jobs"), "Jobs per category", "Lapangan kerja per kategori", stream="stdout"),
    "report pokja2": Case(
        ("report", "pokja2"), "PKK Pokja II activity data", "Data Kegiatan PKK Pokja II", stream="stdout"
    ),
    "report facilitation": Case(
        ("report", "facilitation", "--overdue", "0"), "Open referrals older than 30 days: 1, none listed",
        "Rujukan terbuka lebih dari 30 hari: 1, tidak ada yang dicantumkan", stream="stdout", prepare=_referral,
    ),
    "settings pokja2": Case(("settings", "pokja2"), "Signer's title", "Jabatan penanda tangan", stream="stdout"),
    "report dashboard": Case(("report", "dashboard"), "Progress toward the target", "Kemajuan menuju target", stream="stdout"),
    "export bundle": Case(
        ("export", "bundle", "--output", "{target}", "--no-encryption"), "Warning: the bundle is not encrypted",
        "Peringatan: bundel tidak dienkripsi", prepare=lambda run: {"target": str(run.folder / "b.up2k")},
    ),
    "merge": Case(
        ("merge", "{bundle}"), "was written by this registry itself", "ditulis oleh registri ini sendiri", exit_code=1,
        prepare=_own_bundle,
    ),
    **{
        f"import {table}": Case(
            ("import", table, "{export}"), "Nothing to import: this registry holds every record",
            "Tidak ada yang diimpor: registri ini sudah memuat setiap catatan", prepare=_own_export(table),
        )
        for table in (
            "batches", "enrollments", "businesses", "steps", "incomes",
            "business-follow-ups", "groups", "memberships", "group-tiers", "referrals", "referral-updates",
        )
    },
    **{
        f"export {table}": Case(("export", table), ",registry", ",registry", stream="stdout")
        for table in ("business-follow-ups", "groups", "memberships", "group-tiers", "referrals", "referral-updates")
    },
    "office add": Case(("office", "add"), "name a kelurahan (an office's login)", "sebutkan kelurahan (login kantor)", exit_code=1),
    "office list": Case(
        ("office", "list"), "office accounts are logins of a registry on PostgreSQL", "akun kantor adalah login registri di PostgreSQL",
        exit_code=1, on_server=Case(("office", "list"), "Accounts (0)", "Akun (0)", stream="stdout"),
    ),
    "office remove": Case(
        ("office", "remove", "kantor_x"), "office accounts are logins of a registry on PostgreSQL",
        "akun kantor adalah login registri di PostgreSQL", exit_code=1,
        on_server=Case(("office", "remove", "kantor_x"), "kantor_x is not an account of this registry",
                       "kantor_x bukan akun registri ini", exit_code=1),
    ),
}  # fmt: skip
IMPORT_CSV = (
    "nik,nama,kelurahan,rt,rw,alamat,persetujuan\n3174064606900006,Fitri,Pondok Labu,3,2,Jl. C 6,ya\n"
)


def leaf_commands(command: Any, path: tuple[str, ...] = ()) -> list[str]:
    subs = getattr(command, "commands", None)
    if not isinstance(subs, dict):
        return [" ".join(path)]
    return [leaf for name, sub in sorted(subs.items()) for leaf in leaf_commands(sub, (*path, name))]


def test_every_command_has_a_case_in_each_language() -> None:
    assert sorted(CASES) == sorted(leaf_commands(typer.main.get_command(app)))


@pytest.mark.parametrize("lang", ["en", "id"])
@pytest.mark.parametrize("command", sorted(CASES))
def test_command_output_in_each_language(command: str, lang: str, up2k: Up2k, fresh: Up2k) -> None:
    case = CASES[command]
    if up2k.db.backend == "postgresql" and case.on_server is not None:
        case = case.on_server
    run = fresh if case.fresh else up2k
    values = case.prepare(run) if case.prepare else {}
    args = [a.format(**values) for a in case.args]
    stdin = IMPORT_CSV if command == "import cadres" else None
    result = run(*args, lang=lang, input=stdin)
    assert result.exit_code == case.exit_code, result.stderr
    output = result.stdout if case.stream == "stdout" else result.stderr
    assert getattr(case, lang) in output
    if case.en != case.id:  # the other language's words must not leak in
        assert getattr(case, "id" if lang == "en" else "en") not in output


# --- formats ---------------------------------------------------------------------------------


def test_dates_have_indonesian_month_names(up2k: Up2k) -> None:
    indonesian = up2k("batch", "list", lang="id").stdout
    assert "17 Agu 2026" in indonesian and "5 Okt 2026" in indonesian
    english = up2k("batch", "list", lang="en").stdout
    assert "17 Aug 2026" in english and "5 Oct 2026" in english


def test_percentages_use_a_decimal_comma_in_indonesian(up2k: Up2k) -> None:
    assert "12,5%" in up2k("batch", "show", "B01", lang="id").stdout
    assert "12.5%" in up2k("batch", "show", "B01", lang="en").stdout


def test_rupiah_reads_the_same_in_both_languages(up2k: Up2k) -> None:
    for lang in ("en", "id"):
        shown = up2k("cadre", "show", "K0001", lang=lang).stdout
        assert "Rp 1.500.000" in shown and "Rp 2.000.000" in shown


def test_human_formats_directly() -> None:
    from up2k_cli.render.cells import human

    i18n.install("id")
    assert human(12.5, "pct") == "12,5%"
    assert human("2026-08-17", "date") == "17 Agu 2026"
    assert human(1500000, "money") == "Rp 1.500.000"
    i18n.install("en")
    assert (human(12.5, "pct"), human("2026-08-17", "date")) == ("12.5%", "17 Aug 2026")


MACHINE_OUTPUT = [
    ("cadre", "list", "--format", "csv"),
    ("cadre", "list", "--format", "json"),
    ("cadre", "show", "K0001", "--format", "json"),
    ("batch", "list", "--format", "json"),
    ("batch", "show", "B01", "--format", "csv"),
    ("batch", "show", "B01", "--format", "json"),
    ("business", "list", "--format", "csv"),
    ("settings", "agency-map", "--format", "json"),
    ("check", "--format", "json"),
    *[("report", name, "--format", fmt)
      for name in ("summary", "kelurahan", "weekly", "target", "pipeline", "income", "agencies", "jobs", "pokja2",
                   "facilitation")
      for fmt in ("csv", "json")],
    ("report", "batch", "B01", "--format", "json"),
    ("report", "batch", "B01", "--format", "csv"),
    *[("export", name, "--format", fmt)
      for name in ("cadres", "batches", "enrollments", "businesses", "steps", "incomes")
      for fmt in ("csv", "json", "jsonl")],
]  # fmt: skip


@pytest.mark.parametrize("args", MACHINE_OUTPUT, ids=[" ".join(a) for a in MACHINE_OUTPUT])
def test_csv_and_json_are_the_same_bytes_in_both_languages(up2k: Up2k, args: tuple[str, ...]) -> None:
    english, indonesian = up2k(*args, lang="en"), up2k(*args, lang="id")
    assert english.exit_code == indonesian.exit_code == 0, indonesian.stderr
    assert english.stdout_bytes == indonesian.stdout_bytes
    assert english.stdout_bytes.strip()


def test_report_json_keeps_english_titles_and_notes(up2k: Up2k) -> None:
    doc = json.loads(up2k("report", "summary", "--format", "json", lang="id").stdout)
    assert doc["title"] == "UP2K Kecamatan Cilandak: summary"
    assert doc["period"] == "as of 2026-11-27"
    assert doc["tables"]["summary"][0]["label"] == "Cadres registered"


def test_check_problems_stay_english_in_json(up2k: Up2k) -> None:
    def damage(data: dict) -> None:
        next(c for c in data["cadres"].values() if c["id"] == "K0002")["nik"] = "3174060202850000"

    edit_registry(up2k.db, damage)
    as_json = up2k("check", "--format", "json", lang="id")
    assert as_json.exit_code == 1
    assert "serial (last 4 digits) cannot be 0000" in as_json.stdout
    table = up2k("check", lang="id")
    assert "nomor urut (4 digit terakhir) tidak boleh 0000" in table.stdout
    assert "1 masalah ditemukan di" in table.stderr


# --- which language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "env", "expected"),
    [
        ("en", {"UP2K_LANG": "id", "LANG": "id_ID.UTF-8"}, "en"),  # --lang wins
        ("id", {"UP2K_LANG": "en", "LANG": "C"}, "id"),
        (None, {"UP2K_LANG": "en", "LANG": "id_ID.UTF-8"}, "en"),  # then UP2K_LANG
        (None, {"UP2K_LANG": "id", "LANG": "en_US.UTF-8"}, "id"),
        (None, {"LANG": "id_ID.UTF-8"}, "id"),  # then the locale
        (None, {"LC_ALL": "id_ID.UTF-8", "LANG": "en_US.UTF-8"}, "id"),
        (None, {"LANG": "C"}, "en"),  # else English
        (None, {"LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_language_precedence(up2k: Up2k, lang: str | None, env: dict[str, str], expected: str) -> None:
    result = up2k("cadre", "list", lang=lang, **env)
    assert result.exit_code == 0, result.stderr
    assert ("Kader (5)" if expected == "id" else "Cadres (5)") in result.stdout


def test_lang_option_may_come_as_lang_equals(up2k: Up2k) -> None:
    assert "Kader (5)" in up2k("--lang=id", "cadre", "list").stdout


def test_indonesian_help(fresh: Up2k) -> None:
    """Our help texts and Typer's headings in Indonesian; the parser's own words stay English."""
    result = fresh("--help", lang="id")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: up2k [OPTIONS] COMMAND [ARGS]...")
    for text in ("Opsi:", "Perintah:", "Register program UP2K PKK", "Bahasa: id (Bahasa Indonesia) atau en",
                 "[variabel lingkungan: UP2K_DB]", "Show this message and exit."):  # fmt: skip
        assert text in result.stdout, text
    sub = fresh("report", "summary", "--help", lang="id").stdout
    assert "Kader, angkatan, keikutsertaan per status" in sub and "[bawaan: " not in sub.split("--format")[0]


def test_indonesian_help_of_the_installed_command(tmp_path: Path) -> None:
    """`up2k --lang id --help` in a process of its own, with no language in its environment."""
    import os
    import subprocess

    from tests.helpers import up2k_cmd

    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "UP2K_LANG")}
    env.update(LANG="C", COLUMNS="200", UP2K_DB=str(tmp_path / "registry.json"))
    done = subprocess.run(
        up2k_cmd("--lang", "id", "--help"), capture_output=True, text=True, env=env, timeout=30
    )
    assert done.returncode == 0, done.stderr
    for text in ("Opsi:", "Perintah:", "Register program UP2K PKK", "Tampilkan versi.",
                 "[variabel lingkungan: UP2K_DB]", "Angkatan pelatihan dan pendampingan."):  # fmt: skip
        assert text in done.stdout, text
    assert "Options:" not in done.stdout and "Commands:" not in done.stdout


def test_english_help_glosses_the_domain_terms(fresh: Up2k) -> None:
    shown = fresh("register", "--help", lang="en").stdout
    for gloss in ("Kelurahan (urban village)", "RW (neighbourhood unit)", "kader PKK", "Kuliner (food)"):
        assert gloss in shown.replace("\n" + " " * 26, " "), gloss


def test_english_stays_english_after_an_indonesian_command(up2k: Up2k) -> None:
    up2k("--help", lang="id")
    up2k("cadre", "list", "--bogus", lang="id")
    shown = up2k("--help", lang="en").stdout
    assert shown.startswith("Usage: up2k")
    flat = " ".join(shown.split())  # Typer's own words, in English again
    assert "Options:" in shown and "Commands:" in shown and "[env var: UP2K_DB]" in flat
    bad = up2k("cadre", "list", "--bogus", lang="en")
    assert bad.stderr.splitlines()[-1] == "Error: No such option: --bogus"
    assert "Show this message and exit." in up2k("cadre", "--help", lang="en").stdout


def test_indonesian_leaves_the_standard_gettext_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default text domain and $LANGUAGE are ours only while Indonesian is current."""
    import gettext
    import os

    monkeypatch.setenv("LANGUAGE", "fr:en")
    domain = gettext.textdomain()
    i18n.install("id")
    assert gettext.gettext("Options") == "Opsi"
    i18n.install("id")
    i18n.install("en")
    assert (gettext.textdomain(), os.environ["LANGUAGE"]) == (domain, "fr:en")
    assert gettext.gettext("Options") == "Options"
    monkeypatch.delenv("LANGUAGE")
    i18n.install("id")
    i18n.install("en")
    assert "LANGUAGE" not in os.environ


def test_parser_usage_errors_stay_english(up2k: Up2k) -> None:
    """Typer's bundled Click writes them as plain English; they are not translated."""
    result = up2k("cadre", "list", "--bogus", lang="id")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Usage: up2k cadre list [OPTIONS]",
        "Try 'up2k cadre list -h' for help.",
        "",
        "Error: No such option: --bogus",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cadre", "deactivate", "K0001"), "Error: Missing option '--reason'."),
        (("cadre", "show"), "Error: Missing argument 'cadre'."),
        (("where", "extra"), "Error: Got unexpected extra argument(s) (extra)"),
        (("cadre", "list", "--format", "bogus"), "Error: Invalid value for '--format' / '-f': "),
        (("batch", "add", "B9", "--title", "x", "--start", "2026-12-01", "--end", "2026-12-02",
          "--capacity", "abc"), "Error: Invalid value for '--capacity': "),
        (("report", "facilitation", "--overdue", "-1"),
         "Error: Invalid value for '--overdue': '-1': gunakan bilangan bulat mulai 0, atau all untuk mencantumkan"),
        # Typer's own words go through the standard gettext, so they follow the language.
        (("laporn",), "Error: Perintah 'laporn' tidak ada."),
    ],
)  # fmt: skip
def test_usage_errors_in_indonesian(up2k: Up2k, args: tuple[str, ...], message: str) -> None:
    result = up2k(*args, lang="id")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].startswith(message)


def test_indonesian_refusal_is_one_translated_line(up2k: Up2k) -> None:
    result = up2k(
        "register", *[a if a != "3174064606900006" else "317406460690" for a in NEW_CADRE], lang="id"
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Kesalahan: nik '317406460690': harus 16 digit, ini 12 digit; "
        "spreadsheet mungkin menghilangkan digit, gunakan kolom Teks"
    ]
    assert result.stdout == ""


# --- Indonesian aliases -----------------------------------------------------------------------


def test_aliases_work(up2k: Up2k) -> None:
    registered = up2k("daftar", *NEW_CADRE, lang="id")
    assert (registered.exit_code, registered.stdout) == (0, "K0006\n")
    enrolled = up2k("ikut", "-b", "B01", "--waitlist", "K0006")
    assert enrolled.exit_code == 0 and "waitlisted 1 (K0006)" in enrolled.stderr
    for fmt in ("json", "csv"):
        alias = up2k("laporan", "summary", "--format", fmt)
        assert alias.exit_code == 0
        assert alias.stdout == up2k("report", "summary", "--format", fmt).stdout
    assert "Usage: up2k laporan summary" in up2k("laporan", "summary", "--help", lang="id").stdout


@pytest.mark.parametrize("lang", ["en", "id"])
def test_aliases_stay_out_of_the_help(fresh: Up2k, lang: str) -> None:
    shown = fresh("--help", lang=lang).stdout
    heading = "Perintah:" if lang == "id" else "Commands:"
    listed = [line.split()[0] for line in shown.split(heading + "\n")[1].splitlines() if line.strip()]
    assert "register" in listed and "report" in listed
    assert {"daftar", "ikut", "laporan"} & set(listed) == set()
    assert {"daftar", "ikut", "laporan"} & {
        p.split()[0] for p in leaf_commands(typer.main.get_command(app))
    } == set()
