"""The warm kernels of ``nq42 reports``: one long-lived kernel per worker, reset between reports.

A :class:`WarmKernel` is started with the project's own Python (on Unix-socket transport where
available) under a lock that serialises kernel starts across workers, warmed up (network
refused, the notebooks' modules imported, the clean state remembered) and reset between two
reports. :func:`register_engine` registers the papermill engine (``nq42-warm``) that runs a
notebook in such a running kernel. jupyter_client and papermill are imported only when used.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

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


class Retryable(Exception):
    """The kernel died or did not start: worth one more try on a fresh kernel."""

    def __init__(self, kind: str, message: str, nb: object = None,
                 cell_index: int | None = None, cell_source: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.nb = nb
        self.cell_index = cell_index
        self.cell_source = cell_source


def register_engine() -> None:
    """Register the ``nq42-warm`` papermill engine (once per process)."""
    # papermill and nbclient are heavy (jupyter, nbformat): imported in workers only
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
            Retryable: the kernel did not answer within ``start_timeout`` or died at once.
        """
        # jupyter_client is heavy (zmq, traitlets): imported in workers only
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
            raise Retryable("kernel_start", f"the kernel did not start: {err}") from None
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
            raise Retryable("kernel_start", f"the kernel did not answer ({what}): {err}") from None
        if reply["content"].get("status") != "ok":
            content = reply["content"]
            raise Retryable("kernel_start", f"the kernel's {what} failed: "
                             f"{content.get('ename')}: {content.get('evalue')}")

    async def reset(self) -> None:
        """Give the next report a clean namespace (raises Retryable if the kernel is gone)."""
        if not await self.km.is_alive():
            raise Retryable("dead_kernel", "the kernel died between two reports")
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
