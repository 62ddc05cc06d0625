"""The distribution chart: the spread of provinces for one indicator and year."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from analysis.catalogue.geography import check_geo_version
from analysis.present.charts.common import (
    BAR_COLOR,
    HIGHLIGHT_COLOR,
    OBSERVED_COLOR,
    FigureMeta,
    FigureSize,
    FigureText,
    ValueAxis,
    _attach,
    _esc,
    _finish,
    _new_figure,
    _style_value_axis,
)
from analysis.present.charts.data import (
    _any_synthetic,
    _grades,
    _indicator_obs,
    _national_figures,
    _province_values,
    _resolve_year,
    _source_ids,
    _values_table,
)
from analysis.present.charts.traces import _add_national_lines, _point_hover
from analysis.present.i18n import (
    check_language,
    fmt_value,
    indicator_name,
    indicator_unit,
    province_label,
    t,
)


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
    _style_value_axis(fig, ValueAxis(unit, lang, axis="x"))
    _finish(fig, FigureText(
        lang, title=t("charts.distribution.title", lang,
                      indicator=indicator_name(indicator, lang), year=year),
        summary=summary, synthetic=_any_synthetic(has)),
        FigureMeta("distribution", geo_version,
                   filename=f"distribution-{geo_version}-{indicator}-{year}",
                   source_ids=_source_ids(has) + nat.get("source_ids", []),
                   provenance=_grades(has),
                   extra={"provinces": has["province_code"].tolist(), "year": int(year),
                          "indicator": indicator}),
        FigureSize(300, legend_gap=64))
    _attach(fig, _values_table(values, nat, indicator, unit, year))
    return fig
