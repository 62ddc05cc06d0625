"""A raw table's rows interpreted, step by step: keys (years, geography, provinces), items,
numbers, template columns, rate parts, the schema check of every row, and the observations."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.core.config import FIRST_VN34_YEAR
from analysis.core.provenance import GRADES, UNREGISTERED
from analysis.ingest.names import _indicators, _part_roles, _PartRoles
from analysis.ingest.numbers import _mark_missing, _numbers
from analysis.ingest.observations import _dedupe_observations, _to_observations
from analysis.ingest.pool import _assemble_rates, _RateCells
from analysis.ingest.provinces import _drop_aggregates, _old_boundaries, _provinces
from analysis.ingest.records import _INDICATOR_POS, _Column, _Records, _RowColumns
from analysis.ingest.state import GRADE_RANK, OK, ReadState
from analysis.ingest.template import _template_columns
from analysis.sources.readers import RawTable
from analysis.sources.readers.labels import BLANK, parse_year

logger = logging.getLogger(__name__)


@dataclass
class _Keys:
    """Where and when every row is: its year, geography and province (per-row arrays)."""

    year_col: _Column
    years: np.ndarray
    provisional: np.ndarray
    province_col: _Column
    is34: np.ndarray
    geo: np.ndarray
    codes: np.ndarray
    code_int: np.ndarray  # VN = 100 (see _provinces)
    dropped: dict[str, int]  # aggregate rows dropped, per reason


@dataclass
class _Items:
    """What every row measures: its item, the indicator it names and the rate parts."""

    item_col: _Column
    ind_u: list  # the indicator of each distinct item (or None)
    ind: np.ndarray
    parts: _PartRoles
    scale: np.ndarray
    unit: np.ndarray


def _interpret(raw: RawTable, *, indicator: str | None, geo_version: str | None,
               source_id: str, provenance: str | None, basis: str,
               file_label: str) -> ReadState:
    rec = _Records(raw.cells)
    cells = rec.cells
    n = rec.n
    is_template = raw.fmt == "template"
    cells_missing: dict[str, int] = {}
    if raw.blank_cells:
        cells_missing[BLANK] = raw.blank_cells

    # --- blanks and "not reported" markers of wide tables; years, geography, provinces ----
    values = _Column.of(cells["value"], text=False)
    value_uniques = list(values.uniques)
    if not is_template and n:
        value_uniques = _mark_missing(rec, values, raw.nil_means_zero, cells_missing)
    keys = _place_rows(rec, geo_version)
    items = _name_rows(rec, raw, indicator, is_template)
    value, num, den = _number_rows(rec, raw, values, value_uniques, items.scale, is_template)
    grade_codes, grades, grade_rank, citations = _grade_rows(rec, items, provenance,
                                                             is_template)

    # --- rate parts given as their own items (wide tables) --------------------------------
    companion = np.full(n, -1, dtype=np.int64)
    derived = pd.DataFrame()
    if items.parts.any():
        rate_cells = _RateCells(keys.geo, keys.codes, keys.years, items.ind, value, num, den,
                                keys.provisional)
        num, den, derived = _assemble_rates(rec, rate_cells, items.parts, companion)

    # --- every row checked against the schema (once per distinct row) --------------------
    ind = items.ind
    is_row = (rec.status == OK) & (ind != None)  # noqa: E711
    ind_int = items.item_col.rows([_INDICATOR_POS().get(i, -1) for i in items.ind_u], np.int64)
    key = (((keys.is34.astype(np.int64) * 128 + keys.code_int) * 4096
            + np.nan_to_num(keys.years, nan=0).astype(np.int64)) * 4096 + ind_int)
    columns = _RowColumns(keys.geo, keys.codes, keys.years, ind, value, num, den, items.unit,
                          source_id, grades, keys.provisional, key, grade_rank,
                          _allowed_grades(provenance))
    identity = [keys.province_col.codes, keys.is34, keys.year_col.codes, items.item_col.codes,
                grade_codes, value, num, den]
    _validate_rows(rec, columns, identity, is_row, companion, derived)

    # --- observations: facility rows added up, duplicates resolved ------------------------
    facility_col = _Column.of(cells["facility"], text=False) if "facility" in cells else None
    rows = cells["row"].to_numpy()
    obs_of = np.full(n, -1, dtype=np.int64)
    obs = _to_observations(rec, columns, is_row, derived, facility_col, rows, obs_of,
                           schemas._catalogue())
    has_primary = companion >= 0
    obs_of[has_primary] = obs_of[companion[has_primary]]
    lost = has_primary & (rec.status == OK) & (obs_of < 0)
    if lost.any():  # a part whose rate was rejected shares the rate's fate
        rec.fail(lost, "value", rec.reason[np.where(lost, companion, 0)])

    records = cells.copy()
    records["status"] = rec.status
    records["reason"] = rec.reason
    records["q_field"] = rec.q_field
    records["obs"] = obs_of
    records["indicator"] = pd.Series(ind, dtype="object")
    state = ReadState(
        raw=raw, records=records, obs=obs, source_id=source_id, file_label=file_label,
        provenance=provenance, provenance_basis=basis, dropped_reasons=keys.dropped,
        cells_missing=cells_missing, citations=citations,
    )
    _dedupe_observations(state)
    _check_final(state)
    return state


def _place_rows(rec: _Records, geo_version: str | None) -> _Keys:
    """Year, geography and province of every row; aggregates dropped, bad keys quarantined.

    The geography is ``geo_version`` when given, else by year (``vn34`` from 2025).
    """
    cells = rec.cells
    year_col = _Column.of(cells["year"], text=False)
    years, provisional, year_problem = _read_years(year_col)
    if geo_version is not None:
        is34 = np.full(rec.n, geo_version == "vn34")
    else:
        is34 = np.nan_to_num(years, nan=0) >= FIRST_VN34_YEAR
    geo = np.where(is34, "vn34", "vn63").astype(object)
    province_col = _Column.of(cells["province"])
    codes, kinds, prov_reason, code_int = _provinces(province_col, is34, geo_version)
    dropped = _drop_aggregates(rec, kinds)
    rec.fail(pd.notna(year_problem), "year", year_problem)
    _old_boundaries(rec, codes, kinds, years, geo, province_col)
    rec.fail(pd.notna(prov_reason), "province", prov_reason)
    return _Keys(year_col, years, provisional, province_col, is34, geo, codes, code_int,
                 dropped)


def _name_rows(rec: _Records, raw: RawTable, indicator: str | None,
               is_template: bool) -> _Items:
    """The indicator every row names (``indicator`` overrides the labels) and its rate parts."""
    item_col = _Column.of(rec.cells["item"])
    ind_u, reason_u, parts_u = _indicators(item_col, raw, indicator, is_template)
    ind = item_col.rows(ind_u)
    if is_template:
        rec.fail(ind == None, "indicator", item_col.rows(reason_u))  # noqa: E711
        parts = _PartRoles.none(rec.n)
    else:
        parts = _part_roles(rec, item_col, ind_u, reason_u, parts_u)

    cat = schemas._catalogue()
    scale = item_col.rows([cat["scale"].get(i, np.nan) if i else np.nan for i in ind_u], float)
    unit = item_col.rows([cat["unit"].get(i) if i else None for i in ind_u])
    return _Items(item_col, ind_u, ind, parts, scale, unit)


def _number_rows(rec: _Records, raw: RawTable, values: _Column, value_uniques: list,
                 scale: np.ndarray, is_template: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, numerator and denominator of every row; a missing rate computed from its parts."""
    value, num, den = _numbers(rec, rec.cells, values, value_uniques, raw, is_template)
    has_parts = ~np.isnan(num) & ~np.isnan(den)
    derive = np.isnan(value) & has_parts & (den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(derive, scale * num / den, value)
    if is_template:
        no_value = np.isnan(value) & (rec.status == OK)
        rec.fail(no_value & has_parts & (den == 0), "denominator",
                 "denominator is 0: the rate cannot be computed")
        rec.fail(no_value, "value", "no value (give value, or numerator and denominator)")
    return value, num, den


def _grade_rows(rec: _Records, items: _Items, provenance: str | None, is_template: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Grade codes, grades and ranks of every row, and the citations.

    The file's grade, or for the template its unit, provenance and source columns.
    """
    n = rec.n
    grade_codes = np.zeros(n, dtype=np.int64)
    grades = np.full(n, provenance, dtype=object)
    grade_rank = np.full(n, GRADE_RANK.get(provenance, 0), dtype=np.int64)
    citations: list[str] = []
    if is_template:
        grade_codes, grades, grade_rank, citations = _template_columns(
            rec, rec.cells, items.item_col, items.ind_u, provenance)
    elif provenance is None:  # pragma: no cover - read_state always sets it
        raise AssertionError("no provenance for a non-template file")
    return grade_codes, grades, grade_rank, citations


def _allowed_grades(file_grade: str | None) -> tuple[str, ...]:
    """Grades the rows may carry: ``unregistered`` only when the file is (nq42 ingest)."""
    return schemas.INGEST_GRADES if file_grade == UNREGISTERED else GRADES


def _check_final(state: ReadState) -> None:
    """The observations must pass the full schema now (an internal guarantee)."""
    if len(state.obs):
        final_bad = schemas.failures(schemas.conform(state.obs), unique=True,
                                     grades=_allowed_grades(state.provenance))
        if len(final_bad):  # pragma: no cover - the checks above guarantee this
            raise AssertionError(f"{state.file_label}: observations fail the schema after "
                                 f"the row checks:\n{final_bad}")
    if state.raw.lossy:
        logger.info("%s: lossy export; names matched with wildcards", state.file_label)


def _read_years(col: _Column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, provisional flag and problem of every row (parsed once per distinct label)."""
    parsed = [parse_year(u) if u != "" else (None, False, "no year") for u in col.uniques]
    years = col.rows([np.nan if p[0] is None else float(p[0]) for p in parsed], float)
    provisional = col.rows([p[1] for p in parsed], bool)
    problem = col.rows([None if p[2] is None else f"year {p[2]}" for p in parsed])
    return years, provisional, problem


def _validate_rows(rec: _Records, cols: _RowColumns, identity: list[np.ndarray],
                   is_row: np.ndarray, companion: np.ndarray, derived: pd.DataFrame) -> None:
    """Validate every candidate row with the schema, once per distinct row.

    Facility-level files repeat the same (province, year, indicator, value) many times; the
    rows are hashed, one representative of each distinct row is validated, and its result
    applies to every row like it.
    """
    idx = np.flatnonzero(is_row)
    if len(idx):
        everything = len(idx) == rec.n
        ident = pd.DataFrame({f"c{k}": a if everything else a[idx]
                              for k, a in enumerate(identity)})
        hashed = pd.util.hash_pandas_object(ident, index=False).to_numpy()
        inverse, _ = pd.factorize(hashed)
        first = pd.Series(inverse).drop_duplicates().index.to_numpy()  # in code order
        reps = idx[first]
        bad = schemas.failures(cols.frame(reps), unique=False, grades=cols.allowed_grades)
        if len(bad):
            bad_pos = pd.Index(reps).get_indexer(bad.index.to_numpy())
            by_group = np.full(len(reps), -1, dtype=np.int64)
            by_group[bad_pos] = np.arange(len(bad))
            hit = by_group[inverse] >= 0
            rows = idx[hit]
            spread = bad.iloc[by_group[inverse][hit]].set_axis(rows)
            _fail_from_schema(rec, spread, companion)
    if len(derived):
        frame = cols.frame(np.array([], dtype=np.int64)).iloc[0:0]
        extra = derived.assign(
            unit=derived["indicator"].map(schemas._catalogue()["unit"]).astype("str"),
            source_id=cols.source_id,
            provenance=cols.grades[derived.index.to_numpy()].astype(str),
            is_estimated=False)[list(frame.columns)]
        for col in ("geo_version", "province_code", "indicator", "unit", "source_id",
                    "provenance"):
            extra[col] = extra[col].astype("str")
        bad = schemas.failures(extra, unique=False, grades=cols.allowed_grades)
        if len(bad):
            _fail_from_schema(rec, bad, companion)


def _fail_from_schema(rec: _Records, bad: pd.DataFrame,
                      companion: np.ndarray | None = None) -> None:
    if companion is not None and (companion >= 0).any():
        partners = np.flatnonzero(np.isin(companion, bad.index.to_numpy()))
        if len(partners):
            extra = bad.loc[companion[partners]].set_axis(partners)
            extra["reason"] = "the rate this part belongs to was rejected: " + extra["reason"]
            bad = pd.concat([bad, extra])
    field_of = {"province_code": "province", "indicator": "indicator", "year": "year",
                "value": "value", "numerator": "numerator", "denominator": "denominator",
                "unit": "unit", "provenance": "provenance", "geo_version": "province"}
    for column, group in bad.groupby("column"):
        mask = np.zeros(rec.n, dtype=bool)
        mask[group.index.to_numpy()] = True
        reasons = np.full(rec.n, None, dtype=object)
        reasons[group.index.to_numpy()] = group["reason"].to_numpy(dtype=object)
        rec.fail(mask, field_of.get(str(column), "value"), reasons)
