"""Province boundaries: read a boundary file, attach GSO codes, dissolve, simplify, cache.

The project ships the pinned geoBoundaries release (gbOpen VNM ADM1, boundary ID
``VNM-ADM1-63759600``, public domain) as registered raw data in
``data/raw/boundaries/VNM-ADM1-63759600.geojson``, so every default map is geographic
offline. ``nq42 fetch boundaries`` refreshes it into ``data/raw/downloads/boundaries/`` (a
fetched copy is preferred when present); a user may also hand over any GeoJSON file of the
provinces (``nq42 reports --boundaries FILE``). :func:`load_boundaries` turns either into
one polygon per province of the requested geography:

* geoBoundaries-style files (``shapeName``/``shapeISO``) get their codes from
  :func:`analysis.catalogue.geography.match_provinces` on ``shapeName`` (the file's quirks — "Hà Nội\\t"
  with a tab, "Ho Chi Minh" without diacritics, "Bà Rịa–Vũng Tàu" with an en dash — all
  resolve); features sharing a code are merged (Côn Đảo is a separate feature and joins
  Bà Rịa–Vũng Tàu, 77);
* files with a ``code`` property (2-digit GSO codes) are used as they are; their geography
  is the one whose code list they match (or their ``geo_version`` property);
* ``vn34`` is dissolved from ``vn63`` through the crosswalk: the 2025 merger joined whole
  provinces, so the union is exact;
* the polygons are simplified as a *coverage* (shared borders stay shared, no slivers) and
  exterior rings are oriented clockwise, the winding d3-geo style renderers need.

The processed result is cached under ``data/processed/boundaries/`` (git-ignored), keyed by
the input file's SHA-256 and the processing version, so a changed file is processed again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.catalogue.geography import (
    check_geo_version,
    crosswalk,
    match_provinces,
    province_codes,
    province_name,
    provinces,
)
from analysis.core import config  # PROCESSED_DIR read at call time (tests point it elsewhere)
from analysis.core.atomic import write_text
from analysis.core.errors import DataError
from analysis.core.text import nfc
from analysis.sources.register import find_entry, raw_dir_of, sha256_file

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

PINNED_BOUNDARY_ID = "VNM-ADM1-63759600"
DOWNLOAD_FOLDER = "downloads/boundaries"  # relative to data/raw
SHIPPED_FOLDER = "boundaries"  # relative to data/raw: the registered copy in the repository
# Coverage simplification tolerance in degrees (roughly the side of the smallest kept
# triangle, ~1 km here). Measured on the geoBoundaries file: 11,662 -> 5,825 vertices for
# vn63 and 9,743 -> 4,850 for vn34; well below one pixel of a report-sized map.
SIMPLIFY_TOLERANCE = 0.01
PROCESSING_VERSION = 1  # bump when the processing changes: old cache files are then ignored
CACHE_FOLDER = "boundaries"  # under data/processed
NAME_PROPERTIES = ("shapeName", "name_vi", "name", "NAME_1", "ten_tinh")
# plausible longitude/latitude box around Viet Nam and its islands (degrees)
_LON = (100.0, 120.0)
_LAT = (5.0, 26.0)
_SHAPE_ID = re.compile(r"^(\d+)B\d+$")


def default_boundaries_path(raw_dir: str | Path | None = None) -> Path | None:
    """The boundary file maps use by default, or None when there is none.

    The copy fetched by ``nq42 fetch boundaries`` when present, else the registered copy
    shipped in ``data/raw/boundaries/``.
    """

    raw = raw_dir_of(raw_dir)
    for folder in (DOWNLOAD_FOLDER, SHIPPED_FOLDER):
        path = raw / folder / f"{PINNED_BOUNDARY_ID}.geojson"
        if path.is_file():
            return path
    return None


def load_boundaries(geo_version: str, path: str | Path | None = None, *,
                    cache: bool = True, cache_dir: str | Path | None = None
                    ) -> gpd.GeoDataFrame:
    """Province polygons of one geography, with GSO codes, simplified and oriented.

    Args:
        geo_version: ``vn63`` or ``vn34``.
        path: a GeoJSON file of the provinces (geoBoundaries-style with ``shapeName``, or
            with a ``code`` property). Default: the file fetched by ``nq42 fetch
            boundaries``.
        cache: read/write the processed result under ``data/processed/boundaries/``.
        cache_dir: another cache folder (tests).

    Returns:
        GeoDataFrame, one row per province of ``geo_version`` sorted by ``code``; columns
        ``code`` (2-digit str), ``name`` (Vietnamese display name) and ``geometry``
        (Polygon/MultiPolygon in lon/lat degrees, EPSG:4326, exteriors clockwise).
        ``attrs["source"]`` describes the input: ``file``, ``sha256``, ``boundary_id``
        (when known), ``licence`` (when known), ``tolerance``.

    Raises:
        DataError: no boundary file; the file cannot be read, is not lon/lat, has a feature
            whose name or code resolves to no province, misses provinces, or cannot give
            ``geo_version`` (a vn34 file cannot be split into vn63).
    """

    check_geo_version(geo_version)
    if path is None:
        path = default_boundaries_path()
        if path is None:
            raise DataError("no province boundary file has been fetched",
                            hint="run `nq42 fetch boundaries`, pass a GeoJSON file, or use the "
                            "tile-grid map (kind='tiles')")
    path = Path(path)
    if not path.is_file():
        raise DataError("the boundary file does not exist", file=path)
    sha = sha256_file(path)
    cache_file = None
    if cache:

        folder = Path(cache_dir) if cache_dir is not None else config.PROCESSED_DIR / CACHE_FOLDER
        cache_file = folder / f"{geo_version}-{sha[:24]}-p{PROCESSING_VERSION}.geojson"
        cached = _read_cache(cache_file)
        if cached is not None:
            return cached
    codes, geoms, file_geo, meta = _read_features(path)
    meta.update(file=path.name, sha256=sha, tolerance=SIMPLIFY_TOLERANCE)
    if not meta.get("boundary_id") or not meta.get("licence"):
        _add_register_facts(path, meta)
    table = _process(codes, geoms, file_geo, geo_version, path)
    gdf = _frame(table, geo_version, meta)
    if cache_file is not None:
        _write_cache(cache_file, gdf)
    return gdf


# --------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------

def _read_features(path: Path) -> tuple[list[str], list, str, dict[str, Any]]:
    """Codes (one per feature), shapely geometries, the file's geography and facts."""
    import shapely
    from shapely.geometry import shape

    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataError(f"not a readable GeoJSON file ({err})", file=path) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list) or not data["features"]:
        raise DataError("not a GeoJSON FeatureCollection with features", file=path)
    _check_crs(data, path)
    features = data["features"]
    props = [f.get("properties") or {} if isinstance(f, dict) else {} for f in features]
    geoms = []
    for i, feature in enumerate(features, start=1):
        try:
            geom = shape(feature["geometry"])
        except Exception as err:  # noqa: BLE001 - any malformed geometry
            raise DataError(f"feature {i} has no readable geometry ({err})", file=path) from None
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise DataError(f"feature {i} ({_label(props[i - 1])}) is a {geom.geom_type}, "
                            "not a polygon", file=path)
        geoms.append(geom)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    if not (_LON[0] <= xmin and xmax <= _LON[1] and _LAT[0] <= ymin and ymax <= _LAT[1]):
        raise DataError(f"coordinates ({xmin:.1f}…{xmax:.1f}, {ymin:.1f}…{ymax:.1f}) are not "
                        "longitude/latitude degrees around Viet Nam", file=path,
                        hint="reproject the file to EPSG:4326 (WGS 84 lon/lat)")
    meta: dict[str, Any] = {"boundary_id": _geoboundaries_id(props)}
    if meta["boundary_id"] == PINNED_BOUNDARY_ID:
        meta["licence"] = "Public Domain"
    if any("code" in p for p in props):
        codes, file_geo = _codes_from_code(props, path)
    else:
        codes, file_geo = _codes_from_names(props, path)
    return codes, geoms, file_geo, meta


