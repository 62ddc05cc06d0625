"""The status grid: provinces × targets, each cell coloured by status and marked with its
symbol and the grade of its evidence."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.catalogue.geography import check_geo_version
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import ParameterError
from analysis.present.charts.common import (
    FigureMeta,
    FigureSize,
    FigureText,
    _attach,
    _esc,
    _finish,
    _new_figure,
)
from analysis.present.charts.data import (
    _POINT_KINDS,
    _split_ids,
    _status_counts,
    _targets_meta,
)
from analysis.present.charts.grid_data import GridData, _grid_table, _prepare_grid
from analysis.present.i18n import (
    check_language,
    evidence_grade,
    evidence_kind,
    status_label,
    t,
)
from analysis.present.style import STATUS_COLORS, STATUS_MARKS, STATUS_ORDER

GRID_SORTS = ("sector", "gap", "name")

_GRID_CHAR_PX = 6.3  # width of one 11-px tick-label character


def status_grid(progress: pd.DataFrame, *, lang: str, geo_version: str,
                sort_by: str = "sector", include_national: bool = True) -> go.Figure:
    """Provinces × targets, each cell coloured by status and marked with its symbol.

    Columns are the targets assessed for at least one province with data (a province's own
    targets of the same indicator, kind and year share one column); rows are every province
    of ``geo_version`` exactly once (plus the whole country on top). Empty cells: the target
    does not apply there. Colours are Okabe-Ito; the symbol in each cell and the legend give
    the status without colour.

    Args:
        progress: the progress table.
        lang: ``"vi"`` or ``"en"``.
        geo_version: ``"vn34"`` or ``"vn63"``.
        sort_by: ``"sector"`` (columns grouped by sector, provinces in code order),
            ``"gap"`` (provinces furthest behind first: highest mean status rank over their
            assessed targets, achieved = 0 … deterioration = 4) or ``"name"`` (provinces in
            alphabetical order of the language).
        include_national: add the country's row on top.

    A cell whose verdict rests on synthetic data carries "◌" after its symbol (figures of
    unknown provenance "◇"); real figures give the plain symbol; the hover names the grade
    and the legend explains the marks.

    Returns:
        A figure with one heatmap and one legend entry (a scatter without points) per status
        and per kind of evidence shown.
    """
    check_language(lang)
    check_geo_version(geo_version)
    if sort_by not in GRID_SORTS:
        raise ParameterError(f"unknown sort_by {sort_by!r}; use one of: {', '.join(GRID_SORTS)}")
    grid = _prepare_grid(progress, lang=lang, geo_version=geo_version, sort_by=sort_by,
                         include_national=include_national)
    fig = _new_figure()
    _draw_grid(fig, grid, lang)
    label_px = _style_grid_axes(fig, grid)
    n_rows = len(grid.rows)
    data = _grid_table(grid.shown, grid.names, lang)
    _finish(fig, FigureText(
        lang, title=t("charts.status_grid.title", lang), summary=_grid_summary(grid, lang),
        synthetic=bool(len(data)) and bool((data["provenance"] == "synthetic").any())),
        FigureMeta("status_grid", geo_version, filename=f"status-grid-{geo_version}",
                   source_ids=_split_ids(data.get("source_id", [])),
                   provenance=sorted(set(data["provenance"])) if len(data) else [],
                   targets=_targets_meta(grid.cells),
                   extra={"provinces": grid.rows, "columns": [k for k, _ in grid.columns]}),
        FigureSize(24 * n_rows + 110, top_extra=label_px, right=min(label_px, 300),
                   bottom=90, legend_gap=14))
    _attach(fig, data)
    return fig


def _draw_grid(fig: go.Figure, grid: GridData, lang: str) -> None:
    """The heatmap of the cells, then a legend entry per status and kind of evidence shown."""
    n_cols, n_rows = len(grid.columns), len(grid.rows)
    if n_cols:
        fig.add_trace(go.Heatmap(
            z=grid.z, x=list(range(n_cols)), y=list(range(n_rows)), text=grid.text,
            texttemplate="%{text}", textfont={"size": 13}, customdata=grid.hover,
            hovertemplate="%{customdata}<extra></extra>", colorscale=_status_colorscale(),
            zmin=-0.5, zmax=len(STATUS_ORDER) - 0.5, showscale=False, xgap=1, ygap=1,
            hoverongaps=False, name=""))
    statuses = {str(r["status"]) for r in grid.shown}
    for status in [s for s in STATUS_ORDER if s in statuses]:
        fig.add_trace(_legend_swatch(status, lang))
    kinds = {evidence_kind(evidence_grade(r)) for r in grid.shown}
    for kind in [k for k in _POINT_KINDS if k in kinds]:
        fig.add_trace(_evidence_swatch(kind, lang))


def _grid_summary(grid: GridData, lang: str) -> str:
    """The grid's one-sentence summary: how many provinces and targets, statuses counted."""
    n_cols = len(grid.columns)
    province_cells = [c for c in grid.shown if c["province_code"] != COUNTRY_CODE]
    counts = _status_counts(province_cells)
    return (t("charts.status_grid.summary", lang, n_provinces=len(grid.codes), n_targets=n_cols,
              counts=t("common.list_separator", lang).join(
                  t("charts.status_grid.summary_count", lang, n=n,
                    status=status_label(s, lang)) for s, n in counts.items()))
            if n_cols else t("charts.status_grid.empty", lang))


