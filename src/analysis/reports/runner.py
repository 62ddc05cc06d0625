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

import contextlib
import hashlib
import json
import multiprocessing
import os
import queue
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from analysis.core.atomic import write_text
from analysis.core.config import DATA_REFERENCE_DIR, PROJECT_ROOT
from analysis.core.errors import ParameterError
from analysis.present.i18n import (
    format_datetime,  # re-exported: reports use it
    geo_label,
    t,
)
from analysis.reports import params as P
from analysis.core.versioning import code_hash, git_commit, sha256_file

RUN_JSON = "run.json"
INDEX_HTML = "index.html"
_LIBRARIES = ("plotly", "pandas", "papermill", "nbconvert", "nbclient", "jupytext", "ipykernel")


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


# --------------------------------------------------------------------------------------
# facts and cache keys
# --------------------------------------------------------------------------------------


def data_hash(processed_dir: Path, reference_dir: Path | None = DATA_REFERENCE_DIR) -> str:
    """SHA-256 over every data file in ``processed_dir`` (names and contents; dotfiles and
    temporaries excluded) and in ``data/reference`` (targets). ``build.json`` is one of them,
    so the build's inputs hash counts too."""
    digest = hashlib.sha256()
    for label, folder in (("processed", processed_dir), ("reference", reference_dir)):
        if folder is None or not Path(folder).is_dir():
            continue
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if any(part.startswith(".") for part in rel.split("/")) or rel.endswith(".tmp"):
                continue
            digest.update(f"{label}/{rel}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose output the pages depend on."""
    versions = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def cache_key(spec: P.ReportSpec, *, data: str, code: str, notebook: str, boundaries: str | None,
              versions: dict[str, str]) -> str:
    """The inputs of one report, hashed: data, notebook source, parameters, code, libraries.

    The output file names are part of it too (a report moved is a report to write)."""
    payload = {"data": data, "code": code, "notebook": notebook, "boundaries": boundaries,
               "parameters": spec.parameters, "versions": versions, "html": spec.html_path,
               "title": spec.title}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load_previous(out_dir: Path) -> dict[str, dict]:
    try:
        previous = json.loads((out_dir / RUN_JSON).read_text(encoding="utf-8"))
        return {r["id"]: {**r, "_run_id": previous.get("run_id")}
                for r in previous.get("reports", []) if isinstance(r, dict) and "id" in r}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def _relative(path: Path | None, cwd: Path) -> str | None:
    """A folder as ``run.json`` shows it: relative to the working folder (or to the project
    folder), or ``~/…`` in the home directory (never an absolute path or a user name)."""
    if path is None:
        return None
    path = Path(path).absolute()
    for base in (cwd, PROJECT_ROOT):
        with contextlib.suppress(ValueError):
            return path.relative_to(base).as_posix() or "."
    with contextlib.suppress(ValueError, RuntimeError, KeyError):
        return "~/" + path.relative_to(Path.home()).as_posix()
    return P.relative_to_cwd(path, cwd)


def _scrub_pairs(cwd: Path, *folders: Path | None) -> list[tuple[str, str]]:
    """(absolute folder, replacement) pairs: longest first; home becomes ``~/``."""
    pairs: dict[str, str] = {}
    for folder in folders:
        if folder is None:
            continue
        folder = Path(folder).absolute()
        rel = os.path.relpath(folder, cwd)
        pairs[str(folder)] = "" if rel == "." else Path(rel).as_posix() + "/"
        with contextlib.suppress(OSError):
            pairs.setdefault(str(folder.resolve()), pairs[str(folder)])
    pairs.setdefault(str(Path(sys.prefix)), "<python>/")
    pairs.setdefault(str(Path(sys.base_prefix)), "<python>/")
    with contextlib.suppress(RuntimeError, KeyError):
        pairs.setdefault(str(Path.home()), "~/")
    pairs.setdefault(tempfile.gettempdir(), "<tmp>/")
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def _synthetic_sources(build_info: dict) -> list[str]:
    sources = build_info.get("sources") or {}
    return [str(s.get("title") or key) for key, s in sources.items()
            if isinstance(s, dict) and s.get("provenance") == "synthetic"]


# --------------------------------------------------------------------------------------
# page texts
# --------------------------------------------------------------------------------------


def _parse_time(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_info(spec: P.ReportSpec, *, langs: Sequence[str], facts: dict) -> dict:
    """The texts around one report page (see :class:`analysis.reports.export.PageInfo`)."""

    lang = spec.lang
    depth = spec.html_path.count("/")
    up = "../" * depth
    heading = spec.title  # the notebook's own header says what the report is
    others = [other for other in langs if other != lang]
    alt_href = ""
    if others:
        alt_href = up + others[0] + spec.html_path[len(lang):]
    built = _parse_time(facts["build"].get("built_at"))
    unknown = t("reports.chrome.unknown", lang)
    commit = facts.get("git_commit")
    return {
        "lang": lang,
        "title": spec.title,
        "heading": heading,
        "geography": geo_label(spec.geo, lang),
        "data_date": t("reports.chrome.data_date", lang,
                       date=format_datetime(built, lang, with_time=False)) if built else "",
        "synthetic": bool(facts["synthetic"]),
        "synthetic_label": t("reports.chrome.synthetic_badge", lang),
        "index_href": up + INDEX_HTML,
        "index_label": t("reports.chrome.index_link", lang),
        "alt_href": alt_href,
        "alt_label": t("reports.chrome.other_lang", lang) if others else "",
        "alt_lang": others[0] if others else "",
        "alt_title": t("reports.chrome.other_lang_title", lang) if others else "",
        "facts": [
            (t("reports.chrome.generated_at", lang), format_datetime(facts["started"], lang)),
            (t("reports.chrome.code_commit", lang), commit[:12] if commit else unknown),
            (t("reports.chrome.run_id", lang), facts["run_id"]),
            (t("reports.chrome.version", lang), facts["version"]),
            (t("reports.chrome.data_build", lang),
             str(facts["build"].get("build_id") or unknown)),
        ],
        "footer_title": t("reports.chrome.footer_title", lang),
        "sources_note": t("reports.chrome.sources_note", lang),
        "project": t("reports.project", lang),
        "version": facts["version"],
    }


# --------------------------------------------------------------------------------------
# the worker pool
# --------------------------------------------------------------------------------------


def _kill_group(pid: int | None) -> None:
    if not pid:
        return
    with contextlib.suppress(OSError, AttributeError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


class _Pool:
    """Worker processes fed one task at a time; survives a worker that dies or hangs."""

    def __init__(self, size: int, settings, hard_limit: float) -> None:  # noqa: ANN001
        from analysis.reports.worker import worker_main

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


# --------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------


def _eta(seconds: float) -> str:
    """Remaining time for a log line: "45 s", "3 min 20 s"."""
    whole = round(seconds)
    return f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60:02d} s"


def _progress(enabled: bool):  # noqa: ANN202
    """A rich progress bar with ETA on a terminal; one line per report otherwise (CI logs)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True, highlight=False)
    bar = enabled and console.is_terminal
    progress = Progress(TextColumn("[bold]reports[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("ETA"),
                        TimeRemainingColumn(), TextColumn("{task.description}"),
                        console=console, disable=not bar, transient=False)
    return progress, console, enabled and not bar


@contextlib.contextmanager
def _exclusive(out_dir: Path):
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
                                 f"{_relative(out_dir, Path.cwd())}; wait for it or choose "
                                 "another --out") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    out_dir = request.out
    facts = {
        "run_id": f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
        "started": started,
        "version": _version(),
        "git_commit": git_commit(),
        "code_hash": code_hash(),
        "data_hash": data_hash(request.processed_dir),
        "versions": library_versions(),
        "build": request.build_info,
        "synthetic": bool(_synthetic_sources(request.build_info)),
    }
    with _exclusive(out_dir):
        return _run(request, specs, facts, out_dir, cwd, started, t0,
                    start_timeout=start_timeout, reports_per_kernel=reports_per_kernel,
                    show_progress=show_progress)


def _run(request: P.ReportRequest, specs: list[P.ReportSpec], facts: dict, out_dir: Path,
         cwd: Path, started: datetime, t0: float, *, start_timeout: float,
         reports_per_kernel: int, show_progress: bool) -> RunResult:
    notebook_hash = {name: sha256_file(request.notebooks_dir / name)
                     for name in {s.notebook for s in specs}}
    boundaries_hash = sha256_file(request.boundaries) if request.boundaries else None
    previous = {} if request.force else _load_previous(out_dir)

    entries: dict[str, dict] = {}
    tasks: list[dict] = []
    for spec in specs:
        key = cache_key(spec, data=facts["data_hash"], code=facts["code_hash"],
                        notebook=notebook_hash[spec.notebook], boundaries=boundaries_hash,
                        versions=facts["versions"])
        entry = _entry(spec, key, _source_notebook(request, spec, cwd))
        entries[spec.report_id] = entry
        before = previous.get(spec.report_id)
        if (before and before.get("cache_key") == key and before.get("status") in ("ok", "skipped")
                and (out_dir / spec.html_path).is_file() and (out_dir / spec.ipynb_path).is_file()):
            entry.update(status="skipped", duration_s=0.0, attempts=0,
                         html_bytes=(out_dir / spec.html_path).stat().st_size,
                         figures=before.get("figures"), trace_types=before.get("trace_types"),
                         rendered_in_run=before.get("rendered_in_run") or before.get("_run_id"),
                         rendered_at=before.get("rendered_at"))
            continue
        tasks.append(_task(spec, request, out_dir, facts))

    settings = _settings(request, specs, cwd, out_dir, start_timeout, reports_per_kernel)
    progress, console, lines = _progress(show_progress and bool(tasks))
    pool = _Pool(min(request.jobs, len(tasks)), settings,
                 hard_limit=2 * request.timeout + 2 * start_timeout + 60) if tasks else None
    done = 0
    clock = time.monotonic()
    try:
        with progress:
            bar = progress.add_task("", total=len(tasks))

            def on_event(kind: str, report_id: str, result: dict | None) -> None:
                nonlocal done
                if kind != "done":
                    return
                done += 1
                progress.update(bar, advance=1, description=report_id)
                ok = bool(result) and result.get("status") == "ok"
                if lines:
                    seconds = (result or {}).get("duration_s")
                    left = len(tasks) - done
                    eta = (time.monotonic() - clock) / done * left
                    console.print(f"[{done}/{len(tasks)}] {report_id} "
                                  f"{'ok' if ok else 'FAILED'}"
                                  + (f" {seconds:.1f} s" if seconds else "")
                                  + (f" (ETA {_eta(eta)})" if left else ""), markup=False)
                if not ok:
                    error = (result or {}).get("error") or {}
                    console.print(f"[red]failed[/] {report_id}: {error.get('message')}",
                                  markup=True)

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

    finished = datetime.now(UTC)
    for report_id, result in results.items():
        entry = entries[report_id]
        entry.update({k: result.get(k) for k in ("status", "attempts", "duration_s", "error",
                                                 "html_bytes", "figures", "trace_types",
                                                 "external_refs_removed")})
        if entry["status"] == "ok":
            entry["rendered_in_run"] = facts["run_id"]
            entry["rendered_at"] = finished.isoformat(timespec="seconds")
        else:
            failed_nb = _failed_path(entry["notebook"])
            entry["failed_notebook"] = failed_nb if (out_dir / failed_nb).is_file() else None
            entry["previous_html_kept"] = (out_dir / entry["html"]).is_file()
    reports = [entries[s.report_id] for s in specs]
    counts = {status: sum(r["status"] == status for r in reports)
              for status in ("ok", "skipped", "failed")}
    counts["total"] = len(reports)
    run = _run_document(request, facts, reports, counts, started, finished,
                        time.monotonic() - t0, cwd)
    run["parameters"]["reports_per_kernel"] = reports_per_kernel

    from analysis.reports.index import render_index

    write_text(out_dir / RUN_JSON, json.dumps(run, ensure_ascii=False, indent=2) + "\n")
    write_text(out_dir / INDEX_HTML, render_index(run, out_dir=out_dir,
                                                  processed_dir=request.processed_dir))
    return RunResult(run_id=facts["run_id"], out_dir=out_dir, run_json=out_dir / RUN_JSON,
                     index_html=out_dir / INDEX_HTML, reports=reports, counts=counts)


def _version() -> str:
    import analysis

    return str(getattr(analysis, "__version__", "unknown"))


def _source_notebook(request: P.ReportRequest, spec: P.ReportSpec, cwd: Path) -> str:
    return f"{_relative(request.notebooks_dir, cwd)}/{spec.notebook}"


def _failed_path(ipynb_path: str) -> str:
    return ipynb_path[: -len(".ipynb")] + ".failed.ipynb"


def _entry(spec: P.ReportSpec, key: str, source: str) -> dict:
    return {"id": spec.report_id, "kind": spec.kind, "lang": spec.lang, "geo": spec.geo,
            "province_code": spec.province_code, "title": spec.title, "html": spec.html_path,
            "notebook": spec.ipynb_path, "source_notebook": source,
            "parameters": spec.parameters, "status": "failed", "duration_s": None,
            "attempts": 0, "error": None, "cache_key": key}


def _task(spec: P.ReportSpec, request: P.ReportRequest, out_dir: Path, facts: dict) -> dict:
    return {
        "report_id": spec.report_id,
        "notebook": str(request.notebooks_dir / spec.notebook),
        "notebook_rel": _source_notebook(request, spec, Path.cwd()),
        "parameters": spec.parameters,
        "html_path": str(out_dir / spec.html_path),
        "ipynb_path": str(out_dir / spec.ipynb_path),
        "ipynb_rel": spec.ipynb_path,
        "failed_ipynb_path": str(out_dir / _failed_path(spec.ipynb_path)),
        "page": page_info(spec, langs=request.langs, facts=facts),
    }


def _settings(request: P.ReportRequest, specs: list[P.ReportSpec], cwd: Path, out_dir: Path,
              start_timeout: float, reports_per_kernel: int):  # noqa: ANN202
    from analysis.reports.worker import WorkerSettings

    notebooks = sorted({request.notebooks_dir / s.notebook for s in specs})
    warm = ["plotly.graph_objects", "plotly.io", "pandas", "IPython.display",
            *P.notebook_imports(notebooks)]
    return WorkerSettings(
        cwd=str(cwd), timeout=request.timeout, start_timeout=start_timeout,
        reports_per_kernel=max(1, int(reports_per_kernel)),
        warm_modules=list(dict.fromkeys(warm)),
        scrub=_scrub_pairs(cwd, PROJECT_ROOT, out_dir, request.processed_dir,
                           request.notebooks_dir, request.boundaries.parent
                           if request.boundaries else None),
        kernel_dir=tempfile.mkdtemp(prefix="nq42k-"))


def _run_document(request: P.ReportRequest, facts: dict, reports: list[dict], counts: dict,
                  started: datetime, finished: datetime, seconds: float, cwd: Path) -> dict:
    build = request.build_info
    return {
        "run_id": facts["run_id"],
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round(seconds, 2),
        "nq42_version": facts["version"],
        "git_commit": facts["git_commit"],
        "code_hash": facts["code_hash"],
        "data": {
            "processed_dir": _relative(request.processed_dir, cwd),
            "hash": facts["data_hash"],
            "build_id": build.get("build_id"),
            "built_at": build.get("built_at"),
            "inputs_sha256": build.get("inputs_sha256"),
            "years": list(request.data_years) if request.data_years else None,
            "synthetic": facts["synthetic"],
            "synthetic_sources": _synthetic_sources(build),
        },
        "parameters": {
            "geo": request.geo,
            "langs": list(request.langs),
            "provinces": "all" if request.all_provinces else list(request.province_codes),
            "year": request.year,
            "jobs": request.jobs,
            "out": _relative(request.out, cwd),
            "boundaries": _relative(request.boundaries, cwd),
            "force": request.force,
            "timeout": request.timeout,
            "notebooks_dir": _relative(request.notebooks_dir, cwd),
        },
        "environment": {**facts["versions"], "plotly.js": _bundle_version()},
        "counts": counts,
        "reports": reports,
    }


def _bundle_version() -> str:
    from analysis.reports.export import vendored_plotlyjs_version

    return f"{vendored_plotlyjs_version()} (cartesian)"


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
