"""Businesses, 7 PAS steps, agencies and income: figures computed by hand.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus.
  T1 training, completed by K1 and K2 on 11-10; M1 mentoring, completed by K1 on 11-12;
  K4 records pendampingan on 11-14; K1 records pemasaran on 11-17.
  U0001 K1 Kuliner, started 11-15, NIB licensed 11-16  -> K1 new entrepreneur from 11-15
  U0002 K2 Fesyen, started 11-18, no NIB               -> K2 new entrepreneur from 11-18
  U0003 K1 Pertanian, started 11-22, no NIB            -> K1 still counted once
Income: K1 1.0 jt -> 1.2 jt (11-01) -> 1.5 jt (11-20); K2 2.0 jt -> 1.8 jt (11-05);
  K3 1.5 jt, no follow-up; K4 no baseline, 0.9 jt (11-05); K5 3.0 jt -> 3.6 jt (11-12).
"""

from __future__ import annotations

import json

import pytest

from tests.enrollment_data import five_cadres
from tests.helpers import cli_runner


@pytest.fixture
def up2k(db):
    return five_cadres(cli_runner(db))


@pytest.fixture
def outcomes(up2k):
    run = up2k
    run("batch", "add", "T1", "--title", "T", "--start", "2026-11-01", "--end", "2026-11-10",
        "--min-attendance", "0")  # fmt: skip
    run("batch", "add", "M1", "--kind", "mentoring", "--title", "M", "--start", "2026-11-02",
        "--end", "2026-11-12", "--min-attendance", "0")  # fmt: skip
    run("enroll", "-b", "T1", "K0001", "K0002", "--date", "2026-10-20")
    run("complete", "-b", "T1", "K0001", "K0002", "--date", "2026-11-10")
    run("enroll", "-b", "M1", "K0001", "--date", "2026-10-20")
    run("complete", "-b", "M1", "K0001", "--date", "2026-11-12")
    run("step", "K0004", "pendampingan", "--date", "2026-11-14")
    run("step", "K0001", "pemasaran", "--date", "2026-11-17", "--note", "bazar")
    assert run("business", "add", "K0001", "--name", "Kue Ani", "--category", "kuliner",
               "--started", "2026-11-15", "--nib", "1234567890123",
               "--licensed-on", "2026-11-16").stdout == "U0001\n"  # fmt: skip
    run(
        "business",
        "add",
        "K0002",
        "--name",
        "Jahit",
        "--category",
        "Fesyen",
        "--started",
        "2026-11-18",
    )
    run("business", "add", "K0001", "--name", "Bibit", "--category", "urban farming",
        "--started", "2026-11-22")  # fmt: skip
    for cadre, amount in (("K0001", "1.000.000"), ("K0002", "2 jt"), ("K0003", "Rp 1.500.000"),
                          ("K0005", "3000000")):  # fmt: skip
        run("income", "add", cadre, "--amount", amount, "--baseline")
    for cadre, amount, on in (("K0001", "1,2 jt", "2026-11-01"), ("K0001", "1.500.000", "2026-11-20"),
                              ("K0002", "1.800.000", "2026-11-05"), ("K0004", "900 rb", "2026-11-05"),
                              ("K0005", "3,6 jt", "2026-11-12")):  # fmt: skip
        run("income", "add", cadre, "--amount", amount, "--date", on)
    return run


def report(run, *args: str) -> dict:
    return json.loads(run("report", *args, "--format", "json").stdout)


