"""Cells of an executed report notebook: which one failed or was running, in one line each.

Indices count the cells of the notebook as written, not the ones papermill adds.
"""

from __future__ import annotations

import traceback
from pathlib import Path


def first_line(source: object) -> str:
    """The first non-blank line of a cell's source (at most 200 characters)."""
    text = "".join(source) if isinstance(source, list) else str(source or "")
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def describe(err: BaseException) -> str:
    """An unexpected error in one line: type, message and where it was raised."""
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (in {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(err).__name__}: {err}{where}"


_ADDED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def find_cell(nb, predicate) -> tuple[int | None, str | None]:  # noqa: ANN001
    """(index in the notebook file, first source line) of the first cell matching.

    The index counts the cells of the notebook as written (0-based, Markdown cells
    included), not the cells papermill adds (injected parameters, error markers).
    """
    if nb is None:
        return None, None
    index = 0
    for cell in nb.cells:
        if _ADDED_TAGS & set(cell.get("metadata", {}).get("tags") or []):
            continue
        if predicate(cell):
            return index, first_line(cell.get("source"))
        index += 1
    return None, None


def running_cell(nb, executed_index: int | None) -> tuple[int | None, str | None]:  # noqa: ANN001
    """The cell that was executing when the kernel died or the time ran out."""
    if nb is None or executed_index is None or executed_index >= len(nb.cells):
        return None, None
    running = nb.cells[executed_index]
    return find_cell(nb, lambda c: c is running)


def failing_cell(nb) -> tuple[int | None, str | None]:  # noqa: ANN001
    """The cell whose output is an error."""
    return find_cell(nb, lambda c: any(o.get("output_type") == "error"
                                        for o in c.get("outputs") or []))
