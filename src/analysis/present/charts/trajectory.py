"""The trajectory chart: one place's path towards one target."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from analysis.catalogue.geography import check_geo_version
from analysis.present.charts.common import (
    PROJECTED_COLOR,
    REQUIRED_COLOR,
    FigureMeta,
    FigureSize,
    FigureText,
    ValueAxis,
    _attach,
    _finish,
    _new_figure,
    _style_value_axis,
    _style_year_axis,
)
from analysis.present.charts.data import (
    _any_synthetic,
    _grades,
    _one_row,
    _path_table,
    _place_series,
    _source_ids,
    _target_meta,
)
from analysis.present.charts.paths import (
    _projected_path,
    _required_path,
    _running_total_by_grade,
    _target_point,
)
from analysis.present.charts.traces import (
    SeriesLabel,
    _observed_traces,
    _path_trace,
    _target_trace,
)
from analysis.present.i18n import (
    check_language,
    evidence_grade,
    indicator_name,
    indicator_unit,
    progress_summary,
    province_label,
    row_value,
    t,
)


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
    label = SeriesLabel(place, unit, lang, "charts.trajectory.computed" if computed
                        else "charts.trajectory.observed")
    table = [_observed_traces(fig, points, label, legend_seen=set())]
    table += _trajectory_paths(fig, row, code, ind, unit, lang)

    status = str(row_value(row, "status", "insufficient_data"))
    years = [y for y in [*points["year"], row_value(row, "base_year"),
                         row_value(row, "target_year")] if y is not None]
    _style_value_axis(fig, ValueAxis(unit, lang, kind=kind, row_data=row))
    _style_year_axis(fig, lang, years)
    synthetic = _any_synthetic(points)
    _finish(fig, FigureText(
        lang, title=t("charts.trajectory.title", lang, indicator=indicator_name(ind, lang),
                      place=place),
        summary=progress_summary(row, lang, geo_version), synthetic=synthetic,
        status=status, evidence=evidence_grade(row)), FigureMeta(
        "trajectory", geo_version,
        filename=f"trajectory-{code}-{row_value(row, 'target_id', ind)}",
        source_ids=_source_ids(points), provenance=_grades(points),
        targets=[_target_meta(row)], extra={"evidence_grade": evidence_grade(row)}),
        FigureSize(380))
    _attach(fig, pd.concat(table, ignore_index=True))
    return fig


def _trajectory_paths(fig: go.Figure, row: Mapping, code: str, ind: str, unit: str,
                      lang: str) -> list[pd.DataFrame]:
    """Add the required path, the projection and the target; return the rows shown."""
    table = []
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
    return table
