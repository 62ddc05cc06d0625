"""Ingest a one-million-row facility-level entry-template CSV (issue 3).

"Facility-level" here means what a ministry hands over for schools: one row per school and
year (the template's optional ``facility`` column), with ``numerator`` 1 when the school
meets the national standard and ``denominator`` 1. The ingest checks every row, then adds
the rows up to one rate per province, year and school level (pooled from numerators and
denominators). 100,000 schools x 10 years = 1,000,000 rows, province names in the spellings
real files use (with and without diacritics, prefixes, English).

Measured in the same run, on the same file: ``pandas.read_csv`` with default options (the
bare read), then ``analysis.ingest.read``, each the best of three. Goal: ingest <= 2x the
bare read (issue 16). Memory: the
Python-level peak seen by tracemalloc during each call (Arrow buffers are not seen by
tracemalloc) and the process's peak RSS at the end.
"""

from __future__ import annotations

import gc
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.checks import check

N_FACILITIES = 100_000
RUNS = 3
YEARS = range(2015, 2025)
LEVELS = ("preschool", "primary", "lower_secondary", "upper_secondary")
SOURCE = "Báo cáo thống kê giáo dục, Bộ GD&ĐT (bộ dữ liệu giả lập cho benchmark)"


def make_file(folder: Path) -> Path:
    """Write the facility-level template (synthetic, deterministic) and return its path."""
    from analysis.catalogue.geography import provinces

    rng = np.random.default_rng(42)
    p = provinces("vn63")
    spellings = np.array([*p["name_vi"], *("Tỉnh " + p["name_vi"]), *p["name_en"]], dtype=object)
    facility = np.arange(N_FACILITIES)
    province = spellings[(facility % len(p)) + len(p) * rng.integers(0, 3, N_FACILITIES)]
    level = np.asarray(LEVELS, dtype=object)[facility % len(LEVELS)]
    names = np.char.add("Trường ", facility.astype(str)).astype(object)
    years = np.repeat(np.asarray(list(YEARS)), N_FACILITIES)
    tile = np.tile
    frame = pd.DataFrame({
        "province": tile(province, len(YEARS)),
        "year": years,
        "indicator": "schools_national_standard_" + pd.Series(tile(level, len(YEARS))) + "_pct",
        "value": "",
        "numerator": (rng.random(len(years)) < 0.6).astype(int),
        "denominator": 1,
        "unit": "%",
        "source": SOURCE,
        "provenance": "synthetic",
        "note": "",
        "facility": tile(names, len(YEARS)),
    })
    path = folder / "facility_level_1m.csv"
    frame.to_csv(path, index=False)
    return path


def _timed(fn):  # noqa: ANN001, ANN202
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _peak_python_memory(fn) -> int:  # noqa: ANN001
    """Peak bytes allocated through Python (and numpy) while ``fn`` runs (a separate pass:
    tracemalloc slows allocation-heavy code, so times are measured without it)."""
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run() -> dict:
    """Generate the file, time the bare read and the ingest, report times and memory."""
    from analysis.ingest import read_with_report

    with tempfile.TemporaryDirectory(prefix="nq42-bench-") as tmp:
        path = make_file(Path(tmp))
        # one-time costs (importing pandera, loading the catalogues) are timed apart, as
        # pandas' own import is: the ratio compares reading work with reading work
        small = Path(tmp) / "warm_up.csv"
        with path.open("rb") as fh:
            small.write_bytes(b"".join(fh.readline() for _ in range(3)))  # header + 2 rows
        _, warm_up_s = _timed(lambda: read_with_report(small))
        size_mb = path.stat().st_size / 2**20
        bare_times, ingest_times = [], []
        for _ in range(RUNS):
            bare, seconds = _timed(lambda: pd.read_csv(path))
            rows = len(bare)
            del bare
            bare_times.append(seconds)
        for _ in range(RUNS):
            result, seconds = _timed(lambda: read_with_report(path))
            ingest_times.append(seconds)
        bare_s, ingest_s = min(bare_times), min(ingest_times)
        bare_peak = _peak_python_memory(lambda: pd.read_csv(path))
        ingest_peak = _peak_python_memory(lambda: read_with_report(path))
    assert result.rows_read == rows == N_FACILITIES * len(YEARS)
    assert result.rows_kept == rows and result.rows_quarantined == 0
    return {
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "observations": len(result.observations),
        "bare_read_csv_seconds": round(bare_s, 2),
        "ingest_seconds": round(ingest_s, 2),
        "ratio_to_bare_read": round(ingest_s / bare_s, 2),
        "first_call_import_seconds": round(warm_up_s, 2),
        "bare_read_peak_python_mb": round(bare_peak / 2**20, 1),
        "ingest_peak_python_mb": round(ingest_peak / 2**20, 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                     1),
        "bare_runs_seconds": [round(t, 2) for t in bare_times],
        "ingest_runs_seconds": [round(t, 2) for t in ingest_times],
        "checks": [check(f"ingest a {rows:,}-row facility-level template ({size_mb:.0f} MB), "
                         "best of three",
                         f"{ingest_s:.2f} s vs {bare_s:.2f} s for a bare `pandas.read_csv`: "
                         f"{ingest_s / bare_s:.1f}x; Python peak {ingest_peak / 2**20:.0f} MB "
                         f"(bare {bare_peak / 2**20:.0f} MB)",
                         "<= 2x the bare read", ingest_s / bare_s <= 2.0)],
    }


if __name__ == "__main__":
    print(run())
