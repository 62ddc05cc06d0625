"""Charts of provincial progress (plotly), each returning a ``go.Figure`` usable on its own.

Rules every chart follows (see docs/ARCHITECTURE.md and SPEC "Reports"):

* only trace types of plotly.js's "cartesian" partial bundle (scatter, bar, heatmap, box,
  histogram, pie), because the reports embed that lean bundle; no geo, mapbox or map traces,
  no MathJax;
* every string comes from :mod:`analysis.present.i18n`, numbers are formatted for the language (axes
  through ``layout.separators``; hover texts are pre-formatted with the same functions as the
  tables);
* the title names the indicator and the place; a one-sentence summary generated from the data
  is shown under the title and stored in ``fig.layout.meta["summary"]``;
* when any point shown is synthetic the chart carries the badge "DỮ LIỆU GIẢ LẬP – chỉ minh
  họa" / "SYNTHETIC DATA – illustrative only";
* real (official, secondary) and synthetic points are never joined by one line: where a
  series has both, the real points are the observed series and the synthetic ones a
  separate trace (dash-dot line, hollow diamonds, "Số liệu minh họa (giả lập, không phải số
  liệu thực)"); every point's hover names its grade; a verdict's status always comes with
  the grade of its evidence (``evidence_grade``, else ``provenance``), "◌" marking synthetic;
* status colours come from :mod:`analysis.present.style` (Okabe-Ito) and always come with text or a
  symbol (:data:`STATUS_MARKS`) explained in a legend;
* text that comes from data (names, documents) is HTML-escaped before plotly sees it.

``fig.layout.meta`` also carries ``chart``, ``lang``, ``geo_version``, ``filename`` (a safe
stem for downloads), ``synthetic``, ``source_ids`` (keys of ``data/raw/sources.yml``),
``provenance`` (grades shown) and ``targets`` (the documents that set the targets shown).
The data behind a chart, as shown, is returned by :func:`figure_table`.
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError, ParameterError
from analysis.catalogue.geography import check_geo_version, provinces
from analysis.present.i18n import (
    COMPARISON_PREFIX,
    check_language,
    evidence_detail,
    evidence_grade,
    evidence_kind,
    evidence_mark,
    evidence_tag,
    fmt_compact,
    fmt_value,
    indicator_name,
    indicator_short_name,
    indicator_unit,
    is_missing,
    plotly_separators,
    progress_summary,
    provenance_label,
    province_label,
    row_value,
    sort_key,
    status_label,
    t,
    target_text,
    unit_label,
)
from analysis.catalogue.indicators import CORE_SECTORS, SECTORS, indicators
from analysis.catalogue.indicators import indicator as entry
from analysis.present.style import (
    FONT_FAMILY,
    STATUS_COLORS,
    STATUS_MARKS,
    STATUS_ORDER,
    STATUS_TEXT_COLORS,
    SYNTHETIC_COLOR,
    SYNTHETIC_DASH,
    SYNTHETIC_SYMBOL,
    UNKNOWN_SYMBOL,
)

GRID_SORTS = ("sector", "gap", "name")

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
#: the order in which the points of different evidence are drawn (real figures first)
_POINT_KINDS = ("real", "synthetic", "unknown")

_TABLE_ATTR = "_nq_table"
_WRAP_TITLE = 88
_WRAP_SUBTITLE = 115
_MARGIN_L = 70
_HEADER_PAD = 12
_TITLE_LINE = 24
_SUBTITLE_LINE = 18
_BADGE_ROW = 32
_GRID_CHAR_PX = 6.3  # width of one 11-px tick-label character
_OBS_REQUIRED = ("province_code", "year", "indicator", "value")


# ======================================================================================
# public helpers
# ======================================================================================


def figure_table(fig: go.Figure) -> pd.DataFrame:
    """The data behind a chart of this module, as shown (for the CSV download).

    Raises:
        ParameterError: the figure was not made by :mod:`analysis.present.charts` (or was copied).
    """
    table = getattr(fig, _TABLE_ATTR, None)
    if table is None:
        raise ParameterError("this figure carries no data table: pass the data explicitly")
    return table.copy()


def headline_targets(progress: pd.DataFrame, province_code: str | None = None, *,
                     core_only: bool = True, with_data: bool = True) -> pd.DataFrame:
    """One target per place and indicator: the one a report shows as the indicator's headline.

    Preference: a target with data; the place's own target, then a national one, then a
    regional one; the target year closest to 2030 (later first); a level before a yearly,
    cumulative or reduction target; then the target id.

    Args:
        progress: the progress table (one or more places).
        province_code: keep only this place.
        core_only: only indicators of the core sectors (water, housing, education, health).
        with_data: drop indicators whose headline target has no data point.

    Returns:
        Grain: one row per ``(geo_version, province_code, indicator)``, sorted by sector
        (core sectors first) and catalogue order; the columns of ``progress``.
    """

    df = _check_progress(progress)
    if province_code is not None:
        df = df[df["province_code"] == str(province_code)]
    cat = indicators()
    df = df[df["indicator"].isin(cat.index)]
    if core_only:
        df = df[df["indicator"].map(cat["sector"]).isin(CORE_SECTORS)]
    if df.empty:
        return df.reset_index(drop=True)
    applies = df["applies_as"] if "applies_as" in df else pd.Series("national", index=df.index)
    order = pd.DataFrame({
        "no_data": ~_has_data(df),
        "applies": applies.map({"provincial": 0, "national": 1, "national_benchmark": 1,
                                "regional_benchmark": 2}).fillna(3),
        "distance": (df["target_year"].astype(float) - 2030).abs(),
        "later": -df["target_year"].astype(float),
        "kind": df.get("kind", pd.Series("level", index=df.index)).map(
            {"level": 0, "annual": 1, "cumulative": 2, "reduction_per_year": 3}).fillna(4),
        "target_id": df.get("target_id", pd.Series("", index=df.index)).astype(str),
    }, index=df.index)
    ranked = df.join(order.add_prefix("_o_")).sort_values(
        [f"_o_{c}" for c in order.columns], kind="stable")
    key = ["geo_version", "province_code", "indicator"] if "geo_version" in df else \
        ["province_code", "indicator"]
    best = ranked.drop_duplicates(key, keep="first")
    if with_data:
        best = best[~best["_o_no_data"]]
    best = best.drop(columns=[c for c in best.columns if c.startswith("_o_")])
    return sort_by_sector(best).reset_index(drop=True)


# ======================================================================================
# trajectory
# ======================================================================================


def trajectory(observations: pd.DataFrame, progress_row: Mapping | pd.Series | pd.DataFrame,
               *, lang: str, geo_version: str) -> go.Figure:
    """One place's path towards one target.

    Shows the observed values (provisional points hollow), the target (value and year), the
    path needed from the base year (geometric at ``cagr_required``; a straight line for the
    linear variant, cumulative and reduction targets) and the projection at the current pace
    to the target year. A cumulative target is drawn on the running total of the yearly
    flows since the period began.

    Args:
        observations: the observation table (any superset of the place's series).
        progress_row: one row of the progress table (a Series, a mapping or a one-row frame).
        lang: ``"vi"`` or ``"en"``.
        geo_version: ``"vn34"`` or ``"vn63"``.

    Where the series has both real and synthetic points, the synthetic ones are drawn as a
    separate trace (never joined to the real ones); the status badge names the grade of the
    verdict's evidence.

    Returns:
        A figure with scatter traces only: observed, synthetic (if mixed with real points),
        provisional (if any), required path (if computable), projection (if any), target.
    """
    check_language(lang)
    check_geo_version(geo_version)
    row = _one_row(progress_row)
    code = str(row_value(row, "province_code"))
    ind = str(row_value(row, "indicator"))
    place = province_label(code, geo_version, lang)
    unit = indicator_unit(ind)
    kind = str(row_value(row, "kind", "level"))
    points = _place_series(observations, geo_version, code, ind, row)
    computed = bool(points.attrs.get("computed"))
    if kind == "cumulative":
        points = _running_total_by_grade(points, row)

    fig = _new_figure()
    table = [_observed_traces(fig, points, place=place, unit=unit, lang=lang, name_key=(
        "charts.trajectory.computed" if computed else "charts.trajectory.observed"),
        legend_seen=set())]
    required = _required_path(row)
    if required is not None:
        fig.add_trace(_path_trace(required, t("charts.trajectory.required", lang), unit, lang,
                                  color=REQUIRED_COLOR, dash="dash"))
        table.append(_path_table(required, "required", code, ind, unit))
    projected = _projected_path(row)
    if projected is not None:
        fig.add_trace(_path_trace(projected, t("charts.trajectory.projected", lang), unit,
                                  lang, color=PROJECTED_COLOR, dash="dot"))
        table.append(_path_table(projected, "projected", code, ind, unit))
    target_point = _target_point(row)
    if target_point is not None:
        fig.add_trace(_target_trace(target_point, row, unit, lang))
        table.append(_path_table(pd.DataFrame([target_point], columns=["year", "value"]),
                                 "target", code, ind, unit))

    status = str(row_value(row, "status", "insufficient_data"))
    years = [y for y in [*points["year"], row_value(row, "base_year"),
                         row_value(row, "target_year")] if y is not None]
    _style_value_axis(fig, unit, lang, kind=kind, row_data=row)
    _style_year_axis(fig, lang, years)
    synthetic = _any_synthetic(points)
    _finish(fig, lang=lang, geo_version=geo_version, chart="trajectory",
            title=t("charts.trajectory.title", lang, indicator=indicator_name(ind, lang),
                    place=place),
            summary=progress_summary(row, lang, geo_version), synthetic=synthetic,
            status=status, evidence=evidence_grade(row), height=380,
            filename=f"trajectory-{code}-{row_value(row, 'target_id', ind)}",
            source_ids=_source_ids(points), provenance=_grades(points),
            targets=[_target_meta(row)], extra={"evidence_grade": evidence_grade(row)})
    _attach(fig, pd.concat(table, ignore_index=True))
    return fig


def _point_kinds(points: pd.DataFrame) -> pd.Series:
    """The evidence kind of each point: ``real``, ``synthetic`` or ``unknown``."""
    if "provenance" not in points:
        return pd.Series("unknown", index=points.index)
    kinds = points["provenance"].map(evidence_kind)
    return kinds.where(kinds != "none", "unknown")


def _grade_groups(points: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The points split by evidence kind (real first); ``[("all", points)]`` when every
    point is of one kind, so that a series of one grade is drawn as before."""
    if points.empty:
        return [("all", points)]
    kinds = _point_kinds(points)
    present = [k for k in _POINT_KINDS if (kinds == k).any()]
    if len(present) <= 1:
        return [("all", points)]
    return [(k, points[kinds == k]) for k in present]


def _running_total_by_grade(points: pd.DataFrame, row: Mapping) -> pd.DataFrame:
    """:func:`_running_total` of each evidence kind on its own (never a sum of real and
    synthetic flows)."""
    groups = _grade_groups(points)
    if len(groups) == 1:
        return _running_total(points, row)
    parts = [_running_total(part, row) for _, part in groups]
    return pd.concat(parts).sort_values("year", kind="stable")


def _observed_traces(fig: go.Figure, points: pd.DataFrame, *, place: str, unit: str,
                     lang: str, name_key: str, showlegend: bool = True,
                     legendgroup: str | None = None, row: int | None = None,
                     col: int | None = None, legend_seen: set[str] | None = None
                     ) -> pd.DataFrame:
    """Add the observed line (and hollow provisional markers); return the rows shown.

    Points of different evidence are never joined: with both real and synthetic points, the
    real ones are the observed series and the synthetic ones a separate dash-dot trace with
    hollow diamonds (figures of unknown provenance likewise, grey with hollow squares). With
    ``legend_seen``, each legend entry is shown once (for subplots).
    """
    if points.empty:
        return points.assign(series="observed")
    kwargs: dict[str, Any] = {"row": row, "col": col} if row is not None else {}

    def legend(group: str) -> bool:
        if legend_seen is None:
            return showlegend
        first = group not in legend_seen
        legend_seen.add(group)
        return first

    shown = []
    for kind, part in _grade_groups(points):
        if kind in ("all", "real"):
            name, color, dash, symbol = t(name_key, lang), OBSERVED_COLOR, "solid", "circle"
            group, series = legendgroup or "observed", "observed"
        elif kind == "synthetic":
            name, color, dash, symbol = (t("evidence.series_synthetic", lang), SYNTHETIC_COLOR,
                                         SYNTHETIC_DASH, SYNTHETIC_SYMBOL)
            group = series = "synthetic"
        else:
            name, color, dash, symbol = (t("evidence.series_unknown", lang),
                                         UNKNOWN_GRADE_COLOR, "dot", UNKNOWN_SYMBOL)
            group = series = "unknown_grade"
        hover = [_point_hover(r, place, unit, lang) for r in part.itertuples()]
        open_marker = symbol.endswith("-open")
        fig.add_trace(go.Scatter(
            x=part["year"].tolist(), y=part["value"].tolist(), mode="lines+markers",
            name=name, line={"color": color, "width": 2.5 if kind in ("all", "real") else 2,
                             "dash": dash},
            marker={"color": color, "size": 9 if open_marker else 7, "symbol": symbol,
                    **({"line": {"color": color, "width": 2}} if open_marker else {})},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            showlegend=legend(group), legendgroup=group), **kwargs)
        flags = part["is_provisional"].to_numpy(dtype=bool)
        if flags.any():
            prov = part[flags]
            fig.add_trace(go.Scatter(
                x=prov["year"].tolist(), y=prov["value"].tolist(), mode="markers",
                name=t("charts.trajectory.provisional", lang),
                marker={"color": "#FFFFFF", "size": 10, "symbol": "circle",
                        "line": {"color": color, "width": 2.5}},
                customdata=[h for h, p in zip(hover, flags, strict=True) if p],
                hovertemplate="%{customdata}<extra></extra>",
                showlegend=legend("provisional"), legendgroup="provisional"), **kwargs)
        shown.append(part.assign(series=series))
    return pd.concat(shown).sort_values("year", kind="stable")


def _point_hover(r: Any, place: str, unit: str, lang: str) -> str:
    notes = ""
    if r.is_provisional:
        notes += t("charts.hover.notes_provisional", lang)
    if r.is_estimated:
        notes += t("charts.hover.notes_estimated", lang)
    return t("charts.hover.point", lang, place=_esc(place), year=int(r.year),
             value=fmt_value(r.value, unit, lang), notes=notes,
             provenance=provenance_label(str(r.provenance), lang))


def _path_trace(path: pd.DataFrame, name: str, unit: str, lang: str, *, color: str,
                dash: str, showlegend: bool = True, width: float = 2) -> go.Scatter:
    hover = [t("charts.hover.path", lang, series=name, year=int(y),
               value=fmt_value(v, unit, lang)) for y, v in zip(path["year"], path["value"],
                                                               strict=True)]
    return go.Scatter(x=path["year"].tolist(), y=path["value"].tolist(), mode="lines",
                      name=name, line={"color": color, "dash": dash, "width": width},
                      customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                      showlegend=showlegend, legendgroup=name)


def _target_trace(point: tuple[int, float], row: Mapping, unit: str, lang: str, *,
                  showlegend: bool = True, label: bool = True) -> go.Scatter:
    year, value = point
    kind = str(row_value(row, "kind", "level"))
    shown = fmt_compact(value, unit, lang)
    if kind in ("level", "annual"):

        shown = COMPARISON_PREFIX.get(str(row_value(row, "comparison", "")), "") + shown
    text = t("charts.trajectory.target_label", lang, year=int(year), value=shown)
    hover = t("charts.hover.target", lang, target=_esc(target_text(row, lang)),
              document=_esc(_wrap(str(row_value(row, "source_document", "")), 70)))
    return go.Scatter(
        x=[year], y=[value], mode="markers+text" if label else "markers",
        name=t("charts.trajectory.target", lang),
        marker={"symbol": "star", "size": 16, "color": "#111111",
                "line": {"color": "#FFFFFF", "width": 1}},
        text=[text] if label else None, textposition="top left",
        textfont={"size": 12, "color": "#111111"}, cliponaxis=False,
        customdata=[hover], hovertemplate="%{customdata}<extra></extra>",
        showlegend=showlegend, legendgroup="target")


def _required_path(row: Mapping) -> pd.DataFrame | None:
    """Years and values of the path the target needs, from the base year to the target year."""
    t0, y0 = row_value(row, "base_year"), row_value(row, "base_value")
    big_t = row_value(row, "target_year")
    kind = str(row_value(row, "kind", "level"))
    method = str(row_value(row, "method", ""))
    if None in (t0, y0, big_t) or method == "none" or int(big_t) <= int(t0):
        return None
    t0, big_t, y0 = int(t0), int(big_t), float(y0)
    end = _target_point(row)
    if end is None:
        return None
    d = int(row_value(row, "direction", 1))
    if kind in ("level", "annual") and d * (y0 - end[1]) >= 0:
        return None  # the base already meets the target: no path is needed
    years = np.arange(t0, big_t + 1)
    g = row_value(row, "cagr_required")
    if kind in ("level", "annual") and method == "statcan_cagr_ratio" and g is not None:
        values = y0 * (1 + float(g)) ** (years - t0)
    else:
        values = y0 + (end[1] - y0) * (years - t0) / (big_t - t0)
    return pd.DataFrame({"year": years, "value": values})


def _projected_path(row: Mapping) -> pd.DataFrame | None:
    """The path at the observed pace, from the latest point to the target year."""
    ti, yi = row_value(row, "latest_year"), row_value(row, "latest_value")
    big_t = row_value(row, "target_year")
    end = row_value(row, "projected_value_at_target_year")
    if None in (ti, yi, big_t, end) or int(big_t) <= int(ti):
        return None
    ti, big_t, yi, end = int(ti), int(big_t), float(yi), float(end)
    years = np.arange(ti, big_t + 1)
    g = row_value(row, "cagr_observed")
    if str(row_value(row, "method", "")) == "statcan_cagr_ratio" and g is not None and \
            str(row_value(row, "kind", "level")) in ("level", "annual"):
        values = yi * (1 + float(g)) ** (years - ti)
    else:
        values = yi + (end - yi) * (years - ti) / (big_t - ti)
    limit = _limit(str(row_value(row, "indicator")))
    if limit is not None:  # a coverage rate cannot pass its natural limit (100 %)
        values = np.minimum(values, limit) if limit > 0 else values
    return pd.DataFrame({"year": years, "value": values})


def _limit(indicator: str) -> float | None:

    limit = entry(indicator).get("limit")
    return None if limit is None or is_missing(limit) else float(limit)


def _target_point(row: Mapping) -> tuple[int, float] | None:
    """Where the target sits on the chart: (target year, value the target requires)."""
    big_t = row_value(row, "target_year")
    if big_t is None:
        return None
    if str(row_value(row, "kind", "level")) == "reduction_per_year":
        required = row_value(row, "required_value_at_target_year")
        if required is None:
            t0, y0 = row_value(row, "base_year"), row_value(row, "base_value")
            target = row_value(row, "target_value")
            if None in (t0, y0, target):
                return None
            d = int(row_value(row, "direction", -1))
            required = float(y0) + d * float(target) * (int(big_t) - int(t0))
        return int(big_t), float(required)
    target = row_value(row, "target_value")
    return None if target is None else (int(big_t), float(target))


def _running_total(points: pd.DataFrame, row: Mapping) -> pd.DataFrame:
    """A cumulative target's observed running total from the period's first year."""
    base = row_value(row, "base_year")
    big_t = row_value(row, "target_year")
    if base is None or big_t is None or points.empty:
        return points.iloc[0:0]
    start = int(base) + 1
    flows = points[(points["year"] >= start) & (points["year"] <= int(big_t))].copy()
    if flows.empty or int(flows["year"].iloc[0]) != start:
        return points.iloc[0:0]
    gaps = np.flatnonzero(np.diff(flows["year"].to_numpy()) != 1)
    if gaps.size:
        flows = flows.iloc[: gaps[0] + 1]
    flows["value"] = flows["value"].cumsum()
    return flows


# ======================================================================================
# status grid
# ======================================================================================


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
    df = _check_progress(progress)
    if "geo_version" in df:
        df = df[df["geo_version"] == geo_version]
    df = df.assign(_column=target_column_keys(df))
    prov = provinces(geo_version)
    codes = prov["code"].tolist()
    in_provinces = df["province_code"].isin(codes)
    columns = _assessed_columns(df, codes)
    names = {c: province_label(c, geo_version, lang) for c in codes}
    rows = _grid_row_order(codes, df[in_provinces], names, sort_by, lang)
    if include_national:
        rows = [COUNTRY_CODE, *rows]
        names[COUNTRY_CODE] = province_label(COUNTRY_CODE, geo_version, lang)
    cells = df[df["_column"].isin([c for c, _ in columns]) & df["province_code"].isin(rows)]
    cells = cells.drop_duplicates(["province_code", "_column"])
    lookup = {(r["province_code"], r["_column"]): r for r in cells.to_dict("records")}
    labels = [_column_label(first, key, lang) for key, first in columns]

    z, text, hover, shown = [], [], [], []
    for code in rows:
        z_row, text_row, hover_row = [], [], []
        for (key, _first), label in zip(columns, labels, strict=True):
            r = lookup.get((code, key))
            if r is None:
                z_row.append(None)
                text_row.append("")
                hover_row.append("")
                continue
            status = str(r["status"])
            z_row.append(STATUS_ORDER.index(status))
            text_row.append(STATUS_MARKS[status] + evidence_mark(evidence_grade(r)))
            hover_row.append(_grid_hover(r, names[code], label, lang))
            shown.append(r)
        z.append(z_row)
        text.append(text_row)
        hover.append(hover_row)

    fig = _new_figure()
    n_cols, n_rows = len(columns), len(rows)
    if n_cols:
        fig.add_trace(go.Heatmap(
            z=z, x=list(range(n_cols)), y=list(range(n_rows)), text=text,
            texttemplate="%{text}", textfont={"size": 13}, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>", colorscale=_status_colorscale(),
            zmin=-0.5, zmax=len(STATUS_ORDER) - 0.5, showscale=False, xgap=1, ygap=1,
            hoverongaps=False, name=""))
    statuses = {str(r["status"]) for r in shown}
    for status in [s for s in STATUS_ORDER if s in statuses]:
        fig.add_trace(_legend_swatch(status, lang))
    kinds = {evidence_kind(evidence_grade(r)) for r in shown}
    for kind in [k for k in _POINT_KINDS if k in kinds]:
        fig.add_trace(_evidence_swatch(kind, lang))
    province_cells = [c for c in shown if c["province_code"] != COUNTRY_CODE]
    counts = _status_counts(province_cells)
    summary = (t("charts.status_grid.summary", lang, n_provinces=len(codes), n_targets=n_cols,
                 counts=t("common.list_separator", lang).join(
                     t("charts.status_grid.summary_count", lang, n=n,
                       status=status_label(s, lang)) for s, n in counts.items()))
               if n_cols else t("charts.status_grid.empty", lang))
    longest = max((len(lb) for lb in labels), default=0)
    label_px = int(longest * _GRID_CHAR_PX * 0.72) + 16  # labels at 45 degrees
    fig.update_xaxes(tickvals=list(range(n_cols)), ticktext=[_esc(lb) for lb in labels],
                     side="top", tickangle=-45, showgrid=False, zeroline=False,
                     range=[-0.5, n_cols - 0.5] if n_cols else None, tickfont={"size": 11},
                     automargin=False)
    fig.update_yaxes(tickvals=list(range(n_rows)), ticktext=[_esc(names[c]) for c in rows],
                     autorange="reversed", showgrid=False, zeroline=False,
                     tickfont={"size": 12}, automargin=True)
    data = _grid_table(shown, names, lang)
    _finish(fig, lang=lang, geo_version=geo_version, chart="status_grid",
            title=t("charts.status_grid.title", lang), summary=summary,
            synthetic=bool(len(data)) and bool((data["provenance"] == "synthetic").any()),
            height=24 * n_rows + 110, top_extra=label_px, right=min(label_px, 300),
            filename=f"status-grid-{geo_version}",
            source_ids=_split_ids(data.get("source_id", [])),
            provenance=sorted(set(data["provenance"])) if len(data) else [],
            targets=_targets_meta(cells), extra={"provinces": rows,
                                                 "columns": [k for k, _ in columns]},
            bottom=90, legend_gap=14)
    _attach(fig, data)
    return fig


def target_column_keys(df: pd.DataFrame) -> pd.Series:
    """The column of a target in a provinces × targets view, for each progress row.

    One column per ``target_id``; the provinces' own targets (``applies_as ==
    "provincial"``) of one indicator, kind and target year share one column
    (``own|<indicator>|<kind>|<year>``), since each province has its own figure.
    """
    target_id = df.get("target_id", df["indicator"]).astype(str)
    if "applies_as" not in df:
        return target_id
    own = df["applies_as"] == "provincial"
    kind = df.get("kind", pd.Series("level", index=df.index)).astype(str)
    family = ("own|" + df["indicator"].astype(str) + "|" + kind + "|" +
              df["target_year"].astype(str))
    return family.where(own, target_id)


def _assessed_columns(df: pd.DataFrame, codes: list[str]) -> list[tuple[str, dict]]:
    """Columns (key, representative row) of the targets assessed for a province with data."""
    assessed = df[df["province_code"].isin(codes) & _has_data(df)]
    return _grid_column_order(df[df["_column"].isin(set(assessed["_column"]))])


def status_grid_columns(progress: pd.DataFrame, *, geo_version: str, lang: str
                        ) -> tuple[list[dict], dict[str, dict[str, dict]]]:
    """The columns and cells of :func:`status_grid`, for tables drawn without plotly.

    Returns:
        ``(columns, cells)``: columns as dicts ``key``, ``label``, ``indicator``, ``unit``
        in the grid's order; cells as ``province_code -> column key -> progress row``.
    """
    check_language(lang)
    check_geo_version(geo_version)
    df = _check_progress(progress)
    if "geo_version" in df:
        df = df[df["geo_version"] == geo_version]
    df = df.assign(_column=target_column_keys(df))
    codes = provinces(geo_version)["code"].tolist()
    columns = [{"key": key, "label": _column_label(first, key, lang),
                "indicator": str(first["indicator"]),
                "unit": indicator_unit(str(first["indicator"]))}
               for key, first in _assessed_columns(df, codes)]
    keys = {c["key"] for c in columns}
    cells: dict[str, dict[str, dict]] = {}
    for row in df[df["_column"].isin(keys)].drop_duplicates(
            ["province_code", "_column"]).to_dict("records"):
        cells.setdefault(str(row["province_code"]), {})[row["_column"]] = row
    return columns, cells


def _grid_column_order(df: pd.DataFrame) -> list[tuple[str, dict]]:
    """(column key, a representative row) in sector / catalogue / year order."""
    if df.empty:
        return []
    first = df.drop_duplicates("_column")
    first = sort_by_sector(first, extra=["target_year", "target_value", "_column"])
    return [(r["_column"], r) for r in first.to_dict("records")]


def _grid_row_order(codes: list[str], df: pd.DataFrame, names: Mapping[str, str],
                    sort_by: str, lang: str) -> list[str]:
    if sort_by == "name":
        return sorted(codes, key=lambda c: sort_key(names[c], lang))
    if sort_by == "gap":
        rank = {s: i for i, s in enumerate(STATUS_ORDER[:-1])}
        scored = df[df["status"].isin(rank)]
        gap = scored.groupby("province_code")["status"].agg(
            lambda s: float(np.mean([rank[x] for x in s])))
        return sorted(codes, key=lambda c: (-gap.get(c, -1.0), c))
    return list(codes)


def _column_label(first: Mapping, key: str, lang: str) -> str:
    short = indicator_short_name(str(first["indicator"]), lang)
    if key.startswith("own|"):
        return t("charts.status_grid.own_target", lang, indicator=short,
                 year=int(first["target_year"]))
    target = target_text(first, lang, short=True)
    if str(row_value(first, "applies_as", "")) == "regional_benchmark":
        return t("charts.status_grid.regional", lang, indicator=short, target=target)
    return t("charts.status_grid.column", lang, indicator=short, target=target)


def _grid_hover(r: Mapping, place: str, column: str, lang: str) -> str:
    unit = indicator_unit(str(r["indicator"]))
    latest = fmt_value(row_value(r, "latest_value"), unit, lang,
                       missing=t("common.no_data", lang))
    year = row_value(r, "latest_year")
    if year is not None:
        latest = f"{latest} ({int(year)})"
    detail = t("charts.status_grid.hover_detail", lang, latest=latest,
               target=target_text(r, lang))
    text = t("charts.status_grid.hover", lang, place=_esc(place), column=_esc(column),
             status=f"{STATUS_MARKS[str(r['status'])]} {status_label(str(r['status']), lang)}",
             detail=_esc(detail))
    grade = evidence_grade(r)
    mark = evidence_mark(grade)
    return f"{text}<br>{_esc((mark + ' ') if mark else '')}{_esc(evidence_detail(grade, lang))}"


def _grid_table(cells: list[dict], names: Mapping[str, str], lang: str) -> pd.DataFrame:
    cols = ["province_code", "target_id", "indicator", "kind", "comparison", "target_value",
            "target_year", "latest_year", "latest_value", "status", "progress_ratio",
            "n_points", "method", "provenance", "evidence_grade", "source_id",
            "source_document", "confidence"]
    if not cells:
        return pd.DataFrame(columns=["province", "status_label", *cols])
    df = pd.DataFrame(cells)
    df = df.reindex(columns=cols)
    df["evidence_grade"] = [evidence_grade(c) for c in cells]
    df.insert(0, "province", df["province_code"].map(names))
    df.insert(df.columns.get_loc("status") + 1, "status_label",
              df["status"].map(lambda s: status_label(str(s), lang)))
    return df.reset_index(drop=True)


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


def _status_counts(rows: Iterable[Mapping]) -> dict[str, int]:
    counts = {s: 0 for s in STATUS_ORDER}
    for r in rows:
        counts[str(r["status"])] += 1
    return {s: n for s, n in counts.items() if n}


# ======================================================================================
# ranking, distribution, trends
# ======================================================================================


def ranking(observations: pd.DataFrame, indicator: str, year: int | None, *, lang: str,
            geo_version: str, national: float | Mapping[str, float] | bool | None = None
            ) -> go.Figure:
    """Every province's value for one indicator and year, as horizontal bars, best on top.

    Provinces without a value are listed (at the bottom, "no data"); the national value is
    marked by a vertical line labelled with what it is: the figure reported for the country
    and/or the figure computed from the provinces (pooled numerators and denominators, or
    a sum), with how many provinces it covers.

    Args:
        observations: the observation table.
        indicator: an indicator id.
        year: the year (None: the latest year with provincial data).
        lang: ``"vi"`` or ``"en"``.
        geo_version: ``"vn34"`` or ``"vn63"``.
        national: None = both national figures when available; False = none; a number = the
            reported national value; a mapping with ``reported`` and/or ``computed``.

    Returns:
        A figure with one bar trace per kind of figure (final, provisional), a scatter for
        provinces without data and one scatter line per national figure.
    """
    check_language(lang)
    check_geo_version(geo_version)
    unit = indicator_unit(indicator)
    obs = _indicator_obs(observations, geo_version, indicator)
    year = _resolve_year(obs, year, indicator)
    values = _province_values(obs, geo_version, year, lang)
    sign = -1 if _direction(indicator) == "lower" else 1
    has = values[values["value"].notna()].copy()
    has["_key"] = -sign * has["value"]
    has = has.sort_values(["_key", "province_code"])
    missing = values[values["value"].isna()]
    order = [*has["name"], *missing["name"]]

    fig = _new_figure()
    for provisional, key in ((False, "charts.ranking.values"), (True, "charts.ranking.provisional")):
        part = has[has["is_provisional"] == provisional]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            x=part["value"].tolist(), y=[_esc(n) for n in part["name"]], orientation="h",
            name=t(key, lang, year=year),
            marker={"color": BAR_COLOR, "pattern": {"shape": "/" if provisional else "",
                                                    "fgcolor": "#FFFFFF"}},
            text=[fmt_value(v, unit, lang) for v in part["value"]], textposition="outside",
            cliponaxis=False, textfont={"size": 11},
            customdata=[_point_hover(r, n, unit, lang) for r, n in
                        zip(part.itertuples(), part["name"], strict=True)],
            hovertemplate="%{customdata}<extra></extra>"))
    if not missing.empty:
        fig.add_trace(go.Scatter(
            x=[0] * len(missing), y=[_esc(n) for n in missing["name"]], mode="text",
            text=[t("charts.ranking.no_data", lang)] * len(missing), textposition="middle right",
            textfont={"color": "#555555", "size": 11}, name=t("charts.ranking.no_data", lang),
            hoverinfo="skip", showlegend=False))
    nat = _national_figures(observations, indicator, year, geo_version, national)
    nat_texts = _add_national_lines(fig, nat, order, unit, lang)

    high, low = has.loc[has["value"].idxmax()], has.loc[has["value"].idxmin()]
    summary = t("charts.ranking.summary", lang, year=year, high_place=high["name"],
                high=fmt_value(high["value"], unit, lang), low_place=low["name"],
                low=fmt_value(low["value"], unit, lang), national=nat_texts)
    if len(missing):
        summary += t("charts.ranking.summary_missing", lang, n=len(missing))
    fig.update_yaxes(categoryorder="array", categoryarray=[_esc(n) for n in order],
                     autorange="reversed", type="category", automargin=True,
                     tickfont={"size": 12})
    # no axis title: every bar is labelled with its value and unit
    _style_value_axis(fig, unit, lang, axis="x", rangemode="tozero", with_title=False)
    fig.update_xaxes(automargin=True)
    fig.update_layout(bargap=0.25, barmode="overlay")
    shown = pd.concat([has.drop(columns="_key"), missing], ignore_index=True)
    _finish(fig, lang=lang, geo_version=geo_version, chart="ranking",
            title=t("charts.ranking.title", lang, indicator=indicator_name(indicator, lang),
                    year=year),
            summary=summary, synthetic=_any_synthetic(has) or nat.get("synthetic", False),
            height=22 * len(order) + 110,
            filename=f"ranking-{geo_version}-{indicator}-{year}",
            source_ids=_source_ids(has) + nat.get("source_ids", []),
            provenance=_grades(has), extra={"provinces": shown["province_code"].tolist(),
                                            "year": int(year), "indicator": indicator})
    _attach(fig, _values_table(shown, nat, indicator, unit, year))
    return fig


