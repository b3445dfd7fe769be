"""`report agencies`: businesses referred to each agency by their category (the settings' agency
map) and what they still lack; with contacts, the hand-over list (personal data, for the agency
only: services record that it left)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.errors import ValidationError
from up2k_cli.domain.validators import normalise_label
from up2k_cli.i18n import N_, Msg
from up2k_cli.storage.protocol import UnitOfWork

from .common import id_order
from .load import snapshot


@dataclass(frozen=True)
class AgencyLine:
    agency: str
    businesses: int
    lacks_nib: int
    lacks_pirt: int  # food businesses
    lacks_halal: int  # food businesses


@dataclass(frozen=True)
class Contact:
    """One line of the hand-over list: personal data."""

    agency: str
    business_id: str
    cadre_id: str
    business: str
    category: str
    owner: str | None
    phone: str | None
    kelurahan: str
    lacks: str  # what the business lacks, comma-separated


@dataclass(frozen=True)
class AgenciesFigures:
    as_of: str
    agency: str | None  # the one agency asked for, as typed
    agencies: tuple[AgencyLine, ...]  # by name
    with_contacts: bool
    contacts: tuple[Contact, ...]  # empty unless asked for


def agencies(
    uow: UnitOfWork, *, as_of: dt.date, agency: str | None = None, with_contacts: bool = False
) -> AgenciesFigures:
    """In an open unit of work."""
    snap = snapshot(uow, as_of)
    settings = snap.meta["settings"]
    owners = {c["id"]: c for c in uow.cadres.all()} if with_contacts else {}
    wanted = normalise_label(agency) if agency else None
    per_agency: dict[str, Counter[str]] = defaultdict(Counter)
    contacts = []
    for b in sorted(snap.businesses, key=lambda r: id_order(r["id"])):
        missing = outcome_rules.lacks(b)
        for name in outcome_rules.referrals(b, settings):
            if wanted and normalise_label(name) != wanted:
                continue
            tally = per_agency[name]
            tally["businesses"] += 1
            tally.update(f"lacks_{m}" for m in missing)
            if with_contacts:
                owner = owners.get(b["cadre_id"], {})
                contacts.append(
                    Contact(name, b["id"], b["cadre_id"], b["name"], b["category"], owner.get("name"),
                            owner.get("phone"), snap.kelurahan.get(owner.get("kelurahan_code", ""), ""),
                            ", ".join(missing))
                )  # fmt: skip
    if wanted and not per_agency:
        known = sorted({a for b in snap.businesses for a in outcome_rules.referrals(b, settings)})
        raise ValidationError(
            "agency",
            agency,
            Msg(N_("no business is referred to it; agencies: {agencies}"), agencies=", ".join(known))
            if known
            else Msg(N_("no business is referred to it; agencies: none yet")),
        )
    return AgenciesFigures(
        as_of=snap.iso,
        agency=agency,
        agencies=tuple(
            AgencyLine(name, c["businesses"], c["lacks_NIB"], c["lacks_P-IRT"], c["lacks_halal"])
            for name, c in sorted(per_agency.items())
        ),
        with_contacts=with_contacts,
        contacts=tuple(contacts),
    )
