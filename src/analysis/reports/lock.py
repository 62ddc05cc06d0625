"""The output-folder lock of ``nq42 reports``: one run writes into a folder at a time.

The lock itself is :func:`analysis.core.lock.exclusive` (shared with ``nq42 build``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from analysis.core.lock import exclusive as _exclusive
from analysis.reports.facts import relative_folder

LOCK_NAME = ".nq42-reports.lock"


@contextlib.contextmanager
def exclusive(out_dir: Path) -> Iterator[None]:
    """Refuse a second run writing into the same folder at the same time."""
    with _exclusive(out_dir, LOCK_NAME, "nq42 reports",
                    shown=relative_folder(out_dir, Path.cwd())):
        yield
