"""What a map shows besides the provinces: the bottom note (attribution or what a tile
means), the synthetic-data badge and the Hoàng Sa / Trường Sa archipelagos."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.present.i18n import t
from analysis.present.maps.shapes import COS_LAT, DECIMALS
from analysis.present.style import SYNTHETIC_COLOR
from analysis.sources.boundaries import PINNED_BOUNDARY_ID

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

# island groups drawn with a province: (province code, key of the label, min longitude)
ISLAND_GROUPS = (("48", "hoang_sa"), ("56", "truong_sa"))
ISLAND_MIN_LON = 110.0


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
    import shapely  # shapely is heavy: only for geographic maps

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
