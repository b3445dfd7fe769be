"""matplotlib, set up once for every picture up2k draws: no pyplot (no GUI backend, no global
figure list), DejaVu Sans (bundled with matplotlib, so nothing is looked up on the system or the
network), text kept as text in SVG, and SVG ids and metadata fixed so that the same figures
always give the same bytes. Imported only by the commands that draw."""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib

from up2k_cli.i18n import language

matplotlib.use("Agg")
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text as <text>: small, searchable, read by screen readers
        "svg.hashsalt": "up2k",  # ids from the content, not from random numbers
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlelocation": "left",
        "axes.titleweight": "bold",
        "axes.titlesize": 11,
    }
)

from matplotlib.figure import Figure  # noqa: E402  (after the backend and settings)

# Colours that stay apart for the common colour blindnesses and in grey print (ColorBrewer).
DARK = "#2166ac"  # achieved, latest
LIGHT = "#92c5de"  # projected, baseline, earlier
MINIMUM = "#b2182b"  # the minimum target
STRETCH = "#ef8a62"  # the stretch target
GREY = "#636363"
SERIES = ("#2166ac", "#1b7837", "#b2182b", "#762a83", "#e08214", "#4d4d4d")

PHONE = (1080, 1350)  # pixels: a phone screen, WhatsApp shows it whole (4:5)
PHONE_DPI = 150


def figure(width: float, height: float) -> Any:
    """A figure of this size in inches, no window, laid out to fit its labels."""
    return Figure(figsize=(width, height), layout="constrained")


def svg_text(fig: Any) -> str:
    """The figure as SVG text (no date in it: the same figures give the same file)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def png_bytes(fig: Any, dpi: int = PHONE_DPI) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.S)
_IDS = re.compile(r'(id="|url\(#|href="#)([^"\)]+)')


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """SVG text made to sit inside an HTML page: no XML prologue or doctype, ids made unique to
    this chart (several charts share a page), a role and a label for screen readers, and a
    width that follows the page (the height follows from the viewBox)."""
    body = _PROLOGUE.sub("", svg, count=1)
    body = _IDS.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", body)
    body = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r"<svg \1", body, count=1)
    return body.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def ticks(count: int) -> Any:
    """At most `count` round ticks on an axis (long Rupiah amounts must not overlap)."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(count)


def number(value: float | None, decimals: int = 0) -> str:
    """4,000 and 12.5 in English; 4.000 and 12,5 in Indonesian; '-' for no figure."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(".,", ",.")) if language() == "id" else text


def percent(value: float | None) -> str:
    return "–" if value is None else number(value, 1) + "%"
