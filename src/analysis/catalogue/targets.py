"""The targets catalogue (SPEC "Targets"): what each province must reach, by when, and who said so.

Targets live in ``data/reference/targets.yml``, one entry per target, each citing the document
that set it and the confidence of the citation (see the file's header for the fields). The
direction of an indicator (higher or lower is better) comes from the indicator catalogue, never
from a target and never by default.

Scopes:

* ``national`` — a target set for the whole country. It is assessed for the nation (``"VN"``)
  and, for indicators that can be compared across provinces (rates, per-person values; not
  counts), used as the benchmark each province is compared with.
* a 2-digit province code with its ``geo_version`` — that province only (a ``vn63`` code and a
  ``vn34`` code are different places unless the province was not merged in 2025).
* ``REG-<region>`` with a ``geo_version`` — a regional target (e.g. Resolution 30-NQ/TW for the
  Red River Delta), used as a benchmark for each province of the region.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.catalogue.geography import provinces
from analysis.catalogue.indicators import indicators
from analysis.core.config import COUNTRY_CODE, DATA_REFERENCE_DIR, GEO_VERSIONS
from analysis.core.errors import DataError
from analysis.core.text import nfc

TARGETS_FILE = DATA_REFERENCE_DIR / "targets.yml"

KINDS = ("level", "annual", "cumulative", "reduction_per_year")
COMPARISONS = (">=", ">", "<=", "<", "=", "reduce_by_per_year")
CONFIDENCE_GRADES = ("legal_text", "legal_summary", "secondary_news", "unverified")
# comparisons a direction allows ("=" means "reach this value": fine either way)
ALLOWED_COMPARISONS = {
    "higher": (">=", ">", "="),
    "lower": ("<=", "<", "=", "reduce_by_per_year"),
}
NATIONAL = "national"
REGION_PREFIX = "REG-"
PERCENT_POINTS_PER_YEAR = "percentage_points_per_year"

REQUIRED_FIELDS = ("target_id", "indicator", "scope", "kind", "value", "comparison",
                   "target_year", "unit", "source_document", "source_detail", "confidence",
                   "source_url")
_MAY_BE_EMPTY = ("source_detail", "source_url")  # the research has none for a few figures
OPTIONAL_FIELDS = ("geo_version", "base_year", "period_start", "research_confidence",
                   "research_id")

#: Columns of :func:`load_targets`, in order.
TARGET_COLUMNS = [
    "target_id", "indicator", "sector", "scope", "scope_type", "geo_version", "kind",
    "comparison", "target_value", "target_value_text", "target_year", "base_year",
    "period_start", "unit", "direction", "direction_sign", "benchmarkable",
    "source_document", "source_detail", "confidence", "research_confidence", "source_url",
    "research_id",
]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[-–]\s*(-?\d+(?:\.\d+)?)\s*$")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_ID = re.compile(r"^[a-z0-9_]+$")


def load_targets(path: str | Path | None = None) -> pd.DataFrame:
    """The targets catalogue, validated.

    Args:
        path: a targets YAML file (a list of entries); default ``data/reference/targets.yml``.

    Returns:
        One row per target, keyed by ``target_id``, with the columns of
        :data:`TARGET_COLUMNS`: the entry's fields plus ``sector``, ``direction``
        (``higher``/``lower``) and ``direction_sign`` (+1/-1) from the indicator catalogue,
        ``scope_type`` (``national``/``province``/``region``), ``target_value`` (float: the
        binding bound of a range; for ``reduction_per_year`` the yearly fall in percentage
        points) beside ``target_value_text`` (the value as the document states it) and
        ``benchmarkable`` (a national or regional target can be a benchmark for provinces:
        true for rates and per-person values, false for counts and flows). ``target_year`` is
        int64; ``base_year`` and ``period_start`` are nullable Int64.

    Raises:
        DataError: naming the file, the line of the entry and the field, for an unknown
            indicator, a unit or comparison that does not fit the indicator, an unknown kind,
            scope or confidence grade, a duplicated ``target_id``, a missing field.
    """
    path = Path(path) if path is not None else TARGETS_FILE
    if not path.exists():
        raise DataError("targets file not found", file=path)
    text = path.read_text(encoding="utf-8")
    try:
        entries = yaml.load(text, Loader=_LOADER)  # a safe loader (libyaml when available)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(f"not valid YAML: {getattr(err, 'problem', err)}", file=path,
                        row=mark.line + 1 if mark else None) from None
    if not isinstance(entries, list):
        raise DataError("the targets file must be a list of entries (each starting with '- ')",
                        file=path)
    return targets_from_records(entries, file=path, locate=lambda i: _entry_line(text, i))


def targets_from_records(records: list[dict], *, file: str | Path | None = None,
                         locate: Callable[[int], int] | None = None) -> pd.DataFrame:
    """Validate target entries (dicts with the YAML fields) into the catalogue table.

    This is what :func:`load_targets` does after reading the file; researchers can use it to
    assess their own targets in a notebook::

        from analysis.catalogue.targets import targets_from_records
        mine = targets_from_records([{"target_id": "my_water_90", ...}])
        nq.assess(observations, mine)

    Returns:
        The same table as :func:`load_targets`.
    """

    catalogue = indicators()
    rows = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(records):
        where = _Where(file, i, locate)
        if not isinstance(entry, dict):
            raise DataError("each target must be a mapping of fields", **where)
        row = _check_entry({k: _nfc(v) for k, v in entry.items()}, catalogue, where)
        if row["target_id"] in seen:
            first = _Where(file, seen[row["target_id"]], locate)["row"]
            raise DataError(f"target_id {row['target_id']!r} is used twice (first at row "
                            f"{first})", column="target_id", **where)
        seen[row["target_id"]] = i
        rows.append(row)
    df = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    df = _dtypes(df)
    validate_targets(df, file=file)
    return df


def validate_targets(df: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
    """Check a targets table against :func:`targets_schema`; raise DataError on failure."""
    import pandera.errors

    try:
        return targets_schema().validate(df, lazy=True)
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
        first = cases.iloc[0]
        raise DataError(f"targets table fails the schema ({len(cases)} problem(s)); first: "
                        f"{first.get('check')} on {first.get('column')} = "
                        f"{first.get('failure_case')!r}", file=file) from None


@cache
def targets_schema():
    """The pandera schema of the targets table (see :func:`load_targets`).

    Checks: every column present with its dtype; a known indicator; ``kind``, ``comparison``
    and ``confidence`` from their lists; ``direction`` present (never defaulted) and agreeing
    with the catalogue; the unit equal to the catalogue's (the per-year unit for
    ``reduction_per_year``); the comparison consistent with the direction; unique ids.
    """
    import pandera.pandas as pa


    cat = indicators()

    def units_match(df: pd.DataFrame) -> pd.Series:
        expected = df.apply(lambda r: expected_unit(r["kind"], cat.at[r["indicator"], "unit"])
                            if r["indicator"] in cat.index else None, axis=1)
        return df["unit"] == expected

    def comparison_fits_direction(df: pd.DataFrame) -> pd.Series:
        return df.apply(lambda r: r["comparison"] in ALLOWED_COMPARISONS.get(r["direction"], ()),
                        axis=1)

    def direction_from_catalogue(df: pd.DataFrame) -> pd.Series:
        return df["direction"] == df["indicator"].map(cat["direction"])

    return pa.DataFrameSchema(
        {
            "target_id": pa.Column(str, pa.Check.str_matches(_ID.pattern), unique=True),
            "indicator": pa.Column(str, pa.Check.isin(list(cat.index))),
            "sector": pa.Column(str),
            "scope": pa.Column(str),
            "scope_type": pa.Column(str, pa.Check.isin(["national", "province", "region"])),
            "geo_version": pa.Column(str, pa.Check.isin(list(GEO_VERSIONS)), nullable=True),
            "kind": pa.Column(str, pa.Check.isin(list(KINDS))),
            "comparison": pa.Column(str, pa.Check.isin(list(COMPARISONS))),
            "target_value": pa.Column(float, pa.Check(lambda s: s.map(math.isfinite))),
            "target_value_text": pa.Column(str),
            "target_year": pa.Column("int64", pa.Check.in_range(2000, 2100)),
            "base_year": pa.Column("Int64", nullable=True),
            "period_start": pa.Column("Int64", nullable=True),
            "unit": pa.Column(str),
            "direction": pa.Column(str, pa.Check.isin(["higher", "lower"])),
            "direction_sign": pa.Column("int64", pa.Check.isin([1, -1])),
            "benchmarkable": pa.Column(bool),
            "source_document": pa.Column(str, pa.Check.str_length(min_value=1)),
            "source_detail": pa.Column(str),
            "confidence": pa.Column(str, pa.Check.isin(list(CONFIDENCE_GRADES))),
            "research_confidence": pa.Column(str, nullable=True),
            "source_url": pa.Column(str),
            "research_id": pa.Column(str, nullable=True),
        },
        checks=[
            pa.Check(units_match, error="unit differs from the indicator catalogue"),
            pa.Check(comparison_fits_direction, error="comparison contradicts the direction"),
            pa.Check(direction_from_catalogue, error="direction differs from the catalogue"),
        ],
        strict=True,
        ordered=True,
    )


def expected_unit(kind: str, indicator_unit: str) -> str:
    """The unit a target of ``kind`` must carry for an indicator measured in ``indicator_unit``.

    ``reduction_per_year`` targets are a yearly change: ``percentage_points_per_year`` for a
    percentage, ``<unit>_per_year`` otherwise. Every other kind uses the indicator's unit.
    """
    if kind == "reduction_per_year":
        if indicator_unit == "percent":
            return PERCENT_POINTS_PER_YEAR
        return f"{indicator_unit}_per_year"
    return indicator_unit


def binding_value(value: object, comparison: str, direction: str) -> tuple[float, str]:
    """The number a target's ``value`` commits to, and the value's text as written.

    A single number is itself. A range "a-b" keeps its text; the binding bound is the one
    the comparison makes the minimum requirement: the lower bound for ``>=``, ``>`` and
    ``reduce_by_per_year`` (at least a), the upper bound for ``<=`` and ``<`` (at most b);
    for ``=`` the bound on the side of the indicator's direction (lower bound when higher
    is better).

    Raises:
        ValueError: when the value is neither a number nor a range.
    """
    if isinstance(value, bool):
        raise ValueError("a target value cannot be true/false")
    if isinstance(value, (int, float)):
        return float(value), _number_text(value)
    text = str(value).strip()
    if _NUMBER.match(text):
        return float(text), text
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"value {text!r} is neither a number nor a range like '95-100'")
    low, high = sorted((float(match.group(1)), float(match.group(2))))
    if comparison in (">=", ">", "reduce_by_per_year"):
        return low, text
    if comparison in ("<=", "<"):
        return high, text
    return (low if direction == "higher" else high), text


# --------------------------------------------------------------------------------------


def _check_entry(entry: dict, cat: pd.DataFrame, where: dict) -> dict:
    missing = [f for f in REQUIRED_FIELDS if f not in entry or entry[f] is None
               or (f not in _MAY_BE_EMPTY and entry[f] == "")]
    if missing:
        raise DataError(f"target lacks {', '.join(missing)}", column=missing[0], **where)
    unknown = sorted(set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise DataError(f"unknown field(s) {', '.join(unknown)}", column=unknown[0], **where)
    tid = str(entry["target_id"])
    if not _ID.match(tid):
        raise DataError(f"target_id {tid!r} must be lower-case letters, digits and _",
                        column="target_id", **where)
    indicator = entry["indicator"]
    if indicator not in cat.index:
        raise DataError(f"{tid}: unknown indicator {indicator!r}", column="indicator",
                        hint="add it to src/analysis/catalogue/reference/indicators/*.yml", **where)
    info = cat.loc[indicator]
    direction = info["direction"]
    kind, comparison = entry["kind"], entry["comparison"]
    if kind not in KINDS:
        raise DataError(f"{tid}: kind must be one of {', '.join(KINDS)}, not {kind!r}",
                        column="kind", **where)
    _check_comparison(tid, kind, comparison, direction, info, where)
    unit = expected_unit(kind, info["unit"])
    if entry["unit"] != unit:
        raise DataError(f"{tid}: unit {entry['unit']!r} does not match the indicator "
                        f"{indicator} ({unit!r})", column="unit", **where)
    if entry["confidence"] not in CONFIDENCE_GRADES:
        raise DataError(f"{tid}: confidence must be one of {', '.join(CONFIDENCE_GRADES)}, not "
                        f"{entry['confidence']!r}", column="confidence", **where)
    try:
        target_value, value_text = binding_value(entry["value"], comparison, direction)
    except ValueError as err:
        raise DataError(f"{tid}: {err}", column="value", **where) from None
    if kind == "reduction_per_year" and target_value <= 0:
        raise DataError(f"{tid}: a yearly reduction must be a positive number of points",
                        column="value", **where)
    target_year = _year(entry["target_year"], "target_year", tid, where)
    base_year = _optional_year(entry.get("base_year"), "base_year", tid, where)
    period_start = _optional_year(entry.get("period_start"), "period_start", tid, where)
    _check_period(tid, kind, target_year, base_year, period_start, where)
    scope, scope_type, geo = _check_scope(tid, entry["scope"], entry.get("geo_version"), where)
    return {
        "target_id": tid, "indicator": indicator, "sector": info["sector"], "scope": scope,
        "scope_type": scope_type, "geo_version": geo, "kind": kind, "comparison": comparison,
        "target_value": target_value, "target_value_text": value_text,
        "target_year": target_year, "base_year": base_year, "period_start": period_start,
        "unit": entry["unit"], "direction": direction,
        "direction_sign": 1 if direction == "higher" else -1,
        "benchmarkable": info["aggregation"] != "sum",
        "source_document": str(entry["source_document"]),
        "source_detail": str(entry["source_detail"] or ""),
        "confidence": entry["confidence"],
        "research_confidence": _optional_text(entry.get("research_confidence")),
        "source_url": str(entry["source_url"] or ""),
        "research_id": _optional_text(entry.get("research_id")),
    }


def _check_comparison(tid: str, kind: str, comparison: str, direction: str, info: pd.Series,
                      where: dict) -> None:
    if comparison not in COMPARISONS:
        raise DataError(f"{tid}: comparison must be one of {' '.join(COMPARISONS)}, not "
                        f"{comparison!r}", column="comparison", **where)
    if comparison not in ALLOWED_COMPARISONS[direction]:
        raise DataError(f"{tid}: comparison {comparison!r} contradicts the indicator's direction "
                        f"({direction} is better)", column="comparison", **where)
    if (kind == "reduction_per_year") != (comparison == "reduce_by_per_year"):
        raise DataError(f"{tid}: kind reduction_per_year goes with comparison "
                        "reduce_by_per_year, and only with it", column="comparison", **where)
    if kind in ("annual", "cumulative") and info["aggregation"] != "sum":
        raise DataError(f"{tid}: kind {kind} needs a yearly flow (an indicator that adds up), "
                        f"not {info['aggregation']!r}", column="kind", **where)
    if kind == "cumulative" and direction != "higher":
        raise DataError(f"{tid}: cumulative targets are totals to reach (higher is better)",
                        column="kind", **where)


def _check_period(tid: str, kind: str, target_year: int, base_year: int | None,
                  period_start: int | None, where: dict) -> None:
    if kind == "cumulative" and period_start is None:
        raise DataError(f"{tid}: a cumulative target needs period_start", column="period_start",
                        **where)
    if kind != "cumulative" and period_start is not None:
        raise DataError(f"{tid}: period_start is only for cumulative targets",
                        column="period_start", **where)
    for name, year in (("base_year", base_year), ("period_start", period_start)):
        if year is not None and year > target_year:
            raise DataError(f"{tid}: {name} {year} is after target_year {target_year}",
                            column=name, **where)


def _check_scope(tid: str, scope: object, geo: object, where: dict) -> tuple[str, str, str | None]:

    if isinstance(scope, int):
        raise DataError(f"{tid}: scope {scope} is a number; write province codes in quotes "
                        "('01')", column="scope", **where)
    scope = str(scope).strip()
    if scope == NATIONAL:
        if geo not in (None, ""):
            raise DataError(f"{tid}: a national target has no geo_version", column="geo_version",
                            **where)
        return scope, "national", None
    if geo not in GEO_VERSIONS:
        raise DataError(f"{tid}: scope {scope!r} needs geo_version {' or '.join(GEO_VERSIONS)}",
                        column="geo_version", **where)
    table = provinces(geo)
    if scope.startswith(REGION_PREFIX):
        region = scope[len(REGION_PREFIX):]
        if region not in set(table["region"]):
            raise DataError(f"{tid}: unknown region {region!r} in {geo}", column="scope", **where)
        return scope, "region", geo
    if scope == COUNTRY_CODE or scope not in set(table["code"]):
        raise DataError(f"{tid}: scope {scope!r} is not national, a {geo} province code or "
                        f"{REGION_PREFIX}<region>", column="scope", **where)
    return scope, "province", geo


def _year(value: object, name: str, tid: str, where: dict) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise DataError(f"{tid}: {name} must be a year (2000-2100), not {value!r}", column=name,
                        **where)
    return value


def _optional_year(value: object, name: str, tid: str, where: dict) -> int | None:
    return None if value in (None, "") else _year(value, name, tid, where)


def _optional_text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


_nfc = nfc


class _Where(Mapping):
    """``file=``/``row=`` keywords for a DataError about entry ``index``; the row (the entry's
    line in the YAML file, else its 1-based position) is looked up only when an error is
    raised."""

    def __init__(self, file: str | Path | None, index: int,
                 locate: Callable[[int], int] | None) -> None:
        self._file, self._index, self._locate = file, index, locate

    def __getitem__(self, key: str) -> object:
        if key == "file":
            return self._file
        if key == "row":
            return self._locate(self._index) if self._locate else self._index + 1
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(("file", "row"))

    def __len__(self) -> int:
        return 2


def _entry_line(text: str, index: int) -> int:
    """1-based line where top-level list entry ``index`` starts (for error messages)."""
    node = yaml.compose(text, Loader=_LOADER)
    if isinstance(node, yaml.SequenceNode) and index < len(node.value):
        return node.value[index].start_mark.line + 1
    return index + 1


def _dtypes(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in ("target_year", "direction_sign"):
        out[col] = out[col].astype("int64")
    for col in ("base_year", "period_start"):
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    out["target_value"] = out["target_value"].astype("float64")
    out["benchmarkable"] = out["benchmarkable"].astype(bool)
    for col in ("geo_version", "research_confidence", "research_id"):
        out[col] = out[col].astype("str").where(out[col].notna(), None)
    for col in set(TARGET_COLUMNS) - {"target_year", "direction_sign", "base_year",
                                      "period_start", "target_value", "benchmarkable",
                                      "geo_version", "research_confidence", "research_id"}:
        out[col] = out[col].astype("str")
    return out
