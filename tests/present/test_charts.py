"""Charts (analysis.present.charts): trace types, provinces once, language, numbers, no network."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.catalogue.geography import provinces
from analysis.core.errors import DataError, ParameterError
from analysis.present import charts
from analysis.present.i18n import progress_summary, province_label
from analysis.present.style import STATUS_COLORS

CARTESIAN = {"scatter", "bar", "heatmap", "box", "histogram", "pie"}
VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
VI_WORDS = ("năm", "mục tiêu", "Đã đạt", "tỉnh", "Số liệu", "Cả nước", "giả lập")


def all_charts(obs: pd.DataFrame, prog: pd.DataFrame, lang: str) -> dict[str, go.Figure]:
    row = charts.headline_targets(prog, "01").iloc[0]
    return {
        "trajectory": charts.trajectory(obs, row, lang=lang, geo_version="vn34"),
        "status_grid": charts.status_grid(prog, lang=lang, geo_version="vn34"),
        "ranking": charts.ranking(obs, "rural_hh_clean_water_pct", 2024, lang=lang,
                                  geo_version="vn34"),
        "distribution": charts.distribution(obs, "rural_hh_clean_water_pct", None, lang=lang,
                                            geo_version="vn34", highlight="01"),
        "trends": charts.trends(obs, "rural_hh_clean_water_pct", lang=lang, geo_version="vn34",
                                highlight="79"),
        "small_multiples": charts.small_multiples(obs, prog, "01", lang=lang,
                                                  geo_version="vn34"),
    }


@pytest.fixture(scope="module", params=["vi", "en"])
def figures(request, obs, prog) -> tuple[str, dict[str, go.Figure]]:
    return request.param, all_charts(obs, prog, request.param)


def strings_of(fig: go.Figure, *, data_text: bool = True) -> list[str]:
    """Every text a reader can see: titles, annotations, legend names, ticks, hovers."""
    out = [a.text for a in fig.layout.annotations if a.text]
    out += [tr.name for tr in fig.data if tr.name]
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        out += [str(x) for x in (axis.ticktext or [])]
        if axis.title and axis.title.text:
            out.append(axis.title.text)
    if data_text:
        for tr in fig.data:
            cd = getattr(tr, "customdata", None)
            if cd is not None:
                out += [str(x) for x in np.asarray(cd, dtype=object).ravel() if x]
            if getattr(tr, "text", None) is not None:
                out += [str(x) for x in np.atleast_1d(np.asarray(tr.text, dtype=object)).ravel()]
    out.append(fig.layout.meta["summary"])
    return out


# -- rules for every chart -------------------------------------------------------------------


def test_only_cartesian_trace_types(figures) -> None:
    _, figs = figures
    for name, fig in figs.items():
        types = {tr.type for tr in fig.data}
        assert types <= CARTESIAN, (name, types)


def test_no_network_url_anywhere(figures) -> None:
    _, figs = figures
    for name, fig in figs.items():
        assert "http" not in fig.to_json(), name
        assert "mathjax" not in fig.to_json().lower(), name


def test_numbers_follow_the_language(figures) -> None:
    lang, figs = figures
    for name, fig in figs.items():
        assert fig.layout.separators == (",." if lang == "vi" else ".,"), name
    hovers = " ".join(strings_of(figs["ranking"]))
    if lang == "vi":
        assert re.search(r"\d+,\d %", hovers) and not re.search(r"\d+\.\d %", hovers)
    else:
        assert re.search(r"\d+\.\d%", hovers) and not re.search(r"\d+,\d%", hovers)


def test_labels_are_in_the_requested_language(figures) -> None:
    lang, figs = figures
    for name, fig in figs.items():
        texts = " ".join(strings_of(fig))
        if lang == "vi":
            assert VI_LETTERS.search(texts), name
        else:
            assert not VI_LETTERS.search(texts), (name, VI_LETTERS.search(texts))
            for word in VI_WORDS:
                assert word not in texts, (name, word)


def test_summary_is_in_meta_and_on_the_chart(figures) -> None:
    _, figs = figures
    for name, fig in figs.items():
        summary = fig.layout.meta["summary"]
        assert summary and "nan" not in summary.lower(), name
        shown = [a.text for a in fig.layout.annotations if a.name == "summary"]
        assert shown and shown[0].replace("<br>", " ") == summary.replace("&", "&amp;"), name


def test_synthetic_badge_on_every_chart_with_synthetic_points(figures) -> None:
    lang, figs = figures
    badge = "DỮ LIỆU GIẢ LẬP – chỉ minh họa" if lang == "vi" else \
        "SYNTHETIC DATA – illustrative only"
    for name, fig in figs.items():
        assert fig.layout.meta["synthetic"] is True, name
        assert any(badge in (a.text or "") for a in fig.layout.annotations), name


def test_no_badge_when_nothing_is_synthetic(obs, prog) -> None:
    real = obs.assign(provenance="official")
    fig = charts.ranking(real, "rural_hh_clean_water_pct", 2024, lang="vi", geo_version="vn34")
    assert fig.layout.meta["synthetic"] is False
    assert not any(a.name == "synthetic_badge" for a in fig.layout.annotations)


def test_figure_table_is_the_data_as_shown(figures) -> None:
    _, figs = figures
    for name, fig in figs.items():
        table = charts.figure_table(fig)
        assert isinstance(table, pd.DataFrame) and len(table), name
    with pytest.raises(ParameterError, match="no data table"):
        charts.figure_table(go.Figure())


# -- trajectory ------------------------------------------------------------------------------


def test_trajectory_traces_and_paths(obs, hanoi_row) -> None:
    fig = charts.trajectory(obs, hanoi_row, lang="vi", geo_version="vn34")
    names = [tr.name for tr in fig.data]
    assert names[0] == "Số liệu quan sát"
    assert "Số liệu sơ bộ" in names  # the fake marks 2025 provisional
    assert "Lộ trình cần thiết để đạt mục tiêu" in names
    assert "Dự báo theo tốc độ hiện nay" in names
    assert names[-1] == "Mục tiêu"
    # a base value that already meets the target needs no path
    above = charts.trajectory(obs, {**hanoi_row, "base_value": 70.0}, lang="vi",
                              geo_version="vn34")
    assert "Lộ trình cần thiết để đạt mục tiêu" not in [tr.name for tr in above.data]
    target = fig.data[-1]
    assert (target.x[0], target.y[0]) == (2030, 65.0)
    assert fig.layout.meta["summary"] == progress_summary(hanoi_row, "vi", "vn34")
    assert fig.layout.meta["targets"][0]["source_document"].startswith("Quyết định 1978")


def test_required_path_is_geometric_or_linear(obs, hanoi_row) -> None:
    row = {**hanoi_row, "base_value": 40.0, "latest_value": 50.0, "status": "on_track",
           "cagr_required": (65.0 / 40.0) ** (1 / 15) - 1, "projected_value_at_target_year": 60}
    fig = charts.trajectory(obs, row, lang="en", geo_version="vn34")
    req = next(tr for tr in fig.data if tr.name == "Path needed to reach the target")
    assert req.x[0] == 2015 and req.x[-1] == 2030
    assert req.y[0] == pytest.approx(40.0) and req.y[-1] == pytest.approx(65.0)
    assert req.y[8] == pytest.approx(40.0 * (65 / 40) ** (8 / 15))  # geometric
    linear = charts.trajectory(obs, {**row, "method": "linear_gap"}, lang="en",
                               geo_version="vn34")
    req = next(tr for tr in linear.data if tr.name == "Path needed to reach the target")
    assert req.y[8] == pytest.approx(40.0 + 25.0 * 8 / 15)


def test_projection_never_passes_the_natural_limit(obs, hanoi_row) -> None:
    row = {**hanoi_row, "status": "on_track", "latest_value": 90.0, "latest_year": 2024,
           "cagr_observed": 0.05, "projected_value_at_target_year": 120.6}
    fig = charts.trajectory(obs, row, lang="vi", geo_version="vn34")
    proj = next(tr for tr in fig.data if tr.name == "Dự báo theo tốc độ hiện nay")
    assert max(proj.y) == 100.0


def test_cumulative_target_is_drawn_on_the_running_total(obs, prog) -> None:
    flows = pd.DataFrame({"province_code": "01", "year": [2026, 2027, 2028],
                          "indicator": "social_housing_units_completed",
                          "value": [100.0, 200.0, 300.0], "geo_version": "vn34",
                          "provenance": "official", "source_id": "x", "is_provisional": False,
                          "is_estimated": False})
    row = {"province_code": "01", "indicator": "social_housing_units_completed",
           "kind": "cumulative", "comparison": ">=", "base_year": 2025, "base_value": 0.0,
           "latest_year": 2028, "latest_value": 600.0, "target_value": 2000.0,
           "target_year": 2030, "direction": 1, "status": "acceleration_needed",
           "method": "cumulative_pace", "projected_value_at_target_year": 1000.0}
    fig = charts.trajectory(flows, row, lang="vi", geo_version="vn34")
    observed = fig.data[0]
    assert list(observed.y) == [100.0, 300.0, 600.0]
    assert "lũy kế" in fig.layout.yaxis.title.text
    assert "mục tiêu lũy kế 2.000 căn giai đoạn 2026–2030" in fig.layout.meta["summary"]


def test_trajectory_escapes_text_from_data(obs, hanoi_row) -> None:
    row = {**hanoi_row, "source_document": "<script>alert(1)</script>"}
    fig = charts.trajectory(obs, row, lang="vi", geo_version="vn34")
    payload = fig.to_json()
    assert "<script>" not in payload
    assert "&lt;script&gt;" in payload


def test_trajectory_of_the_nation_uses_the_reported_series(obs, prog) -> None:
    row = prog[(prog["province_code"] == "VN")].iloc[0]
    fig = charts.trajectory(obs, row, lang="vi", geo_version="vn34")
    assert fig.data[0].name == "Số liệu quan sát"
    assert fig.layout.meta["summary"].startswith("Cả nước:")


# -- status grid --------------------------------------------------------------------------


def test_status_grid_every_province_once(prog) -> None:
    fig = charts.status_grid(prog, lang="vi", geo_version="vn34")
    codes = fig.layout.meta["provinces"]
    expected = provinces("vn34")["code"].tolist()
    assert codes[0] == "VN" and sorted(codes[1:]) == expected
    assert len(codes) == len(set(codes))
    names = list(fig.layout.yaxis.ticktext)
    assert names[0] == "Cả nước" and "Hà Nội" in names and len(names) == len(expected) + 1
    heat = [tr for tr in fig.data if tr.type == "heatmap"]
    assert len(heat) == 1 and len(heat[0].z) == len(expected) + 1
    legend = [tr.name for tr in fig.data if tr.type == "scatter" and tr.legendgroup != "evidence"]
    assert legend and all(re.match(r"^. \w", n) for n in legend)  # symbol + text
    evidence = [tr.name for tr in fig.data if tr.legendgroup == "evidence"]
    assert evidence == ["Ký hiệu kèm ◌: dựa trên số liệu minh họa (giả lập)"]  # all synthetic


def test_status_grid_cells_pair_colour_and_symbol(prog) -> None:
    fig = charts.status_grid(prog, lang="en", geo_version="vn34")
    heat = fig.data[0]
    z, text = np.asarray(heat.z, dtype=float), np.asarray(heat.text, dtype=object)
    for status, mark in charts.STATUS_MARKS.items():
        idx = list(charts.STATUS_ORDER).index(status)
        cells = text[z == idx]
        assert all(c == mark + "◌" for c in cells), status  # the fake is all synthetic
    scale = {round(stop, 6): colour for stop, colour in heat.colorscale}
    assert set(scale.values()) == set(STATUS_COLORS.values())


def test_status_grid_sorting(prog) -> None:
    by_name = charts.status_grid(prog, lang="vi", geo_version="vn34", sort_by="name")
    names = list(by_name.layout.yaxis.ticktext)[1:]
    assert names[0] == "An Giang" and names.index("Đà Nẵng") > names.index("Cao Bằng")
    by_gap = charts.status_grid(prog, lang="vi", geo_version="vn34", sort_by="gap",
                                include_national=False)
    assert len(by_gap.layout.meta["provinces"]) == 34
    assert by_gap.layout.meta["provinces"] != by_name.layout.meta["provinces"]
    with pytest.raises(ParameterError, match="sort_by"):
        charts.status_grid(prog, lang="vi", geo_version="vn34", sort_by="size")


def test_status_grid_refuses_unknown_statuses(prog) -> None:
    bad = prog.assign(status=prog["status"].where(prog.index > 0, "off_track"))
    with pytest.raises(DataError, match="off_track"):
        charts.status_grid(bad, lang="vi", geo_version="vn34")


# -- ranking, distribution, trends -------------------------------------------------------------


def _ranked_names(fig: go.Figure) -> list[str]:
    names: list[str] = []
    for tr in fig.data:
        if tr.type == "bar" or (tr.type == "scatter" and tr.mode == "text"):
            names += list(tr.y)
    return names


def test_ranking_every_province_once_with_the_missing_ones(obs) -> None:
    dropped = obs[~((obs["province_code"] == "79") & (obs["year"] == 2024))]
    fig = charts.ranking(dropped, "rural_hh_clean_water_pct", 2024, lang="vi",
                         geo_version="vn34")
    names = _ranked_names(fig)
    expected = [province_label(c, "vn34", "vi") for c in provinces("vn34")["code"]]
    assert sorted(names) == sorted(expected) and len(names) == len(set(names))
    missing = next(tr for tr in fig.data if tr.type == "scatter" and tr.mode == "text")
    assert list(missing.y) == ["Hồ Chí Minh"] and missing.text[0] == "không có số liệu"
    assert "1 tỉnh, thành phố không có số liệu" in fig.layout.meta["summary"]
    order = list(fig.layout.yaxis.categoryarray)
    values = dropped[(dropped["year"] == 2024) & (dropped["indicator"] ==
                                                  "rural_hh_clean_water_pct")]
    best = values[values["province_code"] != "VN"].sort_values("value").iloc[-1]
    assert order[0] == province_label(best["province_code"], "vn34", "vi")
    assert order[-1] == "Hồ Chí Minh"


def test_ranking_marks_the_national_figures(obs) -> None:
    fig = charts.ranking(obs, "rural_hh_clean_water_pct", 2024, lang="en", geo_version="vn34")
    lines = [tr.name for tr in fig.data if tr.type == "scatter" and tr.mode == "lines"]
    assert any(n.startswith("Viet Nam (reported): ") for n in lines)
    assert any(n.startswith("Viet Nam (computed from 34/34 provinces): ") for n in lines)
    only = charts.ranking(obs, "rural_hh_clean_water_pct", 2024, lang="en",
                          geo_version="vn34", national=False)
    assert not [tr for tr in only.data if tr.type == "scatter" and tr.mode == "lines"]


def test_ranking_and_distribution_refuse_bad_parameters(obs) -> None:
    with pytest.raises(ParameterError, match="no provincial data"):
        charts.ranking(obs, "rural_hh_clean_water_pct", 1999, lang="vi", geo_version="vn34")
    with pytest.raises(ParameterError, match="unknown indicator"):
        charts.ranking(obs, "nope", None, lang="vi", geo_version="vn34")
    with pytest.raises(ParameterError, match="unknown language"):
        charts.distribution(obs, "rural_hh_clean_water_pct", None, lang="de",
                            geo_version="vn34")
    with pytest.raises(DataError, match="lacks column"):
        charts.ranking(obs.drop(columns="value"), "rural_hh_clean_water_pct", None, lang="vi",
                       geo_version="vn34")


def test_distribution_shows_every_province_with_data(obs) -> None:
    fig = charts.distribution(obs, "rural_hh_clean_water_pct", 2024, lang="vi",
                              geo_version="vn34", highlight="01")
    box = next(tr for tr in fig.data if tr.type == "box")
    assert len(box.x) == 34 and box.boxpoints == "all"
    assert fig.layout.meta["summary"].startswith("Năm 2024, 34 tỉnh, thành phố có số liệu")
    assert any(tr.name == "Hà Nội" for tr in fig.data)


def test_trends_one_trace_for_all_provinces(obs) -> None:
    fig = charts.trends(obs, "rural_hh_clean_water_pct", lang="en", geo_version="vn34",
                        highlight="01")
    assert [tr.name for tr in fig.data] == ["Provinces", "Viet Nam (reported)", "Hanoi"]
    gaps = sum(1 for y in fig.data[0].y if y is None)
    assert gaps == 34


# -- small multiples ------------------------------------------------------------------------


def test_small_multiples_one_panel_per_indicator(obs, prog) -> None:
    heads = charts.headline_targets(prog, "01")
    fig = charts.small_multiples(obs, prog, "01", lang="vi", geo_version="vn34")
    panels = [a.text for a in fig.layout.annotations if "<br>" in (a.text or "")
              and a.name not in ("title", "summary")]
    assert len(panels) == len(heads) == 4
    assert all(any(lbl in p for lbl in ("Đã đạt", "Đúng tiến độ", "Cần tăng tốc",
                                        "Tiến bộ hạn chế", "Đi xuống", "Chưa đủ số liệu"))
               for p in panels)
    assert fig.layout.meta["summary"].startswith("Hà Nội: 4 chỉ tiêu có số liệu")


def test_small_multiples_without_data(obs, prog) -> None:
    fig = charts.small_multiples(obs, prog.iloc[0:0], "01", lang="en", geo_version="vn34")
    assert fig.layout.meta["summary"] == "Hanoi: no indicator has data yet."


def test_headline_prefers_own_targets_with_data(prog) -> None:
    row = prog[prog["province_code"] == "01"].iloc[0].to_dict()
    national = {**row, "target_id": "a_national", "applies_as": "national_benchmark",
                "n_points": 5}
    own = {**row, "target_id": "b_own", "applies_as": "provincial", "n_points": 5}
    own_empty = {**row, "target_id": "c_own_empty", "applies_as": "provincial", "n_points": 0,
                 "target_year": 2030}
    table = pd.DataFrame([national, own, own_empty])
    assert charts.headline_targets(table, "01")["target_id"].tolist() == ["b_own"]
    table = pd.DataFrame([national, own_empty])
    assert charts.headline_targets(table, "01")["target_id"].tolist() == ["a_national"]


def test_meta_is_json(figures) -> None:
    _, figs = figures
    for fig in figs.values():
        json.dumps(fig.layout.meta.to_plotly_json() if hasattr(fig.layout.meta, "to_plotly_json")
                   else dict(fig.layout.meta))


def test_every_chart_is_a_valid_plotly_figure(figures) -> None:
    # charts are built without plotly.py's per-property validation (speed); check here
    _, figs = figures
    for name, fig in figs.items():
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
        assert fig.layout.height and fig.layout.height > 200, name
