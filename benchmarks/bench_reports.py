"""Batch reports (issue 6): HTML size and batch time against papermill's floor.

(a) size of the rendered HTML reports — goal: median <= 1.0 MB, largest <= 1.3 MB;
(b) a full batch (every vn34 province + the national overview, vi and en, ``jobs`` workers)
    as a ratio to the floor = papermill executing an EMPTY notebook through its Python API
    (kernel start and stop), measured in the same run (5 times before, 5 after the batch;
    median) — goal: batch wall time <= 1.5 x (reports x floor / jobs).

The per-report cost of the batch is ``wall time x jobs / reports`` (core-seconds per report,
what a core spends on one report); ``ratio_to_floor`` divides it by the floor's wall time.
The same in CPU time (this process + workers + kernels, from ``getrusage``) is
``cpu_ratio_to_floor``: it is less sensitive to other processes loading the machine. Uses ``data/processed`` when a build exists, else the synthetic data of
``tests.fakes``; the project's notebooks when present, else the test fixtures.

    python -m benchmarks.bench_reports              # or: make bench (all benchmarks)
    NQ42_BENCH_NAIVE=1 python -m benchmarks.bench_reports   # also a fresh kernel per report
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from analysis.core.config import NOTEBOOKS_DIR, PROCESSED_DIR, PROJECT_ROOT
from benchmarks.checks import check

FIXTURE_NOTEBOOKS = PROJECT_ROOT / "tests" / "fixtures" / "notebooks"
EMPTY = FIXTURE_NOTEBOOKS / "empty.py"
JOBS = 2
FLOOR_RUNS = 5


def cpu_seconds() -> float:
    """CPU time of this process and of every finished descendant (workers, kernels)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def floor_seconds(runs: int = FLOOR_RUNS) -> tuple[list[float], list[float]]:
    """Wall and CPU times of papermill executing an empty notebook via its API (in-process)."""
    import jupytext
    import papermill as pm

    nb = jupytext.read(EMPTY)
    pm.execute_notebook(nb, None, kernel_name="python3", language="python",
                        progress_bar=False)  # loads papermill's engines: not counted
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = cpu_seconds(), time.perf_counter()
        pm.execute_notebook(nb, None, kernel_name="python3", language="python",
                            progress_bar=False)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu_seconds() - cpu)
    return walls, cpus


def _inputs(tmp: Path) -> tuple[Path, Path, str, str]:
    if (PROCESSED_DIR / "build.json").exists():
        processed, data = PROCESSED_DIR, "data/processed"
    else:
        from tests.fakes import make_fake_processed

        processed, data = make_fake_processed(tmp / "processed"), "synthetic (tests.fakes)"
    if (NOTEBOOKS_DIR / "province_report.py").exists():
        notebooks, which = NOTEBOOKS_DIR, "notebooks/"
    else:
        notebooks, which = FIXTURE_NOTEBOOKS, "tests/fixtures/notebooks/"
    return processed, notebooks, data, which


def batch(tmp: Path, processed: Path, notebooks: Path, *, name: str, jobs: int = JOBS,
          provinces: str = "all", **kw) -> dict:
    """Render a batch with ``run_reports`` (forced) and time it."""
    from analysis.reports.runner import run_reports

    out = tmp / name
    cpu, start = cpu_seconds(), time.perf_counter()
    result = run_reports(provinces=provinces, langs="vi,en", jobs=jobs, out=out, force=True,
                         processed_dir=processed, notebooks_dir=notebooks, show_progress=False,
                         **kw)
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu
    sizes = [r["html_bytes"] for r in result.reports if r.get("html_bytes")]
    gz = [len(gzip.compress((out / r["html"]).read_bytes())) for r in result.reports
          if r["status"] == "ok"]
    return {"wall": wall, "cpu": cpu, "n": len(result.reports), "failed": result.counts["failed"],
            "sizes": sizes, "gzip": gz, "out": out,
            "durations": [r["duration_s"] for r in result.reports if r.get("duration_s")]}


def run() -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="nq42-bench-reports-"))
    cwd = Path.cwd()
    try:
        os.chdir(tmp)
        processed, notebooks, data, which = _inputs(tmp)
        walls, cpus = floor_seconds()
        full = batch(tmp, processed, notebooks, name="warm")
        after = floor_seconds()  # the machine's load may change: the floor is taken twice
        walls, cpus = walls + after[0], cpus + after[1]
        floor, floor_cpu = statistics.median(walls), statistics.median(cpus)
        per_report_core = full["wall"] * JOBS / full["n"]
        mb = 1_000_000
        result = {
            "data": data,
            "notebooks": which,
            "reports": full["n"],
            "failed": full["failed"],
            "jobs": JOBS,
            "cpu_cores": os.cpu_count(),
            "floor_empty_notebook_s": round(floor, 3),
            "floor_runs_s": [round(w, 2) for w in walls],
            "batch_wall_s": round(full["wall"], 1),
            "per_report_wall_s": round(full["wall"] / full["n"], 3),
            "per_report_core_s": round(per_report_core, 3),
            "ratio_to_floor": round(per_report_core / floor, 2),
            "floor_cpu_s": round(floor_cpu, 3),
            "per_report_cpu_s": round(full["cpu"] / full["n"], 3),
            "cpu_ratio_to_floor": round(full["cpu"] / full["n"] / floor_cpu, 2),
            "median_report_duration_s": round(statistics.median(full["durations"]), 3),
            "median_html_mb": round(statistics.median(full["sizes"]) / mb, 3),
            "max_html_mb": round(max(full["sizes"]) / mb, 3),
            "median_html_gzip_mb": round(statistics.median(full["gzip"]) / mb, 3),
        }
        median_mb, max_mb = result["median_html_mb"], result["max_html_mb"]
        result["checks"] = [
            check(f"batch of {full['n']} reports, --jobs {JOBS} (floor: papermill on an empty "
                  f"notebook, {floor:.2f} s)",
                  f"{full['wall']:.0f} s wall = {result['ratio_to_floor']}x "
                  f"({full['n']} x floor / {JOBS} = {full['n'] * floor / JOBS:.0f} s)",
                  "<= 1.5x", result["ratio_to_floor"] <= 1.5),
            check("median report size", f"{median_mb:.2f} MB "
                  f"({result['median_html_gzip_mb']:.2f} MB gzipped)", "<= 1.0 MB",
                  median_mb <= 1.0),
            check("largest report size", f"{max_mb:.2f} MB", "<= 1.3 MB", max_mb <= 1.3),
        ]
        if os.environ.get("NQ42_BENCH_NAIVE") == "1":
            # a fresh kernel per report (what a plain papermill loop does), on 8 provinces
            naive = batch(tmp, processed, notebooks, name="naive", provinces="01,04,08,11,12,14,15,19",
                          reports_per_kernel=1)
            warm = batch(tmp, processed, notebooks, name="warm8", provinces="01,04,08,11,12,14,15,19")
            result["naive_8prov_ratio_to_floor"] = round(naive["wall"] * JOBS / naive["n"] / floor, 2)
            result["warm_8prov_ratio_to_floor"] = round(warm["wall"] * JOBS / warm["n"] / floor, 2)
        out = PROJECT_ROOT / "benchmarks" / "output"
        out.mkdir(exist_ok=True)
        (out / "reports_run.json").write_text(
            (full["out"] / "run.json").read_text(encoding="utf-8"), encoding="utf-8")
        return result
    finally:
        os.chdir(cwd)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
