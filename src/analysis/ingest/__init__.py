"""Read any supported raw file into the tidy observation table, keeping account of every row.

``read(path)`` gives the observations; ``read_with_report(path)`` also says what happened to
every row read: kept, quarantined (with file, row, column, value and reason) or dropped as
an aggregate (region and whole-province rows). Always
``rows_read == rows_kept + rows_quarantined + rows_dropped_as_aggregates``.

What counts as a row: a template record (a non-blank line), or a cell of a wide table or
JSON-stat dataset that holds something. Blank cells and the "not reported" markers of wide
tables ("-", "..", "x") are not rows: they are counted in ``cells_missing`` (a "-" reads as
0 only where the table's legend says "-" means nil).

Labels become codes here:

* provinces with :func:`analysis.catalogue.geography.match_provinces` on the *distinct* labels. The
  geography is ``geo_version`` when given, else ``vn63`` for years up to 2024 and ``vn34``
  from 2025. Country rows ("Cả nước", "WHOLE COUNTRY") become ``"VN"``; region rows and
  "TOÀN TỈNH" rows are dropped as aggregates (counted, not quarantined); a former province
  with figures ("Hà Tây" before 2008) is quarantined (its figures are on old boundaries); a
  name of the other geography is quarantined with a hint;
* items with the indicator catalogue's aliases (NFC/case/space folded, then without
  diacritics, then with ``?`` as a one-letter wildcard for lossy exports); ``indicator=``
  overrides the labels;
* numbers with the file's decimal convention (Vietnamese "1.234,5" when the file shows it
  unambiguously or uses semicolons; an undecidable "1,234" is quarantined, never guessed).

Provenance of the rows comes from the register, never from a file's looks (grades and
their ranks: :mod:`analysis.core.provenance`). The first that applies:

1. the ``provenance`` argument (the build passes the register entry's grade);
2. the register entry of the file, when a ``sources.yml`` in an enclosing folder lists it
   with its SHA-256 (:func:`analysis.sources.register.find_entry`; a changed file has no entry);
3. for a file outside the register, the grade the user states (``stated_provenance``,
   ``nq42 ingest --provenance``);
4. for the entry template, its ``provenance`` column (rows without one are quarantined);
5. otherwise ``unregistered``: nothing is known about the file. An NSO export layout is
   *not* evidence of an official figure (our synthetic files use the same layouts).
   ``unregistered`` rows can be inspected and written by ``nq42 ingest --out``; the build
   never reads such a file (every build file is in the register).

Whatever the above gives, a file whose own content says it is synthetic (a title line, a
workbook's title cell or properties, a JSON-stat label/note/extension, a footnote; see
:func:`analysis.sources.register.synthetic_marker`) is graded ``synthetic``, and so is a template row
whose ``source`` says so. ``ReadResult.provenance_basis`` says which rule gave the grade. A
template row never gets a higher grade than the file's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import provenance

from analysis import schemas
from analysis.core.atomic import atomic_path
from analysis.core.config import COUNTRY_CODE, FIRST_VN34_YEAR
from analysis.core.errors import DataError, ParameterError, _display_path
from analysis.catalogue.geography import check_geo_version, match_provinces, province_codes, province_name
from analysis.catalogue.indicators import indicator as catalogue_entry
from analysis.catalogue.indicators import indicator_ids, indicators
from analysis.core.provenance import GRADES, OFFICIAL, RANK, SYNTHETIC, UNREGISTERED, weakest
from analysis.sources.readers import RawTable, normalise_format, read_raw
from analysis.sources.readers.labels import (
    BLANK,
    MISSING_MARKERS,
    NIL,
    factor,
    loose_key,
    number_style,
    parse_numbers,
    parse_year,
    strict_key,
    strip_unit,
    stripped_text,
    wildcard_match,
)
from analysis.sources.register import excerpt, find_entry, synthetic_marker, synthetic_phrase
from analysis.schemas import QUARANTINE_COLUMNS

logger = logging.getLogger(__name__)

#: Ranks of the grades (the single definition is :data:`analysis.core.provenance.RANK`).
GRADE_RANK = RANK
_GRADE_WORDS = {
    "official": "official", "chinhthuc": "official", "chinhthong": "official",
    "secondary": "secondary", "thucap": "secondary", "baochi": "secondary",
    "synthetic": "synthetic", "gialap": "synthetic", "mophong": "synthetic",
    "tonghopgialap": "synthetic", "illustrative": "synthetic",
}
_UNIT_WORDS = {
    "percent": ["%", "percent", "phần trăm", "pct", "tỷ lệ %"],
    "units": ["units", "unit", "căn", "căn hộ", "căn nhà", "dwellings"],
    "m2_per_person": ["m2/người", "m2 sàn/người", "m²/người", "m2 per person", "m2/person",
                      "m² per person"],
    "thousand_persons": ["nghìn người", "ngàn người", "thous. pers.", "thousand persons",
                         "1000 người", "thousand people"],
    "thousand_households": ["nghìn hộ", "thousand households"],
    "km2": ["km2", "km²"],
    "persons_per_km2": ["người/km2", "người/km²", "person/km2", "persons per km2"],
    "doctors_per_station": ["bác sĩ/trạm", "doctors per station"],
}

OK, MISSING, AGGREGATE, QUARANTINED = 0, 1, 2, 3
_MARKERS = set(MISSING_MARKERS) - {""}


@dataclass
class ReadResult:
    """What reading one file produced, and what happened to every row.

    Attributes:
        observations: tidy observations (columns and dtypes of ``docs/ARCHITECTURE.md``);
            one row per ``(geo_version, province_code, year, indicator)``.
        quarantine: rejected rows: ``source_id, file, row, column, value, reason, province,
            year, indicator`` (``row`` as a spreadsheet shows it, or ``cell N``).
        rows_read: rows (records or non-blank cells) read from the file.
        rows_kept: rows behind the observations.
        rows_quarantined: rows rejected (one quarantine line each).
        rows_dropped_as_aggregates: region and whole-province rows.
        dropped_reasons: count of dropped rows per reason.
        cells_missing: blank / not-reported cells, per marker (not rows).
        source_id, file, fmt, encoding, lossy, title: what was read.
        provenance: grade given to the rows (the lowest if they differ): ``official``,
            ``secondary``, ``synthetic``, or ``unregistered`` (not in a register, no grade
            stated).
        provenance_basis: why that grade (register entry, grade stated by the user,
            template column, the file saying it is synthetic, not in a register).
        notes: remarks for the user.
        citations: distinct ``source`` texts of template rows.
    """

    observations: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    rows_dropped_as_aggregates: int
    dropped_reasons: dict[str, int]
    cells_missing: dict[str, int]
    source_id: str
    file: str
    fmt: str
    encoding: str | None = None
    lossy: bool = False
    title: str = ""
    provenance: str | None = None
    provenance_basis: str = ""
    notes: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: rows read / kept / quarantined / dropped as aggregates."""
        return (f"{self.rows_read} rows read: {self.rows_kept} kept, {self.rows_quarantined} "
                f"quarantined, {self.rows_dropped_as_aggregates} aggregates dropped "
                f"-> {len(self.observations)} observations")


# ---------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------


def read(path: str | Path, indicator: str | None = None, geo_version: str | None = None,
         fmt: str | None = None) -> pd.DataFrame:
    """Read a raw file of any supported format into tidy observations (writes nothing).

    Grain: one row per ``(geo_version, province_code, year, indicator)``; keys as in SPEC
    ("Tidy observation table"); ``value`` in the indicator's catalogue unit. Rejected rows
    are left out: use :func:`read_with_report` to see them.

    Args:
        path: the file (JSON-stat, PX-Web CSV/XLSX, yearbook table or entry template).
        indicator: indicator id for every value (overrides the item labels).
        geo_version: ``vn63`` or ``vn34`` for every row (default: by year, see module doc).
        fmt: force the format (see :data:`analysis.sources.readers.FORMATS`).

    Raises:
        DataError: the file cannot be read at all (message names file and row/cell).
    """
    return read_with_report(path, indicator=indicator, geo_version=geo_version,
                            fmt=fmt).observations


def read_with_report(path: str | Path, indicator: str | None = None,
                     geo_version: str | None = None, fmt: str | None = None, *,
                     source_id: str | None = None, provenance: str | None = None,
                     stated_provenance: str | None = None) -> ReadResult:
    """Like :func:`read`, with the quarantine and the accounting of every row.

    Args:
        path, indicator, geo_version, fmt: as in :func:`read`.
        source_id: the register key (the build passes it); default: the register key of
            the file if it is registered, else its file name.
        provenance: grade for the rows (the build passes the register entry's grade).
        stated_provenance: the grade a user states for a file outside the register (the
            register's grade wins when there is one); default ``unregistered``.
    """
    state = read_state(path, indicator=indicator, geo_version=geo_version, fmt=fmt,
                       source_id=source_id, provenance=provenance,
                       stated_provenance=stated_provenance)
    return state.result()