def distribution(observations: pd.DataFrame, indicator: str, year: int | None, *, lang: str,
                 geo_version: str, highlight: str | None = None,
                 national: float | Mapping[str, float] | bool | None = None) -> go.Figure:
    """The spread of provinces for one indicator and year: a box with every province shown.

    Args:
        observations: the observation table.
        indicator: an indicator id.
        year: the year (None: the latest year with provincial data).
        lang: ``"vi"`` or ``"en"``.
        geo_version: ``"vn34"`` or ``"vn63"``.
        highlight: a province code to mark.
        national: as in :func:`ranking`.

    Returns:
        A figure with one box trace (all provinces as points), a scatter marker for the
        highlighted province and one scatter line per national figure.
    """
    check_language(lang)
    check_geo_version(geo_version)
    unit = indicator_unit(indicator)
    obs = _indicator_obs(observations, geo_version, indicator)
    year = _resolve_year(obs, year, indicator)
    values = _province_values(obs, geo_version, year, lang)
    has = values[values["value"].notna()]
    fig = _new_figure()
    fig.add_trace(go.Box(
        x=has["value"].tolist(), y=[0] * len(has), orientation="h", boxpoints="all",
        jitter=0.5, pointpos=0, name=t("charts.distribution.provinces", lang),
        marker={"color": BAR_COLOR, "size": 8, "opacity": 0.8},
        line={"color": OBSERVED_COLOR}, fillcolor="rgba(76,123,181,0.12)",
        customdata=[_point_hover(r, n, unit, lang) for r, n in
                    zip(has.itertuples(), has["name"], strict=True)],
        hovertemplate="%{customdata}<extra></extra>", hoveron="points"))
    if highlight is not None:
        code = str(highlight)
        name = province_label(code, geo_version, lang)
        point = has[has["province_code"] == code]
        if not point.empty:
            fig.add_trace(go.Scatter(
                x=point["value"].tolist(), y=[0], mode="markers+text",
                name=_esc(t("charts.distribution.highlight", lang, place=name)),
                text=[_esc(name)], textposition="top center", cliponaxis=False,
                marker={"symbol": "diamond", "size": 15, "color": HIGHLIGHT_COLOR,
                        "line": {"color": "#000000", "width": 1}},
                hoverinfo="skip"))
    nat = _national_figures(observations, indicator, year, geo_version, national)
    nat_texts = _add_national_lines(fig, nat, None, unit, lang)
    med = float(has["value"].median())
    low, high = has.loc[has["value"].idxmin()], has.loc[has["value"].idxmax()]
    summary = t("charts.distribution.summary", lang, year=year, n=len(has),
                median=fmt_value(med, unit, lang), low=fmt_value(low["value"], unit, lang),
                low_place=low["name"], high=fmt_value(high["value"], unit, lang),
                high_place=high["name"]) + nat_texts
    fig.update_yaxes(visible=False, range=[-0.7, 0.7])
    _style_value_axis(fig, unit, lang, axis="x")
    _finish(fig, lang=lang, geo_version=geo_version, chart="distribution",
            title=t("charts.distribution.title", lang, indicator=indicator_name(indicator, lang),
                    year=year),
            summary=summary, synthetic=_any_synthetic(has), height=300, legend_gap=64,
            filename=f"distribution-{geo_version}-{indicator}-{year}",
            source_ids=_source_ids(has) + nat.get("source_ids", []), provenance=_grades(has),
            extra={"provinces": has["province_code"].tolist(), "year": int(year),
                   "indicator": indicator})
    _attach(fig, _values_table(values, nat, indicator, unit, year))
    return fig


