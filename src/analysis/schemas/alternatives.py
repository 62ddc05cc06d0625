"""The alternatives table (``alternatives.csv``): real figures set aside for a key because
another source was preferred, with the value and source used and the rule that chose."""

from __future__ import annotations

from functools import cache

import pandera.pandas as pa

from analysis.core.config import GEO_VERSIONS
from analysis.schemas.common import E_GEO, PROVINCE_CODE, YEAR_RANGE

#: Columns of alternatives.csv: one row per (key, figure set aside).
ALTERNATIVE_COLUMNS = [
    "geo_version", "province_code", "year", "indicator", "value_used", "source_used",
    "provenance_used", "value_other", "source_other", "provenance_other", "rule",
]


@cache
def alternatives_schema() -> pa.DataFrameSchema:
    """The pandera schema of ``alternatives.csv``.

    Checked: the key columns (geography, province code, plausible integer year), float
    values, and that every line names the source used, the source set aside and the rule.
    """
    def text(*checks: pa.Check) -> pa.Column:
        # any string dtype: the table the build makes from no records has object columns
        return pa.Column(None, [pa.Check(lambda v: isinstance(v, str), element_wise=True,
                                         error="must be text"), *checks])

    named = pa.Check.str_length(min_value=1)
    columns = {
        "geo_version": text(pa.Check.isin(list(GEO_VERSIONS), error=E_GEO)),
        "province_code": text(pa.Check.str_matches(PROVINCE_CODE)),
        "year": pa.Column("int64", pa.Check.in_range(*YEAR_RANGE)),
        "indicator": text(named),
        "value_used": pa.Column("float64", nullable=True),
        "source_used": text(named),
        "provenance_used": text(),
        "value_other": pa.Column("float64", nullable=True),
        "source_other": text(named),
        "provenance_other": text(),
        "rule": text(named),
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name="alternatives")
