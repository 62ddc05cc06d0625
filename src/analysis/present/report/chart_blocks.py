"""Blocks of several figures built from :class:`ReportData`: a place's trajectories, status
and value maps, the sector maps and the sector rankings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from analysis.present.i18n import (
    fmt_value,
    indicator_name,
    indicator_unit,
    province_label,
    row_value,
    sector_label,
    status_label,
    t,
    target_text,
)
from analysis.present.maps import choropleth
from analysis.present.report.blocks import BlockList, FigureBlock, HtmlBlock
from analysis.present.report.data import ReportData
from analysis.present.report.figures import figure_block
from analysis.present.report.page import heading, paragraph
from analysis.present.style import STATUS_ORDER


def describe_target(row: Mapping, lang: str) -> str:
    """"<indicator name>: <target>", e.g. "Tỷ lệ …: mục tiêu 80 % năm 2030"."""
    return f"{indicator_name(str(row_value(row, 'indicator')), lang)}: {target_text(row, lang)}"


def trajectory_blocks(data: ReportData, province_code: str, *, lang: str,
                      core_only: bool = True) -> BlockList:
    """One trajectory (with caption) per headline target of a place's indicators with data,
    or a sentence saying there is none."""
    from analysis.present.charts import trajectory  # charts imports plotly (heavy)

    heads = data.headline(province_code, core_only=core_only)
    if heads.empty:
        return BlockList([paragraph("notebook.province.no_trajectories", lang)])
    return BlockList(
        figure_block(trajectory(data.observations, row, lang=lang,
                                geo_version=data.geo_version), lang=lang, sources=data.sources)
        for _, row in heads.iterrows())


def status_map(data: ReportData, *, lang: str, target: Mapping | None = None,
               highlight: str | None = None, boundaries: str | Path | None = None,
               kind: str = "auto") -> FigureBlock | HtmlBlock:
    """A map of every province's status for one target (``analysis.present.maps.choropleth``).

    Args:
        data: the report's tables.
        lang: ``vi`` or ``en``.
        target: a progress row naming the target (default: :meth:`ReportData.map_target`
            of ``highlight``).
        highlight: a province code to outline.
        boundaries: a boundary file for a geographic map (default: the tile grid when no
            boundaries were fetched).
        kind: ``auto``, ``geographic`` or ``tiles``.
    """
    if target is None:
        target = data.map_target(highlight)
    if target is None:
        return paragraph("reporting.map.none", lang)
    values = data.target_statuses(str(target["target_id"]))
    # no "value" column: analysis.present.maps colours by the status column
    fig = choropleth(values, geo_version=data.geo_version, lang=lang,
                     title=describe_target(target, lang), highlight=highlight,
                     boundaries=boundaries, kind=kind)
    counts = values["status"].value_counts()
    summary = t("reporting.map.summary", lang, n=len(values), counts=t(
        "common.list_separator", lang).join(
        f"{status_label(s, lang)}: {int(counts[s])}" for s in STATUS_ORDER if s in counts))
    if highlight is not None:
        own = values[values["province_code"] == str(highlight)]
        if len(own):
            summary = t("reporting.map.place", lang, place=province_label(
                str(highlight), data.geo_version, lang), status=t(
                f"status_phrase.{own['status'].iloc[0]}", lang)) + " " + summary
    return figure_block(fig, values, lang=lang, sources=data.sources, summary=summary,
                        filename=f"map-{data.geo_version}-{target['target_id']}")


def value_map(data: ReportData, indicator: str, *, lang: str, year: int | None = None,
              highlight: str | None = None, boundaries: str | Path | None = None,
              kind: str = "auto") -> FigureBlock:
    """A map of every province's value of one indicator in one year (default: latest)."""
    values = data.values(indicator, year)
    year = int(values["year"].iloc[0])
    unit = indicator_unit(indicator)
    title = t("reporting.map.value_title", lang, indicator=indicator_name(indicator, lang),
              year=year)
    fig = choropleth(values, geo_version=data.geo_version, lang=lang, value_column="value",
                     title=title, highlight=highlight, boundaries=boundaries, kind=kind,
                     unit=unit)
    low = values.loc[values["value"].idxmin()]
    high = values.loc[values["value"].idxmax()]
    summary = t("reporting.map.value_summary", lang, year=year, n=len(values),
                low=fmt_value(low["value"], unit, lang),
                low_place=province_label(str(low["province_code"]), data.geo_version, lang),
                high=fmt_value(high["value"], unit, lang),
                high_place=province_label(str(high["province_code"]), data.geo_version, lang))
    return figure_block(fig, values, lang=lang, sources=data.sources, summary=summary,
                        filename=f"map-{data.geo_version}-{indicator}-{year}")


def sector_maps(data: ReportData, *, lang: str, boundaries: str | Path | None = None,
                kind: str = "auto") -> BlockList:
    """For each sector, a heading and the status map of its headline national target."""
    blocks: list[HtmlBlock | FigureBlock] = []
    for row in data.sector_targets().to_dict("records"):
        blocks.append(heading("notebook.national.map_sector_heading", lang, level=3,
                              sector=sector_label(str(row["sector"]), lang),
                              target=describe_target(row, lang)))
        blocks.append(status_map(data, lang=lang, target=row, boundaries=boundaries,
                                 kind=kind))
    if not blocks:
        blocks.append(paragraph("reporting.map.none", lang))
    return BlockList(blocks)


def rankings(data: ReportData, *, lang: str, year: int | None = None) -> BlockList:
    """For each sector, the ranking of its headline indicator (provinces, national value)."""
    from analysis.present.charts import ranking  # charts imports plotly (heavy)

    blocks: list[HtmlBlock | FigureBlock] = []
    for row in data.sector_targets().to_dict("records"):
        ind = str(row["indicator"])
        when = data.year_at_or_before(ind, year)
        blocks.append(heading("reporting.ranking_heading", lang, level=3,
                              sector=sector_label(str(row["sector"]), lang)))
        blocks.append(figure_block(ranking(data.observations, ind, when, lang=lang,
                                           geo_version=data.geo_version),
                                   lang=lang, sources=data.sources))
    return BlockList(blocks)