def trends(observations: pd.DataFrame, indicator: str, *, lang: str, geo_version: str,
           highlight: str | None = None) -> go.Figure:
    """Every province's series of one indicator over the years, with the nation in black.

    Args:
        observations: the observation table.
        indicator: an indicator id.
        lang: ``"vi"`` or ``"en"``.
        geo_version: ``"vn34"`` or ``"vn63"``.
        highlight: a province code drawn in colour.

    When the chart has points of several grades, each series is drawn once per grade (the
    synthetic parts dash-dot with hollow diamonds, one legend entry explaining them), so
    real and synthetic points are never joined by one line.

    Returns:
        A figure with scatter traces: the provinces (one trace per grade, lines separated by
        gaps), the reported national series and/or the one computed from the provinces, the
        highlighted province.
    """
    check_language(lang)
    check_geo_version(geo_version)
    unit = indicator_unit(indicator)
    obs = _indicator_obs(observations, geo_version, indicator)
    codes = provinces(geo_version)["code"].tolist()
    prov = obs[obs["province_code"].isin(codes)].sort_values(["province_code", "year"])
    if prov.empty:
        raise DataError(f"no provincial data for indicator {indicator!r} in {geo_version}")
    names = {c: province_label(c, geo_version, lang) for c in codes}
    national = obs[obs["province_code"] == COUNTRY_CODE].sort_values("year")
    nat_name = "charts.trends.reported"
    if national.empty:
        national = _computed_national_series(observations, indicator, geo_version)
        nat_name = "charts.trends.computed"
    # with points of several grades, each grade is drawn on its own (never one line)
    split = len(set(_point_kinds(pd.concat([prov, national], ignore_index=True)))) > 1
    seen: set[str] = set()
    fig = _new_figure()
    for kind, part in _grade_groups(prov) if split else [("all", prov)]:
        xs: list = []
        ys: list = []
        hover: list = []
        for code, g in part.groupby("province_code", sort=True):
            xs += [*g["year"].tolist(), None]
            ys += [*g["value"].tolist(), None]
            hover += [*(_point_hover(r, names[code], unit, lang) for r in g.itertuples()), ""]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", connectgaps=False, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            **_series_style(kind, t("charts.trends.provinces", lang), seen, lang,
                            line={"color": PROVINCES_COLOR, "width": 1})))
    if not national.empty:
        place = province_label(COUNTRY_CODE, geo_version, lang)
        dash = "solid" if nat_name.endswith("reported") else "dash"
        for kind, part in _grade_groups(national) if split else [("all", national)]:
            fig.add_trace(go.Scatter(
                x=part["year"].tolist(), y=part["value"].tolist(), mode="lines+markers",
                customdata=[_point_hover(r, place, unit, lang) for r in part.itertuples()],
                hovertemplate="%{customdata}<extra></extra>",
                **_series_style(kind, t(nat_name, lang), seen, lang,
                                line={"color": NATIONAL_COLOR, "width": 3, "dash": dash},
                                marker={"size": 6})))
    if highlight is not None:
        code = str(highlight)
        g = prov[prov["province_code"] == code]
        name = province_label(code, geo_version, lang)
        for kind, part in _grade_groups(g) if split and not g.empty else [("all", g)]:
            if part.empty:
                continue
            fig.add_trace(go.Scatter(
                x=part["year"].tolist(), y=part["value"].tolist(), mode="lines+markers",
                customdata=[_point_hover(r, name, unit, lang) for r in part.itertuples()],
                hovertemplate="%{customdata}<extra></extra>",
                **_series_style(kind, _esc(name), seen, lang,
                                line={"color": HIGHLIGHT_COLOR, "width": 3})))
    if split:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="lines+markers", name=t("evidence.series_synthetic", lang),
            line={"color": "#555555", "dash": SYNTHETIC_DASH, "width": 2},
            marker={"symbol": SYNTHETIC_SYMBOL, "size": 9, "color": "#555555"},
            hoverinfo="skip", showlegend=True, legendgroup="synthetic"))
    medians = prov.groupby("year")["value"].median()
    first, last = int(medians.index.min()), int(medians.index.max())
    nat_text = ""
    if not national.empty:
        last_nat = national.iloc[-1]
        nat_text = t("charts.trends.summary_national", lang,
                     value=fmt_value(last_nat["value"], unit, lang), year=int(last_nat["year"]))
    key = "charts.trends.summary" if medians.iloc[-1] >= medians.iloc[0] else \
        "charts.trends.summary_down"
    summary = t(key, lang, first=first, last=last,
                median_first=fmt_value(medians.iloc[0], unit, lang),
                median_last=fmt_value(medians.iloc[-1], unit, lang), national=nat_text)
    _style_value_axis(fig, unit, lang)
    _style_year_axis(fig, lang, prov["year"].tolist())
    shown = pd.concat([prov, national.assign(province_code=COUNTRY_CODE)], ignore_index=True)
    _finish(fig, lang=lang, geo_version=geo_version, chart="trends",
            title=t("charts.trends.title", lang, indicator=indicator_name(indicator, lang)),
            summary=summary, synthetic=_any_synthetic(shown), height=400,
            filename=f"trends-{geo_version}-{indicator}", source_ids=_source_ids(shown),
            provenance=_grades(shown), extra={"indicator": indicator})
    _attach(fig, _obs_table(shown, lang, geo_version))
    return fig


