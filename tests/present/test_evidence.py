"""The evidence behind every verdict: real and synthetic points drawn apart, grades marked
without colour in grids, tables and summaries, in both languages."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.present import charts, i18n
from analysis.present import report as reporting
from analysis.present.i18n import evidence_grade, evidence_kind, t

VI_LETTERS = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                        re.IGNORECASE)
IND = "rural_pop_clean_water_pct"


def mixed_series() -> pd.DataFrame:
    """Hà Nội: synthetic 2015–2024 and real (secondary) 2019, 2021, 2023 — distinct values."""
    synthetic = pd.DataFrame({"year": range(2015, 2025),
                              "value": [40.0 + 2 * i for i in range(10)],
                              "provenance": "synthetic", "source_id": "synthetic/x.csv"})
    real = pd.DataFrame({"year": [2019, 2021, 2023], "value": [61.5, 63.5, 66.5],
                         "provenance": "secondary", "source_id": "press/y.csv"})
    df = pd.concat([synthetic, real], ignore_index=True)
    return df.assign(geo_version="vn34", province_code="01", indicator=IND, unit="percent",
                     is_provisional=df["year"] == 2024, is_estimated=False)


def verdict_row(grade: str = "secondary") -> dict:
    return {"geo_version": "vn34", "province_code": "01", "target_id": "t", "indicator": IND,
            "kind": "level", "comparison": ">=", "base_year": 2019, "base_value": 61.5,
            "latest_year": 2023, "latest_value": 66.5, "target_value": 80.0,
            "target_year": 2030, "direction": 1, "status": "acceleration_needed",
            "method": "statcan_cagr_ratio", "cagr_observed": 0.02, "cagr_required": 0.03,
            "projected_value_at_target_year": 76.0, "n_points": 3, "provenance": grade,
            "evidence_grade": grade, "source_document": "Doc"}


def grades_by_trace(fig: go.Figure, obs: pd.DataFrame) -> list[tuple[str, set[str]]]:
    """For every trace that draws observation points: (name, grades of its points)."""
    lookup = {(int(y), round(float(v), 9)): g for y, v, g in
              zip(obs["year"], obs["value"], obs["provenance"], strict=True)}
    out = []
    for tr in fig.data:
        if tr.type != "scatter" or tr.x is None:
            continue
        pts = [(x, y) for x, y in zip(tr.x, tr.y, strict=True)
               if x is not None and y is not None]
        keys = [(int(x), round(float(y), 9)) for x, y in pts]
        if keys and all(k in lookup for k in keys):
            out.append((tr.name, {lookup[k] for k in keys}))
    return out


# -- the helpers ---------------------------------------------------------------------------


def test_evidence_grade_reads_the_new_column_and_falls_back() -> None:
    assert evidence_grade({"evidence_grade": "official", "provenance": "synthetic"}) == \
        "official"
    assert evidence_grade({"provenance": "synthetic"}) == "synthetic"
    assert evidence_grade({"evidence_grade": "", "provenance": ""}) == ""
    assert evidence_grade(pd.Series({"evidence_grade": np.nan})) == ""
    assert [evidence_kind(g) for g in ("official", "secondary", "synthetic", "unregistered",
                                       "", None)] == \
        ["real", "real", "synthetic", "unknown", "none", "none"]


# -- synthetic points drawn apart ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_trajectory_draws_real_and_synthetic_points_as_separate_traces(lang) -> None:
    obs = mixed_series()
    fig = charts.trajectory(obs, verdict_row(), lang=lang, geo_version="vn34")
    traces = grades_by_trace(fig, obs)
    assert traces, "no trace draws the observations"
    for name, grades in traces:
        assert len(grades) == 1, (name, grades)  # never one trace for two grades
    names_of = {g: {n for n, gs in traces if g in gs} for g in ("secondary", "synthetic")}
    assert t("charts.trajectory.observed", lang) in names_of["secondary"]
    assert t("evidence.series_synthetic", lang) in names_of["synthetic"]
    synth = next(tr for tr in fig.data if tr.name == t("evidence.series_synthetic", lang))
    observed = next(tr for tr in fig.data if tr.name == t("charts.trajectory.observed", lang))
    assert synth.line.dash not in (None, "solid") and synth.marker.symbol != \
        observed.marker.symbol  # not by colour alone
    # every point's hover names its grade
    assert all(i18n.provenance_label("synthetic", lang) in h for h in synth.customdata)
    assert all(i18n.provenance_label("secondary", lang) in h for h in observed.customdata)
    # the status badge names the evidence; the CSV tells the two series apart
    badge = next(a.text for a in fig.layout.annotations if a.name == "status_badge")
    assert t("provenance_short.secondary", lang) in badge
    table = charts.figure_table(fig)
    assert set(table.loc[table["provenance"] == "synthetic", "series"]) == {"synthetic"}
    assert set(table.loc[table["provenance"] == "secondary", "series"]) == {"observed"}


def test_trajectory_of_one_grade_keeps_one_observed_series() -> None:
    obs = mixed_series()
    obs = obs[obs["provenance"] == "synthetic"]
    fig = charts.trajectory(obs, verdict_row("synthetic"), lang="vi", geo_version="vn34")
    names = [tr.name for tr in fig.data]
    assert names[0] == "Số liệu quan sát" and t("evidence.series_synthetic", "vi") not in names
    badge = next(a.text for a in fig.layout.annotations if a.name == "status_badge")
    assert "◌" in badge and "Giả lập" in badge


def test_small_multiples_never_join_real_and_synthetic(obs, prog) -> None:
    mixed = obs.copy()
    real = (mixed["province_code"] == "01") & mixed["year"].isin([2018, 2020, 2022])
    mixed.loc[real, "provenance"] = "official"
    fig = charts.small_multiples(mixed, prog, "01", lang="en", geo_version="vn34")
    traces = grades_by_trace(fig, mixed[mixed["province_code"] == "01"])
    assert any(gs == {"official"} for _, gs in traces)
    assert any(gs == {"synthetic"} for _, gs in traces)
    assert all(len(gs) == 1 for _, gs in traces), traces
    legend = [tr.name for tr in fig.data if tr.showlegend is not False and tr.name]
    assert legend.count("Illustrative synthetic data (not real)") == 1  # once, readable
    panels = [a.text for a in fig.layout.annotations if a.name not in ("title", "summary")
              and "<br>" in (a.text or "")]
    assert panels and all("Synthetic" in p for p in panels)  # the fake verdicts' grade


def test_trends_never_join_real_and_synthetic(obs) -> None:
    ind = "rural_hh_clean_water_pct"
    mixed = obs[obs["indicator"] == ind].copy()
    real = mixed["province_code"].isin(["79", "VN"]) & mixed["year"].isin([2019, 2021])
    mixed.loc[real, "provenance"] = "secondary"
    fig = charts.trends(mixed, ind, lang="vi", geo_version="vn34", highlight="79")
    traces = grades_by_trace(fig, mixed)
    assert any(gs == {"secondary"} for _, gs in traces)
    assert all(len(gs) == 1 for _, gs in traces), traces
    names = [tr.name for tr in fig.data if tr.showlegend is not False]
    assert t("evidence.series_synthetic", "vi") in names
    # all synthetic: the chart looks as before
    plain = charts.trends(obs, ind, lang="en", geo_version="vn34", highlight="01")
    assert [tr.name for tr in plain.data] == ["Provinces", "Viet Nam (reported)", "Hanoi"]


# -- status grid (plotly) ----------------------------------------------------------------------


def test_status_grid_marks_synthetic_verdicts_without_colour(prog) -> None:
    graded = prog.copy()
    graded.loc[graded["province_code"] == "01", ["evidence_grade", "provenance"]] = "official"
    fig = charts.status_grid(graded, lang="vi", geo_version="vn34")
    rows = fig.layout.meta["provinces"]
    text = np.asarray(fig.data[0].text, dtype=object)
    hover = np.asarray(fig.data[0].customdata, dtype=object)
    hanoi, hcm = text[rows.index("01")], text[rows.index("79")]
    assert all(c and "◌" not in c for c in hanoi)
    assert all(c.endswith("◌") for c in hcm if c)
    assert all("Dựa trên số liệu thực" in h for h in hover[rows.index("01")] if h)
    assert all("số liệu minh họa" in h for h in hover[rows.index("79")] if h)
    legend = [tr.name for tr in fig.data if tr.type == "scatter"]
    assert t("evidence.grid_real", "vi") in legend and t("evidence.grid_synthetic", "vi") in legend
    assert "evidence_grade" in charts.figure_table(fig)


def test_status_grid_reads_provenance_when_evidence_grade_is_absent(prog) -> None:
    old = prog.drop(columns="evidence_grade")
    fig = charts.status_grid(old, lang="en", geo_version="vn34")
    cells = [c for row in fig.data[0].text for c in row if c]
    assert cells and all(c.endswith("◌") for c in cells)


# -- report blocks -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_progress_table_badges_the_evidence_next_to_each_status(prog, lang) -> None:
    rows = prog[prog["province_code"] == "01"].copy()
    rows.loc[rows.index[0], ["evidence_grade", "provenance"]] = "official"
    html = reporting.progress_table(rows, lang=lang).html
    status_cells = re.findall(r'<td class="nq-status[^"]*"[^>]*>(.*?)</td>', html)
    assert len(status_cells) == len(rows)
    official = t("provenance_short.official", lang)
    synthetic = t("provenance_short.synthetic", lang)
    assert sum(official in c for c in status_cells) == 1
    assert sum(f"◌ {synthetic}" in c for c in status_cells) == len(rows) - 1
    assert t("evidence.table_note", lang).split(":")[0] in html.replace("&quot;", '"')


def test_status_summary_counts_the_grades(prog) -> None:
    rows = prog[prog["province_code"] == "01"].copy()
    rows.loc[rows.index[0], ["evidence_grade", "provenance"]] = "secondary"
    html = reporting.status_summary(rows, lang="vi").html
    assert "Cơ sở của các đánh giá:" in html
    assert "Thứ cấp: 1" in html and "◌ Giả lập: 3" in html
    en = reporting.status_summary(rows, lang="en").html
    assert "What the verdicts rest on:" in en and "Secondary: 1" in en


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_method_note_explains_the_rule(lang) -> None:
    html = reporting.method_note(lang).html
    assert t("reporting.method.evidence_title", lang) in html
    assert t("reporting.method.evidence", lang) in html


# -- the strings ---------------------------------------------------------------------------------


def test_vietnamese_evidence_strings_are_vietnamese() -> None:
    added = sorted(k for k in i18n.keys("vi") if k.startswith("evidence.")
                   or k.startswith("reporting.method.evidence"))
    assert len(added) >= 15
    for key in added:
        vi, en = i18n.t_raw(key, "vi"), i18n.t_raw(key, "en")
        if key == "evidence.count":
            continue  # "{grade}: {n}" in both
        assert VI_LETTERS.search(vi), key
        assert vi != en, key
        assert not VI_LETTERS.search(en), key
