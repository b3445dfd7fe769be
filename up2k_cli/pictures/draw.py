"""matplotlib, set up once for every picture up2k draws: no pyplot (no GUI backend, no global
figure list), DejaVu Sans (bundled with matplotlib, so nothing is looked up on the system or the
network), text kept as text in SVG, and SVG ids and metadata fixed so that the same figures
always give the same bytes. Imported only by the commands that draw."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

from .style import DARK, GREY, LIGHT, MINIMUM, SERIES, STRETCH, number, percent

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

__all__ = ["DARK", "GREY", "LIGHT", "MINIMUM", "SERIES", "STRETCH", "number", "percent"]

PHONE = (1080, 1350)  # pixels: a phone screen, WhatsApp shows it whole (4:5)
PHONE_DPI = 150


def figure(width: float, height: float, layout: str | None = "constrained") -> Any:
    """A figure of this size in inches, no window; laid out to fit its labels unless the caller
    places its parts itself (layout None)."""
    return Figure(figsize=(width, height), layout=layout)


def svg_text(fig: Any) -> str:
    """The figure as SVG text (no date in it: the same figures give the same file)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def png_bytes(fig: Any, dpi: int = PHONE_DPI) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def ticks(count: int) -> Any:
    """At most `count` round ticks on an axis (long Rupiah amounts must not overlap)."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(count)
