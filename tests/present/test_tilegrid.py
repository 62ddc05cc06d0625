"""The committed tile grids: every province once, one tile each, roughly geographic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from analysis.catalogue.geography import province_codes
from analysis.present.maps import tile_grid

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("geo", ["vn63", "vn34"])
def test_each_province_has_exactly_one_tile_and_no_tile_is_shared(geo):
    grid = tile_grid(geo)
    assert list(grid.columns) == ["code", "row", "col"]
    assert grid["code"].tolist() == province_codes(geo)
    assert not grid.duplicated(["row", "col"]).any()
    assert (grid[["row", "col"]] >= 0).all().all()
    # compact: no empty row or column, at most 10 columns
    assert sorted(grid["row"].unique()) == list(range(grid["row"].max() + 1))
    assert sorted(grid["col"].unique()) == list(range(grid["col"].max() + 1))
    assert grid["col"].max() + 1 <= 10


@pytest.mark.parametrize("geo", ["vn63", "vn34"])
def test_north_is_up_and_the_mekong_delta_at_the_bottom(geo):
    pos = tile_grid(geo).set_index("code")
    last = pos["row"].max()
    assert pos.at["96", "row"] == last  # Cà Mau, the southern tip
    assert pos.at["01", "row"] < pos.at["38", "row"] < pos.at["48", "row"] < pos.at["79", "row"]
    assert pos.at["11", "col"] == 0  # Điện Biên, the far west
    assert pos.at["22", "col"] > pos.at["01", "col"]  # Quảng Ninh east of Hà Nội
    assert pos.at["04", "row"] == 0  # Cao Bằng on the northern border


def test_the_grid_is_a_copy():
    grid = tile_grid("vn34")
    grid.loc[0, "row"] = 99
    assert tile_grid("vn34").loc[0, "row"] != 99


@pytest.mark.shared
def test_the_committed_grids_are_what_the_script_derives(geo63_file):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_tilegrid.py"),
                             str(geo63_file), "--check"], capture_output=True, text=True,
                            cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "borders kept as tile neighbours" in result.stdout
