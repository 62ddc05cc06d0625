"""Small multiples: one panel per indicator of a place, with its observed series, headline
target and needed path."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.catalogue.geography import check_geo_version
from analysis.present.charts.common import (
    REQUIRED_COLOR,
    FigureMeta,
    FigureSize,
    FigureText,
    Panel,
    ValueAxis,
    _attach,
    _esc,
    _finish,
    _new_figure,
    _style_value_axis,
    _style_year_axis,
    _wrap,
)
from analysis.present.charts.data import (
    _any_synthetic,
    _check_progress,
    _grades,
    _place_series,
    _source_ids,
    _status_counts,
    _targets_meta,
    headline_targets,
)
from analysis.present.charts.paths import _required_path, _running_total_by_grade, _target_point
from analysis.present.charts.traces import (
    SeriesLabel,
    _observed_traces,
    _path_trace,
    _target_trace,
)
from analysis.present.i18n import (
    check_language,
    evidence_grade,
    evidence_tag,
    indicator_short_name,
    indicator_unit,
    province_label,
    row_value,
    status_label,
    t,
)
from analysis.present.style import STATUS_MARKS


def small_multiples(observations: pd.DataFrame, progress: pd.DataFrame, province_code: str, *,
                    lang: str, geo_version: str, core_only: bool = True,
                    columns: int = 3) -> go.Figure:
    """One panel per indicator of a place: observed series, headline target, needed path.

    The headline target of each indicator is chosen by :func:`headline_targets`; the panel
    title gives the status as symbol and text and the grade of its evidence ("◌ Giả lập",
    "Chính thức"); real and synthetic points of a panel are drawn apart. Indicators without data are left out (the
    progress table lists them).

    Args:
        observations: the observation table.
        progress: the progress table.
        province_code: a province code of ``geo_version`` or ``"VN"``.
        lang: ``"vi"`` or ``"en"``.
        geo_version: ``"vn34"`` or ``"vn63"``.
        core_only: only indicators of the core sectors.
        columns: panels per row.

    Returns:
        A figure of subplots with scatter traces only.
    """
    check_language(lang)
    check_geo_version(geo_version)
    code = str(province_code)
    place = province_label(code, geo_version, lang)
    prog = _check_progress(progress)
    if "geo_version" in prog:
        prog = prog[prog["geo_version"] == geo_version]
    heads = headline_targets(prog, code, core_only=core_only)
    n = len(heads)
    if n == 0:
        return _empty_small_multiples(code, place, lang=lang, geo_version=geo_version)
    cols = max(1, min(columns, n))
    n_rows = math.ceil(n / cols)
    titles = [_panel_title(r, lang) for r in heads.to_dict("records")]
    fig = make_subplots(rows=n_rows, cols=cols, subplot_titles=titles, figure=_new_figure(),
                        vertical_spacing=min(0.12, 0.5 / n_rows), horizontal_spacing=0.08)
    where = PlacePanels(observations, code, place, lang, geo_version)
    tables, all_points = [], []
    legend_seen: set[str] = set()
    for i, r in enumerate(heads.to_dict("records")):
        table, points = _draw_panel(fig, where, r, Panel(i // cols + 1, i % cols + 1),
                                    legend_seen)
        tables.append(table)
        all_points.append(points)
    _legend_only_paths(fig, lang)
    fig.update_annotations(font={"size": 12})
    counts = _status_counts(heads.to_dict("records"))
    summary = t("charts.small_multiples.summary", lang, place=place, n=n,
                counts=t("common.list_separator", lang).join(
                    t("charts.small_multiples.summary_count", lang, n=k,
                      status=status_label(s, lang)) for s, k in counts.items()))
    points = pd.concat(all_points, ignore_index=True) if all_points else pd.DataFrame()
    _finish(fig, FigureText(
        lang, title=t("charts.small_multiples.title", lang, place=place), summary=summary,
        synthetic=_any_synthetic(points)),
        FigureMeta("small_multiples", geo_version, filename=f"indicators-{code}",
                   source_ids=_source_ids(points), provenance=_grades(points),
                   targets=_targets_meta(heads),
                   extra={"indicators": heads["indicator"].tolist()}),
        FigureSize(260 * n_rows + 90, top_extra=34))
    _attach(fig, pd.concat(tables, ignore_index=True))
    return fig


@dataclass(frozen=True)
class PlacePanels:
    """The place whose panels are drawn: the observation table, its code and name, the
    language and the geography."""

    observations: pd.DataFrame
    code: str
    place: str
    lang: str
    geo_version: str


def _empty_small_multiples(code: str, place: str, *, lang: str, geo_version: str
                           ) -> go.Figure:
    """The figure for a place without any indicator with data: a note, no axes."""
    fig = _new_figure()
    fig.add_annotation(text=t("charts.small_multiples.empty", lang, place=_esc(place)),
                       showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    _finish(fig, FigureText(
        lang, title=t("charts.small_multiples.title", lang, place=place),
        summary=t("charts.small_multiples.empty", lang, place=place), synthetic=False),
        FigureMeta("small_multiples", geo_version, filename=f"indicators-{code}",
                   source_ids=[], provenance=[]),
        FigureSize(200))
    _attach(fig, pd.DataFrame())
    return fig


def _draw_panel(fig: go.Figure, where: PlacePanels, r: Mapping, panel: Panel,
                legend_seen: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One indicator's panel: observed series, needed path, target; returns the rows shown
    and the points of the series."""
    lang = where.lang
    ind = str(r["indicator"])
    unit = indicator_unit(ind)
    points = _place_series(where.observations, where.geo_version, where.code, ind, r)
    if str(row_value(r, "kind", "level")) == "cumulative":
        points = _running_total_by_grade(points, r)
    table = _observed_traces(fig, points, SeriesLabel(where.place, unit, lang,
                                                      "charts.trajectory.observed"),
                             legend_seen=legend_seen, panel=panel).assign(
        target_id=r.get("target_id"), evidence_grade=evidence_grade(r))
    required = _required_path(r)
    if required is not None:
        trace = _path_trace(required, t("charts.trajectory.required", lang), unit, lang,
                            color=REQUIRED_COLOR, dash="dash", showlegend=False, width=1.5)
        trace.legendgroup = "required"
        fig.add_trace(trace, **panel.where())
    point = _target_point(r)
    if point is not None:
        fig.add_trace(_target_trace(point, r, unit, lang, showlegend=False, label=False),
                      **panel.where())
    _style_value_axis(fig, ValueAxis(unit, lang, kind=str(row_value(r, "kind")), row_data=r,
                                     with_title=False), panel)
    years = [*points["year"], row_value(r, "base_year"), row_value(r, "target_year")]
    _style_year_axis(fig, lang, [y for y in years if y is not None], panel=panel,
                     compact=True, with_title=False)
    return table, points


def _panel_title(r: Mapping, lang: str) -> str:
    title = t("charts.small_multiples.panel", lang,
              indicator=_esc(_wrap(indicator_short_name(str(r["indicator"]), lang), 40)),
              mark=STATUS_MARKS[str(r["status"])], status=status_label(str(r["status"]), lang))
    tag = evidence_tag(evidence_grade(r), lang)
    return f"{title} · {_esc(tag)}" if tag else title


def _legend_only_paths(fig: go.Figure, lang: str) -> None:
    """Legend entries for the dashed path and the target star of the small panels."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines",
                             name=t("charts.trajectory.required", lang),
                             line={"color": REQUIRED_COLOR, "dash": "dash", "width": 1.5},
                             hoverinfo="skip", showlegend=True))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers",
                             name=t("charts.trajectory.target", lang),
                             marker={"symbol": "star", "size": 14, "color": "#111111"},
                             hoverinfo="skip", showlegend=True))
