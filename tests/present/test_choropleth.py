"""choropleth(): scatter traces only, every province once, labels in the language, offline."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.catalogue.geography import province_codes, provinces
from analysis.core.errors import DataError, ParameterError
from analysis.present import maps
from analysis.present.style import STATUS_COLORS, STATUS_ORDER

GEOS = ["vn34", "vn63"]


def values(geo: str, drop: tuple[str, ...] = (), unit: str | None = "percent") -> pd.DataFrame:
    codes = [c for c in province_codes(geo) if c not in drop]
    df = pd.DataFrame({"province_code": codes,
                       "value": np.linspace(40.0, 99.0, len(codes))})
    if unit:
        df["unit"] = unit
    return df


def statuses(geo: str, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    codes = [c for c in province_codes(geo) if c not in drop]
    return pd.DataFrame({"province_code": codes,
                         "status": [STATUS_ORDER[i % len(STATUS_ORDER)]
                                    for i in range(len(codes))]})


def province_traces(fig) -> list:
    return [t for t in fig.data if t.fill == "toself"]


def by_code(fig) -> dict:
    return {t.meta: t for t in province_traces(fig)}


def check_every_province_once(fig, geo: str) -> None:
    assert {t.type for t in fig.data} == {"scatter"}
    codes = [t.meta for t in province_traces(fig)]
    assert sorted(codes) == province_codes(geo)  # each exactly once
    assert all(t.hoveron == "fills" for t in province_traces(fig))


def annotations_text(fig) -> str:
    return " | ".join(a.text for a in fig.layout.annotations)


@pytest.fixture(params=["fake", "shared"])
def boundary_file(request, fake_boundaries):
    """Geographic maps drawn from our own fixture, and from the real file when present."""
    if request.param == "fake":
        return fake_boundaries
    return request.getfixturevalue("geo63_file")


# ---- structure ---------------------------------------------------------------------------

@pytest.mark.parametrize("geo", GEOS)
@pytest.mark.parametrize("kind", ["geographic", "tiles"])
def test_value_map_has_one_scatter_polygon_per_province(geo, kind, boundary_file):
    fig = maps.choropleth(values(geo, drop=("01",)), geo_version=geo, kind=kind,
                          boundaries=boundary_file)
    check_every_province_once(fig, geo)
    text = fig.to_json()
    assert "http" not in text
    for banned in ('"geo"', "choropleth", "mapbox", '"map"', "topojson"):
        assert banned not in text
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    colourbars = [t for t in fig.data if t.marker and t.marker.showscale]
    assert len(colourbars) == 1
    assert colourbars[0].marker.colorbar.tickformat == ",.4~r"  # 250.000, never "250k"


@pytest.mark.parametrize("geo", GEOS)
@pytest.mark.parametrize("kind", ["geographic", "tiles"])
def test_status_map_uses_the_style_colours_with_text(geo, kind, boundary_file):
    data = statuses(geo)
    fig = maps.choropleth(data, geo_version=geo, kind=kind, boundaries=boundary_file,
                          lang="en")
    check_every_province_once(fig, geo)
    traces = by_code(fig)
    for code, status in zip(data["province_code"], data["status"], strict=True):
        assert traces[code].fillcolor == STATUS_COLORS[status]
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend == ["Achieved", "On track", "Acceleration needed", "Limited progress",
                      "Deterioration", "Insufficient data"]
    assert fig.layout.legend.title.text == "Status"
    assert "http" not in fig.to_json()


@pytest.mark.shared
@pytest.mark.parametrize("geo", GEOS)
def test_geographic_figure_json_stays_small(geo, geo63_file):
    fig = maps.choropleth(values(geo), geo_version=geo, boundaries=geo63_file,
                          kind="geographic")
    size = len(fig.to_json())
    assert size < 300_000, size  # measured: ~90 KB (vn34), ~115 KB (vn63)


@pytest.mark.shared
def test_the_archipelagos_are_marked_and_named(geo63_file):
    fig = maps.choropleth(values("vn34"), geo_version="vn34", boundaries=geo63_file)
    islands = [t for t in fig.data if t.meta == "islands"]
    assert len(islands) == 1 and len(islands[0].x) >= 2
    notes = annotations_text(fig)
    assert "Quần đảo Hoàng Sa (Đà Nẵng)" in notes and "Quần đảo Trường Sa (Khánh Hòa)" in notes


# ---- language -----------------------------------------------------------------------------

def test_hover_in_vietnamese_names_numbers_and_no_data(fake_boundaries):
    data = values("vn34", drop=("01",))
    data.loc[data["province_code"] == "79", "value"] = 57.26
    fig = maps.choropleth(data, geo_version="vn34", lang="vi", kind="geographic",
                          boundaries=fake_boundaries)
    traces = by_code(fig)
    assert traces["79"].text.startswith("<b>Hồ Chí Minh</b>")
    assert "57,3 %" in traces["79"].text
    assert "Hà Nội" in traces["01"].text and "không có số liệu" in traces["01"].text
    assert traces["01"].fillpattern.shape == "/"  # no data: hatched, not a colour
    assert fig.layout.separators == ",."
    assert "Ranh giới: geoBoundaries gbOpen VNM-ADM1-63759600" in annotations_text(fig)


def test_hover_in_english(fake_boundaries):
    data = values("vn63", drop=("01",))
    data.loc[data["province_code"] == "79", "value"] = 57.26
    data["status"] = "on_track"
    fig = maps.choropleth(data, geo_version="vn63", lang="en", kind="tiles")
    traces = by_code(fig)
    assert traces["79"].text.startswith("<b>Ho Chi Minh City</b>")
    assert "57.3%" in traces["79"].text and "On track" in traces["79"].text
    assert "Hanoi" in traces["01"].text and "no data" in traces["01"].text
    assert fig.layout.separators == ".,"
    assert "One tile per province" in annotations_text(fig)
    labels = next(t for t in fig.data if t.meta == "labels")
    assert "Ha<br>Giang" in labels.text and "HCMC" in labels.text


def test_attribution_line_on_geographic_maps(fake_boundaries):
    fig = maps.choropleth(values("vn34"), geo_version="vn34", lang="en",
                          boundaries=fake_boundaries)
    assert ("Boundaries: geoBoundaries gbOpen VNM-ADM1-63759600, public domain "
            "(Runfola et al. 2020)") in annotations_text(fig)


def test_a_file_of_unknown_origin_is_named_as_the_source(tmp_path, fake_boundaries):
    data = json.loads(fake_boundaries.read_text(encoding="utf-8"))
    for f in data["features"]:
        del f["properties"]["shapeID"]
    path = tmp_path / "tinh-thanh.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    fig = maps.choropleth(values("vn63"), geo_version="vn63", lang="vi", boundaries=path)
    assert "Ranh giới: tệp tinh-thanh.geojson" in annotations_text(fig)


def test_synthetic_data_are_badged(fake_boundaries):
    data = statuses("vn34").assign(provenance="synthetic")
    fig = maps.choropleth(data, geo_version="vn34", kind="tiles", lang="vi")
    assert "DỮ LIỆU GIẢ LẬP" in annotations_text(fig)
    assert "Giả lập" in by_code(fig)["01"].text
    plain = maps.choropleth(statuses("vn34"), geo_version="vn34", kind="tiles")
    assert "GIẢ LẬP" not in annotations_text(plain)


# ---- kind, highlight ----------------------------------------------------------------------

def test_auto_uses_tiles_without_boundaries_and_boundaries_when_given(no_default_boundaries,
                                                                       fake_boundaries):
    tiles = maps.choropleth(values("vn34"), geo_version="vn34")
    assert any(t.meta == "labels" for t in tiles.data)
    geographic = maps.choropleth(values("vn34"), geo_version="vn34", boundaries=fake_boundaries)
    assert not any(t.meta == "labels" for t in geographic.data)
    assert "geoBoundaries" in annotations_text(geographic)


def test_auto_finds_the_fetched_file(monkeypatch, fake_boundaries):
    from analysis.sources import boundaries

    monkeypatch.setattr(boundaries, "default_boundaries_path", lambda raw_dir=None: fake_boundaries)
    fig = maps.choropleth(values("vn34"), geo_version="vn34")
    assert "geoBoundaries" in annotations_text(fig)


def test_geographic_without_boundaries_is_a_clear_error(no_default_boundaries):
    with pytest.raises(DataError, match="nq42 fetch boundaries"):
        maps.choropleth(values("vn34"), geo_version="vn34", kind="geographic")


def test_a_geodataframe_can_be_passed(fake_boundaries):
    from analysis.sources.boundaries import load_boundaries

    gdf = load_boundaries("vn63", fake_boundaries)
    fig = maps.choropleth(values("vn63"), geo_version="vn63", boundaries=gdf)
    check_every_province_once(fig, "vn63")
    with pytest.raises(DataError, match="not the provinces of vn34"):
        maps.choropleth(values("vn34"), geo_version="vn34", boundaries=gdf)


@pytest.mark.parametrize("kind", ["geographic", "tiles"])
def test_highlight_outlines_one_province(kind, fake_boundaries):
    fig = maps.choropleth(values("vn34"), geo_version="vn34", kind=kind, highlight="79",
                          boundaries=fake_boundaries)
    outlines = [s for s in fig.layout.shapes if s.type == "path"]
    assert len(outlines) == 1 and outlines[0].path.startswith("M")
    with pytest.raises(ParameterError, match="highlight"):
        maps.choropleth(values("vn34"), geo_version="vn34", kind=kind, highlight="02",
                        boundaries=fake_boundaries)


# ---- bad input ----------------------------------------------------------------------------

def test_codes_outside_the_geography_are_all_listed():
    data = pd.concat([values("vn34"),
                      pd.DataFrame({"province_code": ["VN", "02", "99"], "value": [1.0] * 3})])
    with pytest.raises(DataError) as err:
        maps.choropleth(data, geo_version="vn34", kind="tiles")
    assert "02, 99, VN" in str(err.value)


@pytest.mark.parametrize(("data", "problem"), [
    (pd.DataFrame({"code": ["01"], "value": [1.0]}), "no province_code column"),
    (pd.DataFrame({"province_code": ["01"], "x": [1.0]}), "neither"),
    (pd.DataFrame({"province_code": ["01", "01"], "value": [1.0, 2.0]}), "several rows"),
    (pd.DataFrame({"province_code": ["01", "04"], "value": ["57,3", 2.0]}), "non-numeric"),
    (pd.DataFrame({"province_code": ["01"], "status": ["great"]}), "unknown status"),
    (pd.DataFrame({"province_code": ["01", "04"], "value": [1.0, 2.0],
                   "unit": ["percent", "units"]}), "mixes units"),
])
def test_bad_data_is_a_data_error(data, problem):
    with pytest.raises(DataError, match=problem):
        maps.choropleth(data, geo_version="vn34", kind="tiles")


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"geo_version": "vn99"}, "geography version"),
    ({"geo_version": "vn34", "lang": "fr"}, "language"),
    ({"geo_version": "vn34", "kind": "globe"}, "map kind"),
])
def test_bad_parameters(kwargs, problem):
    with pytest.raises(ParameterError, match=problem):
        maps.choropleth(values("vn34"), **kwargs)


def test_single_digit_codes_are_accepted():
    data = pd.DataFrame({"province_code": [1, 4], "value": [10.0, 20.0]})
    fig = maps.choropleth(data, geo_version="vn34", kind="tiles")
    traces = by_code(fig)
    assert traces["01"].fillcolor != traces["04"].fillcolor


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(geo=st.sampled_from(GEOS), data=st.data())
def test_any_subset_of_provinces_draws_every_province_once(geo, data):
    codes = province_codes(geo)
    chosen = data.draw(st.lists(st.sampled_from(codes), unique=True))
    vals = data.draw(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)),
                              min_size=len(chosen), max_size=len(chosen)))
    frame = pd.DataFrame({"province_code": pd.Series(chosen, dtype=object),
                          "value": pd.Series(vals, dtype=float)})
    fig = maps.choropleth(frame, geo_version=geo, kind="tiles", lang="en")
    check_every_province_once(fig, geo)
    missing = set(codes) - {c for c, v in zip(chosen, vals, strict=True) if v is not None}
    nodata = {t.meta for t in province_traces(fig) if "no data" in t.text}
    assert nodata == missing


def test_names_come_from_the_province_table():
    fig = maps.choropleth(values("vn34"), geo_version="vn34", kind="tiles", lang="vi")
    names = provinces("vn34").set_index("code")["name_vi"]
    for code, trace in by_code(fig).items():
        assert trace.text.startswith(f"<b>{names[code]}</b>")


def test_importing_the_map_modules_stays_light():
    import subprocess
    import sys

    code = ("import sys, analysis.present.maps, analysis.sources.boundaries, analysis.sources.fetch.boundaries; "
            "print(sorted(m for m in ('plotly', 'geopandas', 'shapely', 'pyogrio') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
