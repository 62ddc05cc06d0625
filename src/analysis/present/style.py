"""Shared visual constants: status order and colour-blind-safe status colours.

Colours come from the Okabe-Ito palette (safe for the common colour-vision deficiencies)
and are always shown together with the status text, never alone.
"""

from __future__ import annotations

from analysis.catalogue.methods import STATUS_ORDER  # best -> worst (one definition)

__all__ = [
    "EVIDENCE_KINDS", "EVIDENCE_MARKS", "FONT_FAMILY", "STATUS_COLORS", "STATUS_MARKS",
    "STATUS_ORDER", "STATUS_TEXT_COLORS", "SYNTHETIC_COLOR", "SYNTHETIC_DASH", "SYNTHETIC_SYMBOL",
    "UNKNOWN_SYMBOL",
]

STATUS_COLORS = {
    "achieved": "#0072B2",             # blue
    "on_track": "#009E73",             # bluish green
    "acceleration_needed": "#F0E442",  # yellow
    "limited_progress": "#E69F00",     # orange
    "deterioration": "#D55E00",        # vermillion
    "insufficient_data": "#BBBBBB",    # grey
}

# text colour that stays readable on each status fill
STATUS_TEXT_COLORS = {
    "achieved": "#FFFFFF",
    "on_track": "#FFFFFF",
    "acceleration_needed": "#000000",
    "limited_progress": "#000000",
    "deterioration": "#FFFFFF",
    "insufficient_data": "#000000",
}

# a symbol per status, so that a cell reads without colour (legends name each symbol)
STATUS_MARKS = {
    "achieved": "✓",
    "on_track": "↑",
    "acceleration_needed": "↗",
    "limited_progress": "→",
    "deterioration": "↓",
    "insufficient_data": "?",
}

SYNTHETIC_COLOR = "#CC79A7"  # reddish purple: the "synthetic data" badge
FONT_FAMILY = "'Noto Sans', 'DejaVu Sans', 'Segoe UI', Arial, sans-serif"

# What a verdict's evidence is (see analysis.present.i18n.evidence_kind): real figures (official or
# secondary), illustrative synthetic data, figures of unknown provenance, or none at all.
EVIDENCE_KINDS = ("real", "synthetic", "unknown", "none")
# a mark added after the status symbol, so that the evidence reads without colour: real
# figures carry none (a plain symbol), synthetic ones a dotted circle
EVIDENCE_MARKS = {"real": "", "synthetic": "◌", "unknown": "◇", "none": ""}
# how points that are not real figures are drawn apart from the observed series
SYNTHETIC_DASH = "dashdot"
SYNTHETIC_SYMBOL = "diamond-open"
UNKNOWN_SYMBOL = "square-open"