def _check_crs(data: dict, path: Path) -> None:
    crs = data.get("crs")
    if not crs:
        return
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if name and not re.search(r"CRS84|EPSG:+4326$|EPSG::4326", name):
        raise DataError(f"the file's coordinate system is {name}, not lon/lat (WGS 84)",
                        file=path, hint="reproject the file to EPSG:4326")


def _label(props: dict) -> str:
    for key in ("code", *NAME_PROPERTIES):
        if props.get(key) not in (None, ""):
            return f"{key} {props[key]!r}"
    return "no name"


def _geoboundaries_id(props: list[dict]) -> str | None:
    """``VNM-ADM1-63759600`` from shapeIDs such as ``63759600B46141220358660``."""
    ids = set()
    for p in props:
        m = _SHAPE_ID.match(str(p.get("shapeID", "")))
        if not m:
            return None
        ids.add((p.get("shapeGroup"), p.get("shapeType"), m.group(1)))
    if len(ids) != 1:
        return None
    group, level, number = ids.pop()
    return f"{group}-{level}-{number}" if group and level else None


def _codes_from_code(props: list[dict], path: Path) -> tuple[list[str], str]:

    codes = []
    for i, p in enumerate(props, start=1):
        raw = str(p.get("code", "")).strip()
        if raw.isdigit() and len(raw) <= 2:
            raw = raw.zfill(2)
        if not re.fullmatch(r"\d{2}", raw):
            raise DataError(f"feature {i} has code {p.get('code')!r}, not a 2-digit GSO "
                            "province code", file=path)
        codes.append(raw)
    stated = {str(p.get("geo_version")) for p in props if p.get("geo_version")}
    if len(stated) == 1 and stated <= {"vn63", "vn34"}:
        return codes, stated.pop()
    found = set(codes)
    for geo in ("vn34", "vn63"):
        if found == set(province_codes(geo)):
            return codes, geo
    unknown = sorted(found - set(province_codes("vn63")))
    if unknown:
        raise DataError(f"codes that are no province: {', '.join(unknown)}", file=path)
    missing = sorted(set(province_codes("vn63")) - found)
    raise DataError(f"the file's codes are neither the 34 nor the 63 provinces "
                    f"({len(found)} codes; missing for vn63: {', '.join(missing)})", file=path)