# ---------------------------------------------------------------------------------------
# The reading state (also used by analysis.pipeline.build to reconcile sources)
# ---------------------------------------------------------------------------------------


@dataclass
class ReadState:
    """One file being read: its records with their status, and its observations.

    ``records`` has one row per raw row (see module docstring) with ``status`` (OK,
    MISSING, AGGREGATE, QUARANTINED), ``reason``, ``q_field`` and ``obs`` (the position in
    ``obs`` of the observation the record went into, -1 if none). ``obs`` holds the
    observations with an ``_obs`` id and ``_rows`` (row numbers, for messages).
    """

    raw: RawTable
    records: pd.DataFrame
    obs: pd.DataFrame
    source_id: str
    file_label: str
    provenance: str | None
    provenance_basis: str
    dropped_reasons: dict[str, int]
    cells_missing: dict[str, int]
    citations: list[str]

    def quarantine_obs(self, obs_ids: np.ndarray, reasons: np.ndarray | str) -> None:
        """Reject observations (and every record behind them) with a reason each."""
        if len(obs_ids) == 0:
            return
        reasons_arr = np.broadcast_to(np.asarray(reasons, dtype=object), (len(obs_ids),))
        by_obs = dict(zip(obs_ids.tolist(), reasons_arr.tolist(), strict=True))
        rec_obs = self.records["obs"].to_numpy()
        hit = np.isin(rec_obs, obs_ids) & (self.records["status"].to_numpy() == OK)
        idx = np.flatnonzero(hit)
        status = self.records["status"].to_numpy().copy()
        reason = self.records["reason"].to_numpy(dtype=object).copy()
        q_field = self.records["q_field"].to_numpy(dtype=object).copy()
        status[idx] = QUARANTINED
        reason[idx] = [by_obs[o] for o in rec_obs[idx]]
        q_field[idx] = "key"
        self.records["status"] = status
        self.records["reason"] = reason
        self.records["q_field"] = q_field
        self.obs = self.obs[~self.obs["_obs"].isin(obs_ids)]

    def result(self) -> ReadResult:
        """The public result, with the accounting invariant checked."""
        status = self.records["status"].to_numpy()
        read_n = int((status != MISSING).sum())
        kept = int((status == OK).sum())
        quarantined = int((status == QUARANTINED).sum())
        dropped = int((status == AGGREGATE).sum())
        if read_n != kept + quarantined + dropped:  # pragma: no cover - invariant
            raise AssertionError(f"{self.file_label}: rows read {read_n} != kept {kept} + "
                                 f"quarantined {quarantined} + dropped {dropped}")
        observations = schemas.conform(self.obs) if len(self.obs) else \
            schemas.empty_observations()
        grades = observations["provenance"].unique().tolist()
        grade = weakest(grades) if grades else self.provenance
        return ReadResult(
            observations=observations, quarantine=self.quarantine_frame(), rows_read=read_n,
            rows_kept=kept, rows_quarantined=quarantined, rows_dropped_as_aggregates=dropped,
            dropped_reasons=dict(self.dropped_reasons), cells_missing=dict(self.cells_missing),
            source_id=self.source_id, file=self.file_label, fmt=self.raw.fmt,
            encoding=self.raw.encoding, lossy=self.raw.lossy, title=self.raw.title,
            provenance=grade, provenance_basis=self.provenance_basis,
            notes=list(self.raw.notes), citations=list(self.citations),
        )

    def quarantine_frame(self) -> pd.DataFrame:
        """One line per quarantined record (see ``QUARANTINE_COLUMNS``)."""
        rec = self.records[self.records["status"].to_numpy() == QUARANTINED]
        if rec.empty:
            return pd.DataFrame({c: pd.Series(dtype="str") for c in QUARANTINE_COLUMNS})
        fields = rec["q_field"].astype("object").fillna("value")
        value = pd.Series("", index=rec.index, dtype="object")
        for f in fields.unique():
            sel = fields == f
            src = {"province_code": "province", "key": "value", "indicator": "item",
                   "geo_version": "province"}.get(f, f)
            if src in rec:
                value[sel] = rec.loc[sel, src].map(_as_text)
        names = {"province_code": "province", "indicator": "item", "key": "value"}
        column = fields.map(lambda f: self.raw.field_columns.get(f)
                            or self.raw.field_columns.get(names.get(f, f)))
        column = column.where(column.notna(), rec["column"].astype("object"))
        indicator = rec["indicator"].astype("object")
        indicator = indicator.where(indicator.notna() & (indicator != ""),
                                    rec["item"].astype("object"))
        out = pd.DataFrame({
            "source_id": self.source_id,
            "file": self.file_label,
            "row": rec["row"].astype("str"),
            "column": column.astype("str"),
            "value": value.astype("str"),
            "reason": rec["reason"].astype("str"),
            "province": rec["province"].map(_as_text).astype("str"),
            "year": rec["year"].map(_as_text).astype("str"),
            "indicator": indicator.map(_as_text).astype("str"),
        })
        return out.reset_index(drop=True)


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_state(path: str | Path, *, indicator: str | None = None,
               geo_version: str | None = None, fmt: str | None = None,
               source_id: str | None = None, provenance: str | None = None,
               file_label: str | None = None,
               stated_provenance: str | None = None) -> ReadState:
    """Read a file and interpret every row (the work behind :func:`read_with_report`).

    The grade of the rows follows the module docstring: ``provenance`` (the caller, i.e.
    the build), else the file's register entry, else ``stated_provenance`` (the user),
    else a template's ``provenance`` column, else ``unregistered``; a file that says it is
    synthetic is ``synthetic`` whatever the others say.
    """
    path = Path(path)
    if geo_version is not None:

        check_geo_version(geo_version)
    for grade in (provenance, stated_provenance):
        if grade is not None and grade not in GRADES:
            raise ParameterError(f"unknown provenance grade {grade!r}; use one of: "
                                 f"{', '.join(GRADES)}")
    if indicator is not None:

        catalogue_entry(indicator)  # ParameterError for an unknown id
    entry_key, entry = (_register_entry(path) if source_id is None or provenance is None
                        else (None, None))
    if entry is not None:
        indicator = indicator or entry.get("indicator")
        fmt = fmt or entry.get("format")
        geo_version = geo_version or entry.get("geo_version")
    provenance, basis, said = _grade_before_reading(provenance, entry_key, entry,
                                                    stated_provenance)
    source_id = source_id or entry_key or path.name
    raw = read_raw(path, fmt=normalise_format(fmt))
    if provenance is None and raw.fmt != "template":
        provenance = UNREGISTERED
        basis = "not in a register (no sources.yml entry matches this file) and no grade stated"
    elif provenance is None:
        basis = "the template's provenance column (the file is not in a register)"
    provenance, basis = _synthetic_by_content(path, raw, provenance, basis, said)
    return _interpret(raw, indicator=indicator, geo_version=geo_version, source_id=source_id,
                      provenance=provenance, basis=basis,
                      file_label=file_label or _file_label(path))


def _grade_before_reading(given: str | None, entry_key: str | None, entry: dict | None,
                          stated: str | None) -> tuple[str | None, str, str]:
    """Grade from the caller, else the register, else the user: (grade, basis, who said it).

    ``None`` when nobody gave one (then the template column, or ``unregistered``).
    """
    if given:
        basis, said = "given by the caller", f"the caller gave {given}"
    elif entry is not None:
        given = entry.get("provenance")
        basis = f"register entry {entry_key!r} (sources.yml, SHA-256 checked)"
        said = f"the register says {given}"
    elif stated is not None:
        return stated, "stated with --provenance (the file is not in a register)", \
            f"--provenance {stated} was given"
    else:
        return None, "", ""
    if stated is not None and stated != given:
        basis += f"; --provenance {stated} not applied: the register's grade wins"
    return given, basis, said


def _synthetic_by_content(path: Path, raw: RawTable, grade: str | None, basis: str,
                          said: str) -> tuple[str | None, str]:
    """A file whose content says it is synthetic is ``synthetic``, whatever else is said.

    Returns the grade and its basis. A template whose every ``source`` says it is synthetic
    counts as saying so; when only some rows do, those rows are graded synthetic (in
    :func:`_template_columns`) and the basis says so.
    """

    where = synthetic_marker(path, raw)
    if where is None and raw.fmt == "template" and "source" in raw.cells and len(raw.cells):
        sources = [u for u in _distinct_texts(raw.cells["source"]) if u.strip()]
        marked = [u for u in sources if synthetic_phrase(u)]
        if marked and len(marked) == len(sources):
            where = f"the source of every row that names one: {excerpt(marked[0])}"
        elif marked:
            return grade, (f"{basis}; rows whose source says they are synthetic are graded "
                           f"synthetic (e.g. {excerpt(marked[0])})")
    if where is None:
        return grade, basis
    text = f"the file says it is synthetic: {where}"
    if grade not in (None, SYNTHETIC, UNREGISTERED) and said:
        text += f" ({said}: not applied)"
    return SYNTHETIC, text


