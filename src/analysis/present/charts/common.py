"""Pieces every chart shares: the colours, an unvalidated empty figure, escaping and wrapping
of data text, the data table attached to a figure, and the styling of value and year axes."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from analysis.core.errors import ParameterError
from analysis.present.i18n import (
    evidence_tag,
    is_missing,
    plotly_separators,
    row_value,
    status_label,
    t,
    unit_label,
)
from analysis.present.style import (
    FONT_FAMILY,
    STATUS_COLORS,
    STATUS_MARKS,
    STATUS_TEXT_COLORS,
    SYNTHETIC_COLOR,
)

OBSERVED_COLOR = "#1F4E89"
REQUIRED_COLOR = "#555555"
PROJECTED_COLOR = "#A65300"
NATIONAL_COLOR = "#000000"
COMPUTED_COLOR = "#6A6A6A"
PROVINCES_COLOR = "#A9B4C2"
HIGHLIGHT_COLOR = "#D55E00"
BAR_COLOR = "#4C7BB5"
GRID_EMPTY_COLOR = "#FFFFFF"
UNKNOWN_GRADE_COLOR = "#6A6A6A"

_TABLE_ATTR = "_nq_table"
_WRAP_TITLE = 88
_WRAP_SUBTITLE = 115
_MARGIN_L = 70
_HEADER_PAD = 12
_TITLE_LINE = 24
_SUBTITLE_LINE = 18
_BADGE_ROW = 32


@dataclass(frozen=True)
class Panel:
    """The subplot a trace or an axis belongs to (1-based row and column)."""

    row: int
    col: int

    def where(self) -> dict[str, int]:
        return {"row": self.row, "col": self.col}


@dataclass(frozen=True)
class ValueAxis:
    """How a value axis is styled: its unit and language, which axis (``"x"`` or ``"y"``),
    the target kind and progress row (a cumulative target's axis names its start year), the
    range mode and whether it has a title."""

    unit: str
    lang: str
    axis: str = "y"
    kind: str | None = None
    row_data: Mapping | None = None
    rangemode: str | None = None
    with_title: bool = True


@dataclass(frozen=True)
class FigureText:
    """What a chart's header says: the title, the one-sentence summary and the badges (the
    synthetic-data badge; the status, with ``evidence``, the grade of the verdict's evidence,
    written after it)."""

    lang: str
    title: str
    summary: str
    synthetic: bool
    status: str | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class FigureMeta:
    """What ``fig.layout.meta`` records besides the header's text: the chart, geography,
    download stem, sources, grades and target documents shown, and chart-specific keys."""

    chart: str
    geo_version: str
    filename: str
    source_ids: list[str]
    provenance: list[str]
    targets: list[dict] | None = None
    extra: Mapping | None = None


@dataclass(frozen=True)
class FigureSize:
    """A chart's sizes in pixels: ``height`` of the plot area and bottom margin (the header is
    added to it), room for axis labels above the plot, right and bottom margins and the gap
    between the plot and the legend below it."""

    height: int
    top_extra: int = 0
    right: int = 40
    bottom: int = 80
    legend_gap: int = 36


def figure_table(fig: go.Figure) -> pd.DataFrame:
    """The data behind a chart of this package, as shown (for the CSV download).

    Raises:
        ParameterError: the figure was not made by :mod:`analysis.present.charts` (or was copied).
    """
    table = getattr(fig, _TABLE_ATTR, None)
    if table is None:
        raise ParameterError("this figure carries no data table: pass the data explicitly")
    return table.copy()


def _new_figure() -> go.Figure:
    """An empty figure that skips plotly.py's per-property validation while it is built.

    Building a report draws a dozen figures; validation roughly doubles the time spent in
    plotly.py. The traces themselves are still validated when constructed, and the tests
    re-validate every chart (``go.Figure(fig.to_dict())``).
    """
    return go.Figure(_validate=False)


def _esc(text: object) -> str:
    """Escape data text for plotly's pseudo-HTML (plotly renders entities as characters)."""
    return html.escape(str(text), quote=False).replace("&lt;br&gt;", "<br>")


