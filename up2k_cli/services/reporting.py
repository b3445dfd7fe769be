"""Running a report: open the unit of work once, let the backend compute the figures if it
offers the read model (PostgreSQL may, in SQL), else the Python read model (reports/), and hand
the figures with the region's name to whoever presents them (render/reports/)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from up2k_cli.domain.region import kecamatan_name
from up2k_cli.reports import READ_MODELS
from up2k_cli.reports.common import from_values
from up2k_cli.storage.protocol import UnitOfWork

CONTACTS = "report agencies --with-contacts"


@dataclass(frozen=True)
class Report:
    name: str
    figures: Any  # the read model's dataclass
    kecamatan: str  # the region, for titles: from the registry's settings
    region: dict[str, Any]  # the whole region (kecamatan, city, kelurahan): captions
    settings: dict[str, Any]  # the registry's settings (the Pokja II signature block)


def figures(uow: UnitOfWork, name: str, **params: Any) -> Any:
    """The figures of report `name`, in an open unit of work: the backend's own read model when
    it has one for this report, else the Python one."""
    model = READ_MODELS[name]
    if model.check is not None:
        model.check(**params)
    own = getattr(uow, "read_model", None)
    if own is not None:
        found = own(name, **params)
        if isinstance(found, Mapping) and model.figures is not None:
            return from_values(model.figures, found)
        if found is not None and not isinstance(found, Mapping):
            return found
    return model.compute(uow, **params)


def run(uow: UnitOfWork, name: str, **params: Any) -> Report:
    """Report `name` in its own read of the registry."""
    with uow:
        found = figures(uow, name, **params)
        return Report(name, found, kecamatan_name(uow.meta), uow.meta["region"], dict(uow.meta["settings"]))


def batch(uow: UnitOfWork, code: str, **params: Any) -> Report:
    """`report batch`: the batch as people type its code, found (or refused) first."""
    from up2k_cli.services import batches

    with uow:
        found = batches.get(uow, code)
        return Report(
            "batch",
            figures(uow, "batch", code=found["code"], **params),
            kecamatan_name(uow.meta),
            uow.meta["region"],
            {},
        )


def agencies(uow: UnitOfWork, *, output: str | None = None, **params: Any) -> Report:
    """`report agencies`; with contacts (UU PDP), the hand-over list leaves a trace of who made
    it, when and where (`output`: the file, or None for stdout)."""
    from up2k_cli.services.personal import record_file, require_personal_data

    with uow:
        if params.get("with_contacts"):
            require_personal_data(uow, CONTACTS)
        found = figures(uow, "agencies", **params)
        if found.with_contacts:
            contacts = found.contacts
            record_file(uow, CONTACTS, output, [c.cadre_id for c in contacts], len(contacts))
            uow.commit()
        return Report("agencies", found, kecamatan_name(uow.meta), uow.meta["region"], {})
