"""Maps of the provinces that draw offline: geographic (real boundaries) or a tile grid.

Both kinds are built from plotly ``scatter`` traces only (filled polygons, ``fill="toself"``),
plus layout annotations and shapes. They never use plotly's ``geo``, ``choropleth`` or
``*_map`` traces, so that:

* the reports can embed plotly.js's small *cartesian* bundle (scatter, bar, heatmap, box,
  histogram, pie) instead of the full 4.8 MB one;
* nothing is ever fetched (``geo`` traces load ``world_110m.json`` from a CDN even when the
  base map is hidden; MapLibre ``*_map`` traces draw nothing from a ``file://`` page);
* polygon winding does not matter (d3-geo draws counter-clockwise rings as "the globe minus
  the province"; filled SVG paths do not care).

Longitude and latitude are projected simply: ``x = lon * cos(16°)``, ``y = lat`` (16°N is
the middle of Viet Nam), with the y axis anchored to x so that the map keeps its shape.

Every province of the geography is drawn exactly once, as one trace (one filled SVG path)
whose hover text gives its name, its value formatted for the language and its status as
text. Provinces without data are grey and hatched and say so in the hover text. Colours of
statuses come from :mod:`analysis.present.style` (colour-blind safe, always with their text in the
legend and the hover). Geographic maps carry the boundaries' attribution line.

Tile grids (``reference/tilegrid_vn63.csv``, ``tilegrid_vn34.csv``; made by
``scripts/make_tilegrid.py`` from province centroids) give every province one equal square
tile, north up: always available, and the clearer picture for the small delta provinces.

The package's modules: ``figure`` (:func:`choropleth`, :func:`tile_grid`, traces, layout),
``data`` (checking the map data), ``shapes`` (boundaries, tile grid, projection), ``styling``
(colours, hover and label text) and ``annotations`` (attribution, badge, archipelagos).
"""

from __future__ import annotations

from analysis.present.maps.annotations import ISLAND_GROUPS, ISLAND_MIN_LON
from analysis.present.maps.data import MapSpec
from analysis.present.maps.figure import (
    BORDER_COLOR,
    HIGHLIGHT_COLOR,
    KINDS,
    TILE_FONT,
    TILE_PX,
    choropleth,
    tile_grid,
)
from analysis.present.maps.shapes import COS_LAT, DECIMALS, TILE_GAP
from analysis.present.maps.styling import NO_DATA_FILL, NO_DATA_PATTERN, TEXT_DARK, VALUE_COLORSCALE

__all__ = [
    "BORDER_COLOR", "COS_LAT", "DECIMALS", "HIGHLIGHT_COLOR", "ISLAND_GROUPS", "ISLAND_MIN_LON",
    "KINDS", "NO_DATA_FILL", "NO_DATA_PATTERN", "TEXT_DARK", "TILE_FONT", "TILE_GAP", "TILE_PX",
    "VALUE_COLORSCALE", "MapSpec", "choropleth", "tile_grid",
]
