"""Use cases for outcomes: businesses, 7 PAS steps recorded by hand, income follow-ups, and the
agency referral settings. Each use case enters the unit of work and commits once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import outcomes as rules
from up2k_cli.domain import validators as v
from up2k_cli.domain import work
from up2k_cli.domain.errors import RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.services import common
from up2k_cli.services.common import change_entry, create_entry
from up2k_cli.storage.protocol import Record, UnitOfWork

# --- settings --------------------------------------------------------------------------------


def settings(uow: UnitOfWork) -> Record:
    """The referral settings; in an open unit of work."""
    return uow.meta["settings"]


def agency_map(uow: UnitOfWork) -> Record:
    with uow:
        return settings(uow)


@dataclass
class MapChange:
    category: str
    old: str | None
    new: str


def change_agency_map(
    uow: UnitOfWork,
    *,
    category: str | None = None,
    agency: str | None = None,
    licensing: str | None = None,
    reset: bool = False,
) -> tuple[MapChange | None, Record]:
    """Reset the map, point a category at another agency, set the licensing agency: in that
    order, in one write. Returns the category change (if any) and the map as it now is."""
    from up2k_cli.storage.presets import default_settings

    with uow:
        entries = []
        change = None
        if reset:  # the referral map only: other settings (tier criteria, backups kept) stay
            old = settings(uow)
            defaults = default_settings()
            new = {
                **old,
                "agency_map": defaults["agency_map"],
                "licensing_agency": defaults["licensing_agency"],
            }
            uow.update_meta({"settings": new})
            entries.append(change_entry("settings", "agency_map", "reset", old, new))
        if category is not None and agency is not None:
            label = rules.parse_category(category)
            name = v.parse_text(agency, "agency", required=True, limit=80)
            current = settings(uow)
            change = MapChange(label, current["agency_map"].get(label), name)
            uow.update_meta({"settings": {**current, "agency_map": {**current["agency_map"], label: name}}})
            entries.append({"entity": "settings", "ref": "agency_map", "action": "update",
                            "changes": {label: [change.old, name]}})  # fmt: skip
        if licensing is not None:
            name = v.parse_text(licensing, "agency", required=True, limit=80)
            current = settings(uow)
            uow.update_meta({"settings": {**current, "licensing_agency": name}})
            old = current.get("licensing_agency")
            entries.append({"entity": "settings", "ref": "licensing_agency", "action": "update",
                            "changes": {"licensing_agency": [old, name]}})  # fmt: skip
        if entries:
            uow.record_changes(entries)
            uow.commit()
        return change, settings(uow)


# --- businesses ------------------------------------------------------------------------------


def _check_nib_free(uow: UnitOfWork, nib: str | None, own_id: str | None = None) -> None:
    if not nib:
        return
    uow.businesses.hold("nib", [nib])
    for b in uow.businesses.find(nib=nib):
        if b["id"] != own_id:
            raise RuleViolation(
                _("nib {nib} already belongs to business {id} ({name}); an NIB is unique").format(
                    nib=nib, id=b["id"], name=b["name"]
                )
            )


def add_business(
    uow: UnitOfWork, cadre_ref: str, raw: Mapping[str, Any], *, today: dt.date,
    licensed_on: dt.date | None = None,
) -> Record:  # fmt: skip
    with uow:
        record = _add_business(uow, cadre_ref, raw, today=today, licensed_on=licensed_on)
        uow.commit()
    return record


def _add_business(
    uow: UnitOfWork, cadre_ref: str, raw: Mapping[str, Any], *, today: dt.date, licensed_on: dt.date | None
) -> Record:
    cadre = common.find(uow, cadre_ref)
    if cadre["status"] != "active":
        raise RuleViolation(
            _("cadre {id} is inactive; reactivate before adding a business").format(id=cadre["id"])
        )
    fields = rules.business_fields(raw, today, partial=False)
    _check_nib_free(uow, fields.get("nib"))
    (ident,) = uow.next_ids("business", "U")
    record = {
        "id": ident,
        "cadre_id": cadre["id"],
        "name": fields["name"],
        "category": fields["category"],
        "started_on": fields.get("started_on"),
        "added_on": today.isoformat(),
        "nib": fields.get("nib"),
        "pirt": fields.get("pirt"),
        "halal": fields.get("halal", False),
        "address": fields.get("address"),
        "licensed_on": None,
        **{name: fields.get(name) for name in work.MEASURES},
    }
    work.check_workers(record)
    if record["nib"] or record["pirt"]:
        record["licensed_on"] = _licence_date(licensed_on, today)
    uow.businesses.add_many([record])
    uow.record_changes([create_entry("business", ident, record)])
    return record


def _licence_date(given: dt.date | None, today: dt.date) -> str:
    return v.not_in_future(given or today, "licensed-on", today).isoformat()


def get_business(uow: UnitOfWork, ref: str, *, lock: bool = False) -> Record:
    """A business by ID; in an open unit of work (with `lock`: held, then read)."""
    not_found = _("business {id} not found; 'up2k business list' shows the IDs")
    return common.by_id(uow.businesses, ref, not_found, lock=lock)


def update_business(
    uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date,
    licensed_on: dt.date | None = None,
) -> Record:  # fmt: skip
    with uow:
        entry = _update_business(uow, ref, raw, today=today, licensed_on=licensed_on)
        uow.commit()
    return entry


def _update_business(
    uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date, licensed_on: dt.date | None
) -> Record:
    business = get_business(uow, ref, lock=True)
    fields = rules.business_fields(raw, today, partial=True)
    if not fields and licensed_on is None:
        raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
    if "nib" in fields:
        _check_nib_free(uow, fields["nib"], business["id"])
    if fields.keys() & set(work.MEASURES):
        work.check_workers({**business, **fields})
    was_licensed = bool(business.get("nib") or business.get("pirt"))
    after = {**business, **fields}
    now_licensed = bool(after.get("nib") or after.get("pirt"))
    if now_licensed and (not was_licensed or licensed_on is not None):
        fields["licensed_on"] = _licence_date(licensed_on, today)
    elif not now_licensed:
        fields["licensed_on"] = None
    entry = change_entry("business", business["id"], "update", business, fields)
    if entry["changes"]:
        uow.businesses.update_many({business["id"]: fields})
        uow.record_changes([entry])
    return entry


def business_view(
    record: Mapping[str, Any],
    uow_settings: Mapping[str, Any],
    owner: Mapping[str, Any],
    names: Mapping[str, str],
    follow_ups: list[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """A business with what follows from it: owner, kelurahan, agencies, what it lacks, and its
    owner status, workers and turnover as they stand after its follow-ups, with its size."""
    agencies = rules.referrals(record, uow_settings)
    state = work.business_state(record, follow_ups or ())
    return {
        **record,
        **state,
        "owner": owner.get("name"),
        "kelurahan_code": owner.get("kelurahan_code"),
        "kelurahan": names.get(owner.get("kelurahan_code", ""), ""),
        "agency": agencies[0],
        "referrals": "; ".join(agencies),
        "lacks": ", ".join(rules.lacks(record)),
        "started": rules.business_start(record),
        "size": work.size_class(state["turnover"]),
        "measured_on": max((f["on"] for f in follow_ups or ()), default=None),
    }


MEASURE_FIELDS = (
    "owner_status",
    "family_workers",
    "paid_workers",
    "paid_were_unemployed",
    "paid_local",
    "turnover",
)


def businesses_of(uow: UnitOfWork, owners: list[Record] | None = None) -> list[dict[str, Any]]:
    """Businesses as people see them (owner, kelurahan, agencies, what they lack, workers and
    turnover now), in ID order: every one, or those of the cadres given. In an open unit of work."""
    names = common.kelurahan_names(uow.meta)
    current = settings(uow)
    if owners is None:
        records, by_id = uow.businesses.all(), {c["id"]: c for c in uow.cadres.all()}
        measured = uow.business_follow_ups.all()
    else:
        by_id = {c["id"]: c for c in owners}
        records = uow.businesses.find_in("cadre_id", list(by_id))
        measured = uow.business_follow_ups.find_in("business_id", [b["id"] for b in records])
    follow_ups: dict[str, list[Record]] = {}
    for f in measured:
        follow_ups.setdefault(f["business_id"], []).append(f)
    rows = [
        business_view(b, current, by_id.get(b["cadre_id"], {}), names, follow_ups.get(b["id"]))
        for b in records
    ]
    return sorted(rows, key=common.id_order)


def list_businesses(
    uow: UnitOfWork,
    *,
    kelurahan: str | None = None,
    category: str | None = None,
    agency: str | None = None,
    step: str | None = None,
    started_from: dt.date | None = None,
    started_to: dt.date | None = None,
    today: dt.date,
) -> list[dict[str, Any]]:
    """Businesses in ID order, with the filters of `business list`."""
    from up2k_cli.domain.timeline import steps_by_cadre
    from up2k_cli.reports.load import snapshot

    with uow:
        origin = uow.meta.get("registry_id")
        start = {b["id"]: b for b in uow.businesses.all()}  # as stored: the business at its start
        rows = [
            {**r, **{f"start_{m}": start[r["id"]].get(m) for m in MEASURE_FIELDS}, "registry": origin}
            for r in businesses_of(uow)
        ]
        if kelurahan:
            code = common.kelurahan_code(uow.meta, kelurahan)
            rows = [r for r in rows if r["kelurahan_code"] == code]
        if category:
            label = rules.parse_category(category)
            rows = [r for r in rows if r["category"] == label]
        if agency:
            wanted = v.normalise_label(agency)
            rows = [
                r for r in rows if any(v.normalise_label(a) == wanted for a in r["referrals"].split("; "))
            ]
        if step:
            key = rules.parse_step(step)
            owners = list(uow.cadres.get_many({r["cadre_id"] for r in rows}).values())
            reached = steps_by_cadre(snapshot(uow, today, owners))
            rows = [r for r in rows if key in reached.get(r["cadre_id"], {})]
    if started_from:
        rows = [r for r in rows if r["started"] >= started_from.isoformat()]
    if started_to:
        rows = [r for r in rows if r["started"] <= started_to.isoformat()]
    return rows


@dataclass
class BusinessPage:
    business: dict[str, Any]
    history: list[Record]
    follow_ups: list[Record] = field(default_factory=list)  # dated workers and turnover
    start: dict[str, Any] = field(default_factory=dict)  # workers and turnover at its start


def business_page(uow: UnitOfWork, ref: str) -> BusinessPage:
    with uow:
        record = get_business(uow, ref)
        owner = uow.cadres.get(record["cadre_id"]) or {}
        follow_ups = sorted(uow.business_follow_ups.find(business_id=record["id"]), key=work.follow_up_order)
        names = common.kelurahan_names(uow.meta)
        view = business_view(record, settings(uow), owner, names, follow_ups)
        start = {name: record.get(name) for name in work.MEASURES}
        history = common.history_of(uow, "business", record["id"])
        return BusinessPage(view, history, follow_ups, start)


# --- steps and income ------------------------------------------------------------------------


def record_step(
    uow: UnitOfWork, cadre_ref: str, step: str, *, on: dt.date, today: dt.date, note: str | None
) -> tuple[Record, bool]:
    """Record a 7 PAS step reached; (record, False) when it was already recorded."""
    with uow:
        result = _record_step(uow, cadre_ref, step, on=on, today=today, note=note)
        if result[1]:
            uow.commit()
    return result


def _record_step(
    uow: UnitOfWork, cadre_ref: str, step: str, *, on: dt.date, today: dt.date, note: str | None
) -> tuple[Record, bool]:
    cadre = common.find(uow, cadre_ref, lock=True)  # one record per step and cadre
    key = rules.parse_step(step)
    if key in rules.AUTOMATIC_STEPS:
        raise RuleViolation(
            _("step {step} is {how}; it is not recorded by hand").format(
                step=key, how=_(rules.AUTOMATIC_STEPS[key])
            )
        )
    day = _not_before_registration(cadre, v.not_in_future(on, "date", today), "date")
    for existing in uow.steps.find(cadre_id=cadre["id"], step=key):
        return existing, False
    (ident,) = uow.next_ids("step", "S")
    record = {
        "id": ident,
        "cadre_id": cadre["id"],
        "step": key,
        "on": day,
        "note": v.parse_text(note, "note") or None,
    }
    uow.steps.add_many([record])
    uow.record_changes([create_entry("step", ident, record)])
    return record, True


def _not_before_registration(cadre: Mapping[str, Any], day: dt.date, field: str) -> str:
    if day.isoformat() < cadre["registered_on"]:
        raise ValidationError(
            field,
            day.isoformat(),
            Msg(
                N_("is before {id} registered ({date})"),
                id=cadre["id"],
                date=dt.date.fromisoformat(cadre["registered_on"]),
            ),
        )
    return day.isoformat()


def add_income(
    uow: UnitOfWork,
    cadre_ref: str,
    amount: str,
    *,
    on: dt.date,
    today: dt.date,
    note: str | None,
    baseline: bool = False,
    work_status: str | None = None,
) -> Record:
    """A dated household income follow-up, with the person's work status then if known; or,
    with baseline, the income before the programme."""
    with uow:
        record = _add_income(
            uow, cadre_ref, amount, on=on, today=today, note=note, baseline=baseline, work_status=work_status
        )
        uow.commit()
    return record


def _add_income(
    uow: UnitOfWork, cadre_ref: str, amount: str, *, on: dt.date, today: dt.date, note: str | None,
    baseline: bool, work_status: str | None = None,
) -> Record:  # fmt: skip
    cadre = common.find(uow, cadre_ref, lock=baseline)  # one baseline per cadre
    value = v.parse_money(amount, "amount")
    status = work.parse_work_status(work_status) if work_status else None
    if baseline and status:
        raise ValidationError(
            "work_status",
            work_status,
            _(
                "the work status at registration is the cadre's: 'up2k cadre update {id} --work-status'"
            ).format(id=cadre["id"]),
        )
    day = v.not_in_future(on, "date", today)
    if baseline:
        if cadre.get("income") is not None:
            raise RuleViolation(
                _(
                    "{id} already has a baseline of {amount} from registration; "
                    "correct it with 'up2k cadre update {id} --income'"
                ).format(id=cadre["id"], amount=v.format_rupiah(cadre["income"]))
            )
        fields = {"income": value}
        uow.cadres.update_many({cadre["id"]: fields})
        uow.record_changes([change_entry("cadre", cadre["id"], "baseline", cadre, fields)])
        return {"id": cadre["id"], "cadre_id": cadre["id"], "amount": value, "kind": "baseline"}
    (ident,) = uow.next_ids("income", "I")
    record = {
        "id": ident,
        "cadre_id": cadre["id"],
        "amount": value,
        "on": _not_before_registration(cadre, day, "date"),
        "note": v.parse_text(note, "note") or None,
        "work_status": status,
    }
    uow.incomes.add_many([record])
    uow.record_changes([create_entry("income", ident, record)])
    return {**record, "kind": "follow-up"}


# --- exports ---------------------------------------------------------------------------------


def step_rows(uow: UnitOfWork, today: dt.date, cadres: list[Record] | None = None) -> list[dict[str, Any]]:
    """Every step each cadre (or each of the cadres given) reached, in the order reached, and
    whether it was recorded by hand; in an open unit of work."""
    from up2k_cli.domain.timeline import steps_by_cadre
    from up2k_cli.reports.load import snapshot

    snap = snapshot(uow, today, cadres)
    reached = steps_by_cadre(snap)
    notes = {(r["cadre_id"], r["step"]): r.get("note") for r in snap.steps}
    ids = {(r["cadre_id"], r["step"]): r["id"] for r in snap.steps}
    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    rows = []
    for cid in sorted(reached, key=lambda c: common.id_order({"id": c})):
        for order, (step, on) in enumerate(rules.in_order_reached(reached[cid]), start=1):
            recorded = (cid, step) in notes
            rows.append(
                {
                    "cadre_id": cid,
                    "kelurahan_code": kel_of[cid],
                    "order": order,
                    "step": step,
                    "on": on,
                    "source": "recorded" if recorded else "automatic",
                    "note": notes.get((cid, step)),
                    "id": ids.get((cid, step)),
                }
            )
    return rows


def income_rows(uow: UnitOfWork, cadres: list[Record] | None = None) -> list[dict[str, Any]]:
    """Baselines (from registration) and follow-ups, per cadre in date order; in an open unit of
    work."""
    people = uow.cadres.all() if cadres is None else cadres
    kel_of = {c["id"]: c["kelurahan_code"] for c in people}
    follow_ups = uow.incomes.all() if cadres is None else uow.incomes.find_in("cadre_id", list(kel_of))
    rows = [
        {
            "id": None,
            "cadre_id": c["id"],
            "kelurahan_code": c["kelurahan_code"],
            "kind": "baseline",
            "amount": c["income"],
            "on": c["registered_on"],
            "note": None,
            "work_status": c.get("work_status"),  # at registration, as the baseline
        }
        for c in people
        if c.get("income") is not None
    ]
    rows += [{**r, "kelurahan_code": kel_of.get(r["cadre_id"]), "kind": "follow-up"} for r in follow_ups]
    kinds = {"baseline": 0, "follow-up": 1}
    return sorted(
        rows,
        key=lambda r: (common.id_order({"id": r["cadre_id"]}), kinds[r["kind"]], r["on"]),
    )


def export_steps(uow: UnitOfWork, today: dt.date) -> list[dict[str, Any]]:
    with uow:
        origin = uow.meta.get("registry_id")
        return [{**r, "registry": origin} for r in step_rows(uow, today)]


def export_incomes(uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow:
        origin = uow.meta.get("registry_id")
        return [{**r, "registry": origin} for r in income_rows(uow)]


# --- corrections ---------------------------------------------------------------------------------


def remove_step(uow: UnitOfWork, cadre_ref: str, step: str, *, reason: str) -> Record:
    """Take back a 7 PAS step recorded by mistake (steps reached by themselves cannot be)."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        cadre = common.find(uow, cadre_ref, lock=True)  # as record_step: one command per cadre's steps
        key = rules.parse_step(step)
        found = uow.steps.find(cadre_id=cadre["id"], step=key)
        if not found:
            raise RuleViolation(
                _("{id} has no recorded step {step}; only recorded steps can be removed").format(
                    id=cadre["id"], step=key
                )
            )
        record = found[0]
        _take_back(uow, "step", record, why)
        uow.commit()
    return record


