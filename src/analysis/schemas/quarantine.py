"""The quarantine table (``quarantine.csv``, ``nq42 ingest --quarantine``): one line per
rejected row, with the file, row, column, value and reason."""

from __future__ import annotations

from functools import cache

import pandera.pandas as pa

#: Columns of quarantine.csv (and of ``nq42 ingest --quarantine``): one line per rejected row.
QUARANTINE_COLUMNS = ["source_id", "file", "row", "column", "value", "reason", "province",
                      "year", "indicator"]

@cache
def quarantine_schema() -> pa.DataFrameSchema:
    """The pandera schema of ``quarantine.csv``: text columns, every line with its reason."""
    columns = {c: pa.Column("str") for c in QUARANTINE_COLUMNS}
    columns["source_id"] = pa.Column("str", pa.Check.str_length(min_value=1))
    columns["reason"] = pa.Column("str", pa.Check.str_length(min_value=1))
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name="quarantine")
