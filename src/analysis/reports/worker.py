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

The module imports papermill, nbclient, jupytext and nbconvert only inside the worker.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.atomic import write_text
from analysis.core.errors import DataError

ENGINE_NAME = "nq42-warm"
KERNEL_ENV = {
    "PLOTLY_RENDERER": "plotly_mimetype",   # figures as JSON; the exporter draws them
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    "JUPYTER_PLATFORM_DIRS": "1",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
}
_STATE_MODULE = "_nq42_kernel_state"

# Runs once in a new kernel: remembers the clean state, refuses network connections, imports
# the modules the notebooks import (so that the first report is not slower than the others).
_WARMUP = r'''
def _nq42_setup(cwd, modules):
    import importlib, os, sys, types, warnings
    state = types.ModuleType("{state}")
    code = """
import os, socket, sys, warnings

def _loopback(host):
    host = str(host or "")
    return host in ("", "localhost", "::1") or host.startswith("127.")

def guard(event, args):
    if event == "socket.connect":
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if not _loopback(host):
                raise PermissionError(
                    "nq42 reports run offline: a network connection to "
                    + repr(host) + " was refused")
    elif event == "urllib.Request":
        url = str(args[0])
        if not url.startswith(("file:", "data:")):
            raise PermissionError("nq42 reports run offline: " + repr(url) + " was not fetched")

def snapshot():
    global CWD, PATH, ENV, FILTERS, PLOTLY, PANDAS
    CWD = os.getcwd()
    PATH = list(sys.path)
    ENV = dict(os.environ)
    FILTERS = list(warnings.filters)
    PLOTLY = None
    pio = sys.modules.get("plotly.io")
    if pio is not None:
        PLOTLY = (pio.templates.default, pio.renderers.default)
    PANDAS = {}
    pd = sys.modules.get("pandas")
    if pd is not None:
        try:
            from pandas._config.config import _registered_options
            PANDAS = {key: pd.get_option(key) for key in _registered_options}
        except Exception:
            PANDAS = {}

def restore():
    os.chdir(CWD)
    sys.path[:] = PATH
    if dict(os.environ) != ENV:
        os.environ.clear()
        os.environ.update(ENV)
    warnings.filters[:] = FILTERS
    getattr(warnings, "_filters_mutated", lambda: None)()
    pio = sys.modules.get("plotly.io")
    if pio is not None and PLOTLY is not None:
        try:
            pio.templates.default, pio.renderers.default = PLOTLY
        except Exception:
            pass
    pd = sys.modules.get("pandas")
    for key, value in (PANDAS.items() if pd is not None else ()):
        try:
            if pd.get_option(key) != value:
                pd.set_option(key, value)
        except Exception:
            pass
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        try:
            plt.close("all")
        except Exception:
            pass
"""
    exec(compile(code, "<nq42-kernel-state>", "exec"), state.__dict__)
    sys.modules["{state}"] = state
    sys.addaudithook(state.guard)
    os.chdir(cwd)
    for name in modules:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except Exception:
            pass
    state.snapshot()

_nq42_setup({cwd!r}, {modules!r})
del _nq42_setup
'''

_RESET = f'''
get_ipython().run_line_magic("reset", "-f")
__import__("sys").modules["{_STATE_MODULE}"].restore()
get_ipython().execution_count = 1
'''


@dataclass
class WorkerSettings:
    """What every worker needs (picklable: passed to spawned processes).

    Attributes:
        cwd: working folder of the kernels (paths in parameters are relative to it).
        timeout: seconds allowed per report (each attempt).
        start_timeout: seconds allowed for a kernel to start and answer.
        reports_per_kernel: replace a kernel after this many reports (1 = fresh each time).
        warm_modules: modules imported when a kernel starts.
        scrub: ``(absolute folder, replacement)`` pairs removed from pages and notebooks.
        kernel_dir: a short private folder for connection files (Unix sockets) and logs.
    """

    cwd: str
    timeout: float
    start_timeout: float = 60.0
    reports_per_kernel: int = 50
    warm_modules: list[str] = field(default_factory=list)
    scrub: list[tuple[str, str]] = field(default_factory=list)
    kernel_dir: str = ""


