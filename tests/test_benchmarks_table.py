"""The README's benchmark table is written from the results, between two markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.checks import END, START, check, table, write_readme

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_holds_the_markers_once() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert text.index(START) < text.index(END)


def test_the_table_shows_each_goal_and_whether_it_is_met() -> None:
    results = {"bench_a": {"checks": [check("ingest", "3.1x", "<= 2x", False),
                                      check("size", "0.9 MB", "<= 1 MB", True)]},
               "bench_b": {"error": "ValueError: boom"}}
    lines = table(results).splitlines()
    assert lines[2] == "| ingest | 3.1x | <= 2x | **not met** |"
    assert lines[3] == "| size | 0.9 MB | <= 1 MB | met |"
    assert "failed: ValueError: boom" in lines[4]


def test_write_readme_replaces_only_the_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{START}\nold table\n{END}\nafter\n", encoding="utf-8")
    write_readme(readme, {"b": {"checks": [check("x", "1 s", "<= 2 s", True)]}}, "Measured today.")
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith(f"{END}\nafter\n")
    assert "old table" not in text and "| x | 1 s | <= 2 s | met |" in text
    assert "Measured today." in text
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="markers"):
        write_readme(readme, {}, "")
