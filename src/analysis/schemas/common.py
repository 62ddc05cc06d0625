"""What the schemas of the processed tables share, and the check of a table read back.

The plausible years, the geography and province-code rules, and :func:`check_read`: a
processed table read from ``data/processed`` is checked against its declared schema, and a
table that does not match is a DataError naming the file and the problem (never a pandera
traceback).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.core.errors import DataError

YEAR_RANGE = (1990, 2035)
#: A province code: two digits, or ``VN`` for the nation.
PROVINCE_CODE = r"^(\d{2}|VN)$"
E_GEO = "geo_version must be vn63 or vn34"
REBUILD_HINT = "run `nq42 build` again (the file may come from another version or be damaged)"
_SHOWN = 3  # failures named in the message


def _column_problem(df: pd.DataFrame, schema: pa.DataFrameSchema) -> str | None:
    expected = list(schema.columns)
    missing = [c for c in expected if c not in df.columns]
    extra = [str(c) for c in df.columns if c not in schema.columns]
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(missing))
    if extra:
        parts.append("unexpected column(s) " + ", ".join(extra))
    return "; ".join(parts) or None


def _failure_text(cases: pd.DataFrame) -> str:
    """The first failures of a pandera report, one short phrase each."""
    phrases = []
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        example = group["failure_case"].iloc[0]
        rows = int(group["index"].notna().sum())
        where = f"column {column}" if isinstance(column, str) and column else "table"
        phrase = f"{where}: {check} (e.g. {example!r}"
        phrase += f", {rows} row{'s' if rows != 1 else ''})" if rows else ")"
        phrases.append(phrase)
        if len(phrases) == _SHOWN:
            break
    more = cases.groupby(["column", "check"], sort=False, dropna=False).ngroups - len(phrases)
    return "; ".join(phrases) + (f"; and {more} more" if more > 0 else "")


def check_read(df: pd.DataFrame, schema: pa.DataFrameSchema, path: str | Path) -> pd.DataFrame:
    """``df``, read from ``path``, checked against ``schema``; returned unchanged.

    The columns are checked by name (readers select them by name: their order is not
    checked); an empty table is checked for its columns only (an empty CSV file says
    nothing about its dtypes).

    Raises:
        DataError: the table does not match its schema (names the file and the problem).
    """
    path = Path(path)
    problem = _column_problem(df, schema)
    if problem:
        raise DataError(f"does not have the columns of the {schema.name} table: {problem}",
                        file=path, hint=REBUILD_HINT)
    if df.empty:
        return df
    try:
        schema.validate(df[list(schema.columns)], lazy=True)
    except pa.errors.SchemaErrors as err:
        raise DataError(f"does not match the {schema.name} schema: "
                        f"{_failure_text(err.failure_cases)}", file=path,
                        hint=REBUILD_HINT) from None
    return df
