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
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.core.config import REFERENCE_DIR
from analysis.core.errors import DataError, ParameterError
from analysis.catalogue.geography import check_geo_version, province_codes, provinces
from analysis.present.i18n import (
    check_language,
    fmt_number,
    fmt_value,
    has_key,
    plotly_separators,
    provenance_label,
    status_label,
    t,
)
from analysis.present.style import (
    FONT_FAMILY,
    STATUS_COLORS,
    STATUS_ORDER,
    STATUS_TEXT_COLORS,
    SYNTHETIC_COLOR,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import plotly.graph_objects as go

KINDS = ("auto", "geographic", "tiles")
COS_LAT = math.cos(math.radians(16.0))  # x = lon * COS_LAT keeps shapes near 16°N true
DECIMALS = 3  # coordinates in the figure: 0.001° ~ 100 m, far below a pixel
# sequential, colour-blind-safe scale (ColorBrewer YlGnBu), light = low, dark = high
VALUE_COLORSCALE = ["#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8",
                    "#0c2c84"]
NO_DATA_FILL = "#EEEEEE"
NO_DATA_PATTERN = "#9E9E9E"
BORDER_COLOR = "#FFFFFF"
HIGHLIGHT_COLOR = "#000000"
TEXT_DARK = "#1A1A1A"
TILE_GAP = 0.06  # share of a tile left blank around it
TILE_PX = {"vn63": 50, "vn34": 58}  # tile size in pixels at the figure's default height
TILE_FONT = {"vn63": 10, "vn34": 11}
# island groups drawn with a province: (province code, key of the label, min longitude)
ISLAND_GROUPS = (("48", "hoang_sa"), ("56", "truong_sa"))
ISLAND_MIN_LON = 110.0


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------

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
    return _figure(table, mode, shapes, geo_version=geo_version, lang=lang, title=title,
                   highlight=highlight, unit=unit, gdf=gdf)


def tile_grid(geo_version: str) -> pd.DataFrame:
    """The tile-grid layout of a geography.

    Returns:
        One row per province (sorted by code): ``code`` (str), ``row`` (0 = north) and
        ``col`` (0 = west), both int. Derived by ``scripts/make_tilegrid.py``.
    """

    check_geo_version(geo_version)
    return _tile_grid(geo_version).copy()


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------

def _normalise_code(code: object) -> str:
    text = str(code).strip()
    return text.zfill(2) if text.isdigit() and len(text) == 1 else text


def _prepare(data: pd.DataFrame, geo_version: str, value_column: str
             ) -> tuple[pd.DataFrame, str]:
    """One row per province of ``geo_version``: code, value, status, synthetic, has_data."""

    if not isinstance(data, pd.DataFrame):
        raise DataError("the map data must be a table (DataFrame)")
    if "province_code" not in data.columns:
        raise DataError("the map data has no province_code column",
                        hint="one row per province with its 2-digit code")
    has_value = value_column in data.columns
    if not has_value and "status" not in data.columns:
        raise DataError(f"the map data has neither a {value_column!r} column nor a status "
                        "column", hint="pass value_column= to name the numeric column")
    known = provinces(geo_version)["code"].tolist()
    codes = _checked_codes(data["province_code"], known, geo_version)
    frame = pd.DataFrame({"code": codes.to_numpy(),
                          "value": _checked_values(data, codes, value_column),
                          "status": _checked_statuses(data),
                          "synthetic": (data["provenance"].astype("object") == "synthetic")
                          .to_numpy() if "provenance" in data.columns else False})
    full = pd.DataFrame({"code": known}).merge(frame, on="code", how="left")
    full["status"] = full["status"].astype("object").where(full["status"].notna(), None)
    full["synthetic"] = full["synthetic"].astype("boolean").fillna(False).astype(bool)
    mode = "value" if has_value else "status"
    full["has_data"] = full["value"].notna() if mode == "value" else full["status"].notna()
    return full, mode


def _checked_codes(raw: pd.Series, known: list[str], geo_version: str) -> pd.Series:
    codes = raw.map(_normalise_code)
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise DataError(f"{len(unknown)} code(s) in the map data are not provinces of "
                        f"{geo_version}: {', '.join(unknown)}",
                        hint="drop the national row (VN) and regions; check geo_version")
    twice = sorted(codes[codes.duplicated()].unique())
    if twice:
        raise DataError(f"the map data has several rows for province(s) {', '.join(twice)}",
                        hint="keep one row per province (one indicator and one year)")
    return codes


def _checked_values(data: pd.DataFrame, codes: pd.Series, value_column: str):  # noqa: ANN202
    """Float values (NaN = no data), or NaN everywhere when there is no value column."""
    import numpy as np

    if value_column not in data.columns:
        return np.full(len(data), np.nan)
    raw = data[value_column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & values.isna()
    if bad.any():
        listed = ", ".join(f"{c}: {v!r}" for c, v in zip(codes[bad], raw[bad], strict=True))
        raise DataError(f"non-numeric values in column {value_column!r}: {listed}")
    return values.astype(float).to_numpy()


def _checked_statuses(data: pd.DataFrame):  # noqa: ANN202
    """Status codes (None = none), checked against analysis.present.style.STATUS_ORDER."""

    if "status" not in data.columns:
        return [None] * len(data)
    status = data["status"].astype("object").where(data["status"].notna(), None)
    wrong = sorted({str(s) for s in status if s is not None and s not in STATUS_ORDER})
    if wrong:
        raise DataError(f"unknown status value(s): {', '.join(wrong)}",
                        hint=f"use one of {', '.join(STATUS_ORDER)}")
    return status.to_numpy()


# --------------------------------------------------------------------------------------
# shapes: code -> list of rings, each ring a list of (x, y) in projected units
# --------------------------------------------------------------------------------------

def _boundaries_available(boundaries: object) -> bool:
    if boundaries is not None:
        return True
    from analysis.sources.boundaries import default_boundaries_path

    return default_boundaries_path() is not None


def _boundary_frame(geo_version: str, boundaries: object) -> gpd.GeoDataFrame:
    from analysis.sources.boundaries import load_boundaries

    if boundaries is None or isinstance(boundaries, str | Path):
        return load_boundaries(geo_version, boundaries)
    gdf = boundaries
    if not hasattr(gdf, "geometry") or "code" not in getattr(gdf, "columns", ()):
        raise DataError("boundaries must be a file or the GeoDataFrame of "
                        "analysis.sources.boundaries.load_boundaries (with a code column)")

    if sorted(map(str, gdf["code"])) != province_codes(geo_version):
        raise DataError(f"the boundaries given are not the provinces of {geo_version}",
                        hint=f"load_boundaries({geo_version!r}, path)")
    return gdf


def _geo_shapes(gdf: gpd.GeoDataFrame) -> dict[str, list[list[tuple[float, float]]]]:
    import shapely

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


# --------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------

def _status_text(status: str, lang: str) -> str:

    return status_label(status, lang)


def _value_text(value: float, unit: str | None, lang: str) -> str:

    if unit is not None:
        try:
            return fmt_value(value, unit, lang)
        except ParameterError:
            pass  # unknown unit code: the bare number
    return fmt_number(value, lang)


def _province_names(geo_version: str, lang: str) -> dict[str, str]:

    table = provinces(geo_version)
    return dict(zip(table["code"], table["name_vi" if lang == "vi" else "name_en"],
                    strict=True))


def _tile_label(code: str, name: str, geo_version: str, lang: str) -> str:
    """A short label that fits a tile: the name on up to two lines, or a set abbreviation."""

    key = f"maps.tile_label.{geo_version}.{code}"
    if has_key(key, lang):
        return t(key, lang)
    words = name.replace(" - ", " ").replace("–", " ").split()
    if len(words) <= 1:
        return name
    best = min(range(1, len(words)),
               key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))))
    return " ".join(words[:best]) + "<br>" + " ".join(words[best:])