def test_pipeline_funnel_by_hand(outcomes):
    doc = report(outcomes, "pipeline")
    rows = {r["kelurahan"]: r for r in doc["tables"]["kelurahan"]}
    steps = ["pendaftaran", "pelatihan", "pendampingan", "perizinan", "pemasaran",
             "pelaporan-keuangan", "permodalan"]  # fmt: skip
    assert [rows["Pondok Labu"][s] for s in steps] == [3, 2, 1, 1, 1, 0, 0]
    assert [rows["Lebak Bulus"][s] for s in steps] == [2, 0, 1, 0, 0, 0, 0]
    assert [rows["Total"][s] for s in steps] == [5, 2, 2, 1, 1, 0, 0]
    funnel = doc["tables"]["funnel"]
    assert [(f["step"], f["cadres"], f["pct_of_registered"]) for f in funnel][:4] == [
        ("pendaftaran", 5, 100.0), ("pelatihan", 2, 40.0), ("pendampingan", 2, 40.0),
        ("perizinan", 1, 20.0),
    ]  # fmt: skip
    early = report(outcomes, "pipeline", "--as-of", "2026-11-11")
    assert [early["tables"]["kelurahan"][-1][s] for s in steps] == [5, 2, 0, 0, 0, 0, 0]


def test_steps_are_listed_in_the_order_reached(outcomes):
    shown = json.loads(outcomes("cadre", "show", "K0001", "--format", "json").stdout)
    assert [(s["step"], s["on"]) for s in shown["steps"]] == [
        ("pendaftaran", "2026-10-01"), ("pelatihan", "2026-11-10"), ("pendampingan", "2026-11-12"),
        ("perizinan", "2026-11-16"), ("pemasaran", "2026-11-17"),
    ]  # fmt: skip
    again = outcomes("step", "K0001", "pemasaran", "--date", "2026-11-20")
    assert "already reached pemasaran on 2026-11-17" in again.stderr
    auto = outcomes("step", "K0003", "pelatihan", check=False)
    assert auto.exit_code == 1
    assert "reached when a training batch is completed" in auto.stderr
    unknown = outcomes("step", "K0003", "jualan", check=False)
    assert unknown.exit_code == 1 and "step 'jualan'" in unknown.stderr


def test_a_cadre_with_two_businesses_counts_once_from_the_first_start(outcomes):
    target = report(outcomes, "target")
    assert target["tables"]["target"][-1]["achieved"] == 2  # K1 and K2, not 3 businesses
    weeks = {w: report(outcomes, "weekly", "--week", w)["tables"]["totals"] for w in ("2026-W46", "2026-W47")}
    w46 = {r["metric"]: r["this_week"] for r in weeks["2026-W46"]}
    w47 = {r["metric"]: r["this_week"] for r in weeks["2026-W47"]}
    assert (w46["businesses"], w46["new_entrepreneurs"]) == (1, 1)  # U0001 on 11-15 (Sunday)
    assert (w47["businesses"], w47["new_entrepreneurs"]) == (2, 1)  # U0002 11-18, U0003 11-22
    kelurahan = {r["kelurahan"]: r for r in report(outcomes, "kelurahan")["tables"]["kelurahan"]}
    assert (
        kelurahan["Pondok Labu"]["businesses"],
        kelurahan["Pondok Labu"]["new_entrepreneurs"],
    ) == (3, 2)
    summary = report(outcomes, "summary")
    assert {r["category"]: r["businesses"] for r in summary["tables"]["businesses_by_category"]}[
        "Kuliner"
    ] == 1
    figures = {r["metric"]: r["value"] for r in summary["tables"]["summary"]}
    assert (figures["businesses"], figures["new_entrepreneurs"]) == (3, 2)
    assert report(outcomes, "target", "--as-of", "2026-11-17")["tables"]["target"][-1]["achieved"] == 1


