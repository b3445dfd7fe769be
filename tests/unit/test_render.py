"""The output layer's pieces on their own: escaping per kind of output, the layout of a table for
a width, windows of a list, rows per kelurahan, the format an --output name implies."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from up2k_cli.render import escape
from up2k_cli.render.formats import Format, from_extension
from up2k_cli.render.model import KEEP, Column, Kind, Table, details, per_kelurahan, record_fields, window
from up2k_cli.render.text import table_lines, wrap

# --- escaping -------------------------------------------------------------------------------------


def test_every_control_format_and_separator_character_is_made_visible() -> None:
    """The hand-written ranges in escape.py cover Python's whole Unicode database."""
    missed = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp") and not escape.needs_escape(chr(cp))
    ]
    assert missed == []


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("Ani\x1b[31mMerah", "Ani\\x1b[31mMerah"),
        ("\x1b]8;;http://x\x07Klik\x1b]8;;\x07", "\\x1b]8;;http://x\\x07Klik\\x1b]8;;\\x07"),
        ("a\x9b31mb", "a\\x9b31mb"),
        ("a\x7fb", "a\\x7fb"),
        ("a\u202eb", "a\\u202eb"),
        ("a\u200bb", "a\\u200bb"),
        ("a\U000e0041b", "a\\U000e0041b"),
        ("Siti Aminah, Jl. Pinang No. 1/2 — café", "Siti Aminah, Jl. Pinang No. 1/2 — café"),
    ],
)
def test_visible(stored: str, shown: str) -> None:
    assert escape.visible(stored) == shown


@given(
    st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "'", "\t", "\r", "a", "1", " ", "."]), max_size=8)
)
def test_the_formula_guard_is_undone_exactly(text: str) -> None:
    guarded = escape.guard_formula(text)
    assert escape.unguard_formula(guarded) == text
    assert (
        not isinstance(guarded, str)
        or not guarded.startswith(escape.FORMULA_START)
        or escape._SIGNED_NUMBER.match(guarded)
    )


@pytest.mark.parametrize(
    ("text", "guarded"),
    [("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"), ("'=x", "''=x"), ("+6281234567890", "+6281234567890"),
     ("-5", "-5"), ("Ani", "Ani"), ("'Ani", "'Ani")],
)  # fmt: skip
def test_the_formula_guard(text: str, guarded: str) -> None:
    assert escape.guard_formula(text) == guarded


def test_a_quote_typed_in_a_spreadsheet_before_a_phone_is_taken_off() -> None:
    assert escape.unguard_formula("'+6281234567890") == "+6281234567890"


def test_markdown_text_renders_as_the_same_text() -> None:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for text in ("[klik](http://x) ![i](http://x/i.png)", "<img src=x onerror=alert(1)>", "**b** _i_ `c` ~~s~~",
                 "a | b", "&lt;b&gt; & co", "cadres_active", "back\\slash"):  # fmt: skip
        html = md.render(f"| h |\n|---|\n| {escape.markdown_text(text)} |\n")
        cell = html.split("<td>")[1].split("</td>")[0]
        assert "<" not in cell.replace("&lt;", "")
        import html as html_lib

        assert html_lib.unescape(cell) == text


def test_json_keeps_the_data_and_shows_no_raw_control() -> None:
    value = "a\x9b\u202e\x7f\U000e0041\x1b"
    text = escape.json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert text.isascii() or all(unicodedata.category(c) not in ("Cc", "Cf") for c in text)


def test_xlsx_text_keeps_what_xml_can_hold() -> None:
    assert escape.xlsx_text("a\x1bb\tc\nd") == "a\\x1bb\tc\nd"


# --- layout ---------------------------------------------------------------------------------------

COLUMNS = (
    Column("id", "ID", Kind.ID, priority=KEEP),
    Column("name", "Name", Kind.FREE, priority=KEEP),
    Column("code", "Code", Kind.CODE, priority=9),
    Column("amount", "Amount", Kind.MONEY, priority=2),
    Column("on", "Date", Kind.DATE, priority=3),
)
ROWS = [
    {"id": f"K{n:04d}", "name": "Nyai Raden Ayu Siti Fatimah Kusumawardhani" if n == 2 else f"Kader {n}",
     "code": "31.74.06.1003", "amount": 1_250_000 * n, "on": "2026-11-27"}
    for n in range(1, 4)
]  # fmt: skip


def test_a_table_at_its_natural_width_shows_everything() -> None:
    lines = [text for line in table_lines(Table("t", "T", COLUMNS, ROWS), None) for text, _ in line]
    assert "Nyai Raden Ayu Siti Fatimah Kusumawardhani" in "\n".join(lines)
    assert all("…" not in line for line in lines)


@pytest.mark.parametrize("width", [40, 50, 60, 80])
def test_a_narrow_table_cuts_text_and_leaves_out_columns_but_never_splits_a_value(width: int) -> None:
    lines = ["".join(t for t, _ in line) for line in table_lines(Table("t", "T", COLUMNS, ROWS), width)]
    text = "\n".join(lines)
    assert all(len(line) <= width for line in lines), lines
    for row in ROWS:
        assert row["id"] in text
    for value in ("Rp 1.250.000", "Rp 3.750.000", "27 Nov 2026", "31.74.06.1003"):
        assert value in text or value[:4] not in text  # whole, or the column left out
    if "31.74.06.1003" not in text:
        assert "Not shown, to fit" in text and "Code" in text.split("Not shown")[1]


