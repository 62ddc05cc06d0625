"""Derive the tile-grid layouts ``src/analysis/catalogue/reference/tilegrid_vn63.csv`` and ``_vn34.csv``.

A tile-grid map gives every province one equal square tile placed roughly where the
province is, north up. This script is the record of how the committed layouts were made:

1. read the province boundaries (default: ``../shared/geo/vnm_adm1_63_geoboundaries_simplified
   .geojson``, geoBoundaries VNM-ADM1-63759600, public domain) through
   :func:`analysis.sources.boundaries.load_boundaries` (vn34 is dissolved from vn63 through the
   crosswalk);
2. take the centroid of each province's largest polygon (so that the Hoàng Sa and Trường Sa
   archipelagos do not pull Đà Nẵng and Khánh Hòa out to sea), projected
   ``x = lon * cos(16°)``, ``y = lat``;
3. stretch the centroids onto a grid of ``cols`` x ``rows`` cells (``PARAMS``). Viet Nam is
   long and thin, and the north and the Mekong delta hold most provinces: the vertical
   position is a blend of latitude and latitude *rank* (``rank_weight``), which gives the
   crowded north and south more rows and the thin central strip fewer;
4. give each province its own cell by solving the assignment problem (Hungarian algorithm,
   implemented below: no SciPy needed) that minimises the summed squared distance between
   the stretched centroids and the cell centres (vertical distance weighted by
   ``row_weight``);
5. polish by local search: move a province to another cell (or swap two) whenever that
   lowers ``cost - BORDER_WEIGHT * borders kept``, where a border is kept when two
   provinces whose boundaries touch get neighbouring tiles (8-neighbourhood);
6. drop empty rows and columns, check that every province has exactly one tile and no two
   share one, and write ``code,row,col`` (row 0 = north, col 0 = west).

The parameters were chosen by trying grids of 6-11 columns and the weights 0-3, scoring
each layout by the share of borders kept, and looking at the result: vn63 keeps 123 of its
135 borders (91%) on 9 x 14 tiles, vn34 56 of 58 (97%) on 7 x 11. The script prints that
score.

Run: ``.venv/bin/python scripts/make_tilegrid.py [BOUNDARY_FILE]`` (prints the layouts as
text so they can be checked by eye; ``--check`` compares with the committed files instead
of writing).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis.catalogue.geography import provinces  # noqa: E402
from analysis.core.atomic import write_text  # noqa: E402
from analysis.sources.boundaries import load_boundaries  # noqa: E402

DEFAULT_FILE = ROOT.parent / "shared" / "geo" / "vnm_adm1_63_geoboundaries_simplified.geojson"
OUT_DIR = ROOT / "src" / "analysis" / "catalogue" / "reference"
# per geography: columns and rows of the grid (before empty ones are dropped), weight of
# the latitude rank in the vertical position, weight of vertical distance in the cost
PARAMS = {"vn63": (9, 14, 0.7, 0.7), "vn34": (7, 11, 0.0, 1.5)}
BORDER_WEIGHT = 0.5
COS_LAT = math.cos(math.radians(16.0))


def centroids(geo_version: str, path: Path) -> dict[str, tuple[float, float]]:
    """Projected centroid of each province's largest polygon part."""
    import shapely

    gdf = load_boundaries(geo_version, path, cache=False)
    out = {}
    for code, geom in zip(gdf["code"], gdf.geometry, strict=True):
        parts = list(shapely.get_parts(geom))
        main = max(parts, key=lambda g: g.area)
        c = main.centroid
        out[code] = (c.x * COS_LAT, c.y)
    return out


def targets(points: dict[str, tuple[float, float]], cols: int, rows: int,
            rank_weight: float) -> dict[str, tuple[float, float]]:
    """Stretch projected centroids into grid coordinates (col, row), row 0 north."""
    codes = list(points)
    xs = [points[c][0] for c in codes]
    ys = [points[c][1] for c in codes]
    order = sorted(range(len(codes)), key=lambda i: -ys[i])
    rank = [0.0] * len(codes)
    for r, i in enumerate(order):
        rank[i] = r / (len(codes) - 1)
    ymax, ymin = max(ys), min(ys)
    xmin, xmax = min(xs), max(xs)
    out = {}
    for i, code in enumerate(codes):
        lat_pos = (ymax - ys[i]) / (ymax - ymin)
        v = (1 - rank_weight) * lat_pos + rank_weight * rank[i]
        u = (xs[i] - xmin) / (xmax - xmin)
        out[code] = (u * (cols - 1), v * (rows - 1))
    return out


def hungarian(cost: list[list[float]]) -> list[int]:  # noqa: C901 - the textbook loop
    """Minimum-cost assignment of n rows to m >= n columns; returns the column of each row.

    The classic O(n^2 m) shortest-augmenting-path form with potentials.
    """
    n, m = len(cost), len(cost[0])
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)  # p[j]: row assigned to column j (1-based, 0 = none)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    result = [0] * n
    for j in range(1, m + 1):
        if p[j]:
            result[p[j] - 1] = j - 1
    return result


