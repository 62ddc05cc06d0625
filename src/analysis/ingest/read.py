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

from pathlib import Path

import pandas as pd

from analysis.catalogue.geography import check_geo_version
from analysis.catalogue.indicators import indicator as catalogue_entry
from analysis.core.errors import DataError, ParameterError, _display_path
from analysis.core.provenance import GRADES, SYNTHETIC, UNREGISTERED
from analysis.ingest.interpret import _interpret
from analysis.ingest.state import ReadResult, ReadState
from analysis.sources.readers import RawTable, normalise_format, read_raw
from analysis.sources.register import excerpt, find_entry, synthetic_marker, synthetic_phrase


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
