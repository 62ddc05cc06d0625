"""``nq42 reports``: render the national and provincial reports as offline HTML, in parallel.

Order of work:

1. every parameter is validated (:func:`analysis.reports.params.validate_request`) before
   any process or kernel starts; one error names every bad value;
2. the reports are planned (national first, then provinces, per language) and each gets a
   cache key (data files, notebook source, parameters, code and library versions): a report
   whose key matches the previous run's and whose files are present is skipped unless
   ``force``;
3. a pool of ``jobs`` worker processes (:mod:`analysis.reports.worker`) executes the others
   with papermill on warm kernels and exports them in-process with nbconvert; a rich progress
   bar shows the ETA; a failing report is recorded and the others go on;
4. ``run.json`` (facts, parameters, per-report status, duration, error and failing cell) and
   ``index.html`` are written atomically. Exit status 0 only if every report rendered.

No path written to ``run.json`` or a page is absolute: folders are shown relative to the
working folder.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from analysis.core.atomic import write_text
from analysis.reports import params as P
from analysis.reports.display import ProgressLog, progress_display
from analysis.reports.facts import (  # re-exported: the runner's API before the split
    INDEX_HTML,
    RUN_JSON,
    cache_key,
    data_hash,
    library_versions,
    run_facts,
)
from analysis.reports.index import render_index
from analysis.reports.lock import exclusive
from analysis.reports.manifest import count_statuses, record_results, run_document
from analysis.reports.plan import Plan, page_info, plan_work, worker_settings
from analysis.reports.pool import WorkerPool

__all__ = ["INDEX_HTML", "RUN_JSON", "RunOptions", "RunResult", "cache_key", "cli_reports",
           "data_hash", "library_versions", "page_info", "run_reports"]


@dataclass
class RunResult:
    """The outcome of :func:`run_reports`.

    Attributes:
        run_id: identifier of the run (also in ``run.json`` and every page's footer).
        out_dir: the output folder.
        run_json: path of ``run.json``.
        index_html: path of ``index.html``.
        reports: one entry per planned report (as in ``run.json``).
        counts: ``ok``, ``skipped``, ``failed``, ``total``.
    """

    run_id: str
    out_dir: Path
    run_json: Path
    index_html: Path
    reports: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> list[dict]:
        """The entries of the reports that failed."""
        return [r for r in self.reports if r["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        """0 when every report rendered (or was unchanged), 1 otherwise."""
        return 1 if self.failed else 0


@dataclass(frozen=True)
class RunOptions:
    """How the pool runs the reports (settings of the call, not of the request).

    Attributes:
        start_timeout: seconds allowed for a kernel to start.
        reports_per_kernel: replace a worker's kernel after this many reports.
        show_progress: show progress on stderr.
    """

    start_timeout: float = 60
    reports_per_kernel: int = 50
    show_progress: bool = True


def run_reports(*, geo: str = "vn34", langs: str | Sequence[str] = ("vi", "en"),
                provinces: str | Sequence[str] = "all", year: int | None = None,
                jobs: int | None = None, out: str | Path | None = None,
                boundaries: str | Path | None = None, force: bool = False,
                timeout: float = 300, processed_dir: str | Path | None = None,
                notebooks_dir: str | Path | None = None, reports_per_kernel: int = 50,
                start_timeout: float = 60, show_progress: bool = True) -> RunResult:
    """Render the national overview and the province reports as offline HTML.

    Args:
        geo: ``vn34`` (default) or ``vn63``.
        langs: languages (``"vi,en"`` or a sequence).
        provinces: ``"all"`` or province codes (``"01,79"`` or a sequence); the national
            overview is always rendered.
        year: reference year (default: the notebooks choose the latest with data).
        jobs: worker processes (default: CPU cores).
        out: output folder (default ``reports/latest``).
        boundaries: GeoJSON boundaries passed to the notebooks (must exist).
        force: re-render reports whose inputs are unchanged.
        timeout: seconds allowed per report (each attempt).
        processed_dir: built data (default ``data/processed``).
        notebooks_dir: folder holding ``province_report.py`` and ``national_overview.py``.
        reports_per_kernel: replace a worker's kernel after this many reports (1 = a fresh
            kernel per report, as a plain papermill loop does).
        start_timeout: seconds allowed for a kernel to start.
        show_progress: show progress on stderr: a bar with ETA on a terminal, one line per
            report otherwise.

    Returns:
        The run's outcome; ``run.json`` and ``index.html`` are written in ``out``.

    Raises:
        ParameterError: a bad parameter, before anything starts (message names every one).
        DataError: no built data in ``processed_dir``.
    """
    started = datetime.now(UTC)
    t0 = time.monotonic()
    request = P.validate_request(geo=geo, langs=langs, provinces=provinces, year=year,
                                 jobs=jobs, out=out, boundaries=boundaries, force=force,
                                 timeout=timeout, processed_dir=processed_dir,
                                 notebooks_dir=notebooks_dir)
    cwd = Path.cwd()
    specs = P.plan_reports(request, cwd=cwd)
    facts = run_facts(request, started)
    options = RunOptions(start_timeout=start_timeout, reports_per_kernel=reports_per_kernel,
                         show_progress=show_progress)
    with exclusive(request.out):
        return _run(request, specs, facts, cwd=cwd, t0=t0, options=options)


def _run(request: P.ReportRequest, specs: list[P.ReportSpec], facts: dict, *, cwd: Path,
         t0: float, options: RunOptions) -> RunResult:
    out_dir = request.out
    plan = plan_work(request, specs, facts, cwd)
    results = _render(request, specs, plan, cwd, options)
    finished = datetime.now(UTC)
    record_results(plan.entries, results, run_id=facts["run_id"], finished=finished,
                   out_dir=out_dir)
    reports = [plan.entries[s.report_id] for s in specs]
    run = run_document(request, facts, reports, finished=finished,
                       seconds=time.monotonic() - t0, cwd=cwd)
    run["parameters"]["reports_per_kernel"] = options.reports_per_kernel

    write_text(out_dir / RUN_JSON, json.dumps(run, ensure_ascii=False, indent=2) + "\n")
    write_text(out_dir / INDEX_HTML, render_index(run, out_dir=out_dir,
                                                  processed_dir=request.processed_dir))
    return RunResult(run_id=facts["run_id"], out_dir=out_dir, run_json=out_dir / RUN_JSON,
                     index_html=out_dir / INDEX_HTML, reports=reports,
                     counts=count_statuses(reports))


def _render(request: P.ReportRequest, specs: list[P.ReportSpec], plan: Plan, cwd: Path,
            options: RunOptions) -> dict[str, dict]:
    """Run the plan's tasks on the worker pool; ``report_id -> worker result``."""
    tasks = plan.tasks
    settings = worker_settings(request, specs, cwd, start_timeout=options.start_timeout,
                               reports_per_kernel=options.reports_per_kernel)
    progress, console, lines = progress_display(options.show_progress and bool(tasks))
    pool = WorkerPool(min(request.jobs, len(tasks)), settings,
                      hard_limit=2 * request.timeout + 2 * options.start_timeout + 60
                      ) if tasks else None
    try:
        with progress:
            bar = progress.add_task("", total=len(tasks))
            on_event = ProgressLog(progress, console, lines=lines, total=len(tasks), bar=bar)
            results = pool.run(tasks, on_event) if pool else {}
    except BaseException:
        if pool is not None:
            pool.close(force=True)  # Ctrl-C or a bug: stop workers and kernels now
            pool = None
        raise
    finally:
        if pool is not None:
            pool.close()
        shutil.rmtree(settings.kernel_dir, ignore_errors=True)
    return results


