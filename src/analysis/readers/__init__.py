"""Readers: one per raw format, each turning a file into long "raw rows" (no cleaning).

A reader opens the file, finds its layout and returns a :class:`RawTable`: one row per cell
(wide tables, JSON-stat) or per record (the entry template) with the *labels as written*
(province label, year label, item label, value text) and where each one sits in the file.
Turning labels into codes, parsing numbers and validating is ``analysis.ingest``'s job.

Formats (``fmt``; detected from the content when not given, see :mod:`.detect`):

==============  ===========================================================================
``jsonstat``    NSO PX-Web JSON-stat (1.x ``{"dataset": ...}`` or 2.0)
``pxweb-csv``   NSO PX-Web CSV: plain, "with heading", comma/semicolon/tab, any encoding
``pxweb-xlsx``  NSO PX-Web ``FileTypeExcelX`` download
``yearbook``    statistical-yearbook wide table (XLSX or CSV)
``template``    the project's entry template (XLSX or CSV), one row per figure
==============  ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import DataError, ParameterError

FORMATS = ("jsonstat", "pxweb-csv", "pxweb-xlsx", "yearbook", "template")
NSO_FORMATS = ("jsonstat", "pxweb-csv", "pxweb-xlsx")
_FORMAT_ALIASES = {
    "json-stat": "jsonstat", "json": "jsonstat", "pxweb-json": "jsonstat",
    "pxweb-jsonstat": "jsonstat", "px-csv": "pxweb-csv", "px-xlsx": "pxweb-xlsx",
    "pxweb-excel": "pxweb-xlsx", "yearbook-xlsx": "yearbook", "yearbook-csv": "yearbook",
    "template-csv": "template", "template-xlsx": "template", "entry-template": "template",
}

# Columns of RawTable.cells. Wide formats fill the label columns and ``value``; the template
# also fills the rate parts and the descriptive columns.
RAW_COLUMNS = ("row", "column", "province", "year", "item", "value")
TEMPLATE_COLUMNS = ("numerator", "denominator", "unit", "source", "provenance", "note",
                    "facility")


@dataclass
class RawTable:
    """What a reader found in a file, before any interpretation.

    Attributes:
        cells: one row per value cell (wide formats) or record (template). Columns
            ``row`` (1-based row as a spreadsheet shows it, or ``cell N`` for JSON-stat),
            ``column`` (where the value sits: a column letter, a header name or ``value``),
            ``province``, ``year``, ``item`` (labels as written, NFC) and ``value`` (a
            number, or the text of the cell); template files add :data:`TEMPLATE_COLUMNS`.
            Blank cells of wide tables are not listed.
        fmt: the format name (one of :data:`FORMATS`).
        file: the file read.
        encoding: text encoding (``None`` for XLSX).
        lossy: True for the lossy Windows-1252 export (``?`` replaced letters).
        title: the table title found in the file (may be empty).
        item_candidates: for each ``item`` label, the labels to try, in order, against the
            indicator catalogue (e.g. the label with and without its unit, with its
            dimension name).
        field_columns: where a field sits when the same for every row (e.g. ``province`` ->
            ``"A"`` or the template's header text); fields not listed use ``column``.
        nil_means_zero: the table states that "-" means zero (otherwise "-" is "not
            reported").
        decimal_hint: ``"vi"`` when the layout implies a decimal comma (e.g. a semicolon
            separated CSV), else ``None``.
        blank_cells: blank cells inside the data block (not rows, counted for the report).
        footnote_lines: lines after the data that were recognised as notes.
        notes: remarks for the user (lossy encoding, ignored columns, ...).
    """

    cells: pd.DataFrame
    fmt: str
    file: Path
    encoding: str | None = None
    lossy: bool = False
    title: str = ""
    item_candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    field_columns: dict[str, str] = field(default_factory=dict)
    nil_means_zero: bool = False
    decimal_hint: str | None = None
    blank_cells: int = 0
    footnote_lines: int = 0
    notes: list[str] = field(default_factory=list)


def normalise_format(fmt: str | None) -> str | None:
    """Canonical format name, or ``None``; raises ParameterError for an unknown name."""
    if fmt is None:
        return None
    key = str(fmt).strip().lower().replace("_", "-")
    key = _FORMAT_ALIASES.get(key, key)
    if key not in FORMATS:
        raise ParameterError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
    return key


def read_raw(path: str | Path, fmt: str | None = None) -> RawTable:
    """Read one raw file with the reader for its format (detected when ``fmt`` is None).

    Raises:
        DataError: the file is missing, empty, or not readable in that format (the message
            names the file and, where it can, the row or cell).
    """
    from analysis.readers import detect

    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path)
    if path.is_dir():
        raise DataError("this is a folder, not a file", file=path)
    data = path.read_bytes()
    if not data[:4096].strip(b"\x00 \r\n\t") and not data.strip(b"\x00 \r\n\t"):
        raise DataError("the file is empty", file=path)
    fmt = normalise_format(fmt) or detect.detect_format(path, data)
    if fmt == "jsonstat":
        from analysis.readers.jsonstat import read_jsonstat

        return read_jsonstat(path, data)
    if fmt == "template":
        from analysis.readers.template import read_template

        return read_template(path, data)
    if fmt == "pxweb-xlsx":
        from analysis.readers.pxweb_xlsx import read_pxweb_xlsx

        return read_pxweb_xlsx(path, data)
    if fmt == "pxweb-csv":
        from analysis.readers.pxweb_csv import read_pxweb_csv

        return read_pxweb_csv(path, data)
    from analysis.readers.yearbook import read_yearbook

    return read_yearbook(path, data)
