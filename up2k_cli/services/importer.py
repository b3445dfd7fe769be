"""Import cadres from a kelurahan office's spreadsheet export (CSV), all-or-nothing by default."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain.cadre import ACTIVE, INACTIVE, Cadre, FieldCleaner, birth_month_year, similar_key
from up2k_cli.domain.errors import Up2kError, ValidationError, ValidationErrors
from up2k_cli.domain.validators import nik_from_number
from up2k_cli.i18n import N_, _, localise
from up2k_cli.render.escape import unguard_formula
from up2k_cli.storage.protocol import UnitOfWork

from . import common

# Header spellings (after normalise_header) -> input field. English names are the export's own.
HEADER_ALIASES: dict[str, str] = {
    "nik": "nik",
    "no ktp": "nik",
    "nomor induk kependudukan": "nik",
    "name": "name",
    "nama": "name",
    "nama lengkap": "name",
    "kelurahan": "kelurahan",
    "kel": "kelurahan",
    "kelurahan code": "kelurahan_code",
    "kode kelurahan": "kelurahan_code",
    "rw": "rw",
    "rt": "rt",
    "address": "address",
    "alamat": "address",
    "phone": "phone",
    "no hp": "phone",
    "nomor hp": "phone",
    "hp": "phone",
    "telepon": "phone",
    "telp": "phone",
    "no telepon": "phone",
    "whatsapp": "phone",
    "no wa": "phone",
    "business type": "business_type",
    "jenis usaha": "business_type",
    "usaha": "business_type",
    "household size": "household_size",
    "jumlah anggota keluarga": "household_size",
    "anggota keluarga": "household_size",
    "income": "income",
    "penghasilan": "income",
    "penghasilan per bulan": "income",
    "pendapatan": "income",
    "registered on": "registered_on",
    "tanggal daftar": "registered_on",
    "consent": "consent",
    "persetujuan": "consent",
    "consent on": "consent_on",
    "tanggal persetujuan": "consent_on",
    "consent method": "consent_method",
    "cara persetujuan": "consent_method",
    "status": "status",
    "work status": "work_status",
    "status pekerjaan": "work_status",
    "status kerja": "work_status",
}
# Columns that are read but not imported: row numbers, and values the registry derives itself.
IGNORED_HEADERS = {"no", "nomor", "id", "sex", "birth date", "jenis kelamin", "tanggal lahir"}
REQUIRED_COLUMNS = {
    "nik": "NIK",
    "name": "Nama",
    "kelurahan": "Kelurahan",
}
# Many kelurahan sheets have no RT, RW or address: such cadres come in, listed as incomplete.
CONTACT_COLUMNS = {"rw": "RW", "rt": "RT", "address": "Alamat"}
# Where a row lives: a CSV file's line, or a workbook's sheet row (shown in the messages).
LINE, SHEET_ROW = N_("line"), N_("sheet row")
MAX_COLUMNS = 200
MAX_FIELD = 10_000
DELIMITERS = (";", ",", "\t")


@dataclass
class RowError:
    row: int
    line: int
    column: str
    value: Any
    reason: str

    unit: str = LINE

    def __str__(self) -> str:
        shown = _("(empty)") if self.value in (None, "") else repr(str(self.value))
        return _("row {row} ({unit} {line}), column {column} {value}: {reason}").format(
            row=self.row,
            unit=_(self.unit),
            line=self.line,
            column=self.column,
            value=shown,
            reason=localise(self.reason),
        )


@dataclass
class SourceTable:
    """A decoded CSV: its header, its data rows with their file line numbers, and notes."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (file line or sheet row, cells: text, or typed from xlsx)
    notes: list[str] = field(default_factory=list)
    unit: str = LINE
    dialect: Dialect = field(default_factory=lambda: Dialect())