# --------------------------------------------------------------------------------------
# the figure
# --------------------------------------------------------------------------------------

def _colour_of(value: float, vmin: float, vmax: float) -> str:
    """The scale's colour at ``value``, interpolated in RGB as plotly's colour bar does."""
    pos = 0.5 if vmax <= vmin else (value - vmin) / (vmax - vmin)
    pos = min(max(pos, 0.0), 1.0) * (len(VALUE_COLORSCALE) - 1)
    i = min(int(pos), len(VALUE_COLORSCALE) - 2)
    frac = pos - i
    a, b = _rgb(VALUE_COLORSCALE[i]), _rgb(VALUE_COLORSCALE[i + 1])
    return "#" + "".join(f"{round(x + (y - x) * frac):02x}" for x, y in zip(a, b, strict=True))


@cache
def _colorscale() -> tuple[tuple[float, str], ...]:
    n = len(VALUE_COLORSCALE) - 1
    return tuple((i / n, c) for i, c in enumerate(VALUE_COLORSCALE))


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _text_colour(fill: str) -> str:
    """Dark or white label text, whichever contrasts more with ``fill`` (WCAG 2 ratio)."""
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(fill))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    dark = sum(w * linear(c) for w, c in zip((0.2126, 0.7152, 0.0722), _rgb(TEXT_DARK),
                                            strict=True))
    return TEXT_DARK if (lum + 0.05) / (dark + 0.05) >= 1.05 / (lum + 0.05) else "#FFFFFF"


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