def test_income_medians_by_hand(outcomes):
    rows = {r["kelurahan"]: r for r in report(outcomes, "income")["tables"]["income"]}
    total = rows["Total"]
    assert (total["with_baseline"], total["with_follow_up"], total["with_both"]) == (4, 4, 3)
    assert total["median_baseline"] == 1_750_000  # 1.0 1.5 2.0 3.0
    assert total["median_latest"] == 1_650_000  # 0.9 1.5 1.8 3.6
    assert total["median_change"] == 500_000  # -0.2 +0.5 +0.6 (K3 and K4 excluded)
    assert total["median_change_pct"] == 20.0  # -10% +20% +50%
    assert total["rose_pct"] == 66.7
    labu = rows["Pondok Labu"]
    assert (labu["median_change"], labu["median_change_pct"], labu["rose_pct"]) == (
        150_000,
        20.0,
        50.0,
    )
    bulus = rows["Lebak Bulus"]
    assert (bulus["with_follow_up"], bulus["with_both"], bulus["median_latest"]) == (
        2,
        1,
        2_250_000,
    )
    earlier = {
        r["kelurahan"]: r for r in report(outcomes, "income", "--as-of", "2026-11-10")["tables"]["income"]
    }
    assert earlier["Total"]["with_both"] == 2  # K5's follow-up comes on 11-12
    assert (earlier["Total"]["median_change"], earlier["Total"]["median_change_pct"]) == (0, 5.0)
    text = outcomes("report", "income").stdout
    assert "3 of 5 registered" in text and "Rp 1.750.000" in text
    assert "317406" not in text and "0812" not in text


def test_baseline_only_once(outcomes):
    again = outcomes("income", "add", "K0001", "--amount", "5 jt", "--baseline", check=False)
    assert again.exit_code == 1
    assert "already has a baseline of Rp 1.000.000" in again.stderr
    bad = outcomes("income", "add", "K0001", "--amount", "banyak", check=False)
    assert bad.exit_code == 1 and "amount 'banyak'" in bad.stderr


def test_agencies_and_what_businesses_lack(outcomes):
    rows = {r["agency"]: r for r in report(outcomes, "agencies")["tables"]["agencies"]}
    assert rows["Sudin PPKUKM"] == {"agency": "Sudin PPKUKM", "businesses": 2, "lacks_nib": 1,
                                    "lacks_pirt": 1, "lacks_halal": 1}  # fmt: skip
    assert rows["Sudin KPKP"]["businesses"] == 1 and rows["Sudin KPKP"]["lacks_nib"] == 1
    assert rows["DPMPTSP (PTSP)"]["businesses"] == 1  # Kue Ani: culinary without P-IRT
    only = report(outcomes, "agencies", "--agency", "sudin kpkp")
    assert list(r["agency"] for r in only["tables"]["agencies"]) == ["Sudin KPKP"]
    assert "contacts" not in only["tables"]


def test_agency_map_change_is_reflected_in_reports(outcomes):
    changed = outcomes("settings", "agency-map", "Pertanian perkotaan", "Sudin KPKP Jakarta Selatan")
    assert "Pertanian perkotaan/Perikanan: Sudin KPKP -> Sudin KPKP Jakarta Selatan" in changed.stderr
    agencies = {r["agency"] for r in report(outcomes, "agencies")["tables"]["agencies"]}
    assert "Sudin KPKP Jakarta Selatan" in agencies and "Sudin KPKP" not in agencies
    listed = outcomes("business", "list", "--agency", "Sudin KPKP Jakarta Selatan", "--format", "ids")
    assert listed.stdout == "U0003\n"
    outcomes("settings", "agency-map", "--reset")
    assert "Sudin KPKP" in {r["agency"] for r in report(outcomes, "agencies")["tables"]["agencies"]}


def test_contacts_are_personal_data_only_on_request_and_recorded(outcomes, db):
    plain = outcomes("report", "agencies").stdout
    assert "0812" not in plain and "Kader 1" not in plain
    contacts = report(outcomes, "agencies", "--with-contacts")["tables"]["contacts"]
    assert {
        "business_id": "U0001",
        "owner": "Kader 1",
        "phone": "+6281200000001",
    }.items() <= contacts[0].items()
    history = json.loads(db.read_bytes())["history"].values()
    exports = [h for h in history if h["action"] == "personal-data-export"]
    assert len(exports) == 1 and exports[0]["command"] == "report agencies"


