"""The progress table (``progress.parquet``): its columns, its key and its schema (pandera).

One verdict per place and target; :func:`analysis.progress.build_progress` makes it with
these columns and the build validates it before writing.
"""

from __future__ import annotations

from functools import cache

import pandera.pandas as pa

from analysis.catalogue.methods import STATUSES
from analysis.core.config import GEO_VERSIONS
from analysis.schemas.common import PROVINCE_CODE, YEAR_RANGE

#: SPEC columns of the progress table, after the key columns geo_version and province_code.
SPEC_COLUMNS = [
    "indicator", "base_year", "base_value", "latest_year", "latest_value", "target_value",
    "target_year", "direction", "cagr_observed", "cagr_required", "progress_ratio", "status",
    "projected_value_at_target_year", "projected_year_reached", "n_points", "method",
]
#: Extra columns (docs/ARCHITECTURE.md first, then the ones the charts and rankings use).
EXTRA_COLUMNS = [
    "target_id", "kind", "comparison", "target_value_text", "scope", "confidence",
    "source_document", "source_detail", "source_url", "method_version", "csi", "provenance",
    "is_estimated", "flags",
    # more context
    "applies_as", "series", "sector", "unit", "required_value_at_target_year",
    "change_observed_per_year", "change_required_per_year", "csi_raw", "csi_expected",
    "score", "is_provisional", "source_id", "evidence_grade",
]
PROGRESS_COLUMNS = ["geo_version", "province_code", *SPEC_COLUMNS, *EXTRA_COLUMNS]
#: Key of the progress table: one verdict per place and target.
PROGRESS_KEY = ["geo_version", "province_code", "target_id"]
#: Grades a verdict may rest on ("" = no point used).
EVIDENCE_GRADES = ("official", "secondary", "synthetic", "unspecified", "")


@cache
def progress_schema() -> pa.DataFrameSchema:
    """The pandera schema of ``progress.parquet`` (columns of :data:`PROGRESS_COLUMNS`).

    Checked: the key columns and their grain, the status vocabulary, the evidence grade,
    integer years, directions ±1, and that a verdict other than ``insufficient_data`` with
    points used says what it rests on.
    """
    columns = {c: pa.Column(nullable=True) for c in PROGRESS_COLUMNS}
    columns.update({
        "geo_version": pa.Column("str", pa.Check.isin(list(GEO_VERSIONS))),
        "province_code": pa.Column("str", pa.Check.str_matches(PROVINCE_CODE)),
        "target_id": pa.Column("str", pa.Check.str_length(min_value=1)),
        "indicator": pa.Column("str", pa.Check.str_length(min_value=1)),
        "status": pa.Column("str", pa.Check.isin(list(STATUSES))),
        "evidence_grade": pa.Column("str", pa.Check.isin(list(EVIDENCE_GRADES))),
        "direction": pa.Column("int64", pa.Check.isin([-1, 1])),
        "target_year": pa.Column("int64", pa.Check.in_range(*YEAR_RANGE[:1], 2100)),
        "n_points": pa.Column("int64", pa.Check.ge(0)),
        "base_year": pa.Column("Int64", nullable=True),
        "latest_year": pa.Column("Int64", nullable=True),
    })
    graded = pa.Check(lambda df: (df["n_points"] == 0) | (df["evidence_grade"] != ""),
                      error="a verdict that used points must say what it rests on")
    return pa.DataFrameSchema(columns, checks=[graded], strict=True, ordered=True,
                              unique=PROGRESS_KEY, report_duplicates="all", name="progress")
