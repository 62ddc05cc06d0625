"""Worker processes of ``nq42 reports``: warm kernels that execute notebooks and export HTML.

Each worker process keeps **one long-lived kernel** (started with the project's own Python, on
Unix-socket transport where available) and runs report after report through it with
papermill's Python API and a small papermill engine (``nq42-warm``) that hands papermill the
running kernel instead of starting a new one. Between two reports the kernel's namespace is
reset (``%reset -f``, working folder, ``sys.path``, environment, warning filters, plotly and
pandas defaults restored, execution counter back to 1), so a report sees the same state as in
a fresh kernel, minus the cost of starting Python and importing pandas and plotly again. The
kernel is replaced after any failure, after ``reports_per_kernel`` reports, or when it dies.

Kernel starts are serialised across workers by a lock (the staggered start that avoids the
parallel-launch race of papermill#239), each report has a deadline (its timeout), and a report
whose kernel died or did not start is retried once on a fresh kernel.

The kernels are in :mod:`analysis.reports.kernel`; papermill, nbclient, jupytext and
nbconvert are imported only inside the worker.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import shutil
import signal
import tempfile
import time
import warnings
from pathlib import Path

from analysis.core.atomic import write_text
from analysis.core.errors import DataError
from analysis.reports.cells import describe, failing_cell, first_line, running_cell
from analysis.reports.export import PageInfo, ReportExporter, scrub_paths
from analysis.reports.kernel import (  # WorkerSettings re-exported: the runner's settings
    ENGINE_NAME,
    Retryable,
    WarmKernel,
    WorkerSettings,
    register_engine,
)

__all__ = ["ReportWorker", "WorkerSettings", "worker_main"]


class _Failed(Exception):
    """The report failed for a reason a retry would not change."""

    def __init__(self, kind: str, message: str, cell_index: int | None = None,
                 cell_source: str | None = None, nb: object = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.cell_index = cell_index
        self.cell_source = cell_source
        self.nb = nb


class ReportWorker:
    """Executes and exports reports in one process; keeps its kernel and exporter warm."""

    def __init__(self, settings: WorkerSettings, lock, worker_id: int = 0,
                 notify=None) -> None:  # noqa: ANN001
        from jupyter_core.utils import ensure_event_loop  # jupyter: loaded in workers only

        for name in ("papermill", "traitlets", "nbclient"):
            quiet = logging.getLogger(name)  # failures are reported in run.json instead
            quiet.addHandler(logging.NullHandler())
            quiet.propagate = False
        self.settings = settings
        self.lock = lock
        self.worker_id = worker_id
        self.notify = notify or (lambda *_args: None)
        self.loop = ensure_event_loop()
        self.kernel: WarmKernel | None = None
        self.serial = 0
        self._notebooks: dict[str, object] = {}
        self._exporter = None
        self._own_dir = not settings.kernel_dir
        if self._own_dir:
            settings.kernel_dir = tempfile.mkdtemp(prefix="nq42k-")

    # ---------------------------------------------------------------- kernels
    def _await(self, coro):  # noqa: ANN001, ANN202
        return self.loop.run_until_complete(coro)

    def _discard_kernel(self) -> None:
        if self.kernel is not None:
            self._await(self.kernel.stop())
            self.kernel = None

    def _ready_kernel(self) -> WarmKernel:
        kernel = self.kernel
        if kernel is not None and kernel.reports >= self.settings.reports_per_kernel:
            self._discard_kernel()
            kernel = None
        if kernel is not None:
            try:
                self._await(kernel.reset())
                return kernel
            except Retryable:
                self._discard_kernel()
        self.serial += 1
        kernel = WarmKernel(self.settings, self.lock, self.worker_id, self.serial)
        self._await(kernel.start())
        self.kernel = kernel
        self.notify("kernel", kernel.pid)
        return kernel

    def close(self) -> None:
        """Stop the kernel (call once, when the worker ends)."""
        self._discard_kernel()
        if self._own_dir:
            shutil.rmtree(self.settings.kernel_dir, ignore_errors=True)

    # ---------------------------------------------------------------- one report
    def _notebook(self, path: str):  # noqa: ANN202
        if path not in self._notebooks:
            import jupytext  # heavy (nbformat, markdown parsers): loaded in workers only

            self._notebooks[path] = jupytext.read(path)
        return copy.deepcopy(self._notebooks[path])

    def _execute(self, task: dict):  # noqa: ANN202
        import papermill as pm  # heavy (nbclient, jupyter): loaded in workers only
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        register_engine()
        kernel = self._ready_kernel()
        kernel.reports += 1
        sink: dict = {}
        deadline = time.monotonic() + self.settings.timeout
        try:
            nb = pm.execute_notebook(
                self._notebook(task["notebook"]), None, parameters=task["parameters"],
                engine_name=ENGINE_NAME, kernel_name="python3", language="python",
                progress_bar=False, log_output=False, start_timeout=self.settings.start_timeout,
                km=kernel.km, kc=kernel.kc, deadline=deadline, sink=sink)
        except pm.PapermillExecutionError as err:
            index, source = failing_cell(sink.get("nb"))
            raise _Failed("cell_error", f"{err.ename}: {err.evalue}", index,
                          source or first_line(err.source), sink.get("nb")) from None
        except CellTimeoutError:
            index, source = running_cell(sink.get("nb"), sink.get("cell"))
            raise _Failed("timeout", f"the report took longer than {self.settings.timeout:g} s "
                          "(the time allowed per report)", index, source,
                          sink.get("nb")) from None
        except DeadKernelError:
            code = kernel.exit_code()
            index, source = running_cell(sink.get("nb"), sink.get("cell"))
            detail = f" (exit status {code})" if code is not None else ""
            last = kernel.last_log_line()
            detail += f"; kernel log: {last}" if last else ""
            raise Retryable("dead_kernel", f"the kernel died while running cell {index}: "
                             f"{source}{detail}" if index is not None else
                             f"the kernel died{detail}", sink.get("nb"), index, source) from None
        return nb

    def run(self, task: dict) -> dict:
        """Execute and export one report; never raises (failures are in the result).

        Args:
            task: ``notebook`` (absolute path), ``notebook_rel``, ``parameters``,
                ``html_path``, ``ipynb_path``, ``failed_ipynb_path`` (absolute) and ``page``
                (:class:`~analysis.reports.export.PageInfo` fields).

        Returns:
            ``status`` (``ok``/``failed``), ``attempts``, ``duration_s``, ``error`` (``kind``,
            ``message``, ``cell_index``, ``cell_source``) or ``None``, ``html_bytes``,
            ``figures``, ``trace_types``, ``external_refs_removed``.
        """
        started = time.monotonic()
        result: dict = {"status": "failed", "attempts": 0, "error": None, "html_bytes": None,
                        "figures": 0, "trace_types": [], "external_refs_removed": []}
        last: Retryable | None = None
        while result["attempts"] < 2:
            result["attempts"] += 1
            try:
                nb = self._execute(task)
            except Retryable as err:
                last = err
                self._discard_kernel()
                continue
            except _Failed as err:
                self._discard_kernel()
                self._save_notebook(err.nb, task, failed=True)
                result["error"] = self._error(err.kind, err.message, err.cell_index,
                                              err.cell_source)
                break
            except Exception as err:  # noqa: BLE001 - one report must not stop the worker
                self._discard_kernel()
                result["error"] = self._error("internal", describe(err))
                break
            try:
                result.update(self._export(nb, task))
                result["status"] = "ok"
            except Exception as err:  # noqa: BLE001

                message = err.message if isinstance(err, DataError) else describe(err)
                self._save_notebook(nb, task, failed=True)
                result["error"] = self._error("export", message)
            break
        else:
            self._save_notebook(last.nb, task, failed=True)
            result["error"] = self._error(last.kind, last.message + " (tried twice)",
                                          last.cell_index, last.cell_source)
        result["duration_s"] = round(time.monotonic() - started, 3)
        return result

    def _error(self, kind: str, message: str, cell_index: int | None = None,
               cell_source: str | None = None) -> dict:
        return {"kind": kind, "message": scrub_paths(message, self.settings.scrub)[:1000],
                "cell_index": cell_index,
                "cell_source": scrub_paths(cell_source, self.settings.scrub)
                if cell_source else None}

    def _exporter_instance(self):  # noqa: ANN202
        if self._exporter is None:
            self._exporter = ReportExporter()
        return self._exporter

    def _save_notebook(self, nb, task: dict, *, failed: bool) -> None:  # noqa: ANN001
        if nb is None:
            return
        nb.metadata.setdefault("papermill", {})
        nb.metadata["papermill"]["input_path"] = task["notebook_rel"]
        nb.metadata["papermill"]["output_path"] = task["ipynb_rel"]
        # plain JSON (nbformat 4, as executed): nbformat.writes would validate it all again
        text = scrub_paths(json.dumps(nb, ensure_ascii=False), self.settings.scrub)
        target = task["failed_ipynb_path"] if failed else task["ipynb_path"]
        write_text(target, text)

    def _export(self, nb, task: dict) -> dict:  # noqa: ANN001
        page = PageInfo(**{**task["page"], "facts": [tuple(f) for f in task["page"]["facts"]]})
        html, info = self._exporter_instance().to_html(nb, page, scrub=self.settings.scrub)
        self._save_notebook(nb, task, failed=False)
        write_text(task["html_path"], html)
        Path(task["failed_ipynb_path"]).unlink(missing_ok=True)
        return {"html_bytes": info.html_bytes, "figures": info.figures,
                "trace_types": sorted(info.trace_types),
                "external_refs_removed": info.external_refs_removed}


def worker_main(worker_id: int, settings: WorkerSettings, lock, inbox, outbox) -> None:  # noqa: ANN001
    """Entry point of a worker process: serve tasks from ``inbox`` until ``None``.

    Messages to ``outbox``: ``("ready", id, pid)``, ``("kernel", id, kernel_pid)``,
    ``("started", id, report_id)``, ``("done", id, report_id, result)``.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    warnings.simplefilter("ignore")  # library warnings would garble the parent's progress bar
    worker = ReportWorker(settings, lock, worker_id,
                          notify=lambda kind, value: outbox.put((kind, worker_id, value)))
    outbox.put(("ready", worker_id, os.getpid()))
    try:
        while True:
            task = inbox.get()
            if task is None:
                break
            outbox.put(("started", worker_id, task["report_id"]))
            result = worker.run(task)
            outbox.put(("done", worker_id, task["report_id"], result))
    finally:
        worker.close()
