"""The observation table (``observations.parquet``): its shape and its rules (pandera).

:func:`observation_schema` is what the ingest validates every row against, what the build
checks before writing ``observations.parquet``, and what tests validate expected frames
with. Rows that fail go to quarantine with the failing column and the reason
(:func:`failures`), never silently dropped or fixed.

Rules:

* columns and dtypes exactly as ``docs/ARCHITECTURE.md`` ("observations");
* ``geo_version`` is ``vn63`` or ``vn34``; ``province_code`` is a province of that geography
  or ``"VN"``; ``indicator`` is in the catalogue; ``provenance`` is one of the register's
  grades (official, secondary, synthetic) — only ``nq42 ingest`` of a file outside the
  register also allows ``unregistered`` (:data:`INGEST_GRADES`), never the build;
* ``year`` is plausible: 1990–2035;
* ``value`` is present and finite; no catalogue indicator is negative; an indicator with a
  ``limit`` (percent shares: 100) never exceeds it; ``unit`` is the catalogue's unit;
* ``numerator`` and ``denominator`` (when present) are >= 0, the denominator > 0, a share's
  numerator never exceeds its denominator, and for ``ratio`` indicators
  ``value == scale * numerator / denominator`` within ``0.005 * scale`` (half a point for a
  percentage: published values are often rounded);
* one row per ``(geo_version, province_code, year, indicator)``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.catalogue.geography import province_codes
from analysis.catalogue.indicators import indicator_ids, indicators
from analysis.core.config import COUNTRY_CODE, GEO_VERSIONS
from analysis.core.provenance import GRADES, UNREGISTERED
from analysis.schemas.common import E_GEO, PROVINCE_CODE, YEAR_RANGE

OBSERVATION_COLUMNS = [
    "geo_version", "province_code", "year", "indicator", "value", "numerator", "denominator",
    "unit", "source_id", "provenance", "is_provisional", "is_estimated",
]
OBSERVATION_DTYPES = {
    "geo_version": "str", "province_code": "str", "year": "int64", "indicator": "str",
    "value": "float64", "numerator": "float64", "denominator": "float64", "unit": "str",
    "source_id": "str", "provenance": "str", "is_provisional": "bool", "is_estimated": "bool",
}
KEY = ["geo_version", "province_code", "year", "indicator"]
RATE_TOLERANCE = 0.005  # times the indicator's scale: 0.5 percentage points for percent
#: Grades the rows of ``nq42 ingest`` may carry: the register's, and ``unregistered`` for a
#: file outside the register whose grade nobody stated (never written by the build).
INGEST_GRADES = (*GRADES, UNREGISTERED)

# reason shown in quarantine -> the column it blames
E_PROVINCE = "province code is not a province of this geography version"
E_UNIT = "unit differs from the indicator catalogue's unit"
E_NEGATIVE = "negative value: this indicator cannot be below 0"
E_LIMIT = "value above the indicator's limit (a share cannot exceed 100 %)"
E_NUM_GT_DEN = "numerator larger than denominator"
E_DEN_ZERO = "denominator is 0"
E_RATE = "value does not equal scale × numerator / denominator"
E_YEAR = f"year outside the plausible range {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
E_INDICATOR = "indicator is not in the catalogue"
E_GRADE = "provenance must be official, secondary or synthetic"
E_CODE = "province code must be 2 digits or VN"
E_NEG_PART = "negative numerator or denominator"
E_VALUE_MISSING = "value missing"
E_NOT_FINITE = "value is not a finite number"
E_DUPLICATE = "duplicate (geo_version, province_code, year, indicator)"

BLAME = {
    E_PROVINCE: "province_code", E_UNIT: "unit", E_NEGATIVE: "value", E_LIMIT: "value",
    E_NUM_GT_DEN: "numerator", E_DEN_ZERO: "denominator", E_RATE: "value", E_YEAR: "year",
    E_INDICATOR: "indicator", E_GEO: "geo_version", E_GRADE: "provenance",
    E_CODE: "province_code", E_NOT_FINITE: "value", E_DUPLICATE: "key",
}
_BLAME_ORDER = ["geo_version", "province_code", "year", "indicator", "unit", "provenance",
                "numerator", "denominator", "value", "key"]


@cache
def _catalogue() -> pd.DataFrame:

    cat = indicators()
    out = pd.DataFrame(index=cat.index)
    out["unit"] = cat["unit"].astype("str")
    out["scale"] = pd.to_numeric(cat["scale"], errors="coerce").fillna(1.0).astype(float)
    out["limit"] = pd.to_numeric(cat["limit"], errors="coerce").astype(float)
    out["is_ratio"] = cat["aggregation"].eq("ratio")
    return out


@cache
def _province_sets() -> dict[str, frozenset[str]]:

    return {g: frozenset([*province_codes(g), COUNTRY_CODE]) for g in GEO_VERSIONS}


def _lookup(df: pd.DataFrame, column: str) -> pd.Series:
    looked = df["indicator"].astype("object").map(_catalogue()[column])
    if column in ("scale", "limit"):
        return looked.astype("float64")
    if column == "is_ratio":
        return looked.fillna(False).astype(bool)
    return looked


def _province_known(df: pd.DataFrame) -> pd.Series:
    ok = pd.Series(False, index=df.index)
    for geo, codes in _province_sets().items():
        rows = df["geo_version"] == geo
        ok |= rows & df["province_code"].isin(list(codes))
    return ok


def _unit_matches(df: pd.DataFrame) -> pd.Series:
    expected = _lookup(df, "unit")
    return expected.isna() | (df["unit"] == expected)


def _non_negative(df: pd.DataFrame) -> pd.Series:
    known = df["indicator"].isin(_catalogue().index)
    return ~known | ~(df["value"] < 0)


def _within_limit(df: pd.DataFrame) -> pd.Series:
    limit = _lookup(df, "limit")
    return limit.isna() | ~(df["value"] > limit)


def _both_parts(df: pd.DataFrame) -> pd.Series:
    return df["numerator"].notna() & df["denominator"].notna()


def _num_le_den(df: pd.DataFrame) -> pd.Series:
    share = _lookup(df, "limit").notna()
    return ~(share & _both_parts(df) & (df["numerator"] > df["denominator"]))


def _den_positive(df: pd.DataFrame) -> pd.Series:
    return ~(df["denominator"] == 0)


def _rate_consistent(df: pd.DataFrame) -> pd.Series:
    scale = _lookup(df, "scale")
    ratio = _lookup(df, "is_ratio")
    check = ratio & _both_parts(df) & (df["denominator"] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = scale * df["numerator"] / df["denominator"]
    gap = (df["value"] - expected).abs()
    return ~(check & (gap > RATE_TOLERANCE * scale + 1e-9))


@cache
def observation_schema(unique: bool = True, grades: tuple[str, ...] = GRADES
                       ) -> pa.DataFrameSchema:
    """The pandera schema of the observation table.

    Args:
        unique: also require one row per ``(geo_version, province_code, year,
            indicator)``; ``False`` validates facility-level rows before they are added up.
        grades: the ``provenance`` labels allowed: the register's three grades (the build,
            always); :data:`INGEST_GRADES` only for ``nq42 ingest`` of an unregistered file.
    """

    ids = indicator_ids()
    columns = {
        "geo_version": pa.Column("str", pa.Check.isin(list(GEO_VERSIONS), error=E_GEO)),
        "province_code": pa.Column("str", pa.Check.str_matches(PROVINCE_CODE, error=E_CODE)),
        "year": pa.Column("int64", pa.Check.in_range(*YEAR_RANGE, error=E_YEAR)),
        "indicator": pa.Column("str", pa.Check.isin(ids, error=E_INDICATOR)),
        "value": pa.Column("float64", pa.Check(lambda s: np.isfinite(s), error=E_NOT_FINITE),
                           nullable=False),
        "numerator": pa.Column("float64", pa.Check.ge(0, error=E_NEG_PART), nullable=True),
        "denominator": pa.Column("float64", pa.Check.ge(0, error=E_NEG_PART), nullable=True),
        "unit": pa.Column("str"),
        "source_id": pa.Column("str"),
        "provenance": pa.Column("str", pa.Check.isin(list(grades), error=E_GRADE)),
        "is_provisional": pa.Column("bool"),
        "is_estimated": pa.Column("bool"),
    }
    checks = [
        pa.Check(_province_known, error=E_PROVINCE),
        pa.Check(_unit_matches, error=E_UNIT),
        pa.Check(_non_negative, error=E_NEGATIVE),
        pa.Check(_within_limit, error=E_LIMIT),
        pa.Check(_num_le_den, error=E_NUM_GT_DEN),
        pa.Check(_den_positive, error=E_DEN_ZERO),
        pa.Check(_rate_consistent, error=E_RATE),
    ]
    return pa.DataFrameSchema(
        columns, checks=checks, strict=True, ordered=True, coerce=False,
        unique=KEY if unique else None, report_duplicates="all",
        name="observations" if unique else "observation_records",
    )


def empty_observations() -> pd.DataFrame:
    """An observation table with no rows and the exact columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in OBSERVATION_DTYPES.items()})