def _style_grid_axes(fig: go.Figure, grid: GridData) -> int:
    """Column labels on top at 45 degrees, province names on the left; returns the pixels
    the column labels need above the plot."""
    n_cols, n_rows = len(grid.columns), len(grid.rows)
    longest = max((len(lb) for lb in grid.labels), default=0)
    label_px = int(longest * _GRID_CHAR_PX * 0.72) + 16  # labels at 45 degrees
    fig.update_xaxes(tickvals=list(range(n_cols)), ticktext=[_esc(lb) for lb in grid.labels],
                     side="top", tickangle=-45, showgrid=False, zeroline=False,
                     range=[-0.5, n_cols - 0.5] if n_cols else None, tickfont={"size": 11},
                     automargin=False)
    fig.update_yaxes(tickvals=list(range(n_rows)),
                     ticktext=[_esc(grid.names[c]) for c in grid.rows],
                     autorange="reversed", showgrid=False, zeroline=False,
                     tickfont={"size": 12}, automargin=True)
    return label_px


def _status_colorscale() -> list[list]:
    n = len(STATUS_ORDER)
    scale = []
    for i, status in enumerate(STATUS_ORDER):
        scale.append([i / n, STATUS_COLORS[status]])
        scale.append([(i + 1) / n, STATUS_COLORS[status]])
    return scale


def _legend_swatch(status: str, lang: str) -> go.Scatter:
    return go.Scatter(
        x=[None], y=[None], mode="markers", name=f"{STATUS_MARKS[status]} "
        f"{status_label(status, lang)}", hoverinfo="skip", showlegend=True,
        marker={"symbol": "square", "size": 15, "color": STATUS_COLORS[status],
                "line": {"color": "#333333", "width": 1}})


def _evidence_swatch(kind: str, lang: str) -> go.Scatter:
    """A legend entry explaining a cell's evidence mark (plain symbol, "◌", "◇")."""
    symbol = {"real": "square", "synthetic": "circle-open", "unknown": "diamond-open"}[kind]
    return go.Scatter(
        x=[None], y=[None], mode="markers", name=t(f"evidence.grid_{kind}", lang),
        hoverinfo="skip", showlegend=True, legendgroup="evidence",
        marker={"symbol": symbol, "size": 12, "color": "#FFFFFF" if kind == "real" else "#333333",
                "line": {"color": "#333333", "width": 1.5}})
