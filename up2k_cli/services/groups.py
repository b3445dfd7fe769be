"""Use cases for UP2K groups: add, update, join, leave, list, show, assess and confirm tiers,
and the tier criteria setting. Each enters the unit of work and commits once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import groups as rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, MsgList, _
from up2k_cli.services import common
from up2k_cli.services.common import bulk_entry, change_entry, create_entry
from up2k_cli.storage.protocol import Record, UnitOfWork

# --- groups ------------------------------------------------------------------------------------


def get_group(uow: UnitOfWork, ref: str) -> Record:
    """A group by ID (G0001, any case); in an open unit of work."""
    return common.by_id(uow.groups, ref, _("group {id} not found; 'up2k group list' shows the IDs"))


def add_group(uow: UnitOfWork, raw: Mapping[str, Any], *, today: dt.date) -> Record:
    """A new UP2K group of a kelurahan (and RW), formed on a day."""
    with uow:
        fields = rules.group_fields(raw, common.kelurahan_choices(uow.meta), today, partial=False)
        (ident,) = uow.next_ids("group", "G")
        record = {"id": ident, "rw": None, "capital": None, "savings_loans": False, "bookkeeping": False,
                  "reach": None, "note": None, **fields}  # fmt: skip
        uow.groups.add_many([record])
        uow.record_changes([create_entry("group", ident, record)])
        uow.commit()
    return record


def update_group(uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date) -> Record:
    """Correct or complete a group (name, RW, capital, savings and loans, bookkeeping, reach);
    the history keeps the old values."""
    with uow:
        group = get_group(uow, ref)
        fields = rules.group_fields(raw, common.kelurahan_choices(uow.meta), today, partial=True)
        if not fields:
            raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
        first_join = min((m["joined_on"] for m in uow.memberships.find(group_id=group["id"])), default=None)
        if "formed_on" in fields and first_join and fields["formed_on"] > first_join:
            raise ValidationError(
                "formed",
                fields["formed_on"],
                Msg(N_("is after its first member joined ({date})"), date=dt.date.fromisoformat(first_join)),
            )
        entry = change_entry("group", group["id"], "update", group, fields)
        if entry["changes"]:
            uow.groups.update_many({group["id"]: fields})
            uow.record_changes([entry])
            uow.commit()
    return entry


# --- membership ---------------------------------------------------------------------------------


@dataclass
class Joined:
    group: Record
    joined: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # members of this group already


def join(
    uow: UnitOfWork, group_ref: str, cadre_refs: Sequence[str], *, on: dt.date, today: dt.date
) -> Joined:
    """Cadres join a group; refused whole if any cannot (one group at a time per cadre)."""
    with uow:
        group = get_group(uow, group_ref)
        uow.groups.lock(group["id"])
        day = v.not_in_future(on, "date", today).isoformat()
        if day < group["formed_on"]:
            raise ValidationError(
                "date",
                day,
                Msg(N_("is before {id} was formed ({date})"), id=group["id"],
                    date=dt.date.fromisoformat(group["formed_on"])),
            )  # fmt: skip
        cadres = common.find_cadres(uow, cadre_refs)
        for cadre in cadres:  # one group at a time: no other command joins them meanwhile
            uow.cadres.lock(cadre["id"])
        memberships = _by_cadre(uow, [c["id"] for c in cadres])
        result = Joined(group)
        problems = []
        for cadre in cadres:
            cid = cadre["id"]
            mine = memberships.get(cid, [])
            open_ = rules.current(mine)
            if open_ and open_[0]["group_id"] == group["id"]:
                result.already.append(cid)
                continue
            if cadre["status"] != "active":
                problems.append(_("cadre {id} is inactive; reactivate before joining a group").format(id=cid))
            elif cadre["registered_on"] > day:
                problems.append(_("{id} registered on {date}, after {day}").format(
                    id=cid, date=cadre["registered_on"], day=day))  # fmt: skip
            elif open_:
                other = open_[0]
                problems.append(
                    _("{id} is a member of {group} since {date} (one group at a time); "
                      "'up2k group leave {group} {id}' first").format(
                        id=cid, group=other["group_id"], date=other["joined_on"])
                )  # fmt: skip
            elif any(m["left_on"] > day for m in mine):
                left = max(m["left_on"] for m in mine)
                problems.append(_("{id} left a group on {date}; join from then on").format(id=cid, date=left))
            else:
                result.joined.append(cid)
        if problems:
            raise RuleViolation(_("{problems}; nobody joined").format(problems="; ".join(problems)))
        if result.joined:
            ids = uow.next_ids("membership", "M", len(result.joined))
            uow.memberships.add_many(
                {"id": i, "group_id": group["id"], "cadre_id": c, "joined_on": day, "left_on": None,
                 "leave_reason": None}
                for i, c in zip(ids, result.joined, strict=True)
            )  # fmt: skip
            uow.record_changes(
                [bulk_entry("membership", ids, "create", {"group": [None, group["id"]], "on": [None, day]})]
            )
            uow.commit()
    return result


@dataclass
class Left:
    group: Record
    left: list[str]  # the cadres who left, in the order named


def leave(
    uow: UnitOfWork,
    group_ref: str,
    cadre_refs: Sequence[str],
    *,
    on: dt.date,
    today: dt.date,
    reason: str | None = None,
) -> Left:
    """Members leave a group on a day (kept in its history); refused whole if any is not a member."""
    why = v.parse_text(reason, "reason") or None
    with uow:
        group = get_group(uow, group_ref)
        day = v.not_in_future(on, "date", today).isoformat()
        cadres = common.find_cadres(uow, cadre_refs)
        memberships = _by_cadre(uow, [c["id"] for c in cadres])
        leaving: dict[str, str] = {}
        problems = []
        for cadre in cadres:
            open_ = [
                m for m in rules.current(memberships.get(cadre["id"], [])) if m["group_id"] == group["id"]
            ]
            if not open_:
                problems.append(
                    _("{id} is not a member of {group}").format(id=cadre["id"], group=group["id"])
                )
            elif day < open_[0]["joined_on"]:
                problems.append(_("{id} joined {group} on {date}, after {day}").format(
                    id=cadre["id"], group=group["id"], date=open_[0]["joined_on"], day=day))  # fmt: skip
            else:
                leaving[cadre["id"]] = open_[0]["id"]
        if problems:
            raise RuleViolation(_("{problems}; nobody left").format(problems="; ".join(problems)))
        ids = list(leaving.values())
        uow.memberships.update_many({i: {"left_on": day, "leave_reason": why} for i in ids})
        uow.record_changes(
            [bulk_entry("membership", ids, "leave", {"left_on": [None, day], "leave_reason": [None, why]})]
        )
        uow.commit()
    return Left(group, list(leaving))


def _by_cadre(uow: UnitOfWork, cadre_ids: Sequence[str]) -> dict[str, list[Record]]:
    found: dict[str, list[Record]] = defaultdict(list)
    for m in uow.memberships.find_in("cadre_id", list(cadre_ids)):
        found[m["cadre_id"]].append(m)
    return found


# --- lists and pages -------------------------------------------------------------------------


def _tiers_by_group(uow: UnitOfWork, group_ids: Sequence[str] | None = None) -> dict[str, list[Record]]:
    records = (
        uow.group_tiers.all() if group_ids is None else uow.group_tiers.find_in("group_id", list(group_ids))
    )
    found: dict[str, list[Record]] = defaultdict(list)
    for t in records:
        found[t["group_id"]].append(t)
    return found


def group_row(
    group: Mapping[str, Any],
    memberships: Sequence[Mapping[str, Any]],
    tiers: Sequence[Mapping[str, Any]],
    names: Mapping[str, str],
    day: str,
) -> dict[str, Any]:
    """A group as people see it on a day: its fields, kelurahan, members and tier then."""
    tier = rules.tier_on(tiers, day)
    return {
        **group,
        "kelurahan": names.get(group["kelurahan_code"], ""),
        "members": sum(1 for m in memberships if rules.member_on(m, day)),
        "tier": tier["tier"] if tier else None,
        "tier_on": tier["on"] if tier else None,
    }


def list_groups(
    uow: UnitOfWork, *, today: dt.date, kelurahan: str | None = None, tier: str | None = None
) -> list[dict[str, Any]]:
    """Groups in ID order with members and tier today; filtered by kelurahan and tier
    ('unclassed' for groups without one)."""
    with uow:
        names = common.kelurahan_names(uow.meta)
        groups = uow.groups.all()
        if kelurahan:
            code = common.kelurahan_code(uow.meta, kelurahan)
            groups = [g for g in groups if g["kelurahan_code"] == code]
        members: dict[str, list[Record]] = defaultdict(list)
        for m in uow.memberships.find_in("group_id", [g["id"] for g in groups]):
            members[m["group_id"]].append(m)
        tiers = _tiers_by_group(uow, [g["id"] for g in groups])
    rows = [group_row(g, members[g["id"]], tiers[g["id"]], names, today.isoformat()) for g in groups]
    if tier:
        wanted = None if v.normalise_label(tier) == rules.UNCLASSED else rules.parse_tier(tier)
        rows = [r for r in rows if r["tier"] == wanted]
    return sorted(rows, key=common.id_order)


@dataclass
class GroupPage:
    """One group: its fields, members now and before (IDs and names only), tiers, history."""

    group: dict[str, Any]
    members: list[dict[str, Any]]
    former: list[dict[str, Any]]
    tiers: list[Record]
    history: list[Record]


def group_page(uow: UnitOfWork, ref: str, *, today: dt.date) -> GroupPage:
    with uow:
        group = get_group(uow, ref)
        memberships = uow.memberships.find(group_id=group["id"])
        tiers = sorted(uow.group_tiers.find(group_id=group["id"]), key=lambda t: (t["on"], t["id"]))
        people = uow.cadres.get_many({m["cadre_id"] for m in memberships})
        row = group_row(group, memberships, tiers, common.kelurahan_names(uow.meta), today.isoformat())
        history = common.history_of(uow, "group", group["id"])
        history += [h for t in tiers for h in common.history_of(uow, "group-tier", t["id"])]
    people_rows = [
        {**m, "membership": m["id"], "name": (people.get(m["cadre_id"]) or {}).get("name")}
        for m in sorted(memberships, key=lambda m: (m["joined_on"], m["id"]))
    ]
    return GroupPage(
        row,
        [p for p in people_rows if p["left_on"] is None],
        [p for p in people_rows if p["left_on"] is not None],
        tiers,
        sorted(history, key=lambda h: h["seq"]),
    )


# --- tiers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    """A group measured against the tier criteria on a day."""

    group: dict[str, Any]  # as group_row gives it (tier: the one in force)
    facts: rules.Facts
    proposal: rules.Proposal

    @property
    def changes(self) -> bool:
        return self.proposal.tier is not None and self.proposal.tier != self.group["tier"]

    @property
    def row(self) -> dict[str, Any]:
        """The group with its facts, the tier proposed and what it lacks for the next one."""
        return {**self.group, **vars(self.facts), "proposed": self.proposal.tier,
                "lacks": MsgList(self.proposal.lacks)}  # fmt: skip


def _assess(uow: UnitOfWork, ref: str | None, day: str) -> list[Assessment]:
    """In an open unit of work: every group (or one) formed by `day`, against the criteria."""
    groups = [get_group(uow, ref)] if ref else uow.groups.all()
    groups = [g for g in groups if g["formed_on"] <= day]
    if ref and not groups:
        raise ValidationError("date", day, _("is before the group was formed"))
    criteria = rules.tier_criteria(uow.meta["settings"])
    names = common.kelurahan_names(uow.meta)
    members: dict[str, list[Record]] = defaultdict(list)
    for m in uow.memberships.find_in("group_id", [g["id"] for g in groups]):
        members[m["group_id"]].append(m)
    tiers = _tiers_by_group(uow, [g["id"] for g in groups])
    found = []
    for g in sorted(groups, key=common.id_order):
        row = group_row(g, members[g["id"]], tiers[g["id"]], names, day)
        facts = rules.Facts(
            members=row["members"],
            capital=g.get("capital") or 0,
            bookkeeping=bool(g.get("bookkeeping")),
            savings_loans=bool(g.get("savings_loans")),
            reach=g.get("reach"),
        )
        found.append(Assessment(row, facts, rules.propose(facts, criteria)))
    return found


def assess(uow: UnitOfWork, ref: str | None, *, on: dt.date, today: dt.date) -> list[Assessment]:
    """Each group's proposed tier from the criteria in force (nothing is recorded)."""
    day = v.not_in_future(on, "date", today).isoformat()
    with uow:
        return _assess(uow, ref, day)


