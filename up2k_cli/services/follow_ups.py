"""Business follow-ups: a business measured again on a day (owner status, workers, turnover), so
that jobs and size can be counted as they were on any day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain import validators as v
from up2k_cli.domain import work
from up2k_cli.domain.errors import ValidationError, ValidationErrors
from up2k_cli.i18n import _
from up2k_cli.services.common import create_entry
from up2k_cli.services.outcomes import get_business
from up2k_cli.storage.protocol import Record, UnitOfWork


def add_follow_up(
    uow: UnitOfWork, business_ref: str, raw: Mapping[str, Any], *, on: dt.date, today: dt.date
) -> Record:
    """Record what a business measured on a day; returns the follow-up with the business's
    state after it (every measure, carried over where not measured) and its size then."""
    with uow:
        record = _add_follow_up(uow, business_ref, raw, on=on, today=today)
        uow.commit()
    return record


def _add_follow_up(
    uow: UnitOfWork, business_ref: str, raw: Mapping[str, Any], *, on: dt.date, today: dt.date
) -> Record:
    business = get_business(uow, business_ref)
    uow.businesses.lock(business["id"])  # its follow-ups are checked together
    fields, errors = work.measures(raw)
    day = on.isoformat()
    try:
        outcome_rules.since_start(business, on, today)
    except ValidationError as exc:
        errors.append(exc)
    note = None
    try:
        note = v.parse_text(raw.get("note"), "note") or None
    except ValidationError as exc:
        errors.append(exc)
    if not fields and not errors:
        errors.append(
            ValidationError(
                "measures",
                None,
                _("nothing measured; give at least one of --owner-status, --family-workers, --paid-workers, "
                  "--paid-were-unemployed, --paid-local, --turnover"),
            )
        )  # fmt: skip
    if errors:
        raise ValidationErrors(errors)
    (ident,) = uow.next_ids("business_follow_up", "UF")
    record = {"id": ident, "business_id": business["id"], "on": day,
              **{name: fields.get(name) for name in work.MEASURES}, "note": note}  # fmt: skip
    earlier = uow.business_follow_ups.find(business_id=business["id"])
    # Every state from this day on must hold together: a later follow-up carries this one's
    # figures forward where it measured nothing.
    timeline = [*earlier, record]
    for f in sorted(timeline, key=work.follow_up_order):
        if f["on"] >= day:
            work.check_workers(work.business_state(business, timeline, f["on"]))
    uow.business_follow_ups.add_many([record])
    uow.record_changes([create_entry("business-follow-up", ident, record)])
    state = work.business_state(business, timeline)
    return {**record, "state": state, "size": work.size_class(state["turnover"])}


def follow_ups_of(uow: UnitOfWork, business_id: str) -> list[Record]:
    """A business's follow-ups in date order; in an open unit of work."""
    return sorted(uow.business_follow_ups.find(business_id=business_id), key=work.follow_up_order)