def _codes_from_names(props: list[dict], path: Path) -> tuple[list[str], str]:

    key = next((k for k in NAME_PROPERTIES if any(k in p for p in props)), None)
    if key is None:
        raise DataError("the features have neither a 'code' nor a name property "
                        f"({', '.join(NAME_PROPERTIES)})", file=path)
    names = [nfc(str(p.get(key) or "")) for p in props]
    stated = {str(p.get("geo_version")) for p in props if p.get("geo_version")}
    file_geo = stated.pop() if len(stated) == 1 and stated <= {"vn63", "vn34"} else "vn63"
    matched = match_provinces(names, file_geo, errors="mark")
    bad = [f"feature {i + 1} {names[i]!r} ({row.reason or row.kind})"
           for i, row in enumerate(matched.itertuples())
           if row.kind != "province"]
    if bad:
        raise DataError(f"{len(bad)} feature name(s) resolve to no {file_geo} province: "
                        + "; ".join(bad), file=path,
                        hint="add the spelling to src/analysis/catalogue/reference/province_aliases.csv")
    return matched["code"].tolist(), file_geo


def _add_register_facts(path: Path, meta: dict[str, Any]) -> None:
    """Boundary ID and licence from the file's register entry, when it has one."""

    try:
        _key, entry = find_entry(path)
    except DataError:
        return  # a broken register is reported by `nq42 build`; attribution falls back
    if entry:
        meta.setdefault("boundary_id", None)
        meta["boundary_id"] = meta["boundary_id"] or entry.get("boundary_id")
        meta.setdefault("licence", entry.get("licence"))
        meta.setdefault("title", entry.get("title"))
        meta.setdefault("producer", entry.get("producer"))


# --------------------------------------------------------------------------------------
# processing
# --------------------------------------------------------------------------------------