def _wrap(text: str, width: int) -> str:
    lines = textwrap.wrap(str(text), width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(lines) if lines else ""


def _attach(fig: go.Figure, table: pd.DataFrame) -> None:
    setattr(fig, _TABLE_ATTR, table.reset_index(drop=True))


def _tick_suffix(unit: str, lang: str) -> str:
    return (" %" if lang == "vi" else "%") if unit == "percent" else ""


def _style_value_axis(fig: go.Figure, style: ValueAxis, panel: Panel | None = None) -> None:
    unit, lang, row_data = style.unit, style.lang, style.row_data
    title = unit_label(unit, lang) if unit != "percent" else ""
    if style.kind == "cumulative" and row_data is not None and \
            row_value(row_data, "base_year") is not None:
        title = t("charts.trajectory.cumulative_axis", lang, unit=unit_label(unit, lang),
                  start=int(row_value(row_data, "base_year")) + 1)
    spec = {"ticksuffix": _tick_suffix(unit, lang), "tickformat": ",~f",
            "gridcolor": "#E5E5E5", "zeroline": False, "automargin": True}
    if style.with_title and title:
        spec["title"] = {"text": title}
    if style.rangemode:
        spec["rangemode"] = style.rangemode
    where = panel.where() if panel is not None else {}
    (fig.update_xaxes if style.axis == "x" else fig.update_yaxes)(**spec, **where)


def _style_year_axis(fig: go.Figure, lang: str, years: list, *, panel: Panel | None = None,
                     compact: bool = False, with_title: bool = True) -> None:
    years = [int(y) for y in years if not is_missing(y)]
    spec: dict[str, Any] = {"tickformat": "d", "showgrid": False, "zeroline": False,
                            "automargin": True}
    if years:
        lo, hi = min(years), max(years)
        spec["range"] = [lo - 0.6, hi + 0.6]
        span = hi - lo
        if compact:
            spec["dtick"] = 1 if span <= 4 else 2 if span <= 8 else 5
        else:
            spec["dtick"] = 1 if span <= 12 else 2 if span <= 24 else 5
    if with_title:
        # the axis title is left out on purpose: years need no label, and a bottom legend
        # sits where it would be
        spec["title"] = {"text": ""}
    where = panel.where() if panel is not None else {}
    fig.update_xaxes(**spec, **where)


def _finish(fig: go.Figure, text: FigureText, meta: FigureMeta, size: FigureSize) -> None:
    """Common layout: fonts, separators, title + summary, badges, legend, meta.

    The header (title, summary, then a row for the synthetic badge and the status) is laid
    out in pixels from the top of the figure, so that it never overlaps the plot, its axis
    labels (``size.top_extra`` pixels above the plot) or subplot titles. ``size.height`` is
    the height of the plot area and bottom margin; the header is added to it.
    ``text.evidence`` (the grade of the verdict's evidence) is written in the status badge
    after the status.
    """
    lang = text.lang
    title_html = _wrap(_esc(text.title), _WRAP_TITLE)
    subtitle_html = _wrap(_esc(text.summary), _WRAP_SUBTITLE)
    n_title = title_html.count("<br>") + 1
    n_sub = subtitle_html.count("<br>") + 1
    header = _HEADER_PAD + _TITLE_LINE * n_title + _SUBTITLE_LINE * n_sub + 8
    badges = text.synthetic or text.status is not None
    top = header + (_BADGE_ROW if badges else 0) + size.top_extra + 12
    total = size.height + top
    fig.update_layout(
        template="none", height=total, autosize=True,
        font={"family": FONT_FAMILY, "size": 13, "color": "#222222"},
        separators=plotly_separators(lang), paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        margin={"t": top, "l": _MARGIN_L, "r": size.right, "b": size.bottom,
                "autoexpand": True},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 12}, "bgcolor": "#FFFFFF",
                    "bordercolor": "#555555", "align": "left"},
        legend={"orientation": "h", "x": 0, "xanchor": "left",
                "y": -size.legend_gap / max(size.height - size.bottom, 1),
                "yanchor": "top", "yref": "paper", "font": {"size": 12},
                "bgcolor": "rgba(255,255,255,0)"},
        meta={"chart": meta.chart, "title": text.title, "summary": text.summary, "lang": lang,
              "geo_version": meta.geo_version,
              "filename": _safe_stem(meta.filename), "synthetic": bool(text.synthetic),
              "source_ids": sorted(set(meta.source_ids)), "provenance": list(meta.provenance),
              "targets": meta.targets or [], **(meta.extra or {})},
    )
    # title and summary as annotations placed in pixels from the top of the figure:
    # plotly's own title misplaces wrapped multi-line titles that have a subtitle
    left = 12 - _MARGIN_L
    fig.add_annotation(text=f"<b>{title_html}</b>", name="title", xref="paper", x=0,
                       xanchor="left", xshift=left, yref="paper", y=1, yanchor="top",
                       yshift=top - _HEADER_PAD, showarrow=False, align="left",
                       font={"size": 17, "color": "#111111"})
    fig.add_annotation(text=subtitle_html, name="summary", xref="paper", x=0, xanchor="left",
                       xshift=left, yref="paper", y=1, yanchor="top",
                       yshift=top - _HEADER_PAD - _TITLE_LINE * n_title - 4, showarrow=False,
                       align="left", font={"size": 13, "color": "#333333"})
    _add_badges(fig, text, lift=top - header - 2)


def _add_badges(fig: go.Figure, text: FigureText, *, lift: int) -> None:
    """The synthetic-data badge (left) and the status badge (right) in the header's badge
    row, ``lift`` pixels above the top of the plot."""
    lang, status = text.lang, text.status
    if text.synthetic:
        fig.add_annotation(
            text=f"<b>{t('charts.synthetic_badge', lang)}</b>", xref="paper", x=0,
            xanchor="left", yref="paper", y=1, yshift=lift, yanchor="top", showarrow=False,
            bgcolor=SYNTHETIC_COLOR, bordercolor="#000000", borderwidth=1, borderpad=4,
            font={"color": "#000000", "size": 12}, name="synthetic_badge")
    if status is not None:
        badge = f"{STATUS_MARKS[status]} {status_label(status, lang)}"
        tag = evidence_tag(text.evidence, lang) if text.evidence is not None else ""
        if tag:
            badge += f" · {tag}"
        fig.add_annotation(
            text=f"<b>{_esc(badge)}</b>", xref="paper",
            x=1, xanchor="right", yref="paper", y=1, yshift=lift, yanchor="top",
            showarrow=False, bgcolor=STATUS_COLORS[status], bordercolor="#000000",
            borderwidth=1, borderpad=4, font={"color": STATUS_TEXT_COLORS[status], "size": 12},
            name="status_badge")


def _safe_stem(text: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-.")
    return stem[:120] or "chart"
