"""The coverage table (``coverage.csv``, :func:`analysis.pipeline.coverage.coverage_table`):
per geography and indicator, places, years and points by grade, and verdicts on real data."""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from analysis.catalogue.geography import province_codes
from analysis.core.config import GEO_VERSIONS
from analysis.core.provenance import GRADES
from analysis.schemas.common import E_GEO

#: Per grade g: ``provinces_<g>``, ``years_<g>``, ``points_<g>``, ``national_<g>``.
COVERAGE_GRADE_FIELDS = ("provinces", "years", "points", "national")
COVERAGE_COLUMNS = [
    "geo_version", "sector", "indicator", "name_vi", "name_en",
    *(f"{f}_{g}" for g in GRADES for f in COVERAGE_GRADE_FIELDS),
    "targets", "verdicts", "verdicts_real", "verdicts_real_provinces", "verdicts_synthetic",
]
COVERAGE_KEY = ["geo_version", "indicator"]
#: "2016–2024", "2015, 2017–2024" (runs of consecutive years, en dash) or "" (no point).
YEARS_TEXT = r"^(\d{4}(–\d{4})?(, \d{4}(–\d{4})?)*)?$"
E_COV_PROVINCES = "more provinces than the geography has"
E_COV_VERDICTS = "verdicts_real + verdicts_synthetic exceed verdicts"
E_COV_REAL_PROVINCES = "verdicts_real_provinces exceed the provinces with real verdicts"
E_COV_POINTS = "provinces counted without any point"


def _coverage_dtype(column: str) -> str:
    if column.startswith("national_"):
        return "bool"
    if column.startswith(("provinces_", "points_")) or column in (
            "targets", "verdicts", "verdicts_real", "verdicts_real_provinces",
            "verdicts_synthetic"):
        return "int64"
    return "str"


COVERAGE_DTYPES = {c: _coverage_dtype(c) for c in COVERAGE_COLUMNS}


def _province_counts_fit(df: pd.DataFrame) -> pd.Series:

    most = df["geo_version"].astype("object").map(
        {g: len(province_codes(g)) for g in GEO_VERSIONS}).astype("float64")
    counted = [f"provinces_{g}" for g in GRADES] + ["verdicts_real_provinces"]
    return df[counted].le(most, axis=0).all(axis=1)


@cache
def coverage_schema() -> pa.DataFrameSchema:
    """The pandera schema of the coverage table.

    Grain: one row per ``(geo_version, indicator)`` (``sector`` is the indicator's).
    Counts are non-negative integers; a grade's provinces never exceed the geography's
    provinces nor its points; real plus synthetic verdicts never exceed the verdicts, and
    the provinces with a real verdict never exceed the real verdicts.
    """
    columns = {}
    for col, dtype in COVERAGE_DTYPES.items():
        checks = []
        if col == "geo_version":
            checks.append(pa.Check.isin(list(GEO_VERSIONS), error=E_GEO))
        elif col.startswith("years_"):
            checks.append(pa.Check.str_matches(YEARS_TEXT, error="years must read like "
                                               "'2016–2024' (or be empty)"))
        elif dtype == "int64":
            checks.append(pa.Check.ge(0, error=f"{col} must be >= 0"))
        columns[col] = pa.Column(dtype, checks, nullable=False)
    checks = [
        pa.Check(_province_counts_fit, error=E_COV_PROVINCES),
        pa.Check(lambda df: df["verdicts_real"] + df["verdicts_synthetic"] <= df["verdicts"],
                 error=E_COV_VERDICTS),
        pa.Check(lambda df: df["verdicts_real_provinces"] <= df["verdicts_real"],
                 error=E_COV_REAL_PROVINCES),
        *(pa.Check(lambda df, g=g: df[f"provinces_{g}"] <= df[f"points_{g}"],
                   error=f"{E_COV_POINTS} ({g})") for g in GRADES),
    ]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, ordered=True, coerce=False,
                              unique=COVERAGE_KEY, report_duplicates="all", name="coverage")
