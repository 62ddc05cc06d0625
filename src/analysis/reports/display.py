"""Progress shown on stderr while ``nq42 reports`` runs.

A rich progress bar with ETA on a terminal; one line per finished report otherwise (CI logs),
and one line per failure in both cases.
"""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def eta(seconds: float) -> str:
    """Remaining time for a log line: "45 s", "3 min 20 s"."""
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def progress_display(enabled: bool) -> tuple[Progress, Console, bool]:
    """A rich progress bar with ETA on a terminal; one line per report otherwise (CI logs).

    Returns:
        The progress bar (disabled when not on a terminal), its console, and whether to
        print one line per report instead.
    """
    console = Console(stderr=True, highlight=False)
    bar = enabled and console.is_terminal
    progress = Progress(TextColumn("[bold]reports[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"),
                        TimeRemainingColumn(), TextColumn("{task.description}"),
                        console=console, disable=not bar, transient=False)
    return progress, console, enabled and not bar


class ProgressLog:
    """The pool's event callback: advances the bar, prints a line per report and failure."""

    def __init__(self, progress: Progress, console: Console, *, lines: bool, total: int,
                 bar: TaskID) -> None:
        self.progress = progress
        self.console = console
        self.lines = lines
        self.total = total
        self.bar = bar
        self.done = 0
        self.clock = time.monotonic()

    def __call__(self, kind: str, report_id: str, result: dict | None) -> None:
        if kind != "done":
            return
        self.done += 1
        self.progress.update(self.bar, advance=1, description=report_id)
        ok = bool(result) and result.get("status") == "ok"
        if self.lines:
            seconds = (result or {}).get("duration_s")
            left = self.total - self.done
            remaining = (time.monotonic() - self.clock) / self.done * left
            self.console.print(f"[{self.done}/{self.total}] {report_id} "
                               f"{'ok' if ok else 'FAILED'}"
                               + (f" {seconds:.1f} s" if seconds else "")
                               + (f" (ETA {eta(remaining)})" if left else ""), markup=False)
        if not ok:
            error = (result or {}).get("error") or {}
            self.console.print(f"[red]failed[/] {report_id}: {error.get('message')}",
                               markup=True)
