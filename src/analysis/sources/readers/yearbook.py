"""Statistical-yearbook wide tables (XLSX or CSV).

Provinces in rows with region and country rows interleaved, years in columns ("Sơ bộ -
Prel. 2024" marks provisional figures), bilingual titles and headers ("Tỉnh/Thành phố -
Province"), merged header cells, decimal comma ("68,57"), "-" for nil, ".." for not
available, footnote rows after the data.

Decisions (tested in ``tests/ingest``):

* "-" is recorded as **not reported** (no row), unless the table's own legend says "-" is
  nil/zero ("(-): Không có hiện tượng phát sinh"), in which case it reads as 0.
* ".." (not available) and "x" (not published) are never numbers.
* Region rows are recognised and dropped as aggregates; "Cả nước" becomes province "VN";
  "TOÀN TỈNH" rows of a provincial yearbook are dropped as aggregates (the province is not
  named in the row).
* Text cells are read the Vietnamese way (decimal comma) when the table shows it
  unambiguously ("68,57", "1.234,5") or when a CSV uses semicolons.
"""

from __future__ import annotations

from pathlib import Path

from analysis.sources.readers.base import RawTable
from analysis.sources.readers.pxweb_csv import read_pxweb_csv
from analysis.sources.readers.pxweb_xlsx import read_pxweb_xlsx


def read_yearbook(path: Path, data: bytes) -> RawTable:
    """Read a yearbook table into raw cells (the wide-table rules of the PX-Web readers)."""
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return read_pxweb_xlsx(path, data, fmt="yearbook")
    table = read_pxweb_csv(path, data, fmt="yearbook")
    return table
