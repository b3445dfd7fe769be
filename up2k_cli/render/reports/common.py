"""What the report presenters share: bars, the as-of period, titles with the region, rows per
kelurahan from the read models' lines."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from up2k_cli.domain.timeline import NEW_ENTREPRENEUR
from up2k_cli.i18n import N_, Msg
from up2k_cli.render.model import per_kelurahan

BAR_WIDTH = 30

# How new entrepreneurs are counted (a read model's `definition`) -> the note that says so.
DEFINITIONS = {"first_business": NEW_ENTREPRENEUR}


def definition_text(key: str) -> Msg:
    return DEFINITIONS[key]


def title(text: str, kecamatan: str, **args: Any) -> Msg:
    """A report's title: `text` has {kecamatan}, the region from the registry's settings."""
    return Msg(text, kecamatan=kecamatan, **args)


def as_of_period(day: str) -> Msg:
    import datetime as dt

    return Msg(N_("as of {day}"), day=dt.date.fromisoformat(day))


def bar(value: float, whole: float) -> str:
    """A text bar (no colour needed to see the gap): readable in a terminal, a pipe or an e-mail."""
    if whole <= 0:
        return ""
    filled = min(round(BAR_WIDTH * value / whole), BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def progress_bar(achieved: float, minimum: float, stretch: float) -> str:
    """A bar scaled to the stretch target, with a '|' where the minimum target lies."""
    if stretch <= 0:
        return ""
    cells = list(bar(achieved, stretch))
    cells.insert(min(round(BAR_WIDTH * minimum / stretch), BAR_WIDTH - 1), "|")
    return "".join(cells)


def fields(line: Any, leave: Iterable[str] = ("code", "name")) -> dict[str, Any]:
    """A read model's line as a row's figures (its own code and name left out)."""
    skip = set(leave)
    return {f.name: getattr(line, f.name) for f in dataclasses.fields(line) if f.name not in skip}


def kelurahan_rows(
    lines: Iterable[Any], total: Any, figures: Callable[[Any], Mapping[str, Any]] = fields
) -> list[dict[str, Any]]:
    """One row per kelurahan line and the total row (render/model.py per_kelurahan)."""
    by_code = {line.code: line for line in lines}
    return per_kelurahan(
        ((line.code, line.name) for line in by_code.values()),
        lambda code: figures(by_code[code]),
        figures(total),
    )