def test_the_column_that_matters_least_goes_first() -> None:
    lines = ["".join(t for t, _ in line) for line in table_lines(Table("t", "T", COLUMNS, ROWS), 60)]
    note = next(line for line in lines if line.startswith("Not shown"))
    assert "Code" in note and "Amount" not in note


def test_details_wrap_long_text_instead_of_cutting_it() -> None:
    long = "Jl. Haji Nawi Raya, Gang Masjid Al-Ikhlas No. 17, belakang warung bakso"
    table = details("d", "", [("Address", long, Kind.FREE), ("Income", 2_250_000, Kind.MONEY)])
    lines = ["".join(t for t, _ in line) for line in table_lines(table, 40)]
    assert all(len(line) <= 40 for line in lines)
    assert (
        " ".join(line.split(None, 1)[-1] if i == 0 else line.strip() for i, line in enumerate(lines[:-1]))
        == long
    )
    assert lines[-1].split() == ["Income", "Rp", "2.250.000"]


def test_wrap_breaks_at_spaces_hyphens_and_slashes() -> None:
    assert wrap("pelaporan-keuangan", 12) == ["pelaporan-", "keuangan"]
    assert wrap("Pertanian perkotaan/Perikanan", 20) == ["Pertanian perkotaan/", "Perikanan"]


def test_wrap_never_breaks_inside_an_amount_a_date_or_an_option() -> None:
    assert wrap("modal bersama Rp 0 dari Rp 5.000.000; pembukuan", 15) == [
        "modal bersama", "Rp 0 dari", "Rp 5.000.000;", "pembukuan"
    ]  # fmt: skip
    assert wrap("dicatat 20 Nov 2026 oleh pkk", 12) == ["dicatat", "20 Nov 2026", "oleh pkk"]
    assert wrap("on: 2026-11-20 -> 2026-11-27", 14) == ["on: 2026-11-20", "-> 2026-11-27"]
    assert wrap("Sejak (--wide menampilkan semua kolom).", 10)[:2] == ["Sejak", "(--wide"]


# --- lists and rows -------------------------------------------------------------------------------


# --- stored codes, the words people read ----------------------------------------------------------


def test_a_labelled_column_shows_words_to_people_and_keeps_the_code_for_tools() -> None:
    from up2k_cli import i18n
    from up2k_cli.i18n import N_, MsgList
    from up2k_cli.render import writers

    status = Column("work_status", N_("Work status"), labels={"unemployed": N_("looking for work")})
    lacks = Column("lacks", "Lacks", Kind.FREE)
    rows = [
        {"work_status": "unemployed", "lacks": MsgList([i18n.Msg(N_("bookkeeping")), "NIB"])},
        {"work_status": "not-a-code", "lacks": ""},
    ]
    table = Table("t", "T", (status, lacks), rows)
    assert writers.csv_text(rows, table.columns).splitlines() == [
        "work_status,lacks", "unemployed,bookkeeping; NIB", "not-a-code,"
    ]  # fmt: skip
    assert [r["work_status"] for r in json.loads(writers.json_rows(rows, table.columns))] == [
        "unemployed", "not-a-code"
    ]  # fmt: skip
    try:
        i18n.install("id")
        drawn = "\n".join("".join(t for t, _ in line) for line in table_lines(table, None))
        assert "mencari kerja" in drawn and "pembukuan; NIB" in drawn and "not-a-code" in drawn
        assert "mencari kerja" in writers.markdown_list(table)
        (field,) = record_fields(rows[0], [status])
        assert (field[1].localised(), str(field[1])) == ("mencari kerja", "looking for work")
    finally:
        i18n.install("en")


def test_window() -> None:
    rows = list(range(10))
    assert window(rows, 3, 2) == [2, 3, 4]
    assert window(rows, None, 8) == [8, 9]
    assert window(rows, 3, 0, from_end=True) == [7, 8, 9]
    assert window(rows, 3, 2, from_end=True) == [5, 6, 7]
    assert window(rows, None, 8, from_end=True) == [0, 1]
    assert window(rows, 5, 20) == [] and window(rows, 5, 20, from_end=True) == []


def test_rows_per_kelurahan_end_with_the_total() -> None:
    rows = per_kelurahan([("1", "A"), ("2", "B")], lambda code: {"n": int(code)}, {"n": 3})
    assert rows == [
        {"kelurahan_code": "1", "kelurahan": "A", "n": 1},
        {"kelurahan_code": "2", "kelurahan": "B", "n": 2},
        {"kelurahan_code": "", "kelurahan": "Total", "n": 3},
    ]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("a.csv", Format.CSV), ("a.JSON", Format.JSON), ("a.ndjson", Format.JSONL), ("a.md", Format.MARKDOWN),
     ("a.xlsx", Format.XLSX), ("a.txt", None), ("a", None), (None, None)],
)  # fmt: skip
def test_the_format_an_output_name_implies(name: str | None, fmt: Format | None) -> None:
    assert from_extension(name) == fmt
