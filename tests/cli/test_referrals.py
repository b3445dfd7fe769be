"""up2k refer and referral, end to end: the ID alone on stdout, outcomes writing through to the
business and the 7 PAS steps, one-line errors, hostile agencies and notes printed as written.

Cadres (registered 2026-10-01): K0001-K0003 Pondok Labu, K0004-K0005 Lebak Bulus.
U0001 K0001 "Kue Ani" Kuliner, started 2026-10-05."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.enrollment_data import five_cadres
from tests.helpers import cli_runner


@pytest.fixture
def up2k(tmp_path):
    run = five_cadres(cli_runner(tmp_path / "r.json"))
    run("business", "add", "K0001", "--name", "Kue Ani", "--category", "kuliner", "--started", "2026-10-05")
    return run


def one_error(result) -> str:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


def steps(up2k) -> list[dict]:
    """The steps export without the columns issue 13 added (a recorded step's ID, the registry)."""
    rows = [json.loads(line) for line in up2k("export", "steps", "--format", "jsonl").stdout.splitlines()]
    return [{k: v for k, v in r.items() if k not in ("id", "registry")} for r in rows]


def test_refer_prints_the_id_alone_and_defaults_the_agency(up2k) -> None:
    result = up2k("refer", "U0001", "--need", "P-IRT", "--date", "2026-10-10")
    assert result.stdout == "R0001\n"
    assert result.stderr == "Referred U0001 to DPMPTSP (PTSP) for P-IRT (R0001).\n"
    assert up2k("refer", "u0001", "--need", "modal", "--agency", "Bank DKI").stdout == "R0002\n"


def test_an_issued_nib_fills_the_business_and_perizinan(up2k) -> None:
    up2k("refer", "U0001", "--need", "nib", "--date", "2026-10-10")
    up2k("referral", "update", "R0001", "--status", "contacted", "--date", "2026-10-12")
    result = up2k("referral", "update", "R0001", "--status", "done", "--nib", "1234-5678-90123", "--date",
                  "2026-10-20")  # fmt: skip
    assert result.stdout == ""
    assert result.stderr == (
        "R0001: done on 20 Oct 2026 (RU0002).\n"
        "Business U0001 updated: nib=1234567890123; licensed_on=2026-10-20.\n"
    )
    business = json.loads(up2k("business", "show", "U0001", "--format", "json").stdout)
    assert (business["nib"], business["licensed_on"]) == ("1234567890123", "2026-10-20")
    assert {"cadre_id": "K0001", "kelurahan_code": "31.74.06.1003", "order": 2, "step": "perizinan",
            "on": "2026-10-20", "source": "automatic", "note": None} in steps(up2k)  # fmt: skip


def test_capital_received_reaches_permodalan(up2k) -> None:
    up2k("refer", "U0001", "--need", "capital", "--agency", "Bank DKI", "--date", "2026-10-10")
    result = up2k("referral", "update", "R0001", "--status", "done", "--amount", "Rp 10.000.000", "--source",
                  "KUR", "--date", "2026-11-03")  # fmt: skip
    assert result.stderr.splitlines()[-1] == "K0001 reached permodalan on 3 Nov 2026."
    (step,) = [s for s in steps(up2k) if s["step"] == "permodalan"]
    assert (step["on"], step["source"], step["note"]) == ("2026-11-03", "recorded", "R0001 KUR Rp 10.000.000")
    shown = json.loads(up2k("referral", "show", "R0001", "--format", "json").stdout)
    assert (shown["status"], shown["outcome"], shown["amount"], shown["days"]) == (
        "done",
        "capital",
        10_000_000,
        24,
    )
    assert shown["updates"][0]["source"] == "kur"


def test_closing_without_result_needs_a_reason(up2k) -> None:
    up2k("refer", "U0001", "--need", "halal", "--date", "2026-10-10")
    line = one_error(up2k("referral", "update", "R0001", "--status", "closed", check=False))
    assert line == "Error: note (empty): required to close without result: say why"
    up2k("referral", "update", "R0001", "--status", "ditutup", "--note", "tidak melanjutkan")
    line = one_error(up2k("referral", "update", "R0001", "--status", "contacted", check=False))
    assert line == (
        "Error: referral R0001 is closed without result since 2026-11-27; refer the business again for a new need"
    )


def test_details_that_do_not_fit_the_outcome_are_named(up2k) -> None:
    up2k("refer", "U0001", "--need", "nib", "--date", "2026-10-10")
    result = up2k(
        "referral", "update", "R0001", "--status", "contacted", "--nib", "1234567890123", check=False
    )
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "Error: nib '1234567890123': goes with --status done --outcome nib\n"
    result = up2k("referral", "update", "R0001", "--status", "done", check=False)
    assert result.stderr == "Error: nib (empty): required for outcome nib: give --nib\n"
    assert up2k("referral", "update", "R0001", "--status", "maybe", check=False).stderr.startswith(
        "Error: status 'maybe': unknown; use one of contacted, in progress, done, closed without result"
    )


def test_a_second_open_referral_for_the_same_need_is_refused(up2k) -> None:
    up2k("refer", "U0001", "--need", "nib", "--date", "2026-10-10")
    assert one_error(up2k("refer", "U0001", "--need", "NIB", check=False)) == (
        "Error: U0001 is already referred for nib (R0001, referred); update that referral"
    )


def test_unknown_referral_and_business(up2k) -> None:
    assert one_error(up2k("referral", "show", "R0042", check=False)) == (
        "Error: referral 'R0042' not found; 'up2k referral list' shows the IDs"
    )
    assert one_error(up2k("refer", "U0042", "--need", "nib", check=False)) == (
        "Error: business 'U0042' not found; 'up2k business list' shows the IDs"
    )


def test_refer_needs_a_need(up2k) -> None:
    result = up2k("refer", "U0001", check=False)
    assert result.exit_code == 2 and "Missing option '--need'" in result.stderr


def test_referral_list_filters_and_formats(up2k) -> None:
    up2k("refer", "U0001", "--need", "nib", "--date", "2026-10-10")
    up2k("refer", "U0001", "--need", "capital", "--agency", "Bank DKI", "--date", "2026-10-12")
    up2k("referral", "update", "R0002", "--status", "done", "--amount", "3 jt", "--date", "2026-10-30")
    assert up2k("referral", "list", "--format", "ids").stdout == "R0001\nR0002\n"
    assert up2k("referral", "list", "--open", "--format", "ids").stdout == "R0001\n"
    assert up2k("referral", "list", "--status", "done", "--format", "ids").stdout == "R0002\n"
    assert up2k("referral", "list", "--need", "permodalan", "--format", "ids").stdout == "R0002\n"
    assert up2k("referral", "list", "--agency", "bank dki", "--format", "ids").stdout == "R0002\n"
    assert up2k("referral", "list", "--business", "U0001", "--format", "ids").stdout == "R0001\nR0002\n"
    rows = list(csv.DictReader(io.StringIO(up2k("referral", "list", "--format", "csv").stdout)))
    assert list(rows[0]) == ["id", "business_id", "business", "cadre_id", "kelurahan_code", "kelurahan", "agency",
                             "need", "referred_on", "status", "since", "days", "outcome", "amount", "note"]  # fmt: skip
    assert (rows[0]["status"], rows[0]["days"]) == ("referred", "48")
    assert (rows[1]["status"], rows[1]["days"], rows[1]["outcome"], rows[1]["amount"]) == (
        "done", "18", "capital", "3000000"
    )  # fmt: skip
    table = up2k("referral", "list").stdout
    assert "Referrals (2)" in table and "capital" in table and "18" in table


def test_referral_show_lists_updates_and_history(up2k) -> None:
    up2k("refer", "U0001", "--need", "marketing", "--agency", "Sudin PPKUKM", "--date", "2026-10-10")
    up2k("referral", "update", "R0001", "--status", "in-progress", "--date", "2026-10-15")
    up2k(
        "referral",
        "update",
        "R0001",
        "--status",
        "done",
        "--note",
        "Bazar JakPreneur",
        "--date",
        "2026-11-01",
    )
    shown = up2k("referral", "show", "R0001").stdout
    assert "Referral R0001" in shown and "joined a market or bazaar" in shown and "Bazar JakPreneur" in shown
    assert [s["on"] for s in steps(up2k) if s["step"] == "pemasaran"] == ["2026-11-01"]


def test_indonesian_labels_english_codes(up2k) -> None:
    up2k("refer", "U0001", "--need", "capital", "--agency", "Bank DKI", "--date", "2026-10-10")
    assert "permodalan" in up2k("--lang", "id", "referral", "list").stdout
    assert (
        json.loads(up2k("--lang", "id", "referral", "list", "--format", "json").stdout)[0]["need"]
        == "capital"
    )


def test_hostile_agencies_and_notes_are_printed_as_written(up2k) -> None:
    agency = "[red]Bank[/red] [/] =cmd()"
    up2k("refer", "U0001", "--need", "capital", "--agency", agency, "--note", "[/]", "--date", "2026-10-10")
    up2k(
        "referral",
        "update",
        "R0001",
        "--status",
        "closed",
        "--note",
        "@SUM(1) [bold]x",
        "--date",
        "2026-10-11",
    )
    assert agency in up2k("referral", "list").stdout
    shown = up2k("referral", "show", "R0001").stdout
    assert agency in shown and "@SUM(1) [bold]x" in shown
    row = next(csv.DictReader(io.StringIO(up2k("referral", "list", "--format", "csv").stdout)))
    assert row["agency"] == agency, "text that does not start a formula stays as it is"
    assert row["note"] == "[/]"