def _distinct_texts(series: pd.Series) -> list[str]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = series.cat.categories
    else:
        values = pd.unique(series)
    return [str(v) for v in values if isinstance(v, str)]


def _file_label(path: Path) -> str:

    return _display_path(str(path))


def _register_entry(path: Path) -> tuple[str | None, dict | None]:
    """The register key and entry of a file inside a folder with a ``sources.yml``."""
    try:

        return find_entry(path)
    except DataError:
        return None, None


# ---------------------------------------------------------------------------------------
# Interpretation
# ---------------------------------------------------------------------------------------


class _Records:
    """Status bookkeeping of the records being interpreted (one entry per raw row)."""

    def __init__(self, cells: pd.DataFrame) -> None:
        self.cells = cells.reset_index(drop=True)
        n = len(self.cells)
        self.n = n
        self.status = np.zeros(n, dtype=np.int8)
        self.reason = np.full(n, None, dtype=object)
        self.q_field = np.full(n, None, dtype=object)

    def fail(self, mask: np.ndarray, field_name: str, reason: object) -> None:
        """Quarantine the rows of ``mask`` that are still OK (first problem wins)."""
        hit = mask & (self.status == OK)
        if not hit.any():
            return
        self.status[hit] = QUARANTINED
        self.q_field[hit] = field_name
        if isinstance(reason, np.ndarray):
            self.reason[hit] = reason[hit]
        else:
            self.reason[hit] = reason


