"""The dashboard's charts, written as SVG directly: bars, grouped columns and lines with their
axes, legend and figures. Thirty charts through matplotlib cost about 1.5 s (its import and
layout), which the dashboard's budget (1.5 s on the programme's registry, issue 16) cannot pay;
these simple shapes cost microseconds, weigh little in the page and look the same everywhere.
matplotlib still draws the pictures to share (share.py), where one chart is made at a time.

Coordinates are in the viewBox (the chart scales to its box's width); text is text, escaped
through render/escape.py's `html_text` like everything else on the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from up2k_cli.render.escape import html_text as h

WIDTH, HEIGHT = 560, 300
FONT = 13
CHAR = 7.2  # the width of an average character at FONT, for margins
AXIS = "#444"
GRID = "#e2e2e2"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5, 5 x 10^n) up to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


@dataclass
class Plot:
    """One SVG picture being written."""

    width: int = WIDTH
    height: int = HEIGHT
    parts: list[str] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT,
             bold: bool = False, fill: str = "#222", rotate: float | None = None) -> None:  # fmt: skip
        extra = ' font-weight="bold"' if bold else ""
        if rotate is not None:
            extra += f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"'
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{h(text)}</text>"
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 1,
             dash: str | None = None) -> None:  # fmt: skip
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="{width:g}"{extra}/>'
        )

    def rect(self, x: float, y: float, w: float, hgt: float, colour: str) -> None:
        if w <= 0 or hgt <= 0:
            return
        self.parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{hgt:.1f}" fill="{colour}"/>'
        )

    def polyline(self, points: Sequence[tuple[float, float]], colour: str, width: float = 2,
                 dash: str | None = None) -> None:  # fmt: skip
        if not points:
            return
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{width:g}" '
            f'stroke-linejoin="round"{extra}/>'
        )

    def legend(self, items: Sequence[tuple[str, str, str | None]], top: float = 4) -> float:
        """Swatches and names in rows across the top; the height they took."""
        x, y = 0.0, top
        for name, colour, dash in items:
            need = 26 + len(name) * CHAR * 0.9 + 14
            if x > 0 and x + need > self.width:
                x, y = 0.0, y + 18
            if dash == "bar":
                self.rect(x, y + 3, 16, 10, colour)
            else:
                self.line(x, y + 8, x + 20, y + 8, colour, 2.5, dash)
            self.text(x + 26, y + 12, name, size=FONT - 1)
            x += need
        return y + 20 - top

    def svg(self) -> str:
        return (
            f'<svg viewBox="0 0 {self.width} {self.height}" font-family="system-ui, sans-serif">'
            + "".join(self.parts)
            + "</svg>"
        )


def _label_width(labels: Sequence[str]) -> float:
    return min(max((len(s) for s in labels), default=4) * CHAR + 10, 220)


def hbars(
    plot: Plot,
    rows: Sequence[tuple[str, float]],
    colour: str,
    shown: Callable[[float], str],
    box: tuple[float, float, float, float],
    title: str | None = None,
) -> None:
    """Horizontal bars in box (x, y, w, h), a label on the left and the figure at the end of each."""
    x0, y0, w, hgt = box
    if title:
        plot.text(x0, y0 + 13, title, bold=True)
        y0, hgt = y0 + 22, hgt - 22
    left = x0 + _label_width([r[0] for r in rows])
    figures = max((len(shown(v)) for _, v in rows), default=1) * CHAR + 8
    span = max(x0 + w - left - figures, 10)
    top = max((v for _, v in rows), default=0) or 1
    band = hgt / max(len(rows), 1)
    for i, (label, value) in enumerate(rows):
        y = y0 + i * band
        plot.text(left - 6, y + band / 2 + 4, label, anchor="end")
        length = span * value / top
        plot.rect(left, y + band * 0.18, length, band * 0.64, colour)
        plot.text(left + length + 4, y + band / 2 + 4, shown(value), size=FONT - 1)
    plot.line(left, y0, left, y0 + hgt, AXIS)


def columns(
    plot: Plot,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    shown: Callable[[float], str],
    x_title: str = "",
) -> None:
    """Grouped vertical bars: a group per category, a bar per series, with a legend and y axis."""
    top_pad = plot.legend([(name, colour, "bar") for name, _, colour in series]) + 10
    ticks = nice_ticks(max((v for _, values, _ in series for v in values), default=0))
    left = max(len(shown(t)) for t in ticks) * CHAR + 10
    bottom = plot.height - (40 if x_title else 22)
    top, right = top_pad, plot.width - 4
    scale = (bottom - top) / (ticks[-1] or 1)
    for t in ticks:
        y = bottom - t * scale
        plot.line(left, y, right, y, GRID)
        plot.text(left - 5, y + 4, shown(t), anchor="end", size=FONT - 1)
    group = (right - left) / max(len(categories), 1)
    bar = group * 0.8 / max(len(series), 1)
    for i, category in enumerate(categories):
        x = left + i * group + group * 0.1
        for j, (_name, values, colour) in enumerate(series):
            plot.rect(x + j * bar, bottom - values[i] * scale, bar - 1, values[i] * scale, colour)
        plot.text(left + (i + 0.5) * group, bottom + 15, category, anchor="middle", size=FONT - 2)
    plot.line(left, bottom, right, bottom, AXIS)
    if x_title:
        plot.text((left + right) / 2, plot.height - 4, x_title, anchor="middle", size=FONT - 1)


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]  # (x, y) in data units
    colour: str
    dash: str | None = None
    marks: bool = False


def lines(
    plot: Plot,
    series: Sequence[Series],
    x_range: tuple[float, float],
    x_ticks: Sequence[tuple[float, str]],
    shown: Callable[[float], str],
    levels: Sequence[tuple[str, float, str, str | None]] = (),
    rotate_ticks: bool = False,
) -> None:
    """Lines over x, horizontal levels (targets) across the whole width, a legend and axes."""
    legend = [(s.name, s.colour, s.dash) for s in series] + [(n, c, d) for n, _, c, d in levels]
    top = plot.legend(legend) + 10
    highest = max([y for s in series for _, y in s.points] + [v for _, v, _, _ in levels] + [0])
    ticks = nice_ticks(highest)
    left = max(len(shown(t)) for t in ticks) * CHAR + 10
    bottom = plot.height - (34 if rotate_ticks else 22)
    right = plot.width - 8
    lo, hi = x_range
    sx = (right - left) / ((hi - lo) or 1)
    sy = (bottom - top) / (ticks[-1] or 1)

    def at(x: float, y: float) -> tuple[float, float]:
        return left + (x - lo) * sx, bottom - y * sy

    for t in ticks:
        y = bottom - t * sy
        plot.line(left, y, right, y, GRID)
        plot.text(left - 5, y + 4, shown(t), anchor="end", size=FONT - 1)
    for x, label in x_ticks:
        px = at(x, 0)[0]
        plot.line(px, bottom, px, bottom + 4, AXIS)
        if rotate_ticks:
            plot.text(px + 4, bottom + 14, label, anchor="end", size=FONT - 3, rotate=-40)
        else:
            anchor = "end" if px > right - 16 else "start" if px < left + 16 else "middle"
            plot.text(px, bottom + 16, label, anchor=anchor, size=FONT - 2)
    for _name, value, colour, dash in levels:
        y = at(lo, value)[1]
        plot.line(left, y, right, y, colour, 1.6, dash)
    for s in series:
        points = [at(x, y) for x, y in s.points]
        plot.polyline(points, s.colour, 2.2, s.dash)
        if s.marks:
            for px, py in points:
                plot.parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6" fill="{s.colour}"/>')
    plot.line(left, bottom, right, bottom, AXIS)
    plot.line(left, top, left, bottom, AXIS)