def _figure(table: pd.DataFrame, mode: str, shapes: dict, *, geo_version: str, lang: str,
            title: str | None, highlight: str | None, unit: str | None,
            gdf: gpd.GeoDataFrame | None) -> go.Figure:
    """Assemble traces (plain dicts, validated once by ``go.Figure``) and the layout."""
    import plotly.graph_objects as go


    styled = _styled(table, mode, geo_version=geo_version, lang=lang, unit=unit)
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
    if mode == "value" and styled["has_data"].any():
        traces.append(_colourbar_trace(styled, shapes, unit, lang))
    if bool(styled["synthetic"].any()):
        annotations.append(_synthetic_badge(lang))
    if highlight is not None:
        layout_shapes.append({"type": "path", "path": _svg_path(shapes[highlight]),
                              "line": {"color": HIGHLIGHT_COLOR, "width": 2.5},
                              "fillcolor": "rgba(0,0,0,0)", "layer": "above"})
    layout = _layout(shapes, geo_version=geo_version, lang=lang, title=title,
                     tiles=gdf is None, mode=mode)
    layout.update(separators=plotly_separators(lang), annotations=annotations,
                  shapes=layout_shapes)
    return go.Figure(data=traces, layout=layout)


def _styled(table: pd.DataFrame, mode: str, *, geo_version: str, lang: str,
            unit: str | None) -> pd.DataFrame:
    """Per province: legend group, fill colour, hover text and legend name, in legend order.

    Groups: a status code (status maps), ``value`` (value maps) or ``no_data``; the legend
    lists the statuses best to worst, then "no data".
    """

    names = _province_names(geo_version, lang)
    no_data = t("common.no_data", lang)
    synthetic_note = provenance_label("synthetic", lang)
    known = table.loc[table["has_data"], "value"]
    vmin, vmax = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
    rows = []
    for row in table.itertuples():
        group = "no_data" if not row.has_data else row.status if mode == "status" else "value"
        fill = (NO_DATA_FILL if group == "no_data" else STATUS_COLORS[row.status]
                if mode == "status" else _colour_of(row.value, vmin, vmax))
        lines = [f"<b>{names[row.code]}</b>"]
        if mode == "value" and row.has_data:
            lines.append(_value_text(row.value, unit, lang))
        if row.status is not None:
            lines.append(_status_text(row.status, lang))
        if not row.has_data:
            lines.append(no_data)
        if row.synthetic:
            lines.append(f"<i>{synthetic_note}</i>")
        legend = (no_data[:1].upper() + no_data[1:] if group == "no_data"
                  else _status_text(row.status, lang) if mode == "status" else names[row.code])
        rows.append((group, fill, "<br>".join(lines), legend, names[row.code]))
    out = table.assign(**{k: [r[i] for r in rows] for i, k in
                          enumerate(("group", "fill", "hover", "legend", "name"))})
    order = {g: i for i, g in enumerate([*STATUS_ORDER, "value", "no_data"])}
    out["_order"] = out["group"].map(order)
    out = out.sort_values(["_order", "code"]).drop(columns="_order").reset_index(drop=True)
    out.attrs.update(mode=mode, vmin=vmin, vmax=vmax)
    return out


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