@dataclass
class _Column:
    """A column as distinct values: ``codes`` index ``uniques`` (the last one is blank)."""

    codes: np.ndarray
    uniques: list

    @classmethod
    def of(cls, series: pd.Series, text: bool = True) -> _Column:
        if text:
            codes, texts = stripped_text(series)
            return cls(codes, texts)
        codes, uniques = factor(series)
        return cls(np.where(codes < 0, len(uniques), codes), [*uniques, ""])

    def rows(self, per_unique: list | np.ndarray, dtype: object = object) -> np.ndarray:
        """Per-row values from one value per distinct value."""
        if dtype is object:
            table = np.empty(len(per_unique), dtype=object)
            table[:] = list(per_unique)
        else:
            table = np.asarray(per_unique, dtype=dtype)
        return table[self.codes]

    def used(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Codes of the distinct values present (in the rows of ``mask``)."""
        codes = self.codes if mask is None else self.codes[mask]
        return np.flatnonzero(np.bincount(codes, minlength=len(self.uniques)))


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

    # --- blanks and "not reported" markers of wide tables; years ---------------------------
    values = _Column.of(cells["value"], text=False)
    value_uniques = list(values.uniques)
    if not is_template and n:
        value_uniques = _mark_missing(rec, values, raw.nil_means_zero, cells_missing)
    year_col = _Column.of(cells["year"], text=False)
    years, provisional, year_problem = _read_years(year_col)

    # --- geography and provinces -------------------------------------------------------
    if geo_version is not None:
        is34 = np.full(n, geo_version == "vn34")
    else:
        is34 = np.nan_to_num(years, nan=0) >= FIRST_VN34_YEAR
    geo = np.where(is34, "vn34", "vn63").astype(object)
    province_col = _Column.of(cells["province"])
    codes, kinds, prov_reason, code_int = _provinces(province_col, is34, geo_version)
    dropped = _drop_aggregates(rec, kinds)
    rec.fail(pd.notna(year_problem), "year", year_problem)
    _old_boundaries(rec, codes, kinds, years, geo, province_col)
    rec.fail(pd.notna(prov_reason), "province", prov_reason)

    # --- indicators ----------------------------------------------------------------------
    item_col = _Column.of(cells["item"])
    ind_u, reason_u, parts_u = _indicators(item_col, raw, indicator, is_template)
    ind = item_col.rows(ind_u)
    if is_template:
        rec.fail(ind == None, "indicator", item_col.rows(reason_u))  # noqa: E711
        part_rate = part_role = np.full(n, None, dtype=object)
        attach = np.full((2, n), None, dtype=object)
    else:
        part_rate, part_role, attach = _part_roles(rec, item_col, ind_u, reason_u, parts_u)

    cat = schemas._catalogue()
    scale = item_col.rows([cat["scale"].get(i, np.nan) if i else np.nan for i in ind_u], float)
    unit = item_col.rows([cat["unit"].get(i) if i else None for i in ind_u])

    # --- numbers -------------------------------------------------------------------------
    value, num, den = _numbers(rec, cells, values, value_uniques, raw, is_template)
    has_parts = ~np.isnan(num) & ~np.isnan(den)
    derive = np.isnan(value) & has_parts & (den > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(derive, scale * num / den, value)
    if is_template:
        no_value = np.isnan(value) & (rec.status == OK)
        rec.fail(no_value & has_parts & (den == 0), "denominator",
                 "denominator is 0: the rate cannot be computed")
        rec.fail(no_value, "value", "no value (give value, or numerator and denominator)")

    # --- template columns: unit, provenance, source -------------------------------------
    grade_codes = np.zeros(n, dtype=np.int64)
    grades = np.full(n, provenance, dtype=object)
    grade_rank = np.full(n, GRADE_RANK.get(provenance, 0), dtype=np.int64)
    citations: list[str] = []
    if is_template:
        grade_codes, grades, grade_rank, citations = _template_columns(
            rec, cells, item_col, ind_u, provenance)
    elif provenance is None:  # pragma: no cover - read_state always sets it
        raise AssertionError("no provenance for a non-template file")

    # --- rate parts given as their own items (wide tables) --------------------------------
    companion = np.full(n, -1, dtype=np.int64)
    derived = pd.DataFrame()
    if (part_rate != None).any() or (attach[0] != None).any():  # noqa: E711
        num, den, derived = _assemble_rates(rec, ind, part_rate, part_role, attach, value,
                                            num, den, geo, codes, years, provisional,
                                            companion)

    # --- every row checked against the schema (once per distinct row) --------------------
    is_row = (rec.status == OK) & (ind != None)  # noqa: E711
    ind_int = item_col.rows([_INDICATOR_POS().get(i, -1) for i in ind_u], np.int64)
    key = (((is34.astype(np.int64) * 128 + code_int) * 4096
            + np.nan_to_num(years, nan=0).astype(np.int64)) * 4096 + ind_int)
    columns = _RowColumns(geo, codes, years, ind, value, num, den, unit, source_id, grades,
                          provisional, key, grade_rank, _allowed_grades(provenance))
    identity = [province_col.codes, is34, year_col.codes, item_col.codes, grade_codes,
                value, num, den]
    _validate_rows(rec, columns, identity, is_row, companion, derived)

    # --- observations: facility rows added up, duplicates resolved ------------------------
    facility_col = _Column.of(cells["facility"], text=False) if "facility" in cells else None
    rows = cells["row"].to_numpy()
    obs_of = np.full(n, -1, dtype=np.int64)
    obs = _to_observations(rec, columns, is_row, derived, facility_col, rows, obs_of, cat)
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
        provenance=provenance, provenance_basis=basis, dropped_reasons=dropped,
        cells_missing=cells_missing, citations=citations,
    )
    _dedupe_observations(state)
    _check_final(state)
    return state


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


def _mark_missing(rec: _Records, values: _Column, nil_is_zero: bool,
                  counts: dict[str, int]) -> list:
    """Blank and "not reported" cells of a wide table are not rows: mark and count them.

    Returns the distinct values with "-" read as 0 where the table says nil is zero.
    """
    uniques = list(values.uniques)
    kinds_u = [_missing_kind(v) for v in uniques]
    kinds_u[-1] = BLANK
    if nil_is_zero:
        uniques = [0.0 if k == NIL else v for v, k in zip(uniques, kinds_u, strict=True)]
        kinds_u = [None if k == NIL else k for k in kinds_u]
    kind = values.rows(kinds_u)
    marked = pd.notna(kind)
    rec.status[marked] = MISSING
    for k, c in pd.Series(kind[marked]).value_counts().items():
        counts[str(k)] = counts.get(str(k), 0) + int(c)
    return uniques


def _read_years(col: _Column) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, provisional flag and problem of every row (parsed once per distinct label)."""
    parsed = [parse_year(u) if u != "" else (None, False, "no year") for u in col.uniques]
    years = col.rows([np.nan if p[0] is None else float(p[0]) for p in parsed], float)
    provisional = col.rows([p[1] for p in parsed], bool)
    problem = col.rows([None if p[2] is None else f"year {p[2]}" for p in parsed])
    return years, provisional, problem


def _drop_aggregates(rec: _Records, kinds: np.ndarray) -> dict[str, int]:
    """Region and whole-province rows are aggregates: dropped and counted, per reason."""
    is_region = kinds == "region"
    is_total = kinds == "province_total"
    aggregate = (is_region | is_total) & (rec.status == OK)
    rec.status[aggregate] = AGGREGATE
    dropped = {}
    for kind, reason in (("region", "region aggregate rows"),
                         ("province_total", "whole-province total rows (TOÀN TỈNH)")):
        count = int((aggregate & (is_region if kind == "region" else is_total)).sum())
        if count:
            dropped[reason] = count
    return dropped


def _template_columns(rec: _Records, cells: pd.DataFrame, item_col: _Column, ind_u: list,
                      provenance: str | None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Unit, provenance and source of template rows: grade codes, grades, ranks, citations."""

    _check_units(rec, _Column.of(cells["unit"]), item_col, ind_u)
    grade_col = _Column.of(cells["provenance"])
    grades, grade_rank = _grades(rec, grade_col, provenance)
    source_col = _Column.of(cells["source"])
    says_synthetic = [synthetic_phrase(u) is not None for u in source_col.uniques]
    if any(says_synthetic):  # the row's own source says it is synthetic
        marked = source_col.rows(says_synthetic, bool)
        grades, grade_rank = grades.copy(), grade_rank.copy()
        grades[marked] = SYNTHETIC
        grade_rank[marked] = RANK[SYNTHETIC]
    blank_source = source_col.rows([s == "" for s in source_col.uniques], bool)
    needs = np.isin(grades, ["official", "secondary"]) & blank_source
    rec.fail(needs, "source", "source missing: an official or secondary figure must name "
             "its document (number, issuing body, date)")
    citations = sorted(source_col.uniques[c] for c in source_col.used(rec.status == OK)
                       if source_col.uniques[c])
    return grade_col.codes, grades, grade_rank, citations


def _missing_kind(value: object) -> str | None:

    if value is None or (isinstance(value, float) and np.isnan(value)):
        return BLANK
    if isinstance(value, str):
        return MISSING_MARKERS.get(value.strip())
    return None


@dataclass
class _RowColumns:
    """Per-row arrays of the candidate observations (object arrays for text)."""

    geo: np.ndarray
    codes: np.ndarray
    years: np.ndarray
    ind: np.ndarray
    value: np.ndarray
    num: np.ndarray
    den: np.ndarray
    unit: np.ndarray
    source_id: str
    grades: np.ndarray
    provisional: np.ndarray
    key: np.ndarray  # one int64 per (geo_version, province_code, year, indicator)
    grade_rank: np.ndarray  # GRADE_RANK of ``grades``
    allowed_grades: tuple[str, ...] = GRADES  # schemas.INGEST_GRADES for an unregistered file

    def frame(self, idx: np.ndarray) -> pd.DataFrame:
        """The candidate observations of rows ``idx`` (schema columns, index = row)."""
        def text(a: np.ndarray) -> pd.arrays.ArrowStringArray:
            return pd.array(a[idx].astype(str), dtype="str")

        return pd.DataFrame({
            "geo_version": text(self.geo), "province_code": text(self.codes),
            "year": np.nan_to_num(self.years[idx], nan=0).astype("int64"),
            "indicator": text(self.ind), "value": self.value[idx],
            "numerator": self.num[idx], "denominator": self.den[idx],
            "unit": text(self.unit),
            "source_id": pd.array(np.full(len(idx), self.source_id), dtype="str"),
            "provenance": text(self.grades), "is_provisional": self.provisional[idx],
            "is_estimated": np.zeros(len(idx), dtype=bool),
        }, index=idx)


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


def _provinces(col: _Column, is34: np.ndarray, explicit_geo: str | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codes, kinds, problems and integer codes (VN = 100) of every row, resolved once per
    (label, geography)."""

    n = len(col.codes)
    codes = np.full(n, None, dtype=object)
    kinds = np.full(n, "unmatched", dtype=object)
    reasons = np.full(n, None, dtype=object)
    ints = np.full(n, -1, dtype=np.int64)
    for flag in (False, True):
        sel = is34 == flag
        if not sel.any():
            continue
        g = "vn34" if flag else "vn63"
        valid = set(province_codes(g))
        used = col.used(sel)
        labels = [col.uniques[c] for c in used]
        plain = [u for u in labels if u and not _is_code(u)]
        matched = match_provinces(pd.Series(plain, dtype="object"), g, errors="mark")
        by_name = {n_: (c, k, r) for n_, c, k, r in zip(
            plain, matched["code"], matched["kind"], matched["reason"], strict=True)}
        t_code = np.full(len(col.uniques), None, dtype=object)
        t_kind = np.full(len(col.uniques), "unmatched", dtype=object)
        t_reason = np.full(len(col.uniques), "province missing", dtype=object)
        for c, u in zip(used, labels, strict=True):
            if not u:
                continue
            if _is_code(u):
                code = COUNTRY_CODE if u.upper() == COUNTRY_CODE else u.zfill(2)
                if code == COUNTRY_CODE or code in valid:
                    t_code[c], t_kind[c] = code, ("country" if code == COUNTRY_CODE
                                                  else "province")
                    t_reason[c] = None
                else:
                    t_reason[c] = f"no province has code {code} in {g}"
                continue
            code, kind, reason = by_name[u]
            code = None if pd.isna(code) else str(code)
            if kind == "historical":
                reason = (f"former province {u!r} (now part of "
                          f"{province_name(code, g)}): its figures are on old boundaries and "
                          "are not added to a current province")
            elif kind == "unmatched":
                where = "" if explicit_geo else (
                    f" (a {'2025+' if g == 'vn34' else '≤ 2024'} row is read on {g})")
                reason = f"province {u!r} not recognised for {g}{where}: {reason}"
            else:
                reason = None
            t_code[c], t_kind[c], t_reason[c] = code, kind, reason
        t_int = np.array([100 if c == COUNTRY_CODE else int(c) if c and c.isdigit() else -1
                          for c in t_code], dtype=np.int64)
        rows = np.flatnonzero(sel)
        codes[rows] = t_code[col.codes[rows]]
        kinds[rows] = t_kind[col.codes[rows]]
        reasons[rows] = t_reason[col.codes[rows]]
        ints[rows] = t_int[col.codes[rows]]
    return codes, kinds, reasons, ints


def _old_boundaries(rec: _Records, codes: np.ndarray, kinds: np.ndarray, years: np.ndarray,
                    geo: np.ndarray, col: _Column) -> None:
    """Quarantine a province's rows for years in which the same table lists a former
    province now part of it (e.g. Hà Nội while "Hà Tây" still has figures, before 2008):
    those figures are on the old boundaries, not the province's current ones."""
    historical = (kinds == "historical") & (rec.status != MISSING) & ~np.isnan(years)
    if not historical.any():
        return
    names = col.rows(col.uniques)
    old = pd.DataFrame({"geo": geo[historical], "code": codes[historical],
                        "year": years[historical], "name": names[historical]}
                       ).drop_duplicates(["geo", "code", "year"])
    current = pd.DataFrame({"geo": geo, "code": codes, "year": years})
    hit = current.merge(old, on=["geo", "code", "year"], how="left")["name"].notna()
    hit = hit.to_numpy().copy() & (kinds == "province")
    if hit.any():
        lookup = old.set_index(["geo", "code", "year"])["name"]
        reasons = np.full(rec.n, None, dtype=object)
        for i in np.flatnonzero(hit):
            former = lookup.get((geo[i], codes[i], years[i]))
            reasons[i] = (f"this table still lists the former province {former!r} in "
                          f"{int(years[i])}: the figure is on the boundaries before the merger, "
                          "not comparable with the current province")
        rec.fail(hit, "province", reasons)


def _is_code(label: str) -> bool:
    return label.isdigit() and len(label) <= 2 or label.upper() == COUNTRY_CODE


# --- indicators --------------------------------------------------------------------------


@cache
def _indicator_index() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Strict and loose keys of every id, name and alias -> indicator ids."""

    strict: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    cat = indicators()
    for ind_id, row in cat.iterrows():
        labels = [ind_id, row["name_vi"], row["name_en"], *(row["aliases"] or [])]
        for label in labels:
            for text in {label, strip_unit(label)}:
                if strict_key(text):
                    strict.setdefault(strict_key(text), set()).add(ind_id)
                if loose_key(text):
                    loose.setdefault(loose_key(text), set()).add(ind_id)
    return ({k: frozenset(v) for k, v in strict.items()},
            {k: frozenset(v) for k, v in loose.items()})


@cache
def _part_index() -> tuple[dict[str, frozenset[tuple[str, str]]],
                           dict[str, frozenset[tuple[str, str]]]]:
    """Strict and loose keys of the rate parts' names -> (indicator, "numerator"|"denominator").

    From the catalogue's ``numerator_vi/_en``, ``denominator_vi/_en`` and, when an entry has
    them, ``numerator_aliases`` / ``denominator_aliases``.
    """

    strict: dict[str, set[tuple[str, str]]] = {}
    loose: dict[str, set[tuple[str, str]]] = {}
    cat = indicators()
    for ind_id, row in cat.iterrows():
        for role in ("numerator", "denominator"):
            labels = [row.get(f"{role}_vi"), row.get(f"{role}_en")]
            extra = row.get(f"{role}_aliases")
            if isinstance(extra, list):
                labels.extend(extra)
            for label in labels:
                if not isinstance(label, str) or not label.strip():
                    continue
                for text in {label, strip_unit(label)}:
                    strict.setdefault(strict_key(text), set()).add((ind_id, role))
                    loose.setdefault(loose_key(text), set()).add((ind_id, role))
    return ({k: frozenset(v) for k, v in strict.items()},
            {k: frozenset(v) for k, v in loose.items()})


def match_part(candidates: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """The (rate indicator, role) pairs whose numerator/denominator name a label gives."""
    strict, loose = _part_index()
    for cand in candidates:
        for hits in (strict.get(strict_key(cand)), loose.get(loose_key(cand))):
            if hits:
                return hits
        key = loose_key(cand)
        if "?" in key:
            hits = frozenset().union(*(v for k, v in loose.items() if wildcard_match(key, k)))
            if hits:
                return hits
    return frozenset()


def match_indicator(candidates: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The one indicator the first matching candidate label names, or a reason.

    Each candidate is tried as written (NFC, case and spaces folded), then without
    diacritics and punctuation, then with ``?`` as a one-letter wildcard.
    """
    strict, loose = _indicator_index()
    ambiguous: set[str] = set()
    for cand in candidates:
        for hits in (strict.get(strict_key(cand)), loose.get(loose_key(cand))):
            if hits and len(hits) == 1:
                return next(iter(hits)), None
            if hits:
                ambiguous |= hits
        key = loose_key(cand)
        if "?" in key:
            hits = frozenset().union(*(v for k, v in loose.items() if wildcard_match(key, k)))
            if len(hits) == 1:
                return next(iter(hits)), None
            ambiguous |= hits
    label = candidates[0] if candidates else ""
    if ambiguous:
        return None, (f"item {label!r} fits several indicators ({', '.join(sorted(ambiguous))})"
                      "; pass --indicator")
    if not label:
        return None, "no item label: pass --indicator"
    return None, (f"item {label!r} is not in the indicator catalogue (add an alias in "
                  "src/analysis/catalogue/reference/indicators/, or pass --indicator)")


def _indicators(col: _Column, raw: RawTable, override: str | None, is_template: bool
                ) -> tuple[list, list, list]:
    """Per distinct item: the indicator it names (or None), the reason when none, and the
    rate parts (``(indicator, role)`` pairs) it names."""
    k = len(col.uniques)
    if override is not None:
        return [override] * k, [None] * k, [frozenset()] * k
    ind_u, reason_u, parts_u = [], [], []
    for u in col.uniques:
        cands = raw.item_candidates.get(u) or ((u, strip_unit(u)) if u else ())
        if is_template and not u:
            ind, reason, parts = None, "indicator missing", frozenset()
        else:
            ind, reason = match_indicator(tuple(cands)) if cands else (
                None, "no item label: pass --indicator")
            parts = frozenset() if is_template else match_part(tuple(cands))
        ind_u.append(ind)
        reason_u.append(reason)
        parts_u.append(parts)
    return ind_u, reason_u, parts_u


def _part_roles(rec: _Records, col: _Column, ind_u: list, reason_u: list, parts_u: list
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decide, for the file as a whole, which items are parts of a rate.

    An item that names no indicator but the numerator or denominator of a rate is that
    rate's part when the table also has the other part or the rate itself; an item that
    names an indicator *and* a rate part (e.g. "Dân số nông thôn") stays a value and also
    completes that rate when the rate itself is in the table (the rate's check of
    ``value == scale × numerator / denominator`` then guards the units).

    Returns per row: the rate (or None) and role of pure parts, and for values that also
    complete a rate, that rate and role (a 2 x n array).
    """
    live = col.used(rec.status != MISSING)
    value_rates = {ind_u[c] for c in live if ind_u[c]}
    roles: dict[str, dict[str, bool]] = {}
    for c in live:
        for rate, role in parts_u[c]:
            roles.setdefault(rate, {})[role] = True

    def other(role: str) -> str:
        return "denominator" if role == "numerator" else "numerator"

    k = len(col.uniques)
    p_rate, p_role = [None] * k, [None] * k
    a_rate, a_role = [None] * k, [None] * k
    failing = list(reason_u)
    for c in range(k):
        pset, item = parts_u[c], col.uniques[c]
        usable = sorted((r, role) for r, role in pset
                        if r in value_rates or roles.get(r, {}).get(other(role)))
        if ind_u[c] is not None:
            failing[c] = None
            if len(usable) == 1 and usable[0][0] in value_rates and usable[0][0] != ind_u[c]:
                a_rate[c], a_role[c] = usable[0]
        elif len(usable) == 1:
            p_rate[c], p_role[c] = usable[0]
            failing[c] = None
        elif len(usable) > 1:
            failing[c] = (f"item {item!r} fits the parts of several rates ("
                          + ", ".join(f"{role} of {r}" for r, role in usable) + ")")
        elif pset:
            rate, role = sorted(pset)[0]
            failing[c] = (f"item {item!r} is the {role} of {rate}, but the table has neither "
                          f"its {other(role)} nor the rate itself")
    reasons = col.rows(failing)
    rec.fail(pd.notna(reasons), "indicator", reasons)
    attach = np.vstack([col.rows(a_rate), col.rows(a_role)])
    return col.rows(p_rate), col.rows(p_role), attach


# --- numbers -------------------------------------------------------------------------------


def _numbers(rec: _Records, cells: pd.DataFrame, values: _Column, value_uniques: list,
             raw: RawTable, is_template: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Value, numerator and denominator of every row, parsed once per distinct cell."""
    columns = {"value": (values, value_uniques)}
    if is_template:
        for name in ("numerator", "denominator"):
            col = _Column.of(cells[name], text=False)
            columns[name] = (col, list(col.uniques))
    style = _file_number_style([u for _, us in columns.values() for u in us], raw.decimal_hint)
    out = {}
    for name, (col, uniques) in columns.items():
        filled = [not _blank(u) for u in uniques]
        parsed = np.full(len(uniques), np.nan)
        problem = np.full(len(uniques), None, dtype=object)
        idx = [k for k, f in enumerate(filled) if f]
        if idx:
            sub = pd.Series([uniques[k] for k in idx], dtype="object")
            if all(isinstance(v, str) for v in sub):
                sub = sub.astype("str")
            vals, prob = parse_numbers(sub, style)
            parsed[idx] = vals
            problem[idx] = prob.to_numpy(dtype=object)
            if is_template and name == "value":
                for k in idx:
                    if isinstance(uniques[k], str) and uniques[k].strip() in _MARKERS:
                        problem[k] = f"no value: {uniques[k].strip()!r} (not reported)"
        has_problem = col.rows(pd.notna(problem), bool)
        if has_problem.any():
            rec.fail(has_problem, name, col.rows(problem))
        out[name] = col.rows(parsed, float)
    nan = np.full(rec.n, np.nan)
    return out["value"], out.get("numerator", nan), out.get("denominator", nan)


def _blanks(values: list) -> np.ndarray:
    """``_blank`` of many values at once (vectorised for long lists of names)."""
    series = pd.Series(values, dtype="object")
    is_text = series.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    text = series.where(is_text, "x").astype("str")
    empty_text = is_text & text.str.strip().eq("").to_numpy(dtype=bool)
    return empty_text | series.isna().to_numpy(dtype=bool)


def _blank(value: object) -> bool:
    return (value is None or (isinstance(value, float) and np.isnan(value))
            or (isinstance(value, str) and not value.strip()))


def _file_number_style(uniques: list, hint: str | None) -> str | None:
    texts = pd.Series([u for u in uniques if isinstance(u, str) and u.strip()], dtype="str")
    vi, en = number_style(texts) if len(texts) else (0, 0)
    if vi and not en:
        return "vi"
    if en and not vi:
        return "en"
    if not vi and not en:
        return hint
    return None


# --- template columns ------------------------------------------------------------------------


@cache
def _unit_index() -> dict[str, str]:

    index = {loose_key(u): u for u in indicators()["unit"].unique()}
    for unit, words in _UNIT_WORDS.items():
        for w in words:
            index[loose_key(w) or w] = unit
    index["%"] = "percent"
    return index


def _check_units(rec: _Records, units: _Column, items: _Column, ind_u: list) -> None:
    index = _unit_index()
    given_u = [index.get(loose_key(u) or u) if u else "" for u in units.uniques]
    cat_unit = schemas._catalogue()["unit"]
    expected_u = [cat_unit.get(i) if i else None for i in ind_u]
    # one check per distinct (unit, item) pair
    pair = units.codes.astype(np.int64) * len(items.uniques) + items.codes
    inverse, uniq = pd.factorize(pair)
    combos = [divmod(int(c), len(items.uniques)) for c in uniq]
    bad_combo = np.array([given_u[u] != "" and given_u[u] != expected_u[i]
                          for u, i in combos], dtype=bool)
    if not bad_combo.any():
        return
    reasons = np.array([f"unit {units.uniques[u]!r} does not match the indicator's unit "
                        f"({expected_u[i]})" if b else None
                        for (u, i), b in zip(combos, bad_combo, strict=True)], dtype=object)
    rec.fail(bad_combo[inverse], "unit", reasons[inverse])


def _grades(rec: _Records, col: _Column, file_grade: str | None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per-row grade (and its rank): the row's ``provenance`` capped by the file's grade."""
    cap = RANK.get(file_grade, RANK[OFFICIAL]) if file_grade else RANK[OFFICIAL]
    grade_u, reason_u = [], []
    for u in col.uniques:
        if not u:
            grade_u.append(file_grade or "")
            reason_u.append(None if file_grade else
                            "provenance missing: official, secondary or synthetic")
            continue
        g = _GRADE_WORDS.get(loose_key(u))
        if g is None:
            grade_u.append("")
            reason_u.append(f"unknown provenance {u!r}: use official, secondary or synthetic")
            continue
        grade_u.append(file_grade if file_grade and GRADE_RANK[g] > cap else g)
        reason_u.append(None)
    reasons = col.rows(reason_u)
    rec.fail(pd.notna(reasons), "provenance", reasons)
    grade_u = [g or "synthetic" for g in grade_u]
    return col.rows(grade_u), col.rows([GRADE_RANK[g] for g in grade_u], np.int64)


_KEY5 = ["geo", "code", "year", "rate", "role"]


def _assemble_rates(rec: _Records, ind: np.ndarray, part_rate: np.ndarray,
                    part_role: np.ndarray, attach: np.ndarray, value: np.ndarray,
                    num: np.ndarray, den: np.ndarray, geo: np.ndarray, codes: np.ndarray,
                    years: np.ndarray, provisional: np.ndarray, companion: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Put numerators and denominators given as separate items with their rate.

    * a rate value in the table gets the parts of the same province and year (its
      ``value == scale × numerator / denominator`` check follows);
    * both parts without the rate give the rate (``scale × numerator / denominator``);
    * a lone part is quarantined; duplicate parts follow the duplicate rule (equal: keep one;
      different: reject all).

    The part rows share the fate of their rate (``companion`` points to the rate's row).
    Returns the updated numerator and denominator arrays and the derived rates (indexed by
    their numerator's row).
    """
    n = rec.n
    num, den = num.copy(), den.copy()
    ok = rec.status == OK
    frame = pd.DataFrame({"geo": geo, "code": codes, "year": years, "rate": part_rate,
                          "role": part_role, "v": value, "idx": np.arange(n)})
    parts = _dedupe_parts(rec, frame[ok & (part_rate != None)])  # noqa: E711
    wide = parts.pivot_table(index=_KEY5[:4], columns="role", values="idx",
                             aggfunc="first") if len(parts) else pd.DataFrame()
    attach_rate, attach_role = attach
    has_att = ok & (attach_rate != None)  # noqa: E711
    att = frame[has_att].assign(rate=attach_rate[has_att], role=attach_role[has_att])
    att = att.drop_duplicates(_KEY5, keep=False)
    att_wide = att.pivot_table(index=_KEY5[:4], columns="role", values="v",
                               aggfunc="first") if len(att) else pd.DataFrame()
    value_rows = np.flatnonzero(ok & (ind != None) & (part_rate == None))  # noqa: E711
    used: set[int] = set()
    for i in value_rows:
        key = (geo[i], codes[i], years[i], ind[i])
        found = _parts_for(key, wide, att_wide, value)
        if found is None:
            continue
        (num_i, den_i), members = found
        if np.isnan(num[i]) and np.isnan(den[i]) or members:
            num[i], den[i] = num_i, den_i
            for m in members:
                companion[m] = i
            used.update(members)
    derived = _derive_rates(wide, used, value, provisional, companion)
    lone = np.zeros(n, dtype=bool)
    lone[parts["idx"].to_numpy()] = True
    lone[list(used)] = False
    if lone.any():
        reasons = np.full(n, None, dtype=object)
        for i in np.flatnonzero(lone):
            other = "denominator" if part_role[i] == "numerator" else "numerator"
            reasons[i] = (f"a {part_role[i]} of {part_rate[i]} without its {other} for this "
                          "province and year")
        rec.fail(lone, "value", reasons)
    return num, den, derived


def _dedupe_parts(rec: _Records, parts: pd.DataFrame) -> pd.DataFrame:
    """Repeated cells of one rate part: equal ones keep the first, different ones none."""
    dup = parts.duplicated(_KEY5, keep=False)
    if not dup.any():
        return parts
    reasons = np.full(rec.n, None, dtype=object)
    drop: list[int] = []
    for _, g in parts[dup].groupby(_KEY5, sort=False):
        same = _values_equal(g[["v"]])
        for i in (g["idx"].iloc[1:] if same else g["idx"]):
            drop.append(int(i))
            reasons[i] = ("exact duplicate of another cell of the same rate part" if same else
                          "conflicting values for the same rate part, province and year")
    mask = np.zeros(rec.n, dtype=bool)
    mask[drop] = True
    rec.fail(mask, "value", reasons)
    return parts[~np.isin(parts["idx"], drop)]


def _parts_for(key: tuple, wide: pd.DataFrame, att_wide: pd.DataFrame, value: np.ndarray
               ) -> tuple[tuple[float, float], list[int]] | None:
    """Numerator and denominator for a rate value, and the part rows they come from.

    Part items of the table come first; values that double as a part ("Dân số nông thôn")
    fill in; None when the pair is incomplete.
    """
    def get(table: pd.DataFrame, role: str) -> float:
        if table.empty or role not in table.columns or key not in table.index:
            return np.nan
        return float(table.at[key, role])

    n_i, d_i = get(wide, "numerator"), get(wide, "denominator")
    a_n, a_d = get(att_wide, "numerator"), get(att_wide, "denominator")
    num = (value[int(n_i)], [int(n_i)]) if not np.isnan(n_i) else (a_n, [])
    den = (value[int(d_i)], [int(d_i)]) if not np.isnan(d_i) else (a_d, [])
    if np.isnan(num[0]) or np.isnan(den[0]):
        return None
    return (float(num[0]), float(den[0])), num[1] + den[1]


def _derive_rates(wide: pd.DataFrame, used: set[int], value: np.ndarray,
                  provisional: np.ndarray, companion: np.ndarray) -> pd.DataFrame:
    """Rates computed from a numerator and a denominator given without the rate."""
    rows = []
    if wide.empty or not {"numerator", "denominator"} <= set(wide.columns):
        return pd.DataFrame()
    scale = schemas._catalogue()["scale"]
    for key, row in wide.dropna(subset=["numerator", "denominator"]).iterrows():
        n_i, d_i = int(row["numerator"]), int(row["denominator"])
        if n_i in used:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            v = float(scale[key[3]]) * value[n_i] / value[d_i] if value[d_i] else np.nan
        rows.append({"idx": n_i, "geo_version": key[0], "province_code": key[1],
                     "year": int(key[2]), "indicator": key[3], "value": v,
                     "numerator": value[n_i], "denominator": value[d_i],
                     "is_provisional": bool(provisional[n_i] or provisional[d_i])})
        companion[d_i] = n_i
        used.update((n_i, d_i))
    if not rows:
        return pd.DataFrame()
    derived = pd.DataFrame(rows).set_index("idx")
    derived.index.name = None
    derived["year"] = derived["year"].astype("int64")
    derived["is_provisional"] = derived["is_provisional"].astype(bool)
    return derived


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


# --- observations ------------------------------------------------------------------------------


def _to_observations(rec: _Records, cols: _RowColumns, is_row: np.ndarray,
                     derived: pd.DataFrame, facility: _Column | None, rows: np.ndarray,
                     obs_of: np.ndarray, cat: pd.DataFrame) -> pd.DataFrame:
    """Province figures as they are; facility rows added up per province, year, indicator.

    Grain of the result: one row per observation (duplicates not yet resolved), with
    ``_obs`` (id), ``_first`` (first record) and ``_rows`` (row numbers, for messages).
    """
    ok = (rec.status == OK) & is_row
    if facility is not None:
        fac_blank = facility.rows(_blanks(facility.uniques), bool)
    else:
        fac_blank = np.ones(rec.n, dtype=bool)
    plain_idx = np.flatnonzero(ok & fac_blank)
    fac_idx = np.flatnonzero(ok & ~fac_blank)
    pieces = []
    if len(plain_idx):
        p = cols.frame(plain_idx)
        p["_first"] = plain_idx
        p["_rows"] = rows[plain_idx].astype(str)
        p["_group"] = -1
        pieces.append(p)
    if len(derived):
        d_ok = derived.index.to_numpy()
        d_ok = d_ok[rec.status[d_ok] == OK]
        if len(d_ok):
            p = derived.loc[d_ok].assign(
                unit=lambda f: f["indicator"].map(cat["unit"]).astype("str"),
                source_id=cols.source_id, provenance=cols.grades[d_ok].astype(str),
                is_estimated=False)
            p["_first"] = d_ok
            p["_rows"] = rows[d_ok].astype(str)
            p["_group"] = -1
            pieces.append(p)
    members = groups = np.array([], dtype=np.int64)
    if len(fac_idx):
        fac_idx = _dedupe_facilities(rec, cols, fac_idx, facility, rows)
        added, members, groups = _add_up_facilities(rec, cols, fac_idx, rows, cat)
        if len(added):
            pieces.append(added)
    if not pieces:
        return schemas.empty_observations().assign(_obs=pd.Series(dtype="int64"),
                                                   _first=pd.Series(dtype="int64"),
                                                   _rows=pd.Series(dtype="object"))
    obs = pd.concat(pieces, ignore_index=True)
    obs = obs.sort_values("_first", kind="mergesort").reset_index(drop=True)
    obs["_obs"] = np.arange(len(obs), dtype=np.int64)
    single = obs[obs["_group"] < 0]
    obs_of[single["_first"].to_numpy()] = single["_obs"].to_numpy()
    if len(members):
        keyed = obs[obs["_group"] >= 0]
        group_to_obs = np.full(int(keyed["_group"].max()) + 1, -1, dtype=np.int64)
        group_to_obs[keyed["_group"].to_numpy()] = keyed["_obs"].to_numpy()
        obs_of[members] = group_to_obs[groups]
    return obs.drop(columns="_group")


def _dedupe_facilities(rec: _Records, cols: _RowColumns, idx: np.ndarray, facility: _Column,
                       rows: np.ndarray) -> np.ndarray:
    """Exact repeats of a facility row keep the first; conflicting repeats keep none."""
    key_codes, _ = pd.factorize(cols.key[idx])
    combined = key_codes.astype(np.int64) * (len(facility.uniques) + 1) + facility.codes[idx]
    dup = pd.Series(combined).duplicated(keep=False).to_numpy()
    if not dup.any():
        return idx
    sub = pd.DataFrame({"k": key_codes[dup], "f": facility.codes[idx][dup],
                        "i": idx[dup], "v": cols.value[idx[dup]], "n": cols.num[idx[dup]],
                        "d": cols.den[idx[dup]]})
    drop, reasons = [], []
    for _, g in sub.groupby(["k", "f"], sort=False):
        if g[["v", "n", "d"]].nunique(dropna=False).le(1).all():
            for i in g["i"].iloc[1:]:
                drop.append(int(i))
                reasons.append(f"exact duplicate of row {rows[g['i'].iloc[0]]} (same facility)")
        else:
            where = ", ".join(str(rows[i]) for i in g["i"])
            for i in g["i"]:
                drop.append(int(i))
                reasons.append("conflicting values for the same facility, year and indicator "
                               f"(rows {where})")
    mask = np.zeros(rec.n, dtype=bool)
    mask[drop] = True
    arr = np.full(rec.n, None, dtype=object)
    arr[drop] = reasons
    rec.fail(mask, "facility", arr)
    return idx[~np.isin(idx, drop)]


def _add_up_facilities(rec: _Records, cols: _RowColumns, idx: np.ndarray, rows: np.ndarray,
                       cat: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Facility rows -> one observation per key (rates pooled, counts summed).

    Returns the observations (with ``_group``), the record positions used and their group.
    """

    how_of = indicators()["aggregation"]
    ids = list(_INDICATOR_POS())
    how_table = np.array([how_of.get(i, "none") for i in ids] + ["none"], dtype=object)
    pos = cols.key[idx] % 4096  # the indicator's position in the catalogue (see key)
    how = how_table[np.where(pos < len(ids), pos, len(ids))]
    ratio = how == "ratio"
    parts = ~np.isnan(cols.num[idx]) & ~np.isnan(cols.den[idx])
    no_parts = ratio & ~parts
    not_additive = ~np.isin(how, ["ratio", "sum"])
    mask = np.zeros(rec.n, dtype=bool)
    mask[idx[no_parts]] = True
    rec.fail(mask, "numerator", "a facility row of a rate needs its numerator and denominator")
    mask = np.zeros(rec.n, dtype=bool)
    mask[idx[not_additive]] = True
    rec.fail(mask, "facility", "facility rows can be added up only for counts and rates "
             "(catalogue aggregation sum or ratio)")
    keep = ~no_parts & ~not_additive
    idx, ratio = idx[keep], ratio[keep]
    if not len(idx):
        empty = np.array([], dtype=np.int64)
        return pd.DataFrame(), empty, empty
    group, _ = pd.factorize(cols.key[idx])  # codes in order of first appearance
    n_groups = int(group.max()) + 1
    first = idx[pd.Series(group).drop_duplicates().index.to_numpy()]
    count = np.bincount(group, minlength=n_groups)
    num = np.bincount(group, weights=np.nan_to_num(cols.num[idx]), minlength=n_groups)
    den = np.bincount(group, weights=np.nan_to_num(cols.den[idx]), minlength=n_groups)
    val = np.bincount(group, weights=np.nan_to_num(cols.value[idx]), minlength=n_groups)
    prov = np.bincount(group, weights=cols.provisional[idx].astype(float),
                       minlength=n_groups) > 0
    rank = pd.Series(cols.grade_rank[idx]).groupby(group).min().to_numpy()
    out = cols.frame(first)
    is_ratio = np.zeros(n_groups, dtype=bool)
    is_ratio[group[ratio]] = True
    scale = out["indicator"].astype("object").map(cat["scale"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = np.where(is_ratio, scale * num / den, val)
    out["numerator"] = np.where(is_ratio, num, np.nan)
    out["denominator"] = np.where(is_ratio, den, np.nan)
    out["provenance"] = pd.array([_RANK_GRADE[r] for r in rank], dtype="str")
    out["is_provisional"] = prov
    out["_first"] = first
    out["_rows"] = [f"{rows[f]} (+{k - 1} facility rows)" if k > 1 else str(rows[f])
                    for f, k in zip(first, count, strict=True)]
    out["_group"] = np.arange(n_groups)
    return out.reset_index(drop=True), idx.astype(np.int64), group.astype(np.int64)


_RANK_GRADE = {RANK[g]: g for g in (*GRADES, UNREGISTERED)}


@cache
def _INDICATOR_POS() -> dict[str, int]:  # noqa: N802 - a cached constant

    return {i: k for k, i in enumerate(indicator_ids())}


def _decimals(x: float) -> int:
    text = repr(float(x))
    if "e" in text or "." not in text:
        return 0
    return min(len(text.split(".")[1].rstrip("0")), 6)


def _same(a: float, b: float) -> bool:
    """Equal figures, allowing for rounding: 88145.825 and 88145.83 are the same figure."""
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    d = min(_decimals(a), _decimals(b))
    return abs(a - b) <= 0.5 * 10.0 ** -d + 1e-9 * max(1.0, abs(a))


def _values_equal(a: pd.DataFrame) -> bool:
    """Do all rows carry the same value, numerator and denominator (up to rounding)?"""
    rows = a.to_numpy(dtype=float)
    first = rows[0]
    return all(_same(x, y) for row in rows[1:] for x, y in zip(first, row, strict=True))


def _dedupe_observations(state: ReadState) -> None:
    """One observation per key: exact duplicates keep the first, conflicts keep none."""
    obs = state.obs
    if obs.empty:
        return
    dup = obs.duplicated(schemas.KEY, keep=False)
    if not dup.any():
        return
    reject: list[int] = []
    reasons: list[str] = []
    for _, g in obs[dup].groupby(schemas.KEY, sort=False):
        g = g.sort_values("_first")
        if _values_equal(g[["value", "numerator", "denominator"]]):
            for o in g["_obs"].iloc[1:]:
                reject.append(int(o))
                reasons.append(f"exact duplicate of row {g['_rows'].iloc[0]}")
        else:
            where = ", ".join(map(str, g["_rows"]))
            for o in g["_obs"]:
                reject.append(int(o))
                reasons.append("conflicting values for the same province, year and indicator "
                               f"(rows {where})")
    state.quarantine_obs(np.asarray(reject, dtype=np.int64), np.asarray(reasons, dtype=object))


# ---------------------------------------------------------------------------------------
# Several sources together (the build, and `nq42 ingest` of several files)
# ---------------------------------------------------------------------------------------


ALTERNATIVE_COLUMNS = [
    "geo_version", "province_code", "year", "indicator", "value_used", "source_used",
    "provenance_used", "value_other", "source_other", "provenance_other", "rule",
]


def reconcile(states: list[ReadState], priorities: dict[str, int] | None = None,
              alternatives: list[dict] | None = None) -> int:
    """Resolve observations that several sources give for the same key.

    The rule (docs/METHODS.md, "When sources disagree"):

    1. the highest provenance grade wins (official > secondary > synthetic); the others are
       quarantined as superseded;
    2. among sources of that grade, the highest register ``priority`` wins (default 0: a
       register entry says which source to prefer, e.g. the dedicated population table over
       one that repeats its figures); the figures of the others are quarantined as
       alternatives and, when they differ from the one used, listed in ``alternatives``
       (one dict per pair, :data:`ALTERNATIVE_COLUMNS`) so reports can show them;
    3. among sources of the same grade and priority, equal figures keep the first source's
       row (the others are quarantined as duplicates) and different figures keep none (all
       quarantined as conflicting): nobody has said which to believe.

    Returns the number of observations rejected.
    """
    priorities = priorities or {}
    frames = [s.obs[[*schemas.KEY, "value", "numerator", "denominator", "provenance", "_obs",
                     "_rows"]].assign(_state=k, _priority=int(priorities.get(s.source_id, 0)))
              for k, s in enumerate(states) if len(s.obs)]
    if len(frames) < 2:
        return 0
    allobs = pd.concat(frames, ignore_index=True)
    dup = allobs.duplicated(schemas.KEY, keep=False)
    rejects: dict[int, tuple[list[int], list[str]]] = {}
    for _, group in allobs[dup].groupby(schemas.KEY, sort=False):
        for row, reason in _reconcile_group(group, states, alternatives):
            ids, why = rejects.setdefault(int(row["_state"]), ([], []))
            ids.append(int(row["_obs"]))
            why.append(reason)
    for k, (ids, why) in rejects.items():
        states[k].quarantine_obs(np.asarray(ids, dtype=np.int64), np.asarray(why, dtype=object))
    return sum(len(ids) for ids, _ in rejects.values())


def _reconcile_group(g: pd.DataFrame, states: list[ReadState],
                     alternatives: list[dict] | None) -> list[tuple[pd.Series, str]]:
    """The rows of one key (from several sources) to reject, with the reason for each."""

    def where(row: pd.Series) -> str:
        return f"{states[int(row['_state'])].source_id} row {row['_rows']}"

    g = g.assign(_rank=g["provenance"].map(provenance.rank)).sort_values(
        ["_rank", "_priority", "_state"], ascending=[False, False, True], kind="mergesort")
    best = g.iloc[0]
    same_grade = g[g["_rank"] == best["_rank"]]
    top = same_grade[same_grade["_priority"] == best["_priority"]]
    lower = [r for _, r in g[g["_rank"] < best["_rank"]].iterrows()]
    if len(top) > 1 and not _values_equal(top[["value", "numerator", "denominator"]]):
        listed = "; ".join(where(r) for _, r in top.iterrows())
        return ([(r, f"conflicting values between sources of the same grade and priority "
                     f"({listed}): give one a higher priority in sources.yml")
                 for _, r in same_grade.iterrows()]
                + [(r, "another source with a higher provenance grade has this figure "
                       f"({listed})") for r in lower])
    keeper = top.iloc[0]
    out = [(r, f"same figure as {where(keeper)} (kept there)") for _, r in top.iloc[1:].iterrows()]
    for _, r in same_grade[same_grade["_priority"] < keeper["_priority"]].iterrows():
        equal = _values_equal(pd.DataFrame([keeper, r])[["value", "numerator", "denominator"]])
        if equal:
            out.append((r, f"same figure as {where(keeper)} (kept there)"))
            continue
        out.append((r, f"alternative figure: {where(keeper)} is used (higher priority in "
                       "sources.yml); this one is listed in alternatives.csv"))
        if alternatives is not None:
            alternatives.append(_alternative(keeper, r, states, "higher register priority"))
    for r in lower:
        out.append((r, f"superseded by {where(keeper)} ({keeper['provenance']} outranks "
                       f"{r['provenance']})"))
        if alternatives is not None and provenance.is_real(r["provenance"]) and not \
                _values_equal(pd.DataFrame([keeper, r])[["value", "numerator", "denominator"]]):
            alternatives.append(_alternative(keeper, r, states, "higher provenance grade"))
    return out


def _alternative(used: pd.Series, other: pd.Series, states: list[ReadState],
                 rule: str) -> dict:
    return {
        "geo_version": str(used["geo_version"]), "province_code": str(used["province_code"]),
        "year": int(used["year"]), "indicator": str(used["indicator"]),
        "value_used": float(used["value"]), "source_used": states[int(used["_state"])].source_id,
        "provenance_used": str(used["provenance"]), "value_other": float(other["value"]),
        "source_other": states[int(other["_state"])].source_id,
        "provenance_other": str(other["provenance"]), "rule": rule,
    }


# ---------------------------------------------------------------------------------------
# nq42 ingest
# ---------------------------------------------------------------------------------------


def cli_ingest(files: list[Path], indicator: str | None = None, geo: str | None = None,
               fmt: str | None = None, out: Path | None = None,
               quarantine: Path | None = None, provenance: str | None = None) -> int:
    """``nq42 ingest``: read files, print what happened to their rows, optionally write them.

    Touches nothing in ``data/``: writes only ``--out`` (.csv or .parquet) and
    ``--quarantine`` (.csv), atomically. ``provenance`` (``--provenance``) is the grade the
    user states for files outside the register (the register's grade wins for a registered
    file; a file that says it is synthetic stays synthetic); without it such a file is
    ``unregistered`` — written as such by ``--out``. Returns 0 when every file was read
    (even with rejected rows); a file that cannot be read raises DataError (exit 1), and
    then nothing is written.
    """
    if out is not None and Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(f"--out must end in .csv or .parquet, not {Path(out).name!r}")
    if quarantine is not None and Path(quarantine).suffix.lower() != ".csv":
        raise ParameterError(f"--quarantine must be a .csv file, not {Path(quarantine).name!r}")
    states = [read_state(f, indicator=indicator, geo_version=geo, fmt=fmt,
                         stated_provenance=provenance) for f in files]
    reconcile(states)
    results = [s.result() for s in states]
    console = console_for_cli()
    _print_results(console, results)
    observations = (pd.concat([r.observations for r in results], ignore_index=True)
                    if results else schemas.empty_observations())
    observations = schemas.conform(observations) if len(observations) else observations
    rejected = pd.concat([r.quarantine for r in results], ignore_index=True)
    if out is not None:
        _write_table(observations, Path(out))
        console.print(f"wrote {len(observations)} observations to {out}")
    if quarantine is not None:

        with atomic_path(quarantine) as tmp:
            rejected.to_csv(tmp, index=False, encoding="utf-8")
        console.print(f"wrote {len(rejected)} rejected rows to {quarantine}")
    elif len(rejected):
        console.print("rejected rows (first 10; use --quarantine FILE.csv for all):")
        for r in rejected.head(10).itertuples(index=False):
            console.print(f"  {r.file} row {r.row}, {r.column}: {r.value!r} — {r.reason}")
    return 0


REGISTER_HINT = ("to grade it, put it under data/raw/ and add it to data/raw/sources.yml "
                 "(analysis.sources.register.register_source), or state a grade with --provenance")


def console_for_cli():  # noqa: ANN201 - rich Console
    """A rich console for command output: full width in a terminal, 160 columns in a log."""
    import sys

    from rich.console import Console

    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, width=width)


def _print_results(console, results: list[ReadResult]) -> None:  # noqa: ANN001
    from rich.table import Table

    table = Table(title="nq42 ingest", show_lines=False)
    for col in ("file", "format", "provenance", "rows read", "kept", "quarantined",
                "aggregates dropped", "observations"):
        table.add_column(col, justify="right" if col not in ("file", "format", "provenance")
                         else "left", no_wrap=col == "file")
    for r in results:
        table.add_row(r.file, r.fmt, r.provenance or "", str(r.rows_read), str(r.rows_kept),
                      str(r.rows_quarantined), str(r.rows_dropped_as_aggregates),
                      str(len(r.observations)))
    console.print(table)
    for r in results:
        extras = []
        if r.provenance_basis:
            extras.append(f"provenance: {r.provenance or '—'} ({r.provenance_basis})")
        if r.cells_missing:
            extras.append("empty or not-reported cells (not rows): " + ", ".join(
                f"{k} {v}" for k, v in sorted(r.cells_missing.items())))
        extras.extend(r.notes)
        if r.provenance == SYNTHETIC:
            extras.append("SYNTHETIC data: illustrative only, not real figures")
        elif r.provenance == UNREGISTERED:
            extras.append(REGISTER_HINT)
        for line in extras:  # text from the file: never read as rich markup
            console.print(f"  {r.file}: {line}", markup=False)


def _write_table(df: pd.DataFrame, target: Path) -> None:

    with atomic_path(target) as tmp:
        if target.suffix.lower() == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            df.to_csv(tmp, index=False, encoding="utf-8")