def conform(df: pd.DataFrame) -> pd.DataFrame:
    """Exact columns, order and dtypes of the observation table; rows sorted by the key.

    Grain: one row per ``(geo_version, province_code, year, indicator)`` (not checked
    here: see :func:`validate`).
    """
    out = pd.DataFrame(index=df.index)
    for col, dtype in OBSERVATION_DTYPES.items():
        series = df[col] if col in df else pd.Series(np.nan if dtype == "float64" else pd.NA,
                                                     index=df.index)
        if dtype == "bool":
            series = series.fillna(False).astype(bool)
        elif dtype == "str":
            series = series.astype("str")
        else:
            series = series.astype(dtype)
        out[col] = series
    out = out.sort_values(KEY, kind="mergesort").reset_index(drop=True)
    return out


def failures(df: pd.DataFrame, *, unique: bool = True, grades: tuple[str, ...] = GRADES
             ) -> pd.DataFrame:
    """Rows of ``df`` that break the schema: one line per failing row (its first failure).

    ``grades``: the provenance labels allowed (see :func:`observation_schema`).

    Returns:
        DataFrame indexed like the failing rows of ``df`` with columns ``column`` (the
        column blamed) and ``reason``. Empty when every row passes.
    """
    none = pd.DataFrame({"column": pd.Series(dtype="str"), "reason": pd.Series(dtype="str")})
    if df.empty:
        return none
    schema = observation_schema(unique, tuple(grades))
    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        all_cases = err.failure_cases
    else:
        return none
    cases = all_cases[all_cases["index"].notna()].copy()
    if cases.empty:
        # a failure not tied to rows (wrong columns or dtypes): a programming error
        raise AssertionError(f"observation table does not have the declared shape:\n"
                             f"{all_cases.to_string()}")
    cases["reason"] = cases["check"].astype("str")
    cases.loc[cases["check"].astype("str").str.contains("nullable", na=False),
              "reason"] = E_VALUE_MISSING
    cases.loc[cases["check"].astype("str").str.contains("uniqueness|duplicate", na=False),
              "reason"] = E_DUPLICATE
    cases["blamed"] = cases["reason"].map(BLAME)
    column_level = cases["schema_context"].astype("str").eq("Column")
    cases.loc[column_level & cases["blamed"].isna(), "blamed"] = cases.loc[
        column_level & cases["blamed"].isna(), "column"]
    cases["blamed"] = cases["blamed"].fillna("value")
    order = {c: k for k, c in enumerate(_BLAME_ORDER)}
    cases["rank"] = cases["blamed"].map(order).fillna(len(order))
    cases = cases.sort_values(["index", "rank"], kind="mergesort")
    first = cases.drop_duplicates("index")
    out = pd.DataFrame({"column": first["blamed"].astype("str").to_numpy(),
                        "reason": first["reason"].astype("str").to_numpy()},
                       index=pd.Index(first["index"].to_numpy()).astype(df.index.dtype))
    return out


def validate(df: pd.DataFrame) -> pd.DataFrame:
    """Validate a finished observation table; raise ``pandera`` errors if any row fails.

    Tests use it on expected frames; the build uses it as the last assertion before writing.
    """
    return observation_schema(True).validate(df, lazy=True)