def _process(codes: list[str], geoms: list, file_geo: str, geo_version: str,
             path: Path) -> dict[str, Any]:
    """Merge features per code, dissolve to ``geo_version``, simplify, orient."""
    import numpy as np
    import shapely


    arr = np.asarray(geoms, dtype=object)
    arr = np.where(shapely.is_valid(arr), arr, shapely.make_valid(arr))
    code_arr = np.asarray(codes)
    expected = province_codes(file_geo)
    missing = [c for c in expected if c not in set(codes)]
    if missing:
        listed = ", ".join(f"{c} {province_name(c, file_geo)}" for c in missing)
        raise DataError(f"{len(missing)} {file_geo} province(s) have no boundary: {listed}",
                        file=path)
    merged = {c: shapely.union_all(arr[code_arr == c]) for c in expected}
    if geo_version != file_geo:
        if file_geo == "vn34":
            raise DataError("the file holds the 34 provinces (vn34); the 63 former provinces "
                            "cannot be drawn from it", file=path,
                            hint="use a vn63 boundary file (e.g. `nq42 fetch boundaries`)")
        to34 = crosswalk().set_index("vn63_code")["vn34_code"]
        groups: dict[str, list] = {}
        for code, geom in merged.items():
            groups.setdefault(to34[code], []).append(geom)
        merged = {c: shapely.union_all(groups[c]) for c in province_codes(geo_version)}
    out_codes = list(merged)
    polys = np.asarray([_polygonal(merged[c]) for c in out_codes], dtype=object)
    if shapely.coverage_is_valid(polys):
        simple = shapely.coverage_simplify(polys, SIMPLIFY_TOLERANCE)
    else:  # overlapping input: simplify each polygon on its own (borders may not match)
        simple = shapely.simplify(polys, SIMPLIFY_TOLERANCE, preserve_topology=True)
    simple = shapely.orient_polygons(simple, exterior_cw=True)
    return {"code": out_codes, "geometry": list(simple)}


def _polygonal(geom):  # noqa: ANN001, ANN202 - shapely geometry in and out
    """Only the polygon parts of a geometry (make_valid/union may add lines or points)."""
    import shapely
    from shapely.geometry import MultiPolygon

    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in shapely.get_parts(g)]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _frame(table: dict[str, Any], geo_version: str, meta: dict[str, Any]) -> gpd.GeoDataFrame:
    import geopandas as gpd


    names = provinces(geo_version).set_index("code")["name_vi"]
    gdf = gpd.GeoDataFrame({"code": table["code"],
                            "name": [names[c] for c in table["code"]]},
                           geometry=table["geometry"], crs="EPSG:4326")
    gdf = gdf.sort_values("code").reset_index(drop=True)
    gdf.attrs["source"] = dict(meta)
    gdf.attrs["geo_version"] = geo_version
    return gdf


# --------------------------------------------------------------------------------------
# cache
# --------------------------------------------------------------------------------------

def _read_cache(path: Path) -> gpd.GeoDataFrame | None:
    if not path.is_file():
        return None
    try:
        from shapely.geometry import shape

        data = json.loads(path.read_text(encoding="utf-8"))
        table = {"code": [f["properties"]["code"] for f in data["features"]],
                 "geometry": [shape(f["geometry"]) for f in data["features"]]}
        return _frame(table, data["nq42"]["geo_version"], data["nq42"]["source"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an unreadable cache is rebuilt


def _write_cache(path: Path, gdf: gpd.GeoDataFrame) -> None:
    from shapely.geometry import mapping


    doc = {
        "type": "FeatureCollection",
        "nq42": {"geo_version": gdf.attrs["geo_version"], "source": gdf.attrs["source"],
                 "processing_version": PROCESSING_VERSION},
        "features": [{"type": "Feature", "properties": {"code": code, "name": name},
                      "geometry": mapping(geom)}
                     for code, name, geom in zip(gdf["code"], gdf["name"], gdf.geometry,
                                                 strict=True)],
    }
    try:
        write_text(path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    except OSError:
        pass  # a read-only data folder only costs the processing next time
