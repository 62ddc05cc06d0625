"""The worker pool of ``nq42 reports``: spawned processes fed one report at a time.

The pool starts up to ``size`` worker processes (:func:`analysis.reports.worker.worker_main`),
hands each one task at a time, and supervises them: a worker that dies, cannot start or
exceeds the hard time limit is stopped (its kernel too), its report recorded as failed, and
a fresh worker takes the remaining tasks.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import time
from collections import deque
from collections.abc import Callable

from analysis.reports.kernel import WorkerSettings
from analysis.reports.worker import worker_main


def _kill_group(pid: int | None) -> None:
    if not pid:
        return
    with contextlib.suppress(OSError, AttributeError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


class WorkerPool:
    """Worker processes fed one task at a time; survives a worker that dies or hangs."""

    def __init__(self, size: int, settings: WorkerSettings, hard_limit: float) -> None:
        self._target = worker_main
        self.ctx = multiprocessing.get_context("spawn")
        self.settings = settings
        self.hard_limit = hard_limit
        self.lock = self.ctx.Lock()
        self.outbox = self.ctx.Queue()
        self.size = size
        self.workers: dict[int, dict] = {}
        self._next_id = 0
        self._start_failures = 0

    def _spawn(self) -> int:
        wid = self._next_id
        self._next_id += 1
        inbox = self.ctx.Queue()
        process = self.ctx.Process(target=self._target, name=f"nq42-report-worker-{wid}",
                                   args=(wid, self.settings, self.lock, inbox, self.outbox),
                                   daemon=True)
        process.start()
        self.workers[wid] = {"process": process, "inbox": inbox, "task": None,
                             "since": None, "kernel": None, "ready": False}
        return wid

    def _retire(self, wid: int) -> None:
        worker = self.workers.pop(wid)
        process = worker["process"]
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        _kill_group(worker["kernel"])

    def run(self, tasks: list[dict],
            on_event: Callable[[str, str, dict | None], None]) -> dict[str, dict]:
        """Run every task; returns ``report_id -> worker result``."""
        pending = deque(tasks)
        results: dict[str, dict] = {}
        for _ in range(min(self.size, len(tasks))):
            self._spawn()
        for wid in list(self.workers):
            self._feed(wid, pending)
        while len(results) < len(tasks):
            try:
                message = self.outbox.get(timeout=0.5)
            except queue.Empty:
                message = None
            if message is not None:
                self._handle(message, pending, results, on_event)
            self._supervise(pending, results, on_event)
        return results

    def _feed(self, wid: int, pending: deque) -> None:
        worker = self.workers[wid]
        if pending:
            task = pending.popleft()
            worker["task"] = task["report_id"]
            worker["since"] = time.monotonic()
            worker["inbox"].put(task)
        else:
            worker["task"] = None
            worker["inbox"].put(None)

    def _handle(self, message: tuple, pending: deque, results: dict, on_event) -> None:  # noqa: ANN001
        kind, wid = message[0], message[1]
        worker = self.workers.get(wid)
        if worker is None:
            return
        if kind == "ready":
            worker["ready"] = True
        elif kind == "kernel":
            worker["kernel"] = message[2]
        elif kind == "started":
            worker["since"] = time.monotonic()
            on_event("started", message[2], None)
        elif kind == "done":
            report_id, result = message[2], message[3]
            results[report_id] = result
            on_event("done", report_id, result)
            self._feed(wid, pending)

    def _supervise(self, pending: deque, results: dict, on_event) -> None:  # noqa: ANN001
        now = time.monotonic()
        for wid, worker in list(self.workers.items()):
            report_id = worker["task"]
            if report_id is None or report_id in results:
                continue
            process = worker["process"]
            if not process.is_alive() and not worker["ready"]:
                self._start_failures += 1
                message = (f"the worker process could not start (exit status "
                           f"{process.exitcode}); when run_reports is called from a script, "
                           "the call must be under `if __name__ == \"__main__\":`")
            elif not process.is_alive():
                message = (f"the worker process stopped unexpectedly (exit status "
                           f"{process.exitcode})")
            elif worker["since"] is not None and now - worker["since"] > self.hard_limit:
                message = (f"the report did not finish within {self.hard_limit:g} s and its "
                           "worker was stopped")
            else:
                continue
            self._retire(wid)
            result = {"status": "failed", "attempts": 1, "duration_s": None,
                      "error": {"kind": "worker", "message": message, "cell_index": None,
                                "cell_source": None}}
            results[report_id] = result
            on_event("done", report_id, result)
            if self._start_failures >= 2:
                while pending:  # workers cannot even start: fail the rest at once
                    task = pending.popleft()
                    results[task["report_id"]] = {**result, "error": dict(result["error"])}
                    on_event("done", task["report_id"], results[task["report_id"]])
            elif pending:
                self._feed(self._spawn(), pending)

    def close(self, *, force: bool = False) -> None:
        """Stop every worker (politely, then by force; at once with ``force``) and kernels."""
        for worker in self.workers.values():
            with contextlib.suppress(Exception):
                worker["inbox"].put(None)
        deadline = time.monotonic() + (0 if force else 15)
        for worker in self.workers.values():
            worker["process"].join(timeout=max(0.1, deadline - time.monotonic()))
        for wid in list(self.workers):
            self._retire(wid)
        with contextlib.suppress(Exception):
            self.outbox.close()