def _series_style(kind: str, name: str, seen: set[str], lang: str, *, line: dict,
                  marker: dict | None = None) -> dict:
    """Trace arguments of one grade's part of a series.

    A real (or only) part keeps the series' look and its name in the legend. A synthetic
    part is dash-dot with hollow diamonds (unknown provenance: dotted, hollow squares) and
    joins the legend group of the entry that explains it; it is listed under its own name
    only when the series has no real part (real parts are drawn first).
    """
    line = dict(line)
    marker = dict(marker or {})
    first = name not in seen
    seen.add(name)
    if kind in ("all", "real"):
        return {"name": name, "line": line, "marker": marker, "showlegend": first,
                "legendgroup": name}
    synthetic = kind == "synthetic"
    line["dash"] = SYNTHETIC_DASH if synthetic else "dot"
    marker.update({"symbol": SYNTHETIC_SYMBOL if synthetic else UNKNOWN_SYMBOL,
                   "size": max(int(marker.get("size", 6)), 8)})
    label = t("evidence.series_synthetic" if synthetic else "evidence.series_unknown", lang)
    return {"name": f"{name} — {label}", "line": line, "marker": marker, "showlegend": first,
            "legendgroup": "synthetic" if synthetic else "unknown_grade"}


# ======================================================================================
# small multiples
# ======================================================================================


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
        fig = _new_figure()
        fig.add_annotation(text=t("charts.small_multiples.empty", lang, place=_esc(place)),
                           showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5)
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        _finish(fig, lang=lang, geo_version=geo_version, chart="small_multiples",
                title=t("charts.small_multiples.title", lang, place=place),
                summary=t("charts.small_multiples.empty", lang, place=place), synthetic=False,
                height=200, filename=f"indicators-{code}", source_ids=[], provenance=[])
        _attach(fig, pd.DataFrame())
        return fig
    cols = max(1, min(columns, n))
    n_rows = math.ceil(n / cols)
    titles = [_panel_title(r, lang) for r in heads.to_dict("records")]
    fig = make_subplots(rows=n_rows, cols=cols, subplot_titles=titles, figure=_new_figure(),
                        vertical_spacing=min(0.12, 0.5 / n_rows), horizontal_spacing=0.08)
    tables, all_points = [], []
    legend_seen: set[str] = set()
    for i, r in enumerate(heads.to_dict("records")):
        pr, pc = i // cols + 1, i % cols + 1
        ind = str(r["indicator"])
        unit = indicator_unit(ind)
        points = _place_series(observations, geo_version, code, ind, r)
        if str(row_value(r, "kind", "level")) == "cumulative":
            points = _running_total_by_grade(points, r)
        tables.append(_observed_traces(fig, points, place=place, unit=unit, lang=lang,
                                       name_key="charts.trajectory.observed",
                                       legend_seen=legend_seen, row=pr, col=pc).assign(
            target_id=r.get("target_id"), evidence_grade=evidence_grade(r)))
        all_points.append(points)
        required = _required_path(r)
        if required is not None:
            trace = _path_trace(required, t("charts.trajectory.required", lang), unit, lang,
                                color=REQUIRED_COLOR, dash="dash", showlegend=False, width=1.5)
            trace.legendgroup = "required"
            fig.add_trace(trace, row=pr, col=pc)
        point = _target_point(r)
        if point is not None:
            fig.add_trace(_target_trace(point, r, unit, lang, showlegend=False, label=False),
                          row=pr, col=pc)
        _style_value_axis(fig, unit, lang, row=pr, col=pc, kind=str(row_value(r, "kind")),
                          row_data=r, with_title=False)
        years = [*points["year"], row_value(r, "base_year"), row_value(r, "target_year")]
        _style_year_axis(fig, lang, [y for y in years if y is not None], row=pr, col=pc,
                         compact=True, with_title=False)
    _legend_only_paths(fig, lang)
    fig.update_annotations(font={"size": 12})
    counts = _status_counts(heads.to_dict("records"))
    summary = t("charts.small_multiples.summary", lang, place=place, n=n,
                counts=t("common.list_separator", lang).join(
                    t("charts.small_multiples.summary_count", lang, n=k,
                      status=status_label(s, lang)) for s, k in counts.items()))
    points = pd.concat(all_points, ignore_index=True) if all_points else pd.DataFrame()
    _finish(fig, lang=lang, geo_version=geo_version, chart="small_multiples",
            title=t("charts.small_multiples.title", lang, place=place), summary=summary,
            synthetic=_any_synthetic(points), height=260 * n_rows + 90, top_extra=34,
            filename=f"indicators-{code}", source_ids=_source_ids(points),
            provenance=_grades(points), targets=_targets_meta(heads),
            extra={"indicators": heads["indicator"].tolist()})
    _attach(fig, pd.concat(tables, ignore_index=True))
    return fig


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


