"""Presentation of the reports: a read model's figures (reports/) -> a Document (titles,
columns, bars, notes) that every writer draws. Titles take the kecamatan from the registry's
settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from up2k_cli.render.model import Document

from . import activity, facilitation, money, programme, progress

# name -> (figures, kecamatan, settings) -> Document
PRESENTERS: dict[str, Callable[[Any, str, Mapping[str, Any]], Document]] = {
    "summary": activity.summary,
    "kelurahan": activity.kelurahan,
    "weekly": activity.weekly,
    "batch": progress.batch,
    "target": progress.target,
    "pipeline": progress.pipeline,
    "income": money.income,
    "agencies": money.agencies,
    "jobs": programme.jobs,
    "pokja2": programme.pokja2,
    "facilitation": facilitation.facilitation,
}


def document(name: str, figures: Any, kecamatan: str, settings: Mapping[str, Any] | None = None) -> Document:
    """Report `name`'s figures as people and tools read them."""
    return PRESENTERS[name](figures, kecamatan, settings or {})