def _svg_path(rings: list[list[tuple[float, float]]]) -> str:
    return " ".join("M" + " L".join(f"{x},{y}" for x, y in ring) + " Z" for ring in rings)


def _layout(shapes: dict, *, geo_version: str, lang: str, title: str | None, tiles: bool,
            mode: str) -> dict:

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


def _bottom_note(gdf: gpd.GeoDataFrame | None, lang: str) -> dict:
    """The boundaries' attribution (geographic maps) or what a tile means (tile grids)."""

    note = t("maps.tiles_note", lang) if gdf is None else _attribution(gdf, lang)
    return {"text": note, "xref": "paper", "yref": "paper", "x": 0.0, "y": 0.0,
            "xanchor": "left", "yanchor": "top", "yshift": -6, "showarrow": False,
            "font": {"size": 10, "color": "#555555"}}


def _synthetic_badge(lang: str) -> dict:

    return {"text": t("maps.synthetic_badge", lang), "xref": "paper", "yref": "paper",
            "x": 1.0, "y": 1.0, "xanchor": "right", "yanchor": "top", "showarrow": False,
            "bgcolor": SYNTHETIC_COLOR, "font": {"color": "#FFFFFF", "size": 11},
            "borderpad": 4}


def _attribution(gdf: gpd.GeoDataFrame, lang: str) -> str:
    from analysis.sources.boundaries import PINNED_BOUNDARY_ID

    source = dict(getattr(gdf, "attrs", {}).get("source") or {})
    if source.get("boundary_id") == PINNED_BOUNDARY_ID:
        return t("maps.attribution.geoboundaries", lang, boundary_id=PINNED_BOUNDARY_ID)
    if source.get("file") and source.get("licence"):
        return t("maps.attribution.file_licence", lang, file=source["file"],
                 licence=source["licence"])
    if source.get("file"):
        return t("maps.attribution.file", lang, file=source["file"])
    return t("maps.attribution.unknown", lang)


def _islands(gdf: gpd.GeoDataFrame, styled: pd.DataFrame, lang: str) -> dict | None:
    """Mark the Hoàng Sa and Trường Sa archipelagos when the boundaries include them.

    Their islands are far smaller than a pixel, so each is also drawn as a dot in its
    province's colour (with the province's hover text), inside a dotted frame named with
    the archipelago and its province.
    """
    import shapely


    geoms = dict(zip(map(str, gdf["code"]), gdf.geometry, strict=True))
    by_code = styled.set_index("code")
    xs, ys, colours, texts, frames, labels = [], [], [], [], [], []
    for code, key in ISLAND_GROUPS:
        if code not in geoms:
            continue
        parts = [p for p in shapely.get_parts(geoms[code]) if p.centroid.x > ISLAND_MIN_LON]
        if not parts:
            continue
        for part in parts:
            xs.append(round(part.centroid.x * COS_LAT, DECIMALS))
            ys.append(round(part.centroid.y, DECIMALS))
            colours.append(by_code.at[code, "fill"])
            texts.append(by_code.at[code, "hover"])
        xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(parts))
        pad = 0.3
        frames.append({"type": "rect", "x0": round((xmin - pad) * COS_LAT, DECIMALS),
                       "x1": round((xmax + pad) * COS_LAT, DECIMALS),
                       "y0": round(ymin - pad, DECIMALS), "y1": round(ymax + pad, DECIMALS),
                       "layer": "below",
                       "line": {"color": "#9E9E9E", "width": 0.8, "dash": "dot"}})
        name = t(f"maps.islands.{key}", lang, province=by_code.at[code, "name"])
        labels.append({"text": f"<i>{name}</i>", "x": round((xmin + xmax) / 2 * COS_LAT,
                                                            DECIMALS),
                       "y": round(ymax + pad, DECIMALS), "yshift": 2, "yanchor": "bottom",
                       "showarrow": False, "font": {"size": 10, "color": "#555555"}})
    if not xs:
        return None
    trace = {"type": "scatter", "x": xs, "y": ys, "mode": "markers", "hoverinfo": "text",
             "hovertext": texts, "showlegend": False, "meta": "islands",
             "marker": {"size": 5, "color": colours,
                        "line": {"color": "#555555", "width": 0.5}}}
    return {"trace": trace, "shapes": frames, "annotations": labels}