# ======================================================================================
# shared pieces
# ======================================================================================


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


def _one_row(row: Mapping | pd.Series | pd.DataFrame) -> Mapping:
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise ParameterError(f"trajectory needs one progress row, got {len(row)}")
        return row.iloc[0]
    for col in ("province_code", "indicator", "target_year"):
        if row_value(row, col) is None:
            raise DataError(f"the progress row lacks {col}")
    return row


def _check_obs(observations: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _OBS_REQUIRED if c not in observations.columns]
    if missing:
        raise DataError(f"the observation table lacks column(s): {', '.join(missing)}")
    df = observations
    defaults = {"is_provisional": False, "is_estimated": False, "provenance": "unspecified",
                "source_id": ""}
    extra = {k: v for k, v in defaults.items() if k not in df.columns}
    return df.assign(**extra) if extra else df


def _check_progress(progress: pd.DataFrame) -> pd.DataFrame:
    need = ("province_code", "indicator", "status", "target_year")
    missing = [c for c in need if c not in progress.columns]
    if missing:
        raise DataError(f"the progress table lacks column(s): {', '.join(missing)}")
    unknown = sorted(set(progress["status"].dropna()) - set(STATUS_ORDER))
    if unknown:
        raise DataError(f"unknown status value(s) in the progress table: {', '.join(unknown)}")
    return progress