def test_nib_must_be_13_digits_and_unique(outcomes):
    short = outcomes(
        "business",
        "add",
        "K0003",
        "--name",
        "X",
        "--category",
        "jasa",
        "--nib",
        "12345",
        check=False,
    )
    assert short.exit_code == 1
    assert "nib '12345': an NIB is 13 digits" in short.stderr
    reused = outcomes("business", "add", "K0003", "--name", "X", "--category", "jasa",
                      "--nib", "1234567890123", check=False)  # fmt: skip
    assert reused.exit_code == 1
    assert "already belongs to business U0001" in reused.stderr
    update = outcomes("business", "update", "U0002", "--nib", "1234567890123", check=False)
    assert update.exit_code == 1
    outcomes("business", "update", "U0002", "--nib", "1234 5678 9012 4", "--licensed-on", "2026-11-25")
    shown = json.loads(outcomes("business", "show", "U0002", "--format", "json").stdout)
    assert (shown["nib"], shown["licensed_on"], shown["lacks"]) == (
        "1234567890124",
        "2026-11-25",
        "",
    )
    bad_category = outcomes("business", "add", "K0003", "--name", "X", "--category", "kulinr", check=False)
    assert "did you mean 'Kuliner'" in bad_category.stderr


def test_business_list_filters_and_exports(outcomes):
    def ids(*args: str) -> list[str]:
        return outcomes("business", "list", *args, "--format", "ids").stdout.split()

    assert ids() == ["U0001", "U0002", "U0003"]
    assert ids("--kelurahan", "lebak bulus") == []
    assert ids("--category", "warung") == []
    assert ids("--category", "kuliner") == ["U0001"]
    assert ids("--step", "perizinan") == ["U0001", "U0003"]  # owner K1 reached it
    assert ids("--from", "2026-11-16", "--to", "2026-11-20") == ["U0002"]
    header = outcomes("export", "businesses").stdout.splitlines()[0]
    assert header.startswith("id,cadre_id,kelurahan_code,kelurahan,name,category,started_on")
    steps = outcomes("export", "steps", "--format", "jsonl").stdout.splitlines()
    first = json.loads(steps[0])
    assert len(first.pop("registry")) == 16  # the registry's identity, the last column
    assert first == {"cadre_id": "K0001", "kelurahan_code": "31.74.06.1003", "order": 1,
                     "step": "pendaftaran", "on": "2026-10-01", "source": "automatic",
                     "note": None, "id": None}  # fmt: skip
    incomes = [line.rsplit(",", 1)[0] for line in outcomes("export", "incomes").stdout.splitlines()]
    assert incomes[0] == "id,cadre_id,kelurahan_code,kind,amount,on,note,work_status"
    assert incomes[1] == ",K0001,31.74.06.1003,baseline,1000000,2026-10-01,,"
    assert incomes[2] == "I0001,K0001,31.74.06.1003,follow-up,1200000,2026-11-01,,"


# --- corrections and the coordinator's follow-up lists (issue 14) -----------------------------


def ids(run, *args: str) -> list[str]:
    return [r["id"] for r in json.loads(run("cadre", "list", *args, "--format", "json").stdout)]


def bulus(run) -> dict:
    return next(r for r in report(run, "income")["tables"]["income"] if r["kelurahan"] == "Lebak Bulus")


def test_income_update_and_remove_keep_the_old_values_in_the_history(outcomes):
    run = outcomes
    incomes = json.loads(run("export", "incomes", "--format", "json").stdout)
    first = next(r for r in incomes if r["cadre_id"] == "K0005" and r["kind"] == "follow-up")
    assert first["amount"] == 3_600_000
    done = run("income", "update", first["id"], "--amount", "3,7 jt", "--reason", "salah ketik")
    assert done.stderr == f"Updated {first['id']}: amount.\n" and done.stdout == ""
    assert bulus(run)["median_latest"] == 2_300_000  # 0.9 and 3.7 (was 3.6)
    refused = run("income", "update", first["id"], "--reason", "x", check=False)
    assert refused.exit_code == 1 and "nothing to change" in refused.stderr
    future = run("income", "update", first["id"], "--date", "2027-01-01", "--reason", "x", check=False)
    assert future.exit_code == 1 and "2027-01-01" in future.stderr
    removed = run("income", "remove", first["id"], "--reason", "dicatat dua kali")
    assert removed.stderr == f"Removed {first['id']} (K0005).\n"
    left = json.loads(run("export", "incomes", "--format", "json").stdout)
    assert first["id"] not in [r["id"] for r in left]
    history = json.loads(run("history", first["id"], "--format", "json").stdout)
    reasons = [e.get("reason") for e in history]
    assert "salah ketik" in reasons and "dicatat dua kali" in reasons
    assert bulus(run)["with_follow_up"] == 1
    again = run("income", "remove", first["id"], "--reason", "x", check=False)
    assert again.exit_code == 1 and "not found" in again.stderr