def cli_reports(*, geo: str = "vn34", lang: str = "vi,en", provinces: str = "all",
                year: int | None = None, jobs: int | None = None, out: Path | None = None,
                boundaries: Path | None = None, force: bool = False,
                timeout: int = 300) -> int:
    """``nq42 reports``: run, print a summary and the failures, return the exit status.

    Returns:
        0 when every report rendered (or was unchanged), 1 when any failed.
    """
    result = run_reports(geo=geo, langs=lang, provinces=provinces, year=year, jobs=jobs,
                         out=out, boundaries=boundaries, force=force, timeout=timeout,
                         show_progress=True)
    counts = result.counts
    print(f"reports: {counts['ok']} rendered, {counts['skipped']} unchanged, "
          f"{counts['failed']} failed ({counts['total']} in all)")
    for entry in result.failed:
        error = entry.get("error") or {}
        cell = ""
        if error.get("cell_index") is not None:
            cell = f" [cell {error['cell_index']}: {error.get('cell_source') or ''}]"
        print(f"  FAILED {entry['id']}: {error.get('message')}{cell}")
    print(f"open: {P.relative_to_cwd(result.index_html, Path.cwd())}")
    print(f"manifest: {P.relative_to_cwd(result.run_json, Path.cwd())}")
    return result.exit_code