class _Retryable(Exception):
    """The kernel died or did not start: worth one more try on a fresh kernel."""

    def __init__(self, kind: str, message: str, nb: object = None,
                 cell_index: int | None = None, cell_source: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.nb = nb
        self.cell_index = cell_index
        self.cell_source = cell_source


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


def _first_line(source: object) -> str:
    text = "".join(source) if isinstance(source, list) else str(source or "")
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def _register_engine() -> None:
    from nbclient.client import NotebookClient  # noqa: F401 - imported for its traitlets
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import Engine, papermill_engines
    from papermill.log import logger

    if ENGINE_NAME in papermill_engines._engines:
        return
    import papermill.execute as pm_execute

    write_ipynb = pm_execute.write_ipynb

    def write_if_asked(nb, path):  # noqa: ANN001, ANN202
        # papermill serialises the whole notebook even when there is nowhere to write it
        # (~0.1 s a report); the runner writes the notebook itself, atomically.
        if path is not None:
            write_ipynb(nb, path)

    pm_execute.write_ipynb = write_if_asked

    class WarmKernelEngine(Engine):
        """papermill engine that runs the notebook in an already started kernel."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, km=None, kc=None,
                                     deadline=None, sink=None, start_timeout=60, **kwargs):
            if sink is not None:
                sink["nb"] = nb_man.nb
                cell_start = nb_man.cell_start

                def tracked_start(cell, cell_index=None, **kw):  # noqa: ANN001, ANN202
                    sink["cell"] = cell_index
                    return cell_start(cell, cell_index, **kw)

                nb_man.cell_start = tracked_start

            def remaining(_cell) -> int:
                return max(1, int(deadline - time.monotonic()) + 1) if deadline else None

            client = PapermillNotebookClient(
                nb_man, km=km, kernel_name=kernel_name, startup_timeout=start_timeout,
                timeout=None, timeout_func=remaining, interrupt_on_timeout=False,
                log=logger, log_output=False)
            client.kc = kc
            return client.execute()

    papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


class WarmKernel:
    """One kernel kept alive across reports (its manager and client, both asyncio)."""

    def __init__(self, settings: WorkerSettings, lock, worker_id: int, serial: int) -> None:
        self.settings = settings
        self.lock = lock
        self.worker_id = worker_id
        self.serial = serial
        self.km = None
        self.kc = None
        self.reports = 0
        self.log_path = Path(settings.kernel_dir) / f"w{worker_id}-k{serial}.log"

    @property
    def pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    async def start(self) -> None:
        """Start the kernel (one worker at a time) and warm it up.

        Raises:
            _Retryable: the kernel did not answer within ``start_timeout`` or died at once.
        """
        from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        class _OwnPython(KernelSpecManager):
            """Always this interpreter: never a 'python3' kernelspec of another environment."""

            def get_kernel_spec(self, kernel_name):  # noqa: ANN001, ANN202
                return KernelSpec(resource_dir="", display_name="Python 3", language="python",
                                  argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                        "{connection_file}"])

        transport = "ipc" if os.name == "posix" else "tcp"
        connection = Path(self.settings.kernel_dir) / f"w{self.worker_id}-k{self.serial}.json"
        self.km = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=_OwnPython(),
                                     transport=transport, connection_file=str(connection))
        env = {**os.environ, **KERNEL_ENV}
        log = self.log_path.open("ab")
        try:
            with self.lock:
                await self.km.start_kernel(
                    extra_arguments=["--HistoryManager.hist_file=:memory:"],
                    cwd=self.settings.cwd, env=env, stdout=log, stderr=log)
                self.kc = self.km.client()
                self.kc.allow_stdin = False
                self.kc.start_channels()
                await self.kc.wait_for_ready(timeout=self.settings.start_timeout)
        except (RuntimeError, TimeoutError) as err:
            await self.stop()
            raise _Retryable("kernel_start", f"the kernel did not start: {err}") from None
        finally:
            log.close()
        code = _WARMUP.replace("{state}", _STATE_MODULE).replace(
            "{cwd!r}", repr(self.settings.cwd)).replace(
            "{modules!r}", repr(list(self.settings.warm_modules)))
        await self._run(code, timeout=max(60.0, self.settings.start_timeout), what="warm-up")

    async def _run(self, code: str, *, timeout: float, what: str) -> None:
        try:
            reply = await self.kc.execute_interactive(
                code, store_history=False, timeout=timeout, output_hook=lambda _msg: None,
                allow_stdin=False)
        except (TimeoutError, RuntimeError) as err:
            raise _Retryable("kernel_start", f"the kernel did not answer ({what}): {err}") from None
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise _Retryable("kernel_start", f"the kernel's {what} failed: "
                             f"{content.get('ename')}: {content.get('evalue')}")

    async def reset(self) -> None:
        """Give the next report a clean namespace (raises _Retryable if the kernel is gone)."""
        if not await self.km.is_alive():
            raise _Retryable("dead_kernel", "the kernel died between two reports")
        await self._run(_RESET, timeout=30, what="reset")

    async def alive(self) -> bool:
        return self.km is not None and bool(await self.km.is_alive())

    def last_log_line(self) -> str:
        """The last line the kernel wrote on stderr/stdout (e.g. why it died), if any."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return ""
        lines = [line.strip() for line in lines if line.strip()
                 and "without encryption" not in line]
        return lines[-1][:300] if lines else ""

    def exit_code(self) -> int | None:
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return process.poll() if process is not None else None

    async def stop(self) -> None:
        """Stop the kernel at once and remove its connection files."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 - best effort clean-up
                pass
            self.kc = None
        if self.km is not None:
            try:
                if self.km.has_kernel:
                    await self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001
                pass
            try:
                await self.km._async_cleanup_resources()
            except Exception:  # noqa: BLE001
                pass
            self.km = None


class ReportWorker:
    """Executes and exports reports in one process; keeps its kernel and exporter warm."""

    def __init__(self, settings: WorkerSettings, lock, worker_id: int = 0,
                 notify=None) -> None:  # noqa: ANN001
        from jupyter_core.utils import ensure_event_loop

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
            except _Retryable:
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
            import jupytext

            self._notebooks[path] = jupytext.read(path)
        return copy.deepcopy(self._notebooks[path])

    def _execute(self, task: dict):  # noqa: ANN202
        import papermill as pm
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        _register_engine()
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
            index, source = _failing_cell(sink.get("nb"))
            raise _Failed("cell_error", f"{err.ename}: {err.evalue}", index,
                          source or _first_line(err.source), sink.get("nb")) from None
        except CellTimeoutError:
            index, source = _running_cell(sink.get("nb"), sink.get("cell"))
            raise _Failed("timeout", f"the report took longer than {self.settings.timeout:g} s "
                          "(the time allowed per report)", index, source,
                          sink.get("nb")) from None
        except DeadKernelError:
            code = kernel.exit_code()
            index, source = _running_cell(sink.get("nb"), sink.get("cell"))
            detail = f" (exit status {code})" if code is not None else ""
            last = kernel.last_log_line()
            detail += f"; kernel log: {last}" if last else ""
            raise _Retryable("dead_kernel", f"the kernel died while running cell {index}: "
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
        last: _Retryable | None = None
        while result["attempts"] < 2:
            result["attempts"] += 1
            try:
                nb = self._execute(task)
            except _Retryable as err:
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
                result["error"] = self._error("internal", _describe(err))
                break
            try:
                result.update(self._export(nb, task))
                result["status"] = "ok"
            except Exception as err:  # noqa: BLE001

                message = err.message if isinstance(err, DataError) else _describe(err)
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
        from analysis.reports.export import scrub_paths

        return {"kind": kind, "message": scrub_paths(message, self.settings.scrub)[:1000],
                "cell_index": cell_index,
                "cell_source": scrub_paths(cell_source, self.settings.scrub)
                if cell_source else None}

    def _exporter_instance(self):  # noqa: ANN202
        if self._exporter is None:
            from analysis.reports.export import ReportExporter

            self._exporter = ReportExporter()
        return self._exporter

    def _save_notebook(self, nb, task: dict, *, failed: bool) -> None:  # noqa: ANN001
        if nb is None:
            return
        import json

        from analysis.reports.export import scrub_paths

        nb.metadata.setdefault("papermill", {})
        nb.metadata["papermill"]["input_path"] = task["notebook_rel"]
        nb.metadata["papermill"]["output_path"] = task["ipynb_rel"]
        # plain JSON (nbformat 4, as executed): nbformat.writes would validate it all again
        text = scrub_paths(json.dumps(nb, ensure_ascii=False), self.settings.scrub)
        target = task["failed_ipynb_path"] if failed else task["ipynb_path"]
        write_text(target, text)

    def _export(self, nb, task: dict) -> dict:  # noqa: ANN001
        from analysis.reports.export import PageInfo

        page = PageInfo(**{**task["page"], "facts": [tuple(f) for f in task["page"]["facts"]]})
        html, info = self._exporter_instance().to_html(nb, page, scrub=self.settings.scrub)
        self._save_notebook(nb, task, failed=False)
        write_text(task["html_path"], html)
        Path(task["failed_ipynb_path"]).unlink(missing_ok=True)
        return {"html_bytes": info.html_bytes, "figures": info.figures,
                "trace_types": sorted(info.trace_types),
                "external_refs_removed": info.external_refs_removed}


def _describe(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    where = f" (in {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(err).__name__}: {err}{where}"


_ADDED_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def _find_cell(nb, predicate) -> tuple[int | None, str | None]:  # noqa: ANN001
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
            return index, _first_line(cell.get("source"))
        index += 1
    return None, None


def _running_cell(nb, executed_index: int | None) -> tuple[int | None, str | None]:  # noqa: ANN001
    """The cell that was executing when the kernel died or the time ran out."""
    if nb is None or executed_index is None or executed_index >= len(nb.cells):
        return None, None
    running = nb.cells[executed_index]
    return _find_cell(nb, lambda c: c is running)


def _failing_cell(nb) -> tuple[int | None, str | None]:  # noqa: ANN001
    """The cell whose output is an error."""
    return _find_cell(nb, lambda c: any(o.get("output_type") == "error"
                                        for o in c.get("outputs") or []))


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
