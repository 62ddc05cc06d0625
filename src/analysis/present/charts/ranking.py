"""The ranking chart: every province's value for one indicator and year, best on top, with
the national figures."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from analysis.catalogue.geography import check_geo_version
from analysis.present.charts.common import (
    BAR_COLOR,
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
    _direction,
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
    t,
)


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
    has, missing = _ranked_values(_province_values(obs, geo_version, year, lang), indicator)
    order = [*has["name"], *missing["name"]]

    fig = _new_figure()
    _ranking_bars(fig, has, missing, unit, lang, year)
    nat = _national_figures(observations, indicator, year, geo_version, national)
    nat_texts = _add_national_lines(fig, nat, order, unit, lang)
    summary = _ranking_summary(has, missing, nat_texts, unit, lang, year)
    fig.update_yaxes(categoryorder="array", categoryarray=[_esc(n) for n in order],
                     autorange="reversed", type="category", automargin=True,
                     tickfont={"size": 12})
    # no axis title: every bar is labelled with its value and unit
    _style_value_axis(fig, ValueAxis(unit, lang, axis="x", rangemode="tozero",
                                     with_title=False))
    fig.update_xaxes(automargin=True)
    fig.update_layout(bargap=0.25, barmode="overlay")
    shown = pd.concat([has.drop(columns="_key"), missing], ignore_index=True)
    _finish(fig, FigureText(
        lang, title=t("charts.ranking.title", lang, indicator=indicator_name(indicator, lang),
                      year=year),
        summary=summary, synthetic=_any_synthetic(has) or nat.get("synthetic", False)),
        FigureMeta("ranking", geo_version, filename=f"ranking-{geo_version}-{indicator}-{year}",
                   source_ids=_source_ids(has) + nat.get("source_ids", []),
                   provenance=_grades(has),
                   extra={"provinces": shown["province_code"].tolist(), "year": int(year),
                          "indicator": indicator}),
        FigureSize(22 * len(order) + 110))
    _attach(fig, _values_table(shown, nat, indicator, unit, year))
    return fig


def _ranked_values(values: pd.DataFrame, indicator: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The provinces with a value, best first (with their sort key ``_key``), and those
    without one."""
    sign = -1 if _direction(indicator) == "lower" else 1
    has = values[values["value"].notna()].copy()
    has["_key"] = -sign * has["value"]
    has = has.sort_values(["_key", "province_code"])
    missing = values[values["value"].isna()]
    return has, missing


def _ranking_bars(fig: go.Figure, has: pd.DataFrame, missing: pd.DataFrame, unit: str,
                  lang: str, year: int) -> None:
    """One bar trace per kind of figure (final, provisional), then the provinces without
    data as text."""
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


def _ranking_summary(has: pd.DataFrame, missing: pd.DataFrame, nat_texts: str, unit: str,
                     lang: str, year: int) -> str:
    """Highest and lowest province, the national clause, how many have no data."""
    high, low = has.loc[has["value"].idxmax()], has.loc[has["value"].idxmin()]
    summary = t("charts.ranking.summary", lang, year=year, high_place=high["name"],
                high=fmt_value(high["value"], unit, lang), low_place=low["name"],
                low=fmt_value(low["value"], unit, lang), national=nat_texts)
    if len(missing):
        summary += t("charts.ranking.summary_missing", lang, n=len(missing))
    return summary
