"""UU PDP bookkeeping: every file up2k writes with personal data, and every screen that shows a
whole NIK, is recorded (who, when, which command, whose data), so that an erasure can name the
copies it cannot reach and `history --exports` can list them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

from up2k_cli.storage.protocol import Record, UnitOfWork

STDOUT = "(stdout)"


def id_ranges(ids: Iterable[str]) -> list[list[str]]:
    """K0001, K0002, K0003, K0007 -> [["K0001", "K0003"], ["K0007", "K0007"]]: the cadres a file
    holds, short even for an export of every cadre."""
    from up2k_cli.services.common import id_number, id_order

    ordered = sorted(set(ids), key=lambda i: id_order({"id": i}))
    runs: list[list[str]] = []
    for _key, run in itertools.groupby(enumerate(ordered), key=lambda p: id_number(p[1]) - p[0]):
        members = [ident for _i, ident in run]
        runs.append([members[0], members[-1]])
    return runs


def holds(ranges: Iterable[Iterable[str]] | None, cadre_id: str) -> bool:
    from up2k_cli.services.common import id_number

    number = id_number(cadre_id)
    return any(id_number(first) <= number <= id_number(last) for first, last in ranges or ())


def require_personal_data(uow: UnitOfWork, what: str) -> None:
    """A viewer account (agencies, the city) reads no personal data: what needs it is refused
    with one line, before anything is read or written."""
    if not getattr(uow, "personal_data", True):
        from up2k_cli.domain.errors import RuleViolation
        from up2k_cli.i18n import _

        raise RuleViolation(
            _(
                "'{what}' shows personal data, which the viewer account {user} may not read; ask the "
                "kecamatan coordinator, or use the aggregate reports"
            ).format(what=what, user=getattr(uow, "login", uow.user))
        )


def record_file(
    uow: UnitOfWork, what: str, path: str | None, cadre_ids: Iterable[str], records: int
) -> Record:
    """A file (or stdout) that leaves up2k with personal data; in an open unit of work."""
    require_personal_data(uow, what)
    (ident,) = uow.next_ids("file", "F")
    entry = {
        "id": ident,
        "at": uow.now.isoformat(timespec="seconds"),
        "user": uow.user,
        "command": uow.command,
        "path": path or STDOUT,
        "what": what,
        "records": records,
        "cadres": id_ranges(cadre_ids),
    }
    uow.files.add_many([entry])
    uow.record_changes(
        [{"entity": "export", "ref": what, "action": "personal-data-export",
          "changes": {"records": [None, records], "file": [None, entry["path"]]}}]
    )  # fmt: skip
    return entry


def record_access(uow: UnitOfWork, what: str, cadre_ids: Iterable[str]) -> None:
    """Whole NIKs shown on a screen: recorded as an access; in an open unit of work."""
    require_personal_data(uow, what)
    ids = sorted(set(cadre_ids))
    uow.record_changes(
        [{"entity": "export", "ref": what, "refs": ids[:1000], "action": "personal-data-access",
          "changes": {"records": [None, len(ids)]}}]
    )  # fmt: skip


def files_holding(uow: UnitOfWork, cadre_id: str) -> list[Record]:
    """The files written earlier that hold this person's data (oldest first)."""
    return [f for f in uow.files.all() if holds(f.get("cadres"), cadre_id)]


def file_rows(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every personal-data file up2k wrote, for `history --exports`."""
    with uow:
        return [_row(f) for f in uow.files.all()]


def _row(f: Mapping[str, Any]) -> dict[str, Any]:
    ranges = f.get("cadres") or []
    shown = ", ".join(a if a == b else f"{a}-{b}" for a, b in ranges[:5])
    if len(ranges) > 5:
        shown += ", ..."
    return {**f, "cadres": shown}
