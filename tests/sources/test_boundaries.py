"""Loading boundary files: codes attached, Côn Đảo merged, vn34 dissolved, bad files refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from analysis.catalogue.geography import crosswalk, province_codes
from analysis.core.errors import DataError
from analysis.sources import boundaries
from analysis.sources.boundaries import PINNED_BOUNDARY_ID, load_boundaries
from tests.geo import SIDE, geoboundaries_features, square, write_geojson


def exteriors_clockwise(gdf) -> bool:
    return all(not poly.exterior.is_ccw
               for geom in gdf.geometry for poly in shapely.get_parts(geom))


# ---- our own fixture --------------------------------------------------------------------

def test_fake_file_gives_the_63_provinces_with_con_dao_merged(fake_boundaries):
    gdf = load_boundaries("vn63", fake_boundaries)
    assert gdf["code"].tolist() == province_codes("vn63")
    assert list(gdf.columns) == ["code", "name", "geometry"]
    brvt = gdf.set_index("code").geometry["77"]
    assert shapely.get_num_geometries(brvt) == 2  # the province and Côn Đảo
    assert brvt.contains(shapely.Point(106.65, 8.65))
    assert gdf.set_index("code").at["01", "name"] == "Hà Nội"
    assert gdf.set_index("code").at["79", "name"] == "Hồ Chí Minh"
    assert exteriors_clockwise(gdf)
    assert gdf.attrs["source"]["boundary_id"] == PINNED_BOUNDARY_ID
    assert gdf.crs.to_epsg() == 4326


def test_vn34_is_the_exact_union_of_its_vn63_parts(fake_boundaries):
    g63 = load_boundaries("vn63", fake_boundaries).set_index("code")
    g34 = load_boundaries("vn34", fake_boundaries).set_index("code")
    assert g34.index.tolist() == province_codes("vn34")
    members = crosswalk().groupby("vn34_code")["vn63_code"].apply(list)
    for code, parts in members.items():
        expected = sum(g63.geometry[c].area for c in parts)
        assert g34.geometry[code].area == pytest.approx(expected, rel=1e-9), code
    # Lào Cai (15) = old Lào Cai (10) + Yên Bái (15)
    assert g34.at["15", "name"] == "Lào Cai"
    assert g34.geometry["15"].area == pytest.approx(2 * SIDE * SIDE)
    assert exteriors_clockwise(g34.reset_index())


def test_a_file_with_a_code_column_is_used_as_it_is(tmp_path):
    codes = province_codes("vn34")
    features = [{"type": "Feature", "properties": {"code": c},
                 "geometry": {"type": "Polygon",
                              "coordinates": square(103 + (i % 6) * 0.5, 22 - (i // 6))}}
                for i, c in enumerate(codes)]
    path = write_geojson(tmp_path / "codes34.geojson", features)
    gdf = load_boundaries("vn34", path)
    assert gdf["code"].tolist() == codes
    with pytest.raises(DataError, match="cannot be drawn from it") as err:
        load_boundaries("vn63", path)
    assert "codes34.geojson" in str(err.value)


def test_a_name_that_resolves_to_nothing_is_named_with_the_file(tmp_path):
    features = geoboundaries_features({"12": "Atlantis"})
    path = write_geojson(tmp_path / "atlantis.geojson", features)
    with pytest.raises(DataError) as err:
        load_boundaries("vn63", path)
    message = str(err.value)
    assert "atlantis.geojson" in message and "'Atlantis'" in message


def test_a_missing_province_is_named(tmp_path):
    features = [f for f in geoboundaries_features() if f["properties"]["shapeName"] != "Lai Châu"]
    path = write_geojson(tmp_path / "no-lai-chau.geojson", features)
    with pytest.raises(DataError, match="12 Lai Châu") as err:
        load_boundaries("vn63", path)
    assert "no-lai-chau.geojson" in str(err.value)


@pytest.mark.parametrize(("content", "problem"), [
    (b"<html>not json</html>", "not a readable GeoJSON"),
    (b'{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
])
def test_a_file_that_is_not_geojson_is_refused(tmp_path, content, problem):
    path = tmp_path / "broken.geojson"
    path.write_bytes(content)
    with pytest.raises(DataError, match=problem) as err:
        load_boundaries("vn63", path)
    assert "broken.geojson" in str(err.value)


def test_projected_coordinates_are_refused(tmp_path):
    features = geoboundaries_features()
    for f in features:
        f["geometry"]["coordinates"] = [[[x * 1e4, y * 1e4] for x, y in ring]
                                        for ring in f["geometry"]["coordinates"]]
    path = write_geojson(tmp_path / "utm.geojson", features)
    with pytest.raises(DataError, match="not longitude/latitude"):
        load_boundaries("vn63", path)


def test_no_file_at_all_says_how_to_get_one(no_default_boundaries):
    with pytest.raises(DataError, match="nq42 fetch boundaries"):
        load_boundaries("vn34")


def test_the_processed_result_is_cached_by_the_input_hash(fake_boundaries, isolated_cache,
                                                          monkeypatch):
    first = load_boundaries("vn34", fake_boundaries)
    cached = list(isolated_cache.glob("vn34-*.geojson"))
    assert len(cached) == 1
    monkeypatch.setattr(boundaries, "_process", lambda *a, **k: pytest.fail("not cached"))
    again = load_boundaries("vn34", fake_boundaries)
    assert again["code"].tolist() == first["code"].tolist()
    assert again.geometry.geom_equals_exact(first.geometry, tolerance=1e-12).all()
    assert again.attrs["source"] == first.attrs["source"]
    # a changed file has another hash: processed again
    data = json.loads(fake_boundaries.read_text(encoding="utf-8"))
    data["features"][0]["geometry"]["coordinates"] = square(103.0, 22.5, 0.3)
    fake_boundaries.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="not cached"):
        load_boundaries("vn34", fake_boundaries)


# ---- the real geoBoundaries file (../shared/geo) --------------------------------------

@pytest.mark.shared
def test_real_file_loads_to_63_provinces_with_con_dao_in_77(geo63_file):
    raw = json.loads(geo63_file.read_text(encoding="utf-8"))
    assert len(raw["features"]) == 64
    gdf = load_boundaries("vn63", geo63_file)
    assert gdf["code"].tolist() == province_codes("vn63")
    brvt = gdf.set_index("code").geometry["77"]
    assert brvt.intersects(shapely.box(106.5, 8.6, 106.75, 8.8))  # Côn Đảo
    assert exteriors_clockwise(gdf)
    assert gdf.attrs["source"]["boundary_id"] == PINNED_BOUNDARY_ID
    assert gdf.attrs["source"]["licence"] == "Public Domain"


@pytest.mark.shared
def test_real_vn34_matches_the_reference_dissolve(geo63_file, geo34_reference):
    ours = load_boundaries("vn34", geo63_file).set_index("code")
    ref = {f["properties"]["code"]: shapely.geometry.shape(f["geometry"])
           for f in json.loads(geo34_reference.read_text(encoding="utf-8"))["features"]}
    assert sorted(ref) == ours.index.tolist() == province_codes("vn34")
    for code, geom in ref.items():
        # simplification (tolerance 0.01°) moves each area by well under 2 %
        assert ours.geometry[code].area == pytest.approx(geom.area, rel=0.02), code
        assert ours.geometry[code].representative_point().within(geom.buffer(0.02)), code


@pytest.mark.shared
def test_the_reference_34_file_reads_by_its_code_column(geo34_reference):
    gdf = load_boundaries("vn34", geo34_reference)
    assert gdf["code"].tolist() == province_codes("vn34")
    assert gdf.attrs["source"]["boundary_id"] is None  # not a geoBoundaries file


@pytest.mark.shared
def test_real_boundaries_are_simplified_for_size(geo63_file):
    for geo, limit in (("vn63", 7000), ("vn34", 6000)):
        gdf = load_boundaries(geo, geo63_file)
        assert shapely.get_num_coordinates(gdf.geometry.array).sum() < limit
        assert shapely.is_valid(gdf.geometry.array).all()


def test_default_path_is_the_pinned_download(tmp_path):
    assert boundaries.default_boundaries_path(tmp_path) is None
    target = tmp_path / "downloads" / "boundaries" / f"{PINNED_BOUNDARY_ID}.geojson"
    target.parent.mkdir(parents=True)
    target.write_text("{}", encoding="utf-8")
    assert boundaries.default_boundaries_path(tmp_path) == target
    assert isinstance(boundaries.default_boundaries_path(tmp_path), Path)


def test_default_path_falls_back_to_the_shipped_copy_and_prefers_a_fetched_one(tmp_path):
    shipped = tmp_path / "boundaries" / f"{PINNED_BOUNDARY_ID}.geojson"
    shipped.parent.mkdir(parents=True)
    shipped.write_text("{}", encoding="utf-8")
    assert boundaries.default_boundaries_path(tmp_path) == shipped
    fetched = tmp_path / "downloads" / "boundaries" / f"{PINNED_BOUNDARY_ID}.geojson"
    fetched.parent.mkdir(parents=True)
    fetched.write_text("{}", encoding="utf-8")
    assert boundaries.default_boundaries_path(tmp_path) == fetched


def test_the_repository_ships_registered_public_domain_boundaries():
    from analysis.core.config import RAW_DIR
    from analysis.sources.register import load_register

    path = boundaries.default_boundaries_path(RAW_DIR)
    assert path is not None and path.parent.name in ("boundaries",)
    entry = load_register(RAW_DIR)[f"boundaries/{PINNED_BOUNDARY_ID}.geojson"]
    assert entry["kind"] == "boundaries" and "Public Domain" in entry["licence"]
    gdf = load_boundaries("vn34", path, cache=False)
    assert len(gdf) == 34