def confirm(uow: UnitOfWork, expected: Mapping[str, str], *, on: dt.date, today: dt.date) -> list[Record]:
    """Record the tiers the coordinator confirmed ({group: tier} as proposed), dated; refused if
    a proposal is no longer what was shown (the registry changed since)."""
    day = v.not_in_future(on, "date", today).isoformat()
    with uow:
        for group_id in expected:
            uow.groups.lock(group_id)
        now = {a.group["id"]: a for a in _assess(uow, None, day)}
        records = []
        for group_id, tier in expected.items():
            found = now.get(group_id)
            if found is None or found.proposal.tier != tier or not found.changes:
                raise RuleViolation(
                    _(
                        "the proposal for {id} changed since it was shown; run 'up2k group assess' again"
                    ).format(id=group_id)
                )
            last = max((t["on"] for t in uow.group_tiers.find(group_id=group_id)), default=None)
            if last and day < last:  # a tier history is recorded in date order
                raise ValidationError(
                    "date", day, Msg(N_("is before {id}'s last tier ({date})"), id=group_id,
                                     date=dt.date.fromisoformat(last))
                )  # fmt: skip
            facts = found.facts
            records.append({"group_id": group_id, "tier": tier, "on": day,
                            "facts": {"members": facts.members, "capital": facts.capital,
                                      "bookkeeping": facts.bookkeeping, "savings_loans": facts.savings_loans,
                                      "reach": facts.reach}})  # fmt: skip
        if records:
            ids = uow.next_ids("group_tier", "T", len(records))
            for ident, record in zip(ids, records, strict=True):
                record["id"] = ident
            uow.group_tiers.add_many(records)
            uow.record_changes([create_entry("group-tier", r["id"], r) for r in records])
            uow.commit()
    return records