def layout(geo_version: str, path: Path) -> dict[str, tuple[int, int]]:
    """code -> (row, col), compacted (no empty row or column)."""
    cols, rows, rank_weight, row_weight = PARAMS[geo_version]
    pos = targets(centroids(geo_version, path), cols, rows, rank_weight)
    codes = sorted(pos)
    cells = [(r, c) for r in range(rows) for c in range(cols)]

    def cell_cost(code: str, cell: tuple[int, int]) -> float:
        return (pos[code][0] - cell[1]) ** 2 + row_weight * (pos[code][1] - cell[0]) ** 2

    chosen = hungarian([[cell_cost(code, cell) for cell in cells] for code in codes])
    placed = {code: cells[j] for code, j in zip(codes, chosen, strict=True)}
    placed = refine(placed, cells, cell_cost, touching_pairs(geo_version, path))
    used_rows = sorted({r for r, _ in placed.values()})
    used_cols = sorted({c for _, c in placed.values()})
    return {code: (used_rows.index(r), used_cols.index(c)) for code, (r, c) in placed.items()}


def touching_pairs(geo_version: str, path: Path) -> list[tuple[str, str]]:
    """Pairs of provinces whose boundaries touch (0.005° ~ 0.5 km closes hairline gaps)."""
    import itertools

    import shapely

    gdf = load_boundaries(geo_version, path, cache=False)
    geoms = dict(zip(gdf["code"], shapely.buffer(gdf.geometry.array, 0.005), strict=True))
    return [(a, b) for a, b in itertools.combinations(sorted(geoms), 2)
            if geoms[a].intersects(geoms[b])]


def borders_kept(placed: dict[str, tuple[int, int]], pairs: list[tuple[str, str]]) -> int:
    return sum(1 for a, b in pairs
               if max(abs(placed[a][0] - placed[b][0]), abs(placed[a][1] - placed[b][1])) <= 1)


def refine(placed: dict[str, tuple[int, int]], cells: list[tuple[int, int]], cell_cost,  # noqa: ANN001
           pairs: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Greedy local search over moves and swaps (deterministic: fixed visiting order)."""
    def objective(p: dict[str, tuple[int, int]]) -> float:
        return sum(cell_cost(k, v) for k, v in p.items()) - BORDER_WEIGHT * borders_kept(p, pairs)

    best = objective(placed)
    improved = True
    while improved:
        improved = False
        for code in sorted(placed):
            for cell in cells:
                if cell == placed[code]:
                    continue
                occupant = next((k for k, v in placed.items() if v == cell), None)
                trial = dict(placed)
                trial[code] = cell
                if occupant is not None:
                    trial[occupant] = placed[code]
                value = objective(trial)
                if value < best - 1e-9:
                    placed, best, improved = trial, value, True
    return placed


def check(grid: dict[str, tuple[int, int]], geo_version: str) -> None:
    expected = set(provinces(geo_version)["code"])
    if set(grid) != expected:
        raise SystemExit(f"{geo_version}: provinces differ: {sorted(set(grid) ^ expected)}")
    if len(set(grid.values())) != len(grid):
        raise SystemExit(f"{geo_version}: two provinces share a tile")


def border_score(grid: dict[str, tuple[int, int]], geo_version: str, path: Path) -> str:
    """Borders kept as tile neighbours, as text."""
    pairs = touching_pairs(geo_version, path)
    kept = borders_kept(grid, pairs)
    return f"{kept} of {len(pairs)} ({kept / len(pairs):.0%})"


def to_csv(grid: dict[str, tuple[int, int]]) -> str:
    lines = ["code,row,col"] + [f"{c},{r},{k}" for c, (r, k) in sorted(grid.items())]
    return "\n".join(lines) + "\n"


def show(grid: dict[str, tuple[int, int]], geo_version: str) -> str:
    names = provinces(geo_version).set_index("code")["name_en"]
    nrows = max(r for r, _ in grid.values()) + 1
    ncols = max(c for _, c in grid.values()) + 1
    cells = {v: k for k, v in grid.items()}
    out = []
    for r in range(nrows):
        out.append(" ".join(f"{cells[(r, c)]}:{names[cells[(r, c)]][:7]:<7}"
                            if (r, c) in cells else " " * 10 for c in range(ncols)))
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("boundaries", nargs="?", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed files instead of writing them")
    args = parser.parse_args()
    if not args.boundaries.is_file():
        print(f"boundary file not found: {args.boundaries}", file=sys.stderr)
        return 1
    status = 0
    for geo in ("vn63", "vn34"):
        grid = layout(geo, args.boundaries)
        check(grid, geo)
        score = border_score(grid, geo, args.boundaries)
        print(f"{geo}: borders kept as tile neighbours: {score}\n{show(grid, geo)}\n")
        target = OUT_DIR / f"tilegrid_{geo}.csv"
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != to_csv(grid):
                print(f"{target.name} differs from what this script derives", file=sys.stderr)
                status = 1
        else:
            write_text(target, to_csv(grid))
    return status


if __name__ == "__main__":
    sys.exit(main())