def _has_data(df: pd.DataFrame) -> pd.Series:
    if "n_points" in df:
        return df["n_points"].fillna(0).astype(float) > 0
    return df["latest_value"].notna() if "latest_value" in df else df["status"].ne(
        "insufficient_data")


def sort_by_sector(df: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    """Rows ordered by sector (core sectors first), then catalogue order of the indicator,
    then the ``extra`` columns; a stable sort, the frame's columns unchanged."""

    cat = indicators()
    sector_order = {s: i for i, s in enumerate([*CORE_SECTORS, *[s for s in SECTORS
                                                                 if s not in CORE_SECTORS]])}
    ind_order = {ind: i for i, ind in enumerate(cat.index)}
    keys = pd.DataFrame({
        "_s": df["indicator"].map(cat["sector"]).map(sector_order).fillna(99),
        "_i": df["indicator"].map(ind_order).fillna(9999),
    }, index=df.index)
    by = ["_s", "_i", *(extra or [])]
    return df.join(keys).sort_values(by, kind="stable").drop(columns=["_s", "_i"])


def _place_series(observations: pd.DataFrame, geo_version: str, code: str, ind: str,
                  row: Mapping | None = None) -> pd.DataFrame:
    """One place's observed series (the nation computed from provinces when not reported)."""
    obs = _check_obs(observations)
    mask = (obs["province_code"] == code) & (obs["indicator"] == ind)
    if "geo_version" in obs:
        mask &= obs["geo_version"] == geo_version
    points = obs.loc[mask].sort_values("year").reset_index(drop=True)
    flags = str(row_value(row, "flags", "")) if row is not None else ""
    computed = row is not None and (str(row_value(row, "series", "")) ==
                                    "computed_from_provinces" or "computed_national" in flags)
    if code == COUNTRY_CODE and (points.empty or computed):
        points = _computed_national_series(observations, ind, geo_version)
        points.attrs["computed"] = True
    return points


def _computed_national_series(observations: pd.DataFrame, ind: str, geo_version: str
                              ) -> pd.DataFrame:
    """The nation computed from complete provincial data (analysis.progress)."""
    from analysis.progress import national_comparison

    obs = _check_obs(observations)
    obs = obs[obs["indicator"] == ind]
    if "geo_version" in obs:
        obs = obs[obs["geo_version"] == geo_version]
    cols = ["province_code", "year", "indicator", "value", "is_provisional", "is_estimated",
            "provenance", "source_id"]
    if obs.empty:
        return pd.DataFrame(columns=cols)
    table = national_comparison(obs, [ind], geo_version=None if "geo_version" in obs
                                else geo_version)
    table = table[table["complete"] & table["computed_value"].notna()]
    out = pd.DataFrame({
        "province_code": COUNTRY_CODE, "year": table["year"].astype("int64"),
        "indicator": ind, "value": table["computed_value"].astype(float),
        "is_provisional": False, "is_estimated": table["is_estimated"].astype(bool),
        "provenance": table["provenance"].astype(str), "source_id": table["source_id"].astype(str),
    })
    return out.sort_values("year").reset_index(drop=True)


def _indicator_obs(observations: pd.DataFrame, geo_version: str, indicator: str
                   ) -> pd.DataFrame:
    indicator_unit(indicator)  # unknown indicator -> ParameterError
    obs = _check_obs(observations)
    mask = obs["indicator"] == indicator
    if "geo_version" in obs:
        mask &= obs["geo_version"] == geo_version
    return obs.loc[mask]


def _resolve_year(obs: pd.DataFrame, year: int | None, indicator: str) -> int:
    prov = obs[obs["province_code"] != COUNTRY_CODE]
    years = sorted(int(y) for y in prov["year"].unique())
    if not years:
        raise DataError(f"no provincial data for indicator {indicator!r}")
    if year is None:
        return years[-1]
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"year must be a whole number, not {year!r}") from None
    if year not in years:
        raise ParameterError(f"no provincial data for {indicator!r} in {year}; years with "
                             f"data: {years[0]}–{years[-1]}")
    return year


