"""One line per goal: what was measured, the result, the goal, met or not.

Each benchmark's ``run()`` returns its measurements plus ``"checks"``: a list of
:func:`check` dicts. ``python -m benchmarks`` prints them as one table, and
``python -m benchmarks --readme`` writes that table into README.md between the
``<!-- bench:start -->`` and ``<!-- bench:end -->`` markers, so the README shows the figures of
the last run (benchmarks/output/latest.json), never numbers typed by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def check(what: str, result: str, goal: str, met: bool | None) -> dict:
    """One goal: ``met`` is None when the goal is informational (no pass/fail)."""
    return {"what": what, "result": result, "goal": goal, "met": met}


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**not met**")


def table(results: dict[str, dict]) -> str:
    """Markdown table of every check of every benchmark that ran."""
    lines = ["| benchmark | result | goal | |", "| --- | --- | --- | --- |"]
    for name in sorted(results):
        if "error" in results[name]:
            lines.append(f"| {name} | failed: {results[name]['error']} | | **not met** |")
        for c in results[name].get("checks", []):
            lines.append(f"| {c['what']} | {c['result']} | {c['goal']} | {verdict(c['met'])} |")
    return "\n".join(lines)


def write_readme(readme: Path, results: dict[str, dict], measured: str) -> None:
    """Replace the README's table between the markers (the markers must exist)."""
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme}: no {START} ... {END} markers")
    block = f"{START}\n{measured}\n\n{table(results)}\n{END}"
    readme.write_text(pattern.sub(lambda _m: block, text), encoding="utf-8")
