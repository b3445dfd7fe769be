"""Use cases for facilitation: refer a business to an agency for a need, record dated updates
whose outcome writes through to the business and its owner's 7 PAS steps, list and show."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain import referrals as rules
from up2k_cli.domain import validators as v
from up2k_cli.domain.errors import RuleViolation
from up2k_cli.i18n import _
from up2k_cli.services import common
from up2k_cli.services import outcomes as outcome_service
from up2k_cli.services.common import change_entry, create_entry
from up2k_cli.storage.protocol import Record, UnitOfWork


def get_referral(uow: UnitOfWork, ref: str) -> Record:
    """A referral by ID (R0001, any case); in an open unit of work."""
    return common.by_id(uow.referrals, ref, _("referral {id} not found; 'up2k referral list' shows the IDs"))


def updates_of(uow: UnitOfWork, referral_ids: Sequence[str]) -> dict[str, list[Record]]:
    """Each referral's updates in date order; in an open unit of work."""
    found: dict[str, list[Record]] = defaultdict(list)
    for u in sorted(uow.referral_updates.find_in("referral_id", list(referral_ids)), key=rules.update_order):
        found[u["referral_id"]].append(u)
    return found


def refer(
    uow: UnitOfWork,
    business_ref: str,
    *,
    need: str,
    agency: str | None,
    on: dt.date,
    today: dt.date,
    note: str | None = None,
) -> Record:
    """Refer a business to an agency for one need; without an agency, the one the registry's map
    gives. Refused while the business has an open referral for the same need."""
    with uow:
        business = outcome_service.get_business(uow, business_ref)
        uow.businesses.lock(business["id"])  # one open referral per need, also under concurrency
        key = rules.parse_need(need)
        settings = outcome_service.settings(uow)
        name = (
            rules.agency_name(agency, settings)
            if agency is not None
            else rules.default_agency(business, key, settings)
        )
        day = outcome_rules.since_start(business, on, today)
        same = [r for r in uow.referrals.find(business_id=business["id"]) if r["need"] == key]
        updates = updates_of(uow, [r["id"] for r in same])
        for other in same:
            now = rules.standing(other, updates[other["id"]], "9999-12-31")
            if now is not None and now.status in rules.OPEN:
                raise RuleViolation(
                    _(
                        "{business} is already referred for {need} ({id}, {status}); update that referral"
                    ).format(business=business["id"], need=key, id=other["id"], status=now.status)
                )
        (ident,) = uow.next_ids("referral", "R")
        record = {"id": ident, "business_id": business["id"], "agency": name, "need": key, "referred_on": day,
                  "note": v.parse_text(note, "note") or None}  # fmt: skip
        uow.referrals.add_many([record])
        uow.record_changes([create_entry("referral", ident, record)])
        uow.commit()
    return record


@dataclass
class Updated:
    """An update and what its outcome changed: the business's fields, a 7 PAS step."""

    referral: Record
    update: Record
    business: dict[str, list[Any]] = field(default_factory=dict)  # field: [old, new]
    step: Record | None = None


def update(uow: UnitOfWork, ref: str, raw: Mapping[str, Any], *, on: dt.date, today: dt.date) -> Updated:
    """A dated update of a referral (contacted, in progress, done with an outcome, closed with a
    reason); an outcome fills the business's NIB, P-IRT or halal flag, or reaches permodalan or
    pemasaran for its owner."""
    with uow:
        referral = get_referral(uow, ref)
        uow.referrals.lock(referral["id"])  # updates in date order, also under concurrency
        past = updates_of(uow, [referral["id"]])[referral["id"]]
        fields = rules.update_fields(referral, past, raw, on=on, today=today)
        (ident,) = uow.next_ids("referral_update", "RU")
        record = {"id": ident, "referral_id": referral["id"], **fields}
        uow.referral_updates.add_many([record])
        uow.record_changes([create_entry("referral-update", ident, record)])
        result = Updated(referral, record)
        effect = rules.write_through(record)
        business = outcome_service.get_business(uow, referral["business_id"])
        if effect.business:
            result.business = _fill_business(uow, business, effect.business, on=on, today=today)
        if effect.step:
            result.step = _reach_step(uow, business, effect.step, record, on=on, today=today)
        uow.commit()
    return result


def _fill_business(
    uow: UnitOfWork, business: Record, fields: Mapping[str, Any], *, on: dt.date, today: dt.date
) -> dict[str, list[Any]]:
    """Set what an outcome issued, through `business update` (its checks, licence date and
    history); a different number already recorded is a conflict to settle by hand."""
    for name in ("nib", "pirt"):
        have, issued = business.get(name), fields.get(name)
        if issued and have and have != issued:
            raise RuleViolation(
                _(
                    "business {id} already has {field} {have}, not {issued}; if it changed, correct it "
                    "with 'up2k business update {id} --{field} {issued}' and record the outcome again"
                ).format(id=business["id"], field=name, have=have, issued=issued)
            )
    licensed = business.get("nib") or business.get("pirt")
    entry = outcome_service._update_business(  # the in-uow half of `business update`
        uow, business["id"], fields, today=today, licensed_on=None if licensed else on
    )
    return entry["changes"]


