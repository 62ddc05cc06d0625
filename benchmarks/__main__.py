"""Run every benchmark module (``benchmarks/bench_*.py``) and print one summary table.

Each module exposes ``run() -> dict`` of named measurements. Results are also written to
``benchmarks/output/latest.json`` (git-ignored) so that a run can be compared with the
figures recorded in the README.

    make bench                       # all, then the README's table from the results
    python -m benchmarks resolve     # only modules whose name contains "resolve"
    python -m benchmarks --readme    # rewrite the README's table from the last results
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

from benchmarks.checks import table, write_readme

HERE = Path(__file__).resolve().parent
LATEST = HERE / "output" / "latest.json"
README = HERE.parent / "README.md"


def readme_from_latest() -> int:
    """Write the README's benchmark table from benchmarks/output/latest.json."""
    if not LATEST.exists():
        print(f"{LATEST.relative_to(HERE.parent)}: no results yet: run `make bench`")
        return 1
    saved = json.loads(LATEST.read_text(encoding="utf-8"))
    write_readme(README, saved["results"], saved["measured"])
    print(f"wrote the benchmark table of {README.name} from {LATEST.relative_to(HERE.parent)}")
    return 0


def main(argv: list[str]) -> int:
    if "--readme" in argv:
        return readme_from_latest()
    wanted = argv[1:]
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if wanted:
        modules = [m for m in modules if any(w in m for w in wanted)]
    results: dict[str, dict] = {}
    failed = False
    for name in modules:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            results[name] = module.run()
        except Exception:  # noqa: BLE001 - a broken benchmark must not hide the others
            traceback.print_exc()
            results[name] = {"error": traceback.format_exc(limit=1).strip().splitlines()[-1]}
            failed = True
        results[name]["wall_seconds"] = round(time.perf_counter() - started, 2)
        for key, value in results[name].items():
            if key != "checks":
                print(f"   {key:<40} {value}")
    print()
    print(table(results))
    # a partial run (`python -m benchmarks ingest`) keeps the other benchmarks' last results
    saved = json.loads(LATEST.read_text(encoding="utf-8")) if LATEST.exists() else {}
    merged = {**saved.get("results", {}), **results}
    on = {**saved.get("measured_on", {}),
          **{name: dt.date.today().isoformat() for name in results}}
    measured = (f"Measured by `make bench` on {os.cpu_count()} cores, Python "
                f"{platform.python_version()}: "
                + ", ".join(f"{name} {on[name]}" for name in sorted(merged)) + ".")
    LATEST.parent.mkdir(exist_ok=True)
    LATEST.write_text(json.dumps({"measured": measured, "measured_on": on, "results": merged},
                                 indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"results: {LATEST}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