def _take_back(uow: UnitOfWork, entity: str, record: Record, why: str) -> None:
    """Remove a record entered by mistake, keeping it whole in the history (undo can put it back)."""
    getattr(uow, common.TABLE_OF[entity]).remove_many([record["id"]])
    uow.record_changes([common.remove_entry(entity, record["id"], record, why)])


def get_income(uow: UnitOfWork, ref: str, *, lock: bool = False) -> Record:
    """An income follow-up by ID (I0001); in an open unit of work (with `lock`: held, then read)."""
    not_found = _("income follow-up {id} not found; 'up2k cadre show' lists a cadre's")
    return common.by_id(uow.incomes, ref, not_found, lock=lock)


def update_income(
    uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date, reason: str
) -> Record:
    """Correct an income follow-up's amount, date, note or work status; the history keeps the old
    values."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        record = get_income(uow, ref, lock=True)
        cadre = uow.cadres.get(record["cadre_id"]) or {}
        fields: dict[str, Any] = {}
        if raw.get("amount") is not None:
            fields["amount"] = v.parse_money(raw["amount"], "amount")
        if raw.get("on") is not None:
            day = v.not_in_future(v.parse_date(raw["on"], "date"), "date", today)
            fields["on"] = _not_before_registration(cadre, day, "date")
        if raw.get("note") is not None:
            fields["note"] = v.parse_text(raw["note"], "note") or None
        if raw.get("work_status") is not None:
            fields["work_status"] = work.parse_work_status(raw["work_status"])
        if not fields:
            raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
        entry = {**change_entry("income", record["id"], "correct", record, fields), "reason": why}
        if entry["changes"]:
            uow.incomes.update_many({record["id"]: fields})
            uow.record_changes([entry])
            uow.commit()
    return entry


def remove_income(uow: UnitOfWork, ref: str, *, reason: str) -> Record:
    """Take back an income follow-up recorded by mistake."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        record = get_income(uow, ref, lock=True)
        _take_back(uow, "income", record, why)
        uow.commit()
    return record


def remove_business(uow: UnitOfWork, ref: str, *, reason: str) -> Record:
    """Take back a business recorded by mistake (a business that was never started)."""
    why = v.parse_text(reason, "reason", required=True)
    with uow:
        record = get_business(uow, ref, lock=True)
        resting = [
            r["id"]
            for table in (uow.business_follow_ups, uow.referrals)
            for r in table.find(business_id=record["id"])
        ]
        if resting:
            raise RuleViolation(
                _(
                    "business {id} has follow-ups or referrals ({refs}), so it was started; "
                    "correct it with 'up2k business update' instead"
                ).format(id=record["id"], refs=", ".join(sorted(resting)))
            )
        _take_back(uow, "business", record, why)
        uow.commit()
    return record