def _province_values(obs: pd.DataFrame, geo_version: str, year: int, lang: str
                     ) -> pd.DataFrame:
    """Every province of the geography once, with its value in ``year`` (NaN when none)."""
    prov = provinces(geo_version)[["code"]].rename(columns={"code": "province_code"})
    prov["name"] = [province_label(c, geo_version, lang) for c in prov["province_code"]]
    year_rows = obs[obs["year"] == year].drop_duplicates("province_code")
    keep = ["province_code", "year", "value", "is_provisional", "is_estimated",
            "provenance", "source_id"]
    out = prov.merge(year_rows[keep], on="province_code", how="left", validate="1:1")
    out["is_provisional"] = out["is_provisional"].astype("boolean").fillna(False).astype(bool)
    out["is_estimated"] = out["is_estimated"].astype("boolean").fillna(False).astype(bool)
    out["year"] = year
    return out


def _national_figures(observations: pd.DataFrame, indicator: str, year: int,
                      geo_version: str, national: object) -> dict:
    """Reported and computed national values for ``year`` as asked by ``national``."""
    if national is False:
        return {}
    if isinstance(national, int | float) and not isinstance(national, bool):
        return {"reported": float(national)}
    if isinstance(national, Mapping):
        return {k: float(v) for k, v in national.items() if k in ("reported", "computed")
                and not is_missing(v)}
    obs = _indicator_obs(observations, geo_version, indicator)
    out: dict = {"source_ids": []}
    rep = obs[(obs["province_code"] == COUNTRY_CODE) & (obs["year"] == year)]
    if not rep.empty:
        out["reported"] = float(rep["value"].iloc[0])
        out["source_ids"] += _source_ids(rep)
        out["synthetic"] = _any_synthetic(rep)
    from analysis.progress import national_comparison

    comp = national_comparison(obs, [indicator], geo_version=None if "geo_version" in obs
                               else geo_version)
    comp = comp[(comp["year"] == year) & comp["computed_value"].notna()]
    if not comp.empty:
        c = comp.iloc[0]
        out["computed"] = float(c["computed_value"])
        out["computed_n"] = int(c["n_provinces"])
        out["computed_expected"] = int(c["n_expected"])
        out["computed_method"] = str(c["computed_method"])
    return out


