"""The map figure: :func:`choropleth` and :func:`tile_grid`, the province, label and
colour-bar traces and the layout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue.geography import check_geo_version
from analysis.core.errors import DataError, ParameterError
from analysis.present.i18n import check_language, has_key, plotly_separators, t
from analysis.present.maps.annotations import _bottom_note, _islands, _synthetic_badge
from analysis.present.maps.data import MapSpec, _normalise_code, _prepare
from analysis.present.maps.shapes import (
    _boundaries_available,
    _boundary_frame,
    _geo_shapes,
    _path,
    _svg_path,
    _tile_grid,
    _tile_shapes,
)
from analysis.present.maps.styling import (
    NO_DATA_FILL,
    NO_DATA_PATTERN,
    TEXT_DARK,
    _colorscale,
    _styled,
    _text_colour,
    _tile_label,
)
from analysis.present.style import FONT_FAMILY, STATUS_TEXT_COLORS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import plotly.graph_objects as go

KINDS = ("auto", "geographic", "tiles")
BORDER_COLOR = "#FFFFFF"
HIGHLIGHT_COLOR = "#000000"
TILE_PX = {"vn63": 50, "vn34": 58}  # tile size in pixels at the figure's default height
TILE_FONT = {"vn63": 10, "vn34": 11}


def choropleth(data: pd.DataFrame, *, geo_version: str, lang: str = "vi",
               value_column: str = "value", title: str | None = None,
               highlight: str | None = None,
               boundaries: str | Path | gpd.GeoDataFrame | None = None,
               kind: str = "auto", unit: str | None = None) -> go.Figure:
    """A map of the provinces coloured by a value or by a progress status.

    Args:
        data: one row per province: ``province_code`` (2-digit str) and either
            ``value_column`` (numeric: coloured on a sequential scale) or ``status`` (a code
            of :data:`analysis.present.style.STATUS_ORDER`: coloured by status, with its text). When
            both are present the value gives the colour and the status is shown in the
            hover text. A ``provenance`` column with ``synthetic`` rows adds the synthetic
            badge. Provinces absent from ``data`` (or with a missing value) are drawn as
            "no data".
        geo_version: ``vn34`` or ``vn63``; every province of it appears exactly once.
        lang: ``vi`` or ``en``: names, numbers, legend and hover text.
        value_column: the numeric column to map (default ``value``).
        title: figure title (none by default).
        highlight: a province code to outline.
        boundaries: a boundary file (GeoJSON, see :func:`analysis.sources.boundaries.load_boundaries`)
            or a GeoDataFrame it returned. Default: the file fetched by ``nq42 fetch
            boundaries``, if any.
        kind: ``geographic`` (real boundaries; needs them), ``tiles`` (the tile grid) or
            ``auto`` (geographic when boundaries are available, else tiles).
        unit: unit code of the values (``percent``, ``units`` …) for formatting; default: the
            value of the ``unit`` column, if any (several units are refused).

    Returns:
        A plotly Figure made of ``scatter`` traces only (one filled trace per province),
        that draws with no network access.

    Raises:
        DataError: ``province_code`` missing, codes that are not provinces of
            ``geo_version`` (all listed), a province given twice, non-numeric values,
            unknown statuses, mixed units, or no boundaries for ``kind="geographic"``.
        ParameterError: unknown ``geo_version``, ``lang``, ``kind`` or ``highlight``.
    """
    check_geo_version(geo_version)
    check_language(lang)
    if kind not in KINDS:
        raise ParameterError(f"unknown map kind {kind!r}; use one of: {', '.join(KINDS)}")
    table, mode = _prepare(data, geo_version, value_column)
    if unit is None and "unit" in data.columns:
        units = sorted(map(str, data["unit"].dropna().unique()))
        if len(units) > 1:
            raise DataError(f"the map data mixes units ({', '.join(units)})",
                            hint="map one indicator at a time")
        unit = units[0] if units else None
    if highlight is not None:
        highlight = _normalise_code(highlight)
        if highlight not in set(table["code"]):
            raise ParameterError(f"highlight {highlight!r} is not a province of {geo_version}")
    gdf = None
    if kind == "geographic" or (kind == "auto" and _boundaries_available(boundaries)):
        gdf = _boundary_frame(geo_version, boundaries)
        shapes = _geo_shapes(gdf)
    else:
        shapes = _tile_shapes(geo_version)
    spec = MapSpec(geo_version, lang, mode, title=title, highlight=highlight, unit=unit)
    return _figure(table, shapes, spec, gdf)


def tile_grid(geo_version: str) -> pd.DataFrame:
    """The tile-grid layout of a geography.

    Returns:
        One row per province (sorted by code): ``code`` (str), ``row`` (0 = north) and
        ``col`` (0 = west), both int. Derived by ``scripts/make_tilegrid.py``.
    """
    check_geo_version(geo_version)
    return _tile_grid(geo_version).copy()


def _figure(table: pd.DataFrame, shapes: dict, spec: MapSpec,
            gdf: gpd.GeoDataFrame | None) -> go.Figure:
    """Assemble traces (plain dicts, validated once by ``go.Figure``) and the layout."""
    import plotly.graph_objects as go  # plotly is heavy: only when a map is drawn

    geo_version, lang, highlight = spec.geo_version, spec.lang, spec.highlight
    styled = _styled(table, spec)
    traces = _province_traces(styled, shapes, geographic=gdf is not None)
    annotations = [_bottom_note(gdf, lang)]
    layout_shapes = []
    if gdf is None:
        traces.append(_tile_label_trace(styled, geo_version, lang))
    else:
        islands = _islands(gdf, styled, lang)
        if islands:
            traces.append(islands["trace"])
            layout_shapes.extend(islands["shapes"])
            annotations.extend(islands["annotations"])
    if spec.mode == "value" and styled["has_data"].any():
        traces.append(_colourbar_trace(styled, shapes, spec.unit, lang))
    if bool(styled["synthetic"].any()):
        annotations.append(_synthetic_badge(lang))
    if highlight is not None:
        layout_shapes.append({"type": "path", "path": _svg_path(shapes[highlight]),
                              "line": {"color": HIGHLIGHT_COLOR, "width": 2.5},
                              "fillcolor": "rgba(0,0,0,0)", "layer": "above"})
    layout = _layout(shapes, spec, tiles=gdf is None)
    layout.update(separators=plotly_separators(lang), annotations=annotations,
                  shapes=layout_shapes)
    return go.Figure(data=traces, layout=layout)


def _province_traces(styled: pd.DataFrame, shapes: dict, *, geographic: bool) -> list[dict]:
    """One filled scatter trace per province; the first of each legend group is listed."""
    traces = []
    seen: set[str] = set()
    for row in styled.itertuples():
        xs, ys = _path(shapes[row.code])
        trace = {
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
            "fillcolor": row.fill,
            "line": {"color": BORDER_COLOR, "width": 0.6 if geographic else 0},
            "hoveron": "fills", "hoverinfo": "text", "text": row.hover,
            "name": row.legend, "legendgroup": row.group,
            "showlegend": row.group != "value" and row.group not in seen, "meta": row.code,
        }
        if row.group == "no_data":
            trace["fillpattern"] = {"shape": "/", "fgcolor": NO_DATA_PATTERN, "size": 6,
                                    "solidity": 0.15, "bgcolor": NO_DATA_FILL}
        seen.add(row.group)
        traces.append(trace)
    return traces


def _tile_label_trace(styled: pd.DataFrame, geo_version: str, lang: str) -> dict:
    """Short names in the middle of the tiles, in a colour readable on each fill."""
    grid = _tile_grid(geo_version).set_index("code")
    status_map = styled.attrs["mode"] == "status"
    colours = [STATUS_TEXT_COLORS[r.status] if status_map and r.has_data
               else _text_colour(r.fill) for r in styled.itertuples()]
    return {
        "type": "scatter", "mode": "text", "hoverinfo": "skip", "showlegend": False,
        "meta": "labels",
        "x": [float(grid.at[c, "col"]) + 0.5 for c in styled["code"]],
        "y": [-float(grid.at[c, "row"]) - 0.5 for c in styled["code"]],
        "text": [_tile_label(c, n, geo_version, lang)
                 for c, n in zip(styled["code"], styled["name"], strict=True)],
        "textfont": {"color": colours, "size": TILE_FONT[geo_version], "family": FONT_FAMILY},
    }


def _colourbar_trace(styled: pd.DataFrame, shapes: dict, unit: str | None, lang: str) -> dict:
    """An invisible one-point marker trace whose only job is to draw the colour bar."""
    vmin, vmax = styled.attrs["vmin"], styled.attrs["vmax"]
    code = styled.loc[styled["has_data"], "code"].iloc[0]
    x, y = shapes[code][0][0]
    title = t(f"unit.{unit}", lang) if unit and has_key(f"unit.{unit}", lang) else ""
    return {
        "type": "scatter", "x": [x], "y": [y], "mode": "markers", "hoverinfo": "skip",
        "showlegend": False, "meta": "colorbar",
        "marker": {"size": 1, "opacity": 0, "color": [vmin], "cmin": vmin, "cmax": vmax,
                   "colorscale": [list(p) for p in _colorscale()], "showscale": True,
                   "colorbar": {"title": {"text": title}, "thickness": 12, "len": 0.35,
                                "tickformat": ",.4~r",  # 250.000 (vi), never "250k"
                                "x": 0.0, "xanchor": "left", "y": 0.6, "yanchor": "top",
                                "outlinewidth": 0}},
    }


def _layout(shapes: dict, spec: MapSpec, *, tiles: bool) -> dict:
    geo_version, lang, title, mode = spec.geo_version, spec.lang, spec.title, spec.mode
    xs = [p[0] for rings in shapes.values() for ring in rings for p in ring]
    ys = [p[1] for rings in shapes.values() for ring in rings for p in ring]
    pad = 0.2 if tiles else 0.25
    xr = [min(xs) - pad, max(xs) + (pad if tiles else 0.5)]  # room for the islands' frame
    yr = [min(ys) - pad, max(ys) + pad]
    if tiles:  # tiles of TILE_PX[geo] pixels: labels stay readable, the page stays short
        height = int(TILE_PX[geo_version] * (yr[1] - yr[0]))
    else:  # about 50 px per degree of latitude
        height = int(50 * (yr[1] - yr[0]))
    height += (40 if title else 0) + 46
    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": False}
    return {
        "template": "none",
        "font": {"family": FONT_FAMILY, "size": 12, "color": TEXT_DARK},
        "title": {"text": title, "x": 0.01, "xanchor": "left"} if title else None,
        "xaxis": {**axis, "range": xr, "constrain": "domain"},
        "yaxis": {**axis, "range": yr, "scaleanchor": "x", "scaleratio": 1,
                  "constrain": "domain"},
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 48 if title else 10, "b": 36},
        "plot_bgcolor": "#FFFFFF",
        "paper_bgcolor": "#FFFFFF",
        "hovermode": "closest",
        "dragmode": "pan",
        "showlegend": True,
        "legend": {"title": {"text": t("maps.status_title", lang) if mode == "status"
                             else ""},
                   "x": 0.0, "xanchor": "left", "y": 0.66, "yanchor": "top",
                   "bgcolor": "rgba(255,255,255,0.85)", "itemclick": "toggle",
                   "font": {"size": 12}},
        "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}},
    }
