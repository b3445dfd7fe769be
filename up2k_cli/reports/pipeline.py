"""`report pipeline`: how many cadres reached each of OK OCE's 7 PAS steps, per kelurahan and
in total (steps may be reached in any order; a cadre counts at every step reached)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from up2k_cli.domain import outcomes as outcome_rules
from up2k_cli.domain.timeline import Snapshot, steps_by_cadre
from up2k_cli.storage.protocol import UnitOfWork

from .common import kelurahan_of, pct
from .load import snapshot


@dataclass(frozen=True)
class PipelineLine:
    code: str  # "" on the total line
    name: str
    steps: Mapping[str, int]  # step name -> cadres who reached it, in the steps' order


@dataclass(frozen=True)
class FunnelStep:
    order: int
    step: str
    gloss: str  # the step in English, as the domain names it
    cadres: int
    pct_of_registered: float | None


@dataclass(frozen=True)
class PipelineFigures:
    as_of: str
    registered: int  # cadres at the first step (pendaftaran)
    kelurahan: tuple[PipelineLine, ...]
    total: PipelineLine
    funnel: tuple[FunnelStep, ...]


def pipeline(uow: UnitOfWork, *, as_of: dt.date) -> PipelineFigures:
    """In an open unit of work."""
    return pipeline_figures(snapshot(uow, as_of))


def pipeline_figures(snap: Snapshot) -> PipelineFigures:
    kel_of = kelurahan_of(snap)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for cadre_id, steps in steps_by_cadre(snap).items():
        counts[kel_of[cadre_id]].update(steps.keys())
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    names = outcome_rules.STEP_NAMES

    def line(code: str, name: str, c: Counter[str]) -> PipelineLine:
        return PipelineLine(code, name, {s: c[s] for s in names})

    registered = total["pendaftaran"]
    return PipelineFigures(
        as_of=snap.iso,
        registered=registered,
        kelurahan=tuple(line(code, name, counts[code]) for code, name in sorted(snap.kelurahan.items())),
        total=line("", "", total),
        funnel=tuple(
            FunnelStep(i + 1, step, gloss, total[step], pct(total[step], registered))
            for i, (step, gloss) in enumerate(outcome_rules.STEPS)
        ),
    )
