"""Batch reports (``nq42 reports``): parameterised notebooks -> self-contained offline HTML.

* :mod:`analysis.reports.params` validates a request (before any kernel starts) and plans the
  reports and their file names;
* :mod:`analysis.reports.runner` runs them on a pool of worker processes with warm kernels,
  skips unchanged reports, writes ``run.json`` and ``index.html``; its steps are in
  :mod:`~analysis.reports.facts` (run facts, cache keys), :mod:`~analysis.reports.plan`
  (entries, tasks, skip logic), :mod:`~analysis.reports.pool` (the worker processes),
  :mod:`~analysis.reports.lock` (the output-folder lock), :mod:`~analysis.reports.display`
  (progress on stderr) and :mod:`~analysis.reports.manifest` (``run.json``);
* :mod:`analysis.reports.worker` executes one notebook with papermill and exports it, on the
  warm kernels of :mod:`analysis.reports.kernel` (:mod:`~analysis.reports.cells` names the
  failing cell);
* :mod:`analysis.reports.export` turns an executed notebook into one offline HTML page
  (lean plotly.js inlined once, no code, no network);
* :mod:`analysis.reports.index` renders the landing page.

Nothing heavy is imported here: papermill, nbconvert and jupytext load in the workers.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cli_reports", "run_reports"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from analysis.reports import runner  # workers import reports.worker: keep rich, pandas out

        return getattr(runner, name)
    raise AttributeError(f"module 'analysis.reports' has no attribute {name!r}")