def test_business_remove_only_when_nothing_rests_on_it(outcomes):
    run = outcomes
    run("business", "follow-up", "U0001", "--paid-workers", "2", "--date", "2026-11-25")
    refused = run("business", "remove", "U0001", "--reason", "x", check=False)
    assert refused.exit_code == 1 and "business U0001 has follow-ups or referrals" in refused.stderr
    no_reason = run("business", "remove", "U0002", "--reason", " ", check=False)
    assert no_reason.exit_code == 1 and "reason" in no_reason.stderr
    assert ids(run, "--no-business") == []  # K1 and K2, trained, both have a business
    run("business", "remove", "U0002", "--reason", "belum pernah dimulai")
    listed = json.loads(run("business", "list", "--format", "json").stdout)
    assert [b["id"] for b in listed] == ["U0001", "U0003"]
    assert ids(run, "--no-business") == ["K0002"]
    assert report(run, "pipeline")  # the reports read the registry without it
    run("undo", "--yes")
    assert ids(run, "--no-business") == []


def test_step_remove_needs_a_recorded_step_and_a_reason(outcomes):
    run = outcomes
    no_reason = run("step", "K0001", "pemasaran", "--remove", check=False)
    assert no_reason.exit_code == 1 and "reason" in no_reason.stderr
    automatic = run("step", "K0001", "pendaftaran", "--remove", "--reason", "x", check=False)
    assert automatic.exit_code != 0
    done = run("step", "K0001", "pemasaran", "--remove", "--reason", "salah orang")
    assert done.stderr == "Took back step pemasaran of K0001.\n"
    steps = [s["step"] for s in json.loads(run("cadre", "show", "K0001", "--format", "json").stdout)["steps"]]
    assert "pemasaran" not in steps
    again = run("step", "K0001", "pemasaran", "--remove", "--reason", "x", check=False)
    assert again.exit_code == 1 and "no recorded step pemasaran" in again.stderr


def test_follow_up_lists(outcomes):
    run = outcomes
    # today 2026-11-27; follow-ups: K1 11-01 and 11-20, K2 11-05, K4 11-05, K5 11-12
    assert ids(run, "--no-follow-up", "1") == ["K0003"]
    run("income", "add", "K0003", "--amount", "1,6 jt", "--date", "2026-11-26")
    assert ids(run, "--no-follow-up", "1") == []
    assert ids(run, "--incomplete") == []
    run("cadre", "update", "K0004", "--phone", "")
    assert ids(run, "--incomplete") == ["K0004"]
    assert ids(run, "--incomplete", "--kelurahan", "Pondok Labu") == []
    zero = run("cadre", "list", "--no-follow-up", "0", check=False)
    assert zero.exit_code == 2 and "--no-follow-up" in zero.stderr


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [("2026-11-27", 6, "2026-05-27"), ("2026-03-31", 1, "2026-02-28"), ("2026-01-15", 13, "2024-12-15"),
     ("2024-05-31", 3, "2024-02-29")],
)  # fmt: skip
def test_months_before(day, months, expected):
    import datetime as dt

    from up2k_cli.domain.validators import months_before

    assert months_before(dt.date.fromisoformat(day), months).isoformat() == expected
