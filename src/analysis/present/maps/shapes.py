"""Province shapes in projected units (code -> rings of (x, y)): from boundary files or the
tile grid, and as plotly paths."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.catalogue.geography import province_codes
from analysis.core.config import REFERENCE_DIR
from analysis.core.errors import DataError
from analysis.sources import boundaries as boundary_files

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

COS_LAT = math.cos(math.radians(16.0))  # x = lon * COS_LAT keeps shapes near 16°N true
DECIMALS = 3  # coordinates in the figure: 0.001° ~ 100 m, far below a pixel
TILE_GAP = 0.06  # share of a tile left blank around it


def _boundaries_available(boundaries: object) -> bool:
    if boundaries is not None:
        return True
    return boundary_files.default_boundaries_path() is not None


def _boundary_frame(geo_version: str, boundaries: object) -> gpd.GeoDataFrame:
    if boundaries is None or isinstance(boundaries, str | Path):
        return boundary_files.load_boundaries(geo_version, boundaries)
    gdf = boundaries
    if not hasattr(gdf, "geometry") or "code" not in getattr(gdf, "columns", ()):
        raise DataError("boundaries must be a file or the GeoDataFrame of "
                        "analysis.sources.boundaries.load_boundaries (with a code column)")

    if sorted(map(str, gdf["code"])) != province_codes(geo_version):
        raise DataError(f"the boundaries given are not the provinces of {geo_version}",
                        hint=f"load_boundaries({geo_version!r}, path)")
    return gdf


def _geo_shapes(gdf: gpd.GeoDataFrame) -> dict[str, list[list[tuple[float, float]]]]:
    import shapely  # shapely is heavy: only for geographic maps

    out: dict[str, list[list[tuple[float, float]]]] = {}
    for code, geom in zip(map(str, gdf["code"]), gdf.geometry, strict=True):
        rings = []
        for poly in shapely.get_parts(geom):
            for ring in (poly.exterior, *poly.interiors):
                rings.append(_project(ring.coords))
        out[code] = rings
    return out


def _project(coords: Any) -> list[tuple[float, float]]:
    pts = []
    for lon, lat, *_ in coords:
        p = (round(lon * COS_LAT, DECIMALS), round(lat, DECIMALS))
        if not pts or pts[-1] != p:
            pts.append(p)
    return pts


@cache
def _tile_grid(geo_version: str) -> pd.DataFrame:
    path = REFERENCE_DIR / f"tilegrid_{geo_version}.csv"
    df = pd.read_csv(path, dtype={"code": str, "row": int, "col": int})
    return df.sort_values("code").reset_index(drop=True)


def _tile_shapes(geo_version: str) -> dict[str, list[list[tuple[float, float]]]]:
    grid = _tile_grid(geo_version)
    g = TILE_GAP / 2
    out = {}
    for code, row, col in grid.itertuples(index=False):
        x0, x1 = col + g, col + 1 - g
        y1, y0 = -row - g, -row - 1 + g
        out[code] = [[(x0, y1), (x1, y1), (x1, y0), (x0, y0), (x0, y1)]]
    return out


def _path(rings: list[list[tuple[float, float]]]) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for ring in rings:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(p[0] for p in ring)
        ys.extend(p[1] for p in ring)
    return xs, ys


def _svg_path(rings: list[list[tuple[float, float]]]) -> str:
    return " ".join("M" + " L".join(f"{x},{y}" for x, y in ring) + " Z" for ring in rings)
