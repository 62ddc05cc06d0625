"""What every reader shares: the format names and :class:`RawTable`, the table a reader returns.

Kept apart from ``analysis.sources.readers`` (which dispatches to the format readers) so that the
format readers import it without importing their own dispatcher (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.errors import ParameterError

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
