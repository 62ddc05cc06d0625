"""The data behind the status grid (no plotly): the column of each target, the columns and
rows in order, each cell's mark and hover, and the table shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue.geography import check_geo_version, provinces
from analysis.core.config import COUNTRY_CODE
from analysis.present.charts.common import _esc
from analysis.present.charts.data import _check_progress, _has_data, sort_by_sector
from analysis.present.i18n import (
    check_language,
    evidence_detail,
    evidence_grade,
    evidence_mark,
    fmt_value,
    indicator_short_name,
    indicator_unit,
    province_label,
    row_value,
    sort_key,
    status_label,
    t,
    target_text,
)
from analysis.present.style import STATUS_MARKS, STATUS_ORDER


@dataclass(frozen=True)
class GridData:
    """What the status grid shows: the provinces of the geography (``codes``), the rows in
    order (with the country on top when asked) and their names, the columns (key,
    representative row) and their labels, the cells drawn, and the heatmap's values, marks
    and hovers row by row (``None`` / ``""`` where the target does not apply); ``shown`` are
    the progress rows of the cells drawn, in drawing order."""

    codes: list[str]
    rows: list[str]
    names: dict[str, str]
    columns: list[tuple[str, dict]]
    labels: list[str]
    cells: pd.DataFrame
    z: list[list]
    text: list[list[str]]
    hover: list[list[str]]
    shown: list[dict]


def _prepare_grid(progress: pd.DataFrame, *, lang: str, geo_version: str, sort_by: str,
                  include_national: bool) -> GridData:
    """The columns, rows and cells of :func:`analysis.present.charts.status_grid`."""
    df = _grid_progress(progress, geo_version)
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
    z, text, hover, shown = _grid_matrix(rows, columns, labels, lookup, names, lang)
    return GridData(codes=codes, rows=rows, names=names, columns=columns, labels=labels,
                    cells=cells, z=z, text=text, hover=hover, shown=shown)


def _grid_matrix(rows: list[str], columns: list[tuple[str, dict]], labels: list[str],
                 lookup: Mapping[tuple[str, str], dict], names: Mapping[str, str], lang: str
                 ) -> tuple[list[list], list[list[str]], list[list[str]], list[dict]]:
    """The heatmap's values, marks and hovers row by row, and the cells shown."""
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
    return z, text, hover, shown


def _grid_progress(progress: pd.DataFrame, geo_version: str) -> pd.DataFrame:
    """The progress rows of ``geo_version``, each with its grid column (``_column``)."""
    df = _check_progress(progress)
    if "geo_version" in df:
        df = df[df["geo_version"] == geo_version]
    return df.assign(_column=target_column_keys(df))


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
    df = _grid_progress(progress, geo_version)
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
