"""Run every benchmark module (``benchmarks/bench_*.py``) and print one summary table.

Each module exposes ``run() -> dict`` of named measurements. Results are also written to
``benchmarks/output/latest.json`` (git-ignored) so that a run can be compared with the
figures recorded in the README.

    make bench                       # all
    python -m benchmarks resolve     # only modules whose name contains "resolve"
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
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
            print(f"   {key:<40} {value}")
    out = HERE / "output"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                     encoding="utf-8")
    print(f"results: {out / 'latest.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
