"""Use cases for outcomes: businesses, 7 PAS steps recorded by hand, income follow-ups, and the
agency referral settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from up2k_cli.domain import outcomes as rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import NotFound, RuleViolation, ValidationError
from up2k_cli.i18n import N_, Msg, _
from up2k_cli.services import cadres as cadre_service
from up2k_cli.services.cadres import change_entry, create_entry
from up2k_cli.storage.repository import Record
from up2k_cli.storage.uow import UnitOfWork

# --- settings --------------------------------------------------------------------------------


def settings(uow: UnitOfWork) -> Record:
    return uow.meta["settings"]


def set_agency(uow: UnitOfWork, category: str, agency: str) -> tuple[str, str | None, str]:
    """Point a business category at another agency; returns (category, old, new)."""
    label = rules.parse_category(category)
    name = v.parse_text(agency, "agency", required=True, limit=80)
    current = settings(uow)
    old = current["agency_map"].get(label)
    new_settings = {**current, "agency_map": {**current["agency_map"], label: name}}
    uow.update_meta({"settings": new_settings})
    uow.record_changes(
        [{"entity": "settings", "ref": "agency_map", "action": "update",
          "changes": {label: [old, name]}}]
    )  # fmt: skip
    return label, old, name


def set_licensing_agency(uow: UnitOfWork, agency: str) -> None:
    name = v.parse_text(agency, "agency", required=True, limit=80)
    current = settings(uow)
    uow.update_meta({"settings": {**current, "licensing_agency": name}})
    uow.record_changes(
        [{"entity": "settings", "ref": "licensing_agency", "action": "update",
          "changes": {"licensing_agency": [current.get("licensing_agency"), name]}}]
    )  # fmt: skip


def reset_agencies(uow: UnitOfWork) -> None:
    from up2k_cli.storage.presets import default_settings

    old = settings(uow)
    new = default_settings()
    uow.update_meta({"settings": new})
    uow.record_changes([change_entry("settings", "agency_map", "reset", old, new)])


# --- businesses ------------------------------------------------------------------------------


def _check_nib_free(uow: UnitOfWork, nib: str | None, own_id: str | None = None) -> None:
    if not nib:
        return
    for b in uow.businesses.all():
        if b.get("nib") == nib and b["id"] != own_id:
            raise RuleViolation(
                _("nib {nib} already belongs to business {id} ({name}); an NIB is unique").format(
                    nib=nib, id=b["id"], name=b["name"]
                )
            )


def add_business(
    uow: UnitOfWork, cadre_ref: str, raw: Mapping[str, Any], *, today: dt.date,
    licensed_on: dt.date | None = None,
) -> Record:  # fmt: skip
    cadre = cadre_service.find(uow, cadre_ref)
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
    }
    if record["nib"] or record["pirt"]:
        record["licensed_on"] = _licence_date(licensed_on, today)
    uow.businesses.add(record)
    uow.record_changes([create_entry("business", ident, record)])
    return record


def _licence_date(given: dt.date | None, today: dt.date) -> str:
    return v.not_in_future(given or today, "licensed-on", today).isoformat()


def get_business(uow: UnitOfWork, ref: str) -> Record:
    key = (ref or "").strip().upper()
    record = uow.businesses.get(key)
    if record is None:
        raise NotFound(
            _("business {id} not found; 'up2k business list' shows the IDs").format(id=repr(key or ref))
        )
    return record


def update_business(
    uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, today: dt.date,
    licensed_on: dt.date | None = None,
) -> Record:  # fmt: skip
    business = get_business(uow, ref)
    fields = rules.business_fields(raw, today, partial=True)
    if not fields and licensed_on is None:
        raise ValidationError("fields", None, _("nothing to change; give at least one --option"))
    if "nib" in fields:
        _check_nib_free(uow, fields["nib"], business["id"])
    was_licensed = bool(business.get("nib") or business.get("pirt"))
    after = {**business, **fields}
    now_licensed = bool(after.get("nib") or after.get("pirt"))
    if now_licensed and (not was_licensed or licensed_on is not None):
        fields["licensed_on"] = _licence_date(licensed_on, today)
    elif not now_licensed:
        fields["licensed_on"] = None
    entry = change_entry("business", business["id"], "update", business, fields)
    if entry["changes"]:
        uow.businesses.update(business["id"], fields)
        uow.record_changes([entry])
    return entry


def business_view(
    record: Mapping[str, Any],
    uow_settings: Mapping[str, Any],
    owner: Mapping[str, Any],
    names: Mapping[str, str],
) -> dict[str, Any]:
    """A business with what follows from it: owner, kelurahan, agencies, what it lacks."""
    agencies = rules.referrals(record, uow_settings)
    return {
        **record,
        "owner": owner.get("name"),
        "kelurahan_code": owner.get("kelurahan_code"),
        "kelurahan": names.get(owner.get("kelurahan_code", ""), ""),
        "agency": agencies[0],
        "referrals": "; ".join(agencies),
        "lacks": ", ".join(rules.lacks(record)),
        "started": rules.business_start(record),
    }


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
    names = cadre_service.kelurahan_names(uow.meta)
    current = settings(uow)
    owners = {c["id"]: c for c in uow.cadres.all()}
    rows = [business_view(b, current, owners.get(b["cadre_id"], {}), names) for b in uow.businesses.all()]
    if kelurahan:
        code = v.match_choice(kelurahan, cadre_service.kelurahan_choices(uow.meta), "kelurahan").key
        rows = [r for r in rows if r["kelurahan_code"] == code]
    if category:
        label = rules.parse_category(category)
        rows = [r for r in rows if r["category"] == label]
    if agency:
        wanted = v.normalise_label(agency)
        rows = [r for r in rows if any(v.normalise_label(a) == wanted for a in r["referrals"].split("; "))]
    if step:
        from up2k_cli.services.reports import snapshot, steps_by_cadre

        key = rules.parse_step(step)
        reached = steps_by_cadre(snapshot(uow, today))
        rows = [r for r in rows if key in reached.get(r["cadre_id"], {})]
    if started_from:
        rows = [r for r in rows if r["started"] >= started_from.isoformat()]
    if started_to:
        rows = [r for r in rows if r["started"] <= started_to.isoformat()]
    return sorted(rows, key=cadre_service.id_order)


# --- steps and income ------------------------------------------------------------------------


def record_step(
    uow: UnitOfWork, cadre_ref: str, step: str, *, on: dt.date, today: dt.date, note: str | None
) -> tuple[Record, bool]:
    """Record a 7 PAS step reached; (record, False) when it was already recorded."""
    cadre = cadre_service.find(uow, cadre_ref)
    key = rules.parse_step(step)
    if key in rules.AUTOMATIC_STEPS:
        raise RuleViolation(
            _("step {step} is {how}; it is not recorded by hand").format(
                step=key, how=_(rules.AUTOMATIC_STEPS[key])
            )
        )
    day = _not_before_registration(cadre, v.not_in_future(on, "date", today), "date")
    for existing in uow.steps.all():
        if existing["cadre_id"] == cadre["id"] and existing["step"] == key:
            return existing, False
    (ident,) = uow.next_ids("step", "S")
    record = {
        "id": ident,
        "cadre_id": cadre["id"],
        "step": key,
        "on": day,
        "note": v.parse_text(note, "note") or None,
    }
    uow.steps.add(record)
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
) -> Record:
    """A dated household income follow-up; or, with baseline, the income before the programme."""
    cadre = cadre_service.find(uow, cadre_ref)
    value = v.parse_money(amount, "amount")
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
        uow.cadres.update(cadre["id"], fields)
        uow.record_changes([change_entry("cadre", cadre["id"], "baseline", cadre, fields)])
        return {"id": cadre["id"], "cadre_id": cadre["id"], "amount": value, "kind": "baseline"}
    (ident,) = uow.next_ids("income", "I")
    record = {
        "id": ident,
        "cadre_id": cadre["id"],
        "amount": value,
        "on": _not_before_registration(cadre, day, "date"),
        "note": v.parse_text(note, "note") or None,
    }
    uow.incomes.add(record)
    uow.record_changes([create_entry("income", ident, record)])
    return {**record, "kind": "follow-up"}


# --- exports ---------------------------------------------------------------------------------


def step_rows(uow: UnitOfWork, today: dt.date, cadre_id: str | None = None) -> list[dict[str, Any]]:
    """Every step each cadre reached, in the order reached, and whether it was recorded by hand."""
    from up2k_cli.services.reports import snapshot, steps_by_cadre

    snap = snapshot(uow, today)
    reached = steps_by_cadre(snap)
    notes = {(r["cadre_id"], r["step"]): r.get("note") for r in snap.steps}
    kel_of = {c["id"]: c["kelurahan_code"] for c in snap.cadres}
    rows = []
    for cid in sorted(reached, key=lambda c: cadre_service.id_order({"id": c})):
        if cadre_id and cid != cadre_id:
            continue
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
                }
            )
    return rows


def income_rows(uow: UnitOfWork, cadre_id: str | None = None) -> list[dict[str, Any]]:
    """Baselines (from registration) and follow-ups, per cadre in date order."""
    kel_of = {c["id"]: c["kelurahan_code"] for c in uow.cadres.all()}
    rows = [
        {
            "id": None,
            "cadre_id": c["id"],
            "kelurahan_code": c["kelurahan_code"],
            "kind": "baseline",
            "amount": c["income"],
            "on": c["registered_on"],
            "note": None,
        }
        for c in uow.cadres.all()
        if c.get("income") is not None and (cadre_id is None or c["id"] == cadre_id)
    ]
    rows += [
        {**r, "kelurahan_code": kel_of.get(r["cadre_id"]), "kind": "follow-up"}
        for r in uow.incomes.all()
        if cadre_id is None or r["cadre_id"] == cadre_id
    ]
    kinds = {"baseline": 0, "follow-up": 1}
    return sorted(
        rows,
        key=lambda r: (cadre_service.id_order({"id": r["cadre_id"]}), kinds[r["kind"]], r["on"]),
    )
