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

from pathlib import Path

from analysis.core.errors import DataError
from analysis.sources.readers import detect
from analysis.sources.readers.base import (
    FORMATS,
    NSO_FORMATS,
    RAW_COLUMNS,
    TEMPLATE_COLUMNS,
    RawTable,
    normalise_format,
)
from analysis.sources.readers.jsonstat import read_jsonstat
from analysis.sources.readers.pxweb_csv import read_pxweb_csv
from analysis.sources.readers.pxweb_xlsx import read_pxweb_xlsx
from analysis.sources.readers.template import read_template
from analysis.sources.readers.yearbook import read_yearbook

__all__ = ["FORMATS", "NSO_FORMATS", "RAW_COLUMNS", "TEMPLATE_COLUMNS", "RawTable",
           "normalise_format", "read_raw"]

def read_raw(path: str | Path, fmt: str | None = None) -> RawTable:
    """Read one raw file with the reader for its format (detected when ``fmt`` is None).

    Raises:
        DataError: the file is missing, empty, or not readable in that format (the message
            names the file and, where it can, the row or cell).
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path)
    if path.is_dir():
        raise DataError("this is a folder, not a file", file=path)
    data = path.read_bytes()
    if not data[:4096].strip(b"\x00 \r\n\t") and not data.strip(b"\x00 \r\n\t"):
        raise DataError("the file is empty", file=path)
    fmt = normalise_format(fmt) or detect.detect_format(path, data)
    readers = {"jsonstat": read_jsonstat, "template": read_template,
               "pxweb-xlsx": read_pxweb_xlsx, "pxweb-csv": read_pxweb_csv,
               "yearbook": read_yearbook}
    return readers[fmt](path, data)