def _reach_step(
    uow: UnitOfWork, business: Record, step: str, update: Mapping[str, Any], *, on: dt.date, today: dt.date
) -> Record:
    """The owner reaches the step on the outcome's day (earlier than one recorded before, the
    step moves to this day); the note says which referral and what came of it."""
    detail = [update["referral_id"]]
    if update.get("source"):
        detail.append(str(v.choice_label(update["source"], rules.SOURCES)))
    if update.get("amount") is not None:
        detail.append(v.format_rupiah(update["amount"]))
    if update.get("note"):
        detail.append(update["note"])
    note = " ".join(detail)[:200]
    found = uow.steps.find(cadre_id=business["cadre_id"], step=step)
    if found and found[0]["on"] > on.isoformat():
        fields = {"on": on.isoformat(), "note": note}
        uow.steps.update_many({found[0]["id"]: fields})
        uow.record_changes([change_entry("step", found[0]["id"], "update", found[0], fields)])
        return {**found[0], **fields}
    record, _new = outcome_service._record_step(  # the in-uow half of `up2k step`
        uow, business["cadre_id"], step, on=on, today=today, note=note
    )
    return record


# --- lists and pages -------------------------------------------------------------------------


def referral_row(
    referral: Mapping[str, Any],
    updates: Sequence[Mapping[str, Any]],
    business: Mapping[str, Any],
    owner: Mapping[str, Any],
    names: Mapping[str, str],
    day: str,
) -> dict[str, Any]:
    """A referral as people see it on a day: its business and kelurahan, status since when, the
    days it has been open (or took), its outcome."""
    now = rules.standing(referral, updates, day)
    status = now.status if now else None
    final = now.final if now else None
    until = final["on"] if final else day
    return {
        **referral,
        "business": business.get("name"),
        "cadre_id": business.get("cadre_id"),
        "kelurahan_code": owner.get("kelurahan_code"),
        "kelurahan": names.get(owner.get("kelurahan_code", ""), ""),
        "status": status,
        "since": now.since if now else None,
        "days": rules.days_between(referral["referred_on"], until) if now else None,
        "outcome": final.get("outcome") if final else None,
        "amount": final.get("amount") if final else None,
    }


def list_referrals(
    uow: UnitOfWork,
    *,
    today: dt.date,
    agency: str | None = None,
    need: str | None = None,
    status: str | None = None,
    business: str | None = None,
    open_only: bool = False,
) -> list[dict[str, Any]]:
    """Referrals in ID order with their status today, filtered."""
    with uow:
        if business:
            records = uow.referrals.find(business_id=outcome_service.get_business(uow, business)["id"])
        else:
            records = uow.referrals.all()
        if agency:
            wanted = v.normalise_label(agency)
            records = [r for r in records if v.normalise_label(r["agency"]) == wanted]
        if need:
            key = rules.parse_need(need)
            records = [r for r in records if r["need"] == key]
        updates = updates_of(uow, [r["id"] for r in records])
        businesses = uow.businesses.get_many({r["business_id"] for r in records})
        owners = uow.cadres.get_many({b["cadre_id"] for b in businesses.values()})
        names = common.kelurahan_names(uow.meta)
    rows = []
    for r in records:
        biz = businesses.get(r["business_id"], {})
        rows.append(referral_row(r, updates[r["id"]], biz, owners.get(biz.get("cadre_id"), {}), names,
                                 today.isoformat()))  # fmt: skip
    if status:
        text = v.normalise_label(status)
        wanted_status = rules.REFERRED if text == rules.REFERRED else rules.parse_status(status)
        rows = [r for r in rows if r["status"] == wanted_status]
    if open_only:
        rows = [r for r in rows if r["status"] in rules.OPEN]
    return sorted(rows, key=common.id_order)


@dataclass
class ReferralPage:
    referral: dict[str, Any]
    updates: list[Record]
    history: list[Record]


def referral_page(uow: UnitOfWork, ref: str, *, today: dt.date) -> ReferralPage:
    with uow:
        referral = get_referral(uow, ref)
        updates = updates_of(uow, [referral["id"]])[referral["id"]]
        business = uow.businesses.get(referral["business_id"]) or {}
        owner = uow.cadres.get(business.get("cadre_id", "")) or {}
        row = referral_row(referral, updates, business, owner, common.kelurahan_names(uow.meta),
                           today.isoformat())  # fmt: skip
        history = common.history_of(uow, "referral", referral["id"])
        history += [h for u in updates for h in common.history_of(uow, "referral-update", u["id"])]
    return ReferralPage(row, updates, sorted(history, key=lambda h: h["seq"]))