@dataclass(frozen=True)
class Dialect:
    """How a CSV file was written (so that its rejects reopen in the same Excel)."""

    delimiter: str = ","
    bom: bool = False
    newline: str = "\r\n"
    encoding: str = "utf-8"


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected_rows: list[tuple[list[str], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    dialect: Dialect = field(default_factory=lambda: Dialect())  # the input's, for its rejects


class ImportRefused(Up2kError):
    """Bad rows (or a bad file) and no --skip-invalid: nothing was written."""

    def __init__(self, message: str, result: ImportResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def normalise_header(name: str) -> str:
    return " ".join(re.sub(r"[._\-:/]+", " ", name.strip().lower()).split())


def decode(data: bytes, encoding: str | None = None) -> tuple[str, list[str]]:
    """Text of the file: UTF-8 (BOM or not); Windows-1252 as Excel's fallback, said aloud."""
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(_("this is an Excel workbook, not CSV; in Excel use Save As > CSV UTF-8"))
    if b"\x00" in data[:4096]:
        raise ImportRefused(_("this is not a text CSV file (it holds binary data)"))
    if encoding:
        try:
            return data.decode(encoding), []
        except (LookupError, UnicodeDecodeError) as exc:
            raise ImportRefused(
                _("cannot read the file as {encoding}: {error}").format(encoding=encoding, error=exc)
            ) from None
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportRefused(
            _(
                "the file is neither UTF-8 nor Windows-1252; save it as 'CSV UTF-8' "
                "or name its encoding with --encoding"
            )
        ) from None
    return text, [_("the file is not UTF-8; read it as Windows-1252 (Excel's usual encoding)")]


def read_csv(data: bytes, encoding: str | None = None) -> SourceTable:
    """Decode, detect the delimiter from the header line, and split into rows."""
    text, notes = decode(data, encoding)
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ImportRefused(_("the file is empty: no header row"))
        if len(header) > MAX_COLUMNS:
            raise ImportRefused(too_many_columns(len(header)))
        rows: list[tuple[int, list[str]]] = []
        for cells in reader:
            if any(len(c) > MAX_FIELD for c in cells):
                raise ImportRefused(
                    _("line {line} has a cell over {limit} characters; is this the right file?").format(
                        line=reader.line_num, limit=MAX_FIELD
                    )
                )
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ImportRefused(
            _("line {line} is not valid CSV: {error}").format(line=reader.line_num, error=exc)
        ) from None
    line_end = "\r\n" if "\r\n" in text[: len(first_line) + 2] else "\n"
    encoding = "cp1252" if notes else (encoding or "utf-8")
    dialect = Dialect(delimiter, data.startswith(b"\xef\xbb\xbf"), line_end, encoding)
    return SourceTable(header=header, rows=rows, notes=notes, dialect=dialect)


def read_xlsx(data: bytes, sheet: str | None = None) -> SourceTable:
    """The first (or the named) sheet of a workbook; cells keep their Excel types."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportRefused(_("cannot read the workbook: {error}").format(error=exc)) from None
    if sheet is not None and sheet not in workbook.sheetnames:
        raise ImportRefused(
            _("no sheet {name}; the workbook has: {sheets}").format(
                name=repr(sheet), sheets=", ".join(workbook.sheetnames)
            )
        )
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    header_row = next(rows_iter, None)
    if not header_row or not any(h not in (None, "") for h in header_row):
        raise ImportRefused(_("sheet {name} is empty: no header row").format(name=repr(ws.title)))
    if len(header_row) > MAX_COLUMNS:
        raise ImportRefused(too_many_columns(len(header_row)))
    header = ["" if h is None else str(h) for h in header_row]
    rows = []
    for number, cells in enumerate(rows_iter, start=2):
        values = list(cells)
        if any(v not in (None, "") and str(v).strip() for v in values):
            if any(isinstance(v, str) and len(v) > MAX_FIELD for v in values):
                raise ImportRefused(
                    _("sheet row {row} has a cell over {limit} characters").format(
                        row=number, limit=MAX_FIELD
                    )
                )
            rows.append((number, values))
    workbook.close()
    # Its rejects are CSV: UTF-8 with a BOM, which Excel opens as UTF-8.
    return SourceTable(header=header, rows=rows, notes=[], unit=SHEET_ROW, dialect=Dialect(bom=True))


def too_many_columns(count: int) -> str:
    return _("the header has {count} columns; at most {limit}").format(count=count, limit=MAX_COLUMNS)


def read_table(
    data: bytes, name: str, *, encoding: str | None = None, sheet: str | None = None
) -> SourceTable:
    """CSV or, by its extension or content, an Excel workbook."""
    if name.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, sheet)
    if sheet is not None:
        raise ImportRefused(_("--sheet is for Excel workbooks (.xlsx); this is a CSV file"))
    return read_csv(data, encoding)


def cell_text(value: Any, target: str) -> tuple[str, str | None]:
    """A cell as the text the validators read, plus a note when a spreadsheet type was converted.

    Excel stores numbers, dates and text differently: a NIK as a number, a phone without its
    leading 0, a date as a date. NIK numbers are checked for exactness (see nik_from_number).
    """
    if value is None:
        return "", None
    if isinstance(value, str):
        return unguard_formula(value), None
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, dt.date):
        return value.isoformat(), None
    if isinstance(value, bool):
        return ("ya" if value else "tidak"), None
    if target == "nik":
        return nik_from_number(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if target == "phone" and text.startswith("8"):
        return "0" + text, _(
            "the phone was stored as a number without its leading 0; read as {phone}"
        ).format(phone="0" + text)
    return text, None


def map_columns(header: Sequence[str]) -> tuple[dict[int, str], list[str]]:
    """Column position -> input field; refuses a file without the columns a cadre needs."""
    mapping: dict[int, str] = {}
    notes: list[str] = []
    for position, name in enumerate(header):
        key = normalise_header(name.lstrip("\ufeff"))
        target = HEADER_ALIASES.get(key)
        if target is None:
            if key not in IGNORED_HEADERS and key:
                notes.append(_("column {name} is not a cadre field; ignored").format(name=repr(name)))
            continue
        if target in mapping.values():
            raise ImportRefused(
                _("two columns mean {field}: rename or remove {name}").format(field=target, name=repr(name))
            )
        mapping[position] = target
    fields = set(mapping.values())
    if "kelurahan_code" in fields:
        fields.add("kelurahan")
    missing = [label for key, label in REQUIRED_COLUMNS.items() if key not in fields]
    if not {"consent", "consent_on"} & fields:
        missing.append("Persetujuan (consent)")
    absent = [label for key, label in CONTACT_COLUMNS.items() if key not in fields]
    if absent:
        notes.append(
            _(
                "the file has no {columns} column; cadres come in without it and "
                "'up2k cadre list --incomplete' lists them"
            ).format(columns=", ".join(absent))
        )
    if missing:
        raise ImportRefused(
            _("the file lacks required columns: {missing} (found: {found})").format(
                missing=", ".join(missing), found=_shown(header)
            )
        )
    return mapping, notes


def import_cadres(
    uow: UnitOfWork,
    source: SourceTable,
    *,
    today: dt.date,
    skip_invalid: bool = False,
    dry_run: bool = False,
    on_duplicate: str = "error",
    source_name: str = "file",
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate every row, then write all good rows in one go (or nothing, if any is bad)."""
    with uow:
        result = _import_cadres(
            uow, source, today=today, skip_invalid=skip_invalid, dry_run=dry_run,
            on_duplicate=on_duplicate, source_name=source_name, progress=progress,
        )  # fmt: skip
        if not dry_run:
            uow.commit()
    return result


def _import_cadres(
    uow: UnitOfWork,
    source: SourceTable,
    *,
    today: dt.date,
    skip_invalid: bool,
    dry_run: bool,
    on_duplicate: str,
    source_name: str,
    progress: Callable[[int], None] | None,
) -> ImportResult:
    mapping, notes = map_columns(source.header)
    result = ImportResult(notes=source.notes + notes, header=source.header, dialect=source.dialect)
    column_of = {target: source.header[pos].strip().lstrip("\ufeff") for pos, target in mapping.items()}
    column_of.setdefault("kelurahan", column_of.get("kelurahan_code", "kelurahan"))
    cleaner = FieldCleaner(common.kelurahan_choices(uow.meta), today)
    rows = []
    for number, (line, cells) in enumerate(source.rows, start=1):
        if progress and number % 1000 == 0:
            progress(1000)
        cleaned = _clean_row(number, line, cells, mapping, column_of, cleaner, source)
        rows.append((number, line, cells, *cleaned))

    # Only the registry's cadres that the file may concern: its NIKs, and its twins' candidates.
    good = [fields for *_, fields, errors, _status, _notes in rows if fields is not None and not errors]
    uow.cadres.hold("nik")  # every NIK, before they are read: no one registers one meanwhile
    registered = {c["nik"]: c for c in uow.cadres.find_in("nik", (f["nik"] for f in good))}
    alike = uow.cadres_born_alike(
        (f["kelurahan_code"], f["name_key"], birth_month_year(f["nik"])) for f in good if f["name_key"]
    )
    twins = {similar_key(key, kel, nik): ident for ident, nik, key, kel in alike if nik and key}
    seen: dict[str, int] = {}
    new_records: list[dict[str, Any]] = []
    updates: dict[str, dict[str, Any]] = {}
    method = f"import of {source_name} (consent column)"

    for number, line, cells, raw, fields, row_errors, status, notes in rows:
        result.notes.extend(notes)
        if fields is not None and not row_errors:
            nik = fields["nik"]
            if nik in seen:
                row_errors.append(
                    RowError(
                        number,
                        line,
                        column_of["nik"],
                        raw["nik"],
                        _("same NIK as row {row}").format(row=seen[nik]),
                        source.unit,
                    )
                )
            elif nik in registered and on_duplicate == "error":
                row_errors.append(
                    RowError(
                        number,
                        line,
                        column_of["nik"],
                        raw["nik"],
                        _("already registered as {id}; use --on-duplicate skip or update").format(
                            id=registered[nik]["id"]
                        ),
                        source.unit,
                    )
                )
            seen.setdefault(nik, number)
        if row_errors:
            result.errors.extend(row_errors)
            result.rejected_rows.append(
                (cells, "; ".join(f"{e.column}: {localise(e.reason)}" for e in row_errors))
            )
            continue
        assert fields is not None
        if fields["nik"] in registered:
            if on_duplicate == "skip":
                result.skipped.append(registered[fields["nik"]]["id"])
            else:
                given = {"kelurahan_code" if k == "kelurahan" else k for k in raw}
                given |= {"name_key"} if "name" in given else set()
                updates[registered[fields["nik"]]["id"]] = {k: x for k, x in fields.items() if k in given}
            continue
        if "consent" in raw and "consent_method" not in raw:
            fields["consent_method"] = method
        twin = twins and twins.get(similar_key(fields["name_key"], fields["kelurahan_code"], fields["nik"]))
        if twin:
            result.notes.append(
                _(
                    "row {row}: {name} has the name, kelurahan and birth date of {id} "
                    "(another NIK); imported, but check both"
                ).format(row=number, name=fields["name"], id=twin)
            )
        fields["status"] = status
        if status == INACTIVE:
            fields["status_log"] = [
                {"status": INACTIVE, "on": fields["registered_on"], "reason": "imported inactive"}
            ]
        new_records.append(fields)

    if result.errors and not skip_invalid:
        raise ImportRefused(
            _(
                "{count} of {total} rows are invalid; nothing was imported. "
                "Fix them, or add --skip-invalid to import the good rows"
            ).format(count=len(result.rejected_rows), total=len(source.rows)),
            result,
        )
    incomplete = sum(1 for f in new_records if any(not f.get(k) for k in CONTACT_COLUMNS))
    if incomplete:
        result.notes.append(
            _("{count} new cadre(s) have no RT, RW or address yet: 'up2k cadre list --incomplete'").format(
                count=incomplete
            )
        )
    if not new_records:
        ids: list[str] = []
    elif dry_run:  # the IDs it would take, without taking them (a server's counters never go back)
        ids = uow.peek_ids("cadre", "K", len(new_records))
    else:
        ids = uow.next_ids("cadre", "K", len(new_records))
    records = [Cadre(id=i, **fields).to_record() for i, fields in zip(ids, new_records, strict=True)]
    result.created = ids
    entries = [common.bulk_create_entry("cadre", ids, source_name)] if ids else []
    changed: dict[str, dict[str, Any]] = {}
    current = {c["id"]: c for c in registered.values()}
    for cadre_id, fields in updates.items():
        old = current.get(cadre_id) or {}
        entry = common.change_entry("cadre", cadre_id, "update", old, fields)
        if entry["changes"]:
            changed[cadre_id] = fields
            entries.append(entry)
    result.updated = list(changed)
    if dry_run:
        return result
    uow.cadres.add_many(records)
    uow.cadres.update_many(changed)
    uow.record_changes(entries)
    return result


def _clean_row(
    number: int,
    line: int,
    cells: Sequence[Any],
    mapping: Mapping[int, str],
    column_of: Mapping[str, str],
    cleaner: FieldCleaner,
    source: SourceTable,
) -> tuple[dict[str, Any], dict[str, Any] | None, list[RowError], str, list[str]]:
    """One row's cells as a cadre's fields (None if they do not make one), its errors, its status
    and the notes on its cells; whether it is new is for the registry to say."""
    raw: dict[str, Any] = {}
    row_errors: list[RowError] = []
    notes: list[str] = []
    for pos, target in mapping.items():
        try:
            text, note = cell_text(cells[pos] if pos < len(cells) else None, target)
        except ValidationError as exc:
            row_errors.append(_row_error(number, line, exc, column_of, source.unit))
            text, note = "", None
        raw[target] = text
        if note:
            notes.append(
                _("row {row} ({unit} {line}), column {column}: {note}").format(
                    row=number, unit=_(source.unit), line=line, column=column_of[target], note=localise(note)
                )
            )
    if raw.get("kelurahan_code"):
        raw["kelurahan"] = raw.pop("kelurahan_code")
    else:
        raw.pop("kelurahan_code", None)
    status = (raw.pop("status", "") or ACTIVE).strip().lower()
    fields: dict[str, Any] | None
    try:
        fields = cleaner.clean(raw, contact_required=False)
    except ValidationErrors as exc:
        fields = None
        row_errors += [
            _row_error(number, line, e, column_of, source.unit)
            for e in exc.errors
            if not any(r.column == column_of.get(e.field, e.field) for r in row_errors)
        ]
    if status not in (ACTIVE, INACTIVE):
        row_errors.append(
            RowError(
                number,
                line,
                column_of.get("status", "status"),
                status,
                _("use active or inactive"),
                source.unit,
            )
        )
    return raw, fields, row_errors, status, notes


def _row_error(
    number: int, line: int, error: ValidationError, column_of: Mapping[str, str], unit: str
) -> RowError:
    return RowError(number, line, column_of.get(error.field, error.field), error.value, error.reason, unit)


def _shown(header: Sequence[str], limit: int = 12) -> str:
    """Header names as they can be printed safely: escaped, and only the first few."""
    names = ", ".join(repr(h)[1:-1] for h in header[:limit])
    return names + (_(", ... ({count} columns)").format(count=len(header)) if len(header) > limit else "")