def tier_settings(uow: UnitOfWork) -> dict[str, dict[str, Any]]:
    with uow:
        return rules.tier_criteria(uow.meta["settings"])


def change_tier_criteria(
    uow: UnitOfWork, tier: str | None, raw: Mapping[str, Any], *, reset: bool = False
) -> dict[str, dict[str, Any]]:
    """Reset the criteria to the starting point, then change one tier's; refused when a higher
    tier would ask less than a lower one. Returns the criteria now in force."""
    with uow:
        settings = uow.meta["settings"]
        old = rules.tier_criteria(settings)
        new = {t: dict(c) for t, c in (rules.DEFAULT_TIER_CRITERIA if reset else old).items()}
        if tier is not None:
            key = rules.parse_tier(tier)
            fields = rules.criteria_fields(raw)
            if not fields:
                raise ValidationError("criteria", None, _("nothing to change; give at least one --option"))
            new[key] = {**new[key], **fields}
        elif raw:
            raise ValidationError("tier", None, _("name the TIER whose criteria change (pemula, madya, ...)"))
        rules.check_criteria(new)
        if new != old:
            uow.update_meta({"settings": {**settings, "group_tiers": new}})
            uow.record_changes(
                [{"entity": "settings", "ref": "group_tiers", "action": "reset" if reset else "update",
                  "changes": {"group_tiers": [settings.get("group_tiers"), new]}}]
            )  # fmt: skip
            uow.commit()
    return new


def pokja2_settings(uow: UnitOfWork, raw: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The Pokja II form's signature block (place, signer's title and name); with `raw`, change
    the fields given ("" clears one). Returns the block now in force."""
    from up2k_cli.domain.pokja2 import SIGNATURE_LIMIT, signature_settings

    with uow:
        settings = uow.meta["settings"]
        old = signature_settings(settings)
        new = dict(old)
        for name, value in (raw or {}).items():
            if value is not None:
                new[name] = v.parse_text(value, name.replace("_", "-"), limit=SIGNATURE_LIMIT)
        if new != old:
            uow.update_meta({"settings": {**settings, "pokja2": new}})
            uow.record_changes(
                [{"entity": "settings", "ref": "pokja2", "action": "update",
                  "changes": {"pokja2": [settings.get("pokja2"), new]}}]
            )  # fmt: skip
            uow.commit()
    return new
