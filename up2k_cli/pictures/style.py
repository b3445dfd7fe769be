"""What every picture shares, without loading matplotlib: colours and how numbers are written."""

from __future__ import annotations

from up2k_cli.i18n import language

# Colours that stay apart for the common colour blindnesses and in grey print (ColorBrewer).
DARK = "#2166ac"  # achieved, latest
LIGHT = "#92c5de"  # projected, baseline, earlier
MINIMUM = "#b2182b"  # the minimum target
STRETCH = "#ef8a62"  # the stretch target
GREY = "#636363"
SERIES = ("#2166ac", "#1b7837", "#b2182b", "#762a83", "#e08214", "#4d4d4d")


def number(value: float | None, decimals: int = 0) -> str:
    """4,000 and 12.5 in English; 4.000 and 12,5 in Indonesian; '–' for no figure."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(".,", ",.")) if language() == "id" else text


def percent(value: float | None) -> str:
    return "–" if value is None else number(value, 1) + "%"
