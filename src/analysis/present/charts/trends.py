"""The trends chart: every province's series of one indicator over the years, with the
nation in black."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from analysis.catalogue.geography import check_geo_version, provinces
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError
from analysis.present.charts.common import (
    HIGHLIGHT_COLOR,
    NATIONAL_COLOR,
    PROVINCES_COLOR,
    FigureMeta,
    FigureSize,
    FigureText,
    ValueAxis,
    _attach,
    _esc,
    _finish,
    _new_figure,
    _style_value_axis,
    _style_year_axis,
)
from analysis.present.charts.data import (
    _any_synthetic,
    _computed_national_series,
    _grade_groups,
    _grades,
    _indicator_obs,
    _obs_table,
    _point_kinds,
    _source_ids,
)
from analysis.present.charts.traces import _point_hover, _series_style
from analysis.present.i18n import (
    check_language,
    fmt_value,
    indicator_name,
    indicator_unit,
    province_label,
    t,
)
from analysis.present.style import SYNTHETIC_DASH, SYNTHETIC_SYMBOL


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
    data = _prepare_trends(observations, indicator, lang=lang, geo_version=geo_version)
    prov, national = data.prov, data.national
    seen: set[str] = set()
    fig = _new_figure()
    _draw_provinces(fig, data, seen)
    if not national.empty:
        _draw_national(fig, data, seen)
    if highlight is not None:
        _draw_highlight(fig, data, str(highlight), seen)
    if data.split:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="lines+markers", name=t("evidence.series_synthetic", lang),
            line={"color": "#555555", "dash": SYNTHETIC_DASH, "width": 2},
            marker={"symbol": SYNTHETIC_SYMBOL, "size": 9, "color": "#555555"},
            hoverinfo="skip", showlegend=True, legendgroup="synthetic"))
    _style_value_axis(fig, ValueAxis(data.unit, lang))
    _style_year_axis(fig, lang, prov["year"].tolist())
    shown = pd.concat([prov, national.assign(province_code=COUNTRY_CODE)], ignore_index=True)
    _finish(fig, FigureText(
        lang, title=t("charts.trends.title", lang, indicator=indicator_name(indicator, lang)),
        summary=_trends_summary(data), synthetic=_any_synthetic(shown)),
        FigureMeta("trends", geo_version, filename=f"trends-{geo_version}-{indicator}",
                   source_ids=_source_ids(shown), provenance=_grades(shown),
                   extra={"indicator": indicator}),
        FigureSize(400))
    _attach(fig, _obs_table(shown, lang, geo_version))
    return fig


@dataclass(frozen=True)
class TrendsData:
    """What :func:`trends` draws: the provinces' points (``prov``) and their names, the
    national series (reported, else computed from the provinces; ``nat_name`` is the locale
    key of its name), whether points of several grades are drawn apart (``split``), and the
    chart's unit, language and geography."""

    unit: str
    lang: str
    geo_version: str
    prov: pd.DataFrame
    names: dict[str, str]
    national: pd.DataFrame
    nat_name: str
    split: bool


def _prepare_trends(observations: pd.DataFrame, indicator: str, *, lang: str,
                    geo_version: str) -> TrendsData:
    """The provinces' and the nation's series of one indicator."""
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
    return TrendsData(unit=unit, lang=lang, geo_version=geo_version, prov=prov, names=names,
                      national=national, nat_name=nat_name, split=split)


def _draw_provinces(fig: go.Figure, data: TrendsData, seen: set[str]) -> None:
    """The provinces' series: one trace per grade, each province's line ended by a gap."""
    unit, lang, prov = data.unit, data.lang, data.prov
    for kind, part in _grade_groups(prov) if data.split else [("all", prov)]:
        xs: list = []
        ys: list = []
        hover: list = []
        for code, g in part.groupby("province_code", sort=True):
            xs += [*g["year"].tolist(), None]
            ys += [*g["value"].tolist(), None]
            hover += [*(_point_hover(r, data.names[code], unit, lang)
                        for r in g.itertuples()), ""]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", connectgaps=False, customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            **_series_style(kind, t("charts.trends.provinces", lang), seen, lang,
                            line={"color": PROVINCES_COLOR, "width": 1})))


def _draw_national(fig: go.Figure, data: TrendsData, seen: set[str]) -> None:
    """The national series in black (dashed when computed from the provinces)."""
    unit, lang, national = data.unit, data.lang, data.national
    place = province_label(COUNTRY_CODE, data.geo_version, lang)
    dash = "solid" if data.nat_name.endswith("reported") else "dash"
    for kind, part in _grade_groups(national) if data.split else [("all", national)]:
        fig.add_trace(go.Scatter(
            x=part["year"].tolist(), y=part["value"].tolist(), mode="lines+markers",
            customdata=[_point_hover(r, place, unit, lang) for r in part.itertuples()],
            hovertemplate="%{customdata}<extra></extra>",
            **_series_style(kind, t(data.nat_name, lang), seen, lang,
                            line={"color": NATIONAL_COLOR, "width": 3, "dash": dash},
                            marker={"size": 6})))


def _draw_highlight(fig: go.Figure, data: TrendsData, code: str, seen: set[str]) -> None:
    """The highlighted province's series in colour."""
    unit, lang = data.unit, data.lang
    g = data.prov[data.prov["province_code"] == code]
    name = province_label(code, data.geo_version, lang)
    for kind, part in _grade_groups(g) if data.split and not g.empty else [("all", g)]:
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["year"].tolist(), y=part["value"].tolist(), mode="lines+markers",
            customdata=[_point_hover(r, name, unit, lang) for r in part.itertuples()],
            hovertemplate="%{customdata}<extra></extra>",
            **_series_style(kind, _esc(name), seen, lang,
                            line={"color": HIGHLIGHT_COLOR, "width": 3})))


def _trends_summary(data: TrendsData) -> str:
    """The provinces' median in the first and last year, and the latest national value."""
    unit, lang, national = data.unit, data.lang, data.national
    medians = data.prov.groupby("year")["value"].median()
    first, last = int(medians.index.min()), int(medians.index.max())
    nat_text = ""
    if not national.empty:
        last_nat = national.iloc[-1]
        nat_text = t("charts.trends.summary_national", lang,
                     value=fmt_value(last_nat["value"], unit, lang), year=int(last_nat["year"]))
    key = "charts.trends.summary" if medians.iloc[-1] >= medians.iloc[0] else \
        "charts.trends.summary_down"
    return t(key, lang, first=first, last=last,
             median_first=fmt_value(medians.iloc[0], unit, lang),
             median_last=fmt_value(medians.iloc[-1], unit, lang), national=nat_text)
