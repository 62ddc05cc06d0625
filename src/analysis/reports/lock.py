"""The output-folder lock of ``nq42 reports``: one run writes into a folder at a time."""

from __future__ import annotations

import contextlib
from pathlib import Path

from analysis.core.errors import ParameterError
from analysis.reports.facts import relative_folder


@contextlib.contextmanager
def exclusive(out_dir: Path):
    """Refuse a second run writing into the same folder at the same time."""

    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here
        yield
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / ".nq42-reports.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ParameterError(f"another `nq42 reports` run is writing into "
                                 f"{relative_folder(out_dir, Path.cwd())}; wait for it or "
                                 "choose another --out") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