def _add_national_lines(fig: go.Figure, nat: Mapping, categories: list[str] | None,
                        unit: str, lang: str) -> str:
    """Vertical lines for the national figures; returns the summary's national clause."""
    texts = []
    specs = [("reported", NATIONAL_COLOR, "solid"), ("computed", COMPUTED_COLOR, "dash")]
    for key, color, dash in specs:
        if key not in nat:
            continue
        value = nat[key]
        label = (t("charts.ranking.reported", lang, value=fmt_value(value, unit, lang))
                 if key == "reported" else
                 t("charts.ranking.computed", lang, value=fmt_value(value, unit, lang),
                   n=nat.get("computed_n", "?"), expected=nat.get("computed_expected", "?")))
        if categories:
            ys = [_esc(categories[0]), _esc(categories[-1])]
        else:
            ys = [-0.6, 0.6]
        fig.add_trace(go.Scatter(x=[value, value], y=ys, mode="lines", name=label,
                                 line={"color": color, "dash": dash, "width": 2},
                                 hovertemplate=f"{label}<extra></extra>"))
        texts.append(label)
    if not texts:
        return ""
    which = "reported" if "reported" in nat else "computed"
    return t("charts.ranking.summary_national", lang, value=fmt_value(nat[which], unit, lang),
             which=t(f"charts.ranking.which_{which}", lang))


def _values_table(values: pd.DataFrame, nat: Mapping, indicator: str, unit: str,
                  year: int) -> pd.DataFrame:
    cols = ["province_code", "name", "year", "value", "is_provisional", "is_estimated",
            "provenance", "source_id"]
    df = values.reindex(columns=cols).rename(columns={"name": "province"})
    df.insert(3, "indicator", indicator)
    df.insert(5, "unit", unit)
    extra = []
    for key in ("reported", "computed"):
        if key in nat:
            extra.append({"province_code": COUNTRY_CODE, "province": f"VN ({key})",
                          "year": year, "indicator": indicator, "value": nat[key],
                          "unit": unit})
    if extra:
        df = pd.concat([df, pd.DataFrame(extra)], ignore_index=True)
    return df


def _obs_table(obs: pd.DataFrame, lang: str, geo_version: str) -> pd.DataFrame:
    cols = ["province_code", "year", "indicator", "value", "unit", "is_provisional",
            "is_estimated", "provenance", "source_id"]
    df = obs.reindex(columns=cols).copy()
    names = {c: province_label(str(c), geo_version, lang) for c in df["province_code"].unique()}
    df.insert(1, "province", df["province_code"].map(names))
    return df.reset_index(drop=True)


def _path_table(path: pd.DataFrame, series: str, code: str, ind: str, unit: str
                ) -> pd.DataFrame:
    return pd.DataFrame({"series": series, "province_code": code, "indicator": ind,
                         "year": path["year"].astype(int), "value": path["value"].astype(float),
                         "unit": unit})


def _direction(indicator: str) -> str:

    return str(entry(indicator)["direction"])


def _any_synthetic(df: pd.DataFrame) -> bool:
    return bool(len(df)) and "provenance" in df and bool((df["provenance"] == "synthetic").any())


def _grades(df: pd.DataFrame) -> list[str]:
    if not len(df) or "provenance" not in df:
        return []
    return sorted({str(g) for g in df["provenance"].dropna()})


def _split_ids(values: Iterable) -> list[str]:
    ids = {p for v in values if isinstance(v, str) for p in v.split(";") if p}
    return sorted(ids)


def _source_ids(df: pd.DataFrame) -> list[str]:
    if not len(df) or "source_id" not in df:
        return []
    return _split_ids(df["source_id"])


def _target_meta(row: Mapping) -> dict:
    return {k: ("" if row_value(row, k) is None else str(row_value(row, k)))
            for k in ("target_id", "source_document", "confidence")}


def _targets_meta(rows: pd.DataFrame) -> list[dict]:
    if rows.empty or "target_id" not in rows:
        return []
    first = rows.drop_duplicates("target_id")
    return [_target_meta(r) for r in first.to_dict("records")]


def _attach(fig: go.Figure, table: pd.DataFrame) -> None:
    setattr(fig, _TABLE_ATTR, table.reset_index(drop=True))


def _tick_suffix(unit: str, lang: str) -> str:
    return (" %" if lang == "vi" else "%") if unit == "percent" else ""


def _style_value_axis(fig: go.Figure, unit: str, lang: str, *, axis: str = "y",
                      kind: str | None = None, row: int | None = None, col: int | None = None,
                      row_data: Mapping | None = None, rangemode: str | None = None,
                      with_title: bool = True) -> None:
    title = unit_label(unit, lang) if unit != "percent" else ""
    if kind == "cumulative" and row_data is not None and \
            row_value(row_data, "base_year") is not None:
        title = t("charts.trajectory.cumulative_axis", lang, unit=unit_label(unit, lang),
                  start=int(row_value(row_data, "base_year")) + 1)
    spec = {"ticksuffix": _tick_suffix(unit, lang), "tickformat": ",~f",
            "gridcolor": "#E5E5E5", "zeroline": False, "automargin": True}
    if with_title and title:
        spec["title"] = {"text": title}
    if rangemode:
        spec["rangemode"] = rangemode
    where = {"row": row, "col": col} if row is not None else {}
    (fig.update_xaxes if axis == "x" else fig.update_yaxes)(**spec, **where)


def _style_year_axis(fig: go.Figure, lang: str, years: list, *, row: int | None = None,
                     col: int | None = None, compact: bool = False,
                     with_title: bool = True) -> None:
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
    where = {"row": row, "col": col} if row is not None else {}
    fig.update_xaxes(**spec, **where)


def _finish(fig: go.Figure, *, lang: str, geo_version: str, chart: str, title: str,
            summary: str, synthetic: bool, height: int, filename: str,
            source_ids: list[str], provenance: list[str], status: str | None = None,
            evidence: str | None = None, targets: list[dict] | None = None, extra: Mapping | None = None,
            top_extra: int = 0, right: int = 40, bottom: int = 80,
            legend_gap: int = 36) -> None:
    """Common layout: fonts, separators, title + summary, badges, legend, meta.

    The header (title, summary, then a row for the synthetic badge and the status) is laid
    out in pixels from the top of the figure, so that it never overlaps the plot, its axis
    labels (``top_extra`` pixels above the plot) or subplot titles. ``height`` is the
    height of the plot area and bottom margin; the header is added to it. ``evidence`` (the
    grade of the verdict's evidence) is written in the status badge after the status.
    """
    title_html = _wrap(_esc(title), _WRAP_TITLE)
    subtitle_html = _wrap(_esc(summary), _WRAP_SUBTITLE)
    n_title = title_html.count("<br>") + 1
    n_sub = subtitle_html.count("<br>") + 1
    header = _HEADER_PAD + _TITLE_LINE * n_title + _SUBTITLE_LINE * n_sub + 8
    badges = synthetic or status is not None
    top = header + (_BADGE_ROW if badges else 0) + top_extra + 12
    total = height + top
    fig.update_layout(
        template="none", height=total, autosize=True,
        font={"family": FONT_FAMILY, "size": 13, "color": "#222222"},
        separators=plotly_separators(lang), paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        margin={"t": top, "l": _MARGIN_L, "r": right, "b": bottom, "autoexpand": True},
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 12}, "bgcolor": "#FFFFFF",
                    "bordercolor": "#555555", "align": "left"},
        legend={"orientation": "h", "x": 0, "xanchor": "left",
                "y": -legend_gap / max(height - bottom, 1),
                "yanchor": "top", "yref": "paper", "font": {"size": 12},
                "bgcolor": "rgba(255,255,255,0)"},
        meta={"chart": chart, "title": title, "summary": summary, "lang": lang,
              "geo_version": geo_version,
              "filename": _safe_stem(filename), "synthetic": bool(synthetic),
              "source_ids": sorted(set(source_ids)), "provenance": list(provenance),
              "targets": targets or [], **(extra or {})},
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
    lift = top - header - 2  # pixels from the top of the plot up to the badge row
    if synthetic:
        fig.add_annotation(
            text=f"<b>{t('charts.synthetic_badge', lang)}</b>", xref="paper", x=0,
            xanchor="left", yref="paper", y=1, yshift=lift, yanchor="top", showarrow=False,
            bgcolor=SYNTHETIC_COLOR, bordercolor="#000000", borderwidth=1, borderpad=4,
            font={"color": "#000000", "size": 12}, name="synthetic_badge")
    if status is not None:
        badge = f"{STATUS_MARKS[status]} {status_label(status, lang)}"
        tag = evidence_tag(evidence, lang) if evidence is not None else ""
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
