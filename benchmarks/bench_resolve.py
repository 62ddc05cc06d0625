"""Resolve a column of one million province names drawn from real spellings (issue 2).

Goal: about a second on one core. Memory: the Python-level peak measured with tracemalloc
around the call (Arrow buffers are not seen by tracemalloc) and the whole process's peak
RSS (input column and libraries included).
"""

from __future__ import annotations

import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from analysis.catalogue.geography import match_provinces, provinces
from benchmarks.checks import check

N = 1_000_000
# spellings seen in real sources (NSO JSON-stat, lossy CSV, yearbooks, press)
EXTRA = ["Thai  Nguyen", "B?c Ninh", "Ð?ng Nai", "H?i Duong", "TP. Hồ Chí Minh",
         "Ho Chi Minh city", "Bà Rịa–Vũng Tàu", "Thừa Thiên - Huế", "Hoà Bình", "Đăk Lăk",
         "Thanh Hoá", "Hà Nội\t", "CẢ NƯỚC", "Đồng bằng sông Hồng", "Hà Tây", "Kien  Giang"]


def _names(rng: np.random.Generator) -> pd.Series:
    p = provinces("vn63")
    pool = (list(p["name_vi"]) + list(p["name_en"]) + ["Tỉnh " + n for n in p["name_vi"]]
            + [n.upper() for n in p["name_vi"]] + EXTRA)
    return pd.Series(np.asarray(pool, dtype=object)[rng.integers(0, len(pool), N)])


def run() -> dict:
    rng = np.random.default_rng(0)
    names = _names(rng)
    match_provinces(names.iloc[:10], "vn63")  # warm the alias index (loaded once per process)
    tracemalloc.start()
    start = time.perf_counter()
    out = match_provinces(names, "vn63")
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(out) == N and out["code"].notna().all()
    return {
        "names": N,
        "distinct_spellings": int(names.nunique()),
        "seconds": round(seconds, 3),
        "peak_python_memory_mb": round(peak / 2**20, 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "checks": [check(f"resolve {N:,} province names ({names.nunique()} spellings)",
                         f"{seconds:.2f} s, {peak / 2**20:.0f} MB Python peak",
                         "about 1 s on one core", seconds <= 1.5)],
    }


if __name__ == "__main__":
    print(run())
