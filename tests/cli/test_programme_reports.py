"""report jobs, report pokja2, report facilitation and settings pokja2, end to end, against
figures computed by hand; on both backends.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu (PL), K0004-K0005 Lebak Bulus (LB);
K0001 and K0004 looking for work when they registered.
  U0001 K0001 "Kue Ani" Kuliner, started 2026-10-05, helped by permanent workers: 1 family worker,
        2 paid (1 unemployed before, both local), Rp 10 jt a month (micro).
  U0002 K0004 "Jahit Dewi" Fesyen, started 2026-11-10, own account, no turnover.
Groups: G0001 "Melati" PL formed 2026-10-05 with K0001 K0002 (10-06), confirmed Pemula 2026-11-20;
  G0002 "Mawar" LB formed 2026-11-02 with K0004 (11-02), not classed.
Referrals: R0001 U0001 capital (Bank DKI) 2026-10-10, done 2026-10-20 with Rp 5 jt received;
  R0002 U0001 NIB (DPMPTSP) 2026-10-06, still open on 11-27 (52 days);
  R0003 U0002 mentoring (Sudin PPKUKM) 2026-11-12, closed 11-20 without result.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.enrollment_data import five_cadres
from tests.helpers import cli_runner


@pytest.fixture
def up2k(db):
    run = five_cadres(cli_runner(db, columns="120"))
    run("cadre", "update", "K0001", "--work-status", "unemployed")
    run("cadre", "update", "K0004", "--work-status", "unemployed")
    run("business", "add", "K0001", "--name", "Kue Ani", "--category", "kuliner", "--started", "2026-10-05",
        "--owner-status", "helped-permanent", "--family-workers", "1", "--paid-workers", "2",
        "--paid-were-unemployed", "1", "--paid-local", "2", "--turnover", "10 jt")  # fmt: skip
    run("business", "add", "K0004", "--name", "Jahit Dewi", "--category", "fesyen", "--started", "2026-11-10",
        "--owner-status", "own-account")  # fmt: skip
    run("group", "add", "Melati", "--kelurahan", "Pondok Labu", "--formed", "2026-10-05")
    run("group", "add", "Mawar", "--kelurahan", "Lebak Bulus", "--formed", "2026-11-02")
    run("group", "join", "G0001", "K0001", "K0002", "--date", "2026-10-06")
    run("group", "join", "G0002", "K0004", "--date", "2026-11-02")
    run("settings", "group-tiers", "pemula", "--members", "2")
    run("group", "assess", "G0001", "--date", "2026-11-20", "--confirm")
    run("refer", "U0001", "--need", "capital", "--agency", "Bank DKI", "--date", "2026-10-10")
    run("referral", "update", "R0001", "--status", "done", "--outcome", "capital", "--amount", "5 jt",
        "--date", "2026-10-20")  # fmt: skip
    run("refer", "U0001", "--need", "nib", "--agency", "DPMPTSP", "--date", "2026-10-06")
    run("refer", "U0002", "--need", "mentoring", "--agency", "Sudin PPKUKM", "--date", "2026-11-12")
    run("referral", "update", "R0003", "--status", "closed", "--date", "2026-11-20", "--note", "tidak hadir")
    return run


def as_json(up2k, *args: str) -> dict:
    result = up2k("report", *args, "--format", "json")
    assert result.stderr == ""
    return json.loads(result.stdout)


def by(rows: list[dict], key: str) -> dict:
    return {r[key]: r for r in rows}


# --- jobs ------------------------------------------------------------------------------------------


def test_jobs_per_kelurahan_category_and_total(up2k) -> None:
    doc = as_json(up2k, "jobs")
    rows = by(doc["tables"]["kelurahan"], "kelurahan")
    pl, lb, total = rows["Pondok Labu"], rows["Lebak Bulus"], rows["Total"]
    # Ani: herself, 1 family worker, 2 paid; Dewi alone.
    assert (pl["owners"], pl["family_workers"], pl["paid_workers"], pl["jobs"]) == (1, 1, 2, 4)
    assert (lb["owners"], lb["jobs"], lb["micro"], lb["size_unknown"]) == (1, 1, 0, 1)
    # Were unemployed: 1 paid worker, and both owners; both owners moved to work.
    assert (total["jobs"], total["jobs_formerly_unemployed"], total["moved_to_work"]) == (5, 3, 2)
    assert (total["micro"], total["paid_local"]) == (1, 2)
    categories = by(doc["tables"]["categories"], "category")
    assert (categories["Kuliner"]["jobs"], categories["Fesyen/Konveksi"]["jobs"]) == (4, 1)
    assert "moved_to_work" not in categories["Kuliner"]  # people, not businesses: no category line


def test_jobs_since_a_past_day_and_as_of(up2k) -> None:
    doc = as_json(up2k, "jobs", "--since", "2026-10-31")
    total = by(doc["tables"]["kelurahan"], "kelurahan")["Total"]
    assert (total["jobs"], total["jobs_change"], total["businesses_change"], total["moved_to_work_change"]) == (
        5, 1, 1, 1
    )  # fmt: skip
    assert doc["since"] == "2026-10-31"
    earlier = by(as_json(up2k, "jobs", "--as-of", "2026-10-31")["tables"]["kelurahan"], "kelurahan")["Total"]
    assert (earlier["jobs"], earlier["businesses"]) == (4, 1)


def test_jobs_csv_and_errors(up2k) -> None:
    result = up2k("report", "jobs", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["kelurahan"] for r in rows][-1] == "Total" and rows[-1]["jobs"] == "5"
    bad = up2k("report", "jobs", "--since", "2026-11-27", check=False)
    assert (bad.exit_code, bad.stdout) == (1, "")
    assert bad.stderr == "Error: since '2026-11-27': must be before the report's day (2026-11-27)\n"


def test_jobs_for_people(up2k) -> None:
    result = up2k("report", "jobs")
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[:2] == ["UP2K Kecamatan Cilandak: jobs", "as of 2026-11-27"]
    total = next(line for line in lines if line.startswith("Total"))
    assert total.split()[:6] == ["Total", "2", "2", "1", "2", "5"]  # businesses, owners, family, paid, jobs


def test_summary_weekly_and_target_carry_the_jobs_line(up2k) -> None:
    summary = {r["metric"]: r["value"] for r in as_json(up2k, "summary")["tables"]["summary"]}
    assert (summary["jobs"], summary["jobs_were_unemployed"]) == (5, 3)
    weekly = {r["metric"]: r["value"] for r in as_json(up2k, "weekly")["tables"]["cumulative"]}
    assert weekly["jobs"] == 5
    assert as_json(up2k, "target")["jobs"] == 5


# --- pokja2 ----------------------------------------------------------------------------------------


def test_pokja2_month_and_year(up2k) -> None:
    doc = as_json(up2k, "pokja2")
    assert (doc["period"], doc["as_of"]) == ("2026-11", "2026-11-27")
    rows = by(doc["tables"]["pokja2"], "kelurahan")
    assert (rows["Pondok Labu"]["pemula_groups"], rows["Pondok Labu"]["pemula_members"]) == (1, 2)
    assert (rows["Lebak Bulus"]["unclassed_groups"], rows["Lebak Bulus"]["unclassed_members"]) == (1, 1)
    assert (rows["Total"]["groups"], rows["Total"]["members"], rows["Total"]["no"]) == (2, 3, None)
    october = by(as_json(up2k, "pokja2", "--period", "2026-10")["tables"]["pokja2"], "kelurahan")
    # On 31 October: Melati not classed yet, Mawar not formed.
    assert (october["Total"]["groups"], october["Total"]["unclassed_members"]) == (1, 2)
    bad = up2k("report", "pokja2", "--period", "2026-13", check=False)
    assert (bad.exit_code, bad.stdout) == (1, "")
    assert bad.stderr.startswith("Error: period '2026-13'")


def test_pokja2_signature_block_from_the_settings(up2k) -> None:
    shown = up2k("report", "pokja2").stdout.splitlines()
    assert shown[-3:] == ["Cilandak, 2026-11-27", "Chair of the TP PKK, Kecamatan Cilandak",
                          "( ................................ )"]  # fmt: skip
    up2k("settings", "pokja2", "--place", "Jakarta", "--signer-title", "Ketua TP PKK Kecamatan Cilandak",
         "--signer-name", "Ibu Sari")  # fmt: skip
    settings = json.loads(up2k("settings", "pokja2", "--format", "json").stdout)
    assert settings == [{"place": "Jakarta", "signer_title": "Ketua TP PKK Kecamatan Cilandak",
                         "signer_name": "Ibu Sari"}]  # fmt: skip
    markdown = up2k("report", "pokja2", "--format", "markdown").stdout
    assert "Jakarta, 2026-11-27  \nKetua TP PKK Kecamatan Cilandak  \n( Ibu Sari )" in markdown
    assert as_json(up2k, "pokja2")["signature"][2] == "( Ibu Sari )"


def test_pokja2_workbook_prints_on_one_a4_landscape_page(up2k, tmp_path) -> None:
    from openpyxl import load_workbook

    up2k("settings", "pokja2", "--signer-name", "Ibu Sari")
    path = tmp_path / "pokja2.xlsx"
    up2k("report", "pokja2", "--format", "xlsx", "--output", str(path))
    book = load_workbook(path)
    (sheet,) = book.worksheets
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts[0] == "PKK Pokja II activity data: UP2K groups, Kecamatan Cilandak"
    assert texts[1] == "2026-11-01 to 2026-11-30, counted at the end of 2026-11-27"
    assert texts[-3:] == ["Cilandak, 2026-11-27", "Chair of the TP PKK, Kecamatan Cilandak", "( Ibu Sari )"]


# --- facilitation ------------------------------------------------------------------------------------


def test_facilitation_per_agency_and_need(up2k) -> None:
    doc = as_json(up2k, "facilitation")
    rows = {(r["agency"], r["need"]): r for r in doc["tables"]["facilitation"]}
    capital = rows[("Bank DKI", "capital")]
    assert (capital["referred"], capital["done"], capital["median_days_to_outcome"]) == (1, 1, 10.0)
    assert capital["capital_received"] == 5_000_000
    nib = rows[("DPMPTSP", "nib")]
    assert (nib["open"], nib["open_over_30"], nib["open_over_90"]) == (1, 1, 0)
    assert rows[("Sudin PPKUKM", "mentoring")]["closed"] == 1
    total = rows[("Total", "")]
    assert (total["referred"], total["open"], total["done"], total["closed"], total["capital_received"]) == (
        3, 1, 1, 1, 5_000_000
    )  # fmt: skip
    (overdue,) = doc["tables"]["overdue"]
    assert (overdue["id"], overdue["business_id"], overdue["kelurahan"], overdue["days_open"]) == (
        "R0002", "U0001", "Pondok Labu", 52
    )  # fmt: skip


def test_facilitation_as_of_and_no_personal_data(up2k) -> None:
    earlier = as_json(up2k, "facilitation", "--as-of", "2026-10-15")
    rows = {(r["agency"], r["need"]): r for r in earlier["tables"]["facilitation"]}
    assert (rows[("Total", "")]["referred"], rows[("Total", "")]["open"]) == (2, 2)
    assert earlier["tables"]["overdue"] == []
    shown = up2k("report", "facilitation").stdout + up2k("report", "facilitation", "--format", "csv").stdout
    for personal in ("Kader 1", "0812", "Jl. Melati", "Ani"):
        assert personal not in shown


# --- facilitation: how many overdue referrals are listed (--overdue) ----------------------------------


@pytest.fixture
def late(up2k, db):
    """Besides R0002 (open since 2026-10-06), 24 referrals open since September, R0004-R0027: one a
    day from 2026-09-01, except that R0010 and R0009 share 2026-09-06 (the ID decides). 25 past
    30 days in all. Planted in the registry: `refer` allows one open referral per need."""
    from tests.helpers import edit_registry

    def plant(data: dict) -> None:
        table = data["referrals"]
        doc = max(int(k) for k in table)
        for n in range(4, 28):
            day = 6 if n in (9, 10) else n - 3 - (n > 10)
            table[str(doc + n)] = {"id": f"R{n:04d}", "business_id": "U0002" if n % 2 else "U0001",
                                   "agency": "Sudin PPKUKM", "need": "marketing",
                                   "referred_on": f"2026-09-{day:02d}", "note": None}  # fmt: skip

    edit_registry(db, plant)
    return up2k


OLDEST = ["R0004", "R0005", "R0006", "R0007", "R0008", "R0009", "R0010", "R0011", "R0012", "R0013"]


def test_facilitation_lists_the_oldest_20_and_says_how_many_there_are(late) -> None:
    from up2k_cli.domain.facilitation import OVERDUE_LISTED

    doc = as_json(late, "facilitation")
    listed = [o["id"] for o in doc["tables"]["overdue"]]
    assert OVERDUE_LISTED == 20 and len(listed) == 20
    assert listed[:10] == OLDEST and listed[-1] == "R0023"
    total = next(r for r in doc["tables"]["facilitation"] if r["agency"] == "Total")
    assert doc["overdue_total"] == total["open_over_30"] == 25
    shown = late("report", "facilitation").stdout
    assert "Open referrals older than 30 days: the oldest 20 of 25; --overdue all lists every one" in shown
    assert "R0023" in shown and "R0024" not in shown and "R0002" not in shown
    markdown = late("report", "facilitation", "--format", "markdown").stdout
    assert (
        "## Open referrals older than 30 days: the oldest 20 of 25; --overdue all lists every one" in markdown
    )


def test_facilitation_overdue_all_lists_every_one(late) -> None:
    doc = as_json(late, "facilitation", "--overdue", "all")
    assert [o["id"] for o in doc["tables"]["overdue"]][-2:] == ["R0027", "R0002"]
    assert len(doc["tables"]["overdue"]) == doc["overdue_total"] == 25
    shown = late("report", "facilitation", "--overdue", "ALL").stdout
    assert "Open referrals older than 30 days, the oldest first" in shown and " of 25" not in shown


def test_facilitation_overdue_n_and_0(late) -> None:
    three = as_json(late, "facilitation", "--overdue", "3")
    assert [o["id"] for o in three["tables"]["overdue"]] == OLDEST[:3] and three["overdue_total"] == 25
    assert "the oldest 3 of 25" in late("report", "facilitation", "--overdue", "3").stdout
    none = as_json(late, "facilitation", "--overdue", "0")
    assert none["tables"]["overdue"] == [] and none["overdue_total"] == 25
    assert none["tables"]["facilitation"] == three["tables"]["facilitation"]  # the figures are all there
    shown = late("report", "facilitation", "--overdue", "0").stdout
    assert "Open referrals older than 30 days: 25, none listed; --overdue N lists the oldest N" in shown
    every = as_json(late, "facilitation", "--overdue", "25")
    assert len(every["tables"]["overdue"]) == 25
    assert "of 25" not in late("report", "facilitation", "--overdue", "25").stdout


def test_facilitation_workbook_says_how_many_are_left_out(late, tmp_path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "f.xlsx"
    late("report", "facilitation", "--overdue", "5", "-o", str(book))
    sheet = load_workbook(book)["overdue"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Open referrals older than 30 days: the oldest 5 of 25; --overdue all lists every one" in texts
    assert sheet.max_row == 5 + 5  # title, period, the list's title, a blank line, the header; five rows


def test_facilitation_under_the_limit_lists_all_without_a_count(up2k) -> None:
    doc = as_json(up2k, "facilitation")
    assert len(doc["tables"]["overdue"]) == doc["overdue_total"] == 1
    assert "Open referrals older than 30 days, the oldest first" in up2k("report", "facilitation").stdout


@pytest.mark.parametrize("value", ["-1", "x", "2.5", "", "twenty", "1e3", "all5"])
def test_facilitation_refuses_a_bad_overdue(up2k, tmp_path, value: str) -> None:
    target = tmp_path / "f.json"
    result = up2k("report", "facilitation", f"--overdue={value}", "-o", str(target), check=False)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--overdue': {value!r}: use a whole number from 0, or all to list every one"
    )
    assert not target.exists()


def test_facilitation_help_states_the_default_limit(up2k) -> None:
    from up2k_cli.domain.facilitation import OVERDUE_LISTED

    shown = " ".join(up2k("report", "facilitation", "--help").stdout.split())
    assert (
        "--overdue N|all How many of the open referrals older than 30 days to list, the oldest first" in shown
    )
    assert f"the oldest first (default {OVERDUE_LISTED}); all lists every one, 0 none." in shown
