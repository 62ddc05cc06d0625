"""CSV text into a :class:`~analysis.sources.readers.grid.Grid`: encoding, delimiter, row numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from analysis.sources.readers.encoding import Decoded, decode
from analysis.sources.readers.grid import Grid

DELIMITERS = (",", ";", "\t")


def sniff_delimiter(text: str) -> str:
    """The delimiter among comma, semicolon and tab that splits the first lines most evenly.

    Delimiters inside quotes do not count; a tie prefers the comma.
    """
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = []
        for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim):
            counts.append(len(row) - 1)
        if not counts:
            continue
        many = [c for c in counts if c > 0]
        if not many:
            continue
        # favour the delimiter giving many columns on many lines
        score = sum(many) * len(many) / len(counts)
        if score > best_score:
            best, best_score = delim, score
    return best


def text_grid(text: str, delimiter: str | None = None) -> tuple[Grid, str]:
    """Parse CSV text into rows; row numbers are physical line numbers (1-based)."""
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    numbers: list[int] = []
    line = 1
    for row in reader:
        numbers.append(line)
        rows.append([c.strip() for c in row])
        line = reader.line_num + 1
    return Grid(rows=rows, numbers=numbers), delimiter


def csv_grid(path: Path, data: bytes) -> tuple[Grid, Decoded, str]:
    """Decode and parse a CSV export."""
    decoded = decode(data, file=path)
    grid, delimiter = text_grid(decoded.text)
    return grid, decoded, delimiter
