"""`up2k undo`: revert the last command that changed the registry, from the history's old values.

Every history entry of one command carries the same `op` number. Undo takes the newest op that
changed something and has not been undone yet, and plays its entries backwards: created records
are removed, changed fields get their old values, removed records come back. The undo itself is
an op in the history, so undo again walks further back. An erasure, an accepted hand edit and a
restored backup, a merge and office accounts cannot be undone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain.batch import COMPLETED
from up2k_cli.domain.cadre import with_derived
from up2k_cli.domain.errors import RuleViolation
from up2k_cli.i18n import N_, _
from up2k_cli.storage.protocol import Record, UnitOfWork

from .common import TABLE_OF

READS = frozenset({"personal-data-export", "personal-data-access"})  # records of output, not changes
FINAL = {
    "erase": N_("an erasure cannot be undone: the data is gone"),
    "accept-edits": N_("accepting edits made outside up2k cannot be undone; restore a backup instead"),
    "restore": N_("a restored backup cannot be undone this way; restore the backup made before it"),
    "merge": N_(
        "a merge cannot be undone this way; restore the backup made before it (a file), or settle "
        "what it brought with the next bundle"
    ),
    "import-export": N_(
        "an import of an export cannot be undone this way; restore the backup made before it"
    ),
    "add-account": N_("an account is the server's: remove it with 'up2k office remove'"),
    "remove-account": N_("an account is the server's: add it again with 'up2k office add'"),
}
UNDO = "undo"


@dataclass
class Plan:
    """The command undo would revert, and what that means record by record."""

    op: int
    command: str
    at: str
    user: str
    entries: list[Record] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [_describe(e) for e in self.entries]


def _op(entry: Mapping[str, Any]) -> int:
    return entry.get("op") or entry["seq"]


def last_change(uow: UnitOfWork) -> Plan | None:
    """The newest command that changed the registry and is not undone; in an open unit of work."""
    by_op: dict[int, list[Record]] = {}
    undone: set[int] = set()
    for entry in sorted(uow.history.all(), key=lambda h: h["seq"]):
        by_op.setdefault(_op(entry), []).append(entry)
        if entry.get("action") == UNDO:
            undone.add((entry.get("changes") or {}).get("op", [None, None])[1])
    for op in sorted(by_op, reverse=True):
        entries = by_op[op]
        if op in undone or any(e.get("action") == UNDO for e in entries):
            continue
        if all(e.get("action") in READS for e in entries):
            continue
        first = entries[0]
        return Plan(op, first["command"], first["at"], first["user"], entries)
    return None


def plan(uow: UnitOfWork) -> Plan:
    """What `up2k undo` would revert (nothing is changed)."""
    with uow:
        found = last_change(uow)
    if found is None:
        raise RuleViolation(_("nothing to undo: no change is recorded in the history"))
    return found


def undo(uow: UnitOfWork, *, expected_op: int | None = None) -> Plan:
    """Revert the last change, in one write. With `expected_op`, refuse if another command
    changed the registry since that plan was shown."""
    with uow:
        uow.history.hold("op")  # one undo at a time: two would both take back the same command
        found = last_change(uow)
        if found is None:
            raise RuleViolation(_("nothing to undo: no change is recorded in the history"))
        if expected_op is not None and found.op != expected_op:
            raise RuleViolation(_("the registry changed since undo was asked; run 'up2k undo' again"))
        final = next((e for e in found.entries if e.get("action") in FINAL), None)
        if final is not None:
            raise RuleViolation(
                _("the last change (up2k {command}, {at}) cannot be undone: {why}").format(
                    command=found.command, at=found.at, why=_(FINAL[final["action"]])
                )
            )
        for entry in reversed(found.entries):
            _revert(uow, entry)
        uow.record_changes(
            [{"entity": "registry", "ref": str(found.op), "action": UNDO,
              "changes": {"op": [None, found.op], "command": [None, found.command]}}]
        )  # fmt: skip
        uow.commit()
    return found


def _ids(entry: Mapping[str, Any]) -> list[str]:
    return list(entry.get("refs") or [entry["ref"]])


def _revert(uow: UnitOfWork, entry: Mapping[str, Any]) -> None:
    entity, action = entry.get("entity"), entry.get("action")
    if action in READS:
        return
    if entity == "settings":
        _revert_settings(uow, entry)
        return
    table = TABLE_OF.get(str(entity))
    if table is None:
        return
    repo = getattr(uow, table)
    if action == "create":
        repo.remove_many([i for i in _ids(entry) if i in repo])
        return
    if action == "remove":
        if entry["ref"] not in repo:
            repo.add_many([entry["record"]])
        return
    changes = entry.get("changes") or {}
    current = repo.get_many(_ids(entry))
    updates = {key: with_derived(_old_values(record, changes)) for key, record in current.items()}
    repo.update_many({k: f for k, f in updates.items() if f})


def _old_values(record: Mapping[str, Any], changes: Mapping[str, Any]) -> Record:
    """The fields to set so that `record` is as before the change. A bulk entry names the change
    once for many records: its session attendance and completions are taken back per record."""
    fields: Record = {}
    for name, pair in changes.items():
        old = pair[0] if isinstance(pair, list) and len(pair) == 2 else None
        if name.startswith("session "):  # a session's attendance (bulk `attend`)
            attendance = dict(fields.get("attendance", record.get("attendance") or {}))
            attendance.pop(name.removeprefix("session "), None)
            fields["attendance"] = attendance
        elif name in record:
            fields[name] = old
    if "events" not in changes and changes.get("status", [None, None])[1] == COMPLETED:
        events = list(record.get("events") or [])  # a bulk completion: its event goes too
        while events and events[-1]["status"] == COMPLETED:
            events.pop()
        fields["events"] = events
    return fields


def _revert_settings(uow: UnitOfWork, entry: Mapping[str, Any]) -> None:
    settings = dict(uow.meta["settings"])
    changes = entry.get("changes") or {}
    if entry.get("ref") == "agency_map" and entry.get("action") == "update":
        agency_map = dict(settings["agency_map"])
        for label, (old, _new) in changes.items():
            if old is None:
                agency_map.pop(label, None)
            else:
                agency_map[label] = old
        settings["agency_map"] = agency_map
    else:
        for name, (old, _new) in changes.items():
            settings[name] = old
    uow.update_meta({"settings": settings})


def _describe(entry: Mapping[str, Any]) -> str:
    ids = _ids(entry) if entry.get("ref") or entry.get("refs") else []
    shown = ids[0] if len(ids) == 1 else f"{ids[0]}…{ids[-1]} ({len(ids)})" if ids else ""
    what = {
        "create": _("{entity} {ids}: created, will be removed"),
        "remove": _("{entity} {ids}: removed, will come back"),
    }.get(entry.get("action", ""), _("{entity} {ids}: {action}, old values come back"))
    return what.format(entity=entry.get("entity"), ids=shown, action=entry.get("action"))
