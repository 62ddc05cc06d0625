"""Report building blocks (analysis.present.report): escaping, CSV, sources, footer, tables."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import DataError, ParameterError
from analysis.present import charts
from analysis.present import report as reporting
from analysis.present.report import csv_bytes, neutralise_csv_cell
from analysis.present.report.provenance import _source_line

EVIL = "<script>alert('x')</script>"


def decode_csv_link(html: str) -> bytes:
    match = re.search(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"', html)
    assert match, "no CSV data URI"
    return base64.b64decode(match.group(1))


# -- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+33", "'+33"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"), ("Hà Nội", "Hà Nội"), ("", ""),
    (-2.5, -2.5), (7, 7), (None, None),
])
def test_neutralise_csv_cell(cell, expected) -> None:
    assert neutralise_csv_cell(cell) == expected


def test_csv_is_excel_friendly_and_neutralised() -> None:
    df = pd.DataFrame({"province": ["Hà Nội", "=HYPERLINK(\"http://x\")", "@x"],
                       "value": [78.8, -1.5, None], "=bad header": ["-3", "a", "b"]})
    raw = csv_bytes(df)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == ["province", "value", "'=bad header"]
    assert back["province"].tolist() == ["Hà Nội", "'=HYPERLINK(\"http://x\")", "'@x"]
    assert back["=bad header".join(["'", ""])].tolist() == ["'-3", "a", "b"]
    numbers = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")["value"]
    assert numbers.tolist()[:2] == [78.8, -1.5]  # numbers stay numbers (no apostrophe)


# -- figure blocks -----------------------------------------------------------------------------


def test_figure_block_caption_summary_sources_csv(obs, prog, fake_dir: Path) -> None:
    fig = charts.ranking(obs, "rural_hh_clean_water_pct", 2024, lang="vi", geo_version="vn34")
    block = reporting.figure_block(fig, lang="vi", processed_dir=fake_dir)
    html = block._repr_html_()
    assert fig.layout.meta["summary"] in html.replace("&#x27;", "'")
    assert "Giả lập (chỉ minh họa)" in html
    assert "[SYNTHETIC – illustrative only] test fixture" in html
    assert 'download="ranking-vn34-rural_hh_clean_water_pct-2024.csv"' in html
    table = pd.read_csv(io.BytesIO(decode_csv_link(html)), encoding="utf-8-sig",
                        dtype={"province_code": str})
    assert "Hà Nội" in set(table["province"]) and len(table) >= 34


def test_figure_block_escapes_text_from_data(obs, hanoi_row) -> None:
    fig = charts.trajectory(obs, {**hanoi_row, "source_document": EVIL}, lang="en",
                            geo_version="vn34")
    sources = {"synthetic/fake.csv": {"title": EVIL, "producer": "<b>GSO</b>",
                                      "provenance": "official", "licence": "x<y"}}
    html = reporting.figure_block(fig, lang="en", sources=sources)._repr_html_()
    assert "<script>" not in html and "<b>GSO</b>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;GSO&lt;/b&gt;" in html


def test_figure_block_lists_unknown_sources(obs, hanoi_row) -> None:
    fig = charts.trajectory(obs, hanoi_row, lang="vi", geo_version="vn34")
    html = reporting.figure_block(fig, lang="vi", sources={})._repr_html_()
    assert "nguồn synthetic/fake.csv (không có trong danh mục nguồn" in html


def test_figure_bundle_is_what_papermill_stores(obs, hanoi_row) -> None:
    fig = charts.trajectory(obs, hanoi_row, lang="vi", geo_version="vn34")
    block = reporting.figure_block(fig, lang="vi", sources={})
    bundle = block.figure_bundle()
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/plain"}
    payload = json.dumps(bundle)
    assert "http" not in payload
    assert bundle["application/vnd.plotly.v1+json"]["config"]["displaylogo"] is False


def test_figure_block_needs_data_for_foreign_figures() -> None:
    import plotly.graph_objects as go

    with pytest.raises(ParameterError, match="pass the data"):
        reporting.figure_block(go.Figure(), lang="vi", sources={})
    block = reporting.figure_block(go.Figure(), pd.DataFrame({"a": [1]}), lang="vi",
                                   sources={}, filename="../../etc/passwd")
    assert 'download="passwd.csv"' in block._repr_html_()


# -- page pieces ---------------------------------------------------------------------------


def test_page_header_and_banner() -> None:
    html = reporting.page_header("Báo cáo <thử>", lang="vi", geo_version="vn34",
                                 province_code="01", data_date=2025, synthetic=True).html
    assert "Báo cáo &lt;thử&gt;" in html
    assert "Hà Nội" in html and "34 tỉnh, thành phố" in html and "năm 2025" in html
    assert "DỮ LIỆU GIẢ LẬP – chỉ minh họa" in html and 'role="note"' in html
    plain = reporting.page_header("Report", lang="en", geo_version="vn63", data_date=2024,
                                  synthetic=False).html
    assert "SYNTHETIC" not in plain and "63 provinces" in plain
    assert "SYNTHETIC DATA – illustrative only" in reporting.synthetic_banner("en").html


def test_provenance_footer_has_every_source_and_no_local_path(fake_dir: Path) -> None:
    html = reporting.provenance_footer(lang="en", processed_dir=fake_dir,
                                       generated_at="2026-12-01 10:00 UTC").html
    for text in ("fake-0001", "2026-11-28T00:00:00+00:00", "0000000000000000", "test",
                 "[SYNTHETIC – illustrative only] test fixture", "NQ42 Tracker (synthetic)",
                 "Synthetic", "2026-11-28", "CC0", "2026-12-01 10:00 UTC"):
        assert text in html, text
    assert str(fake_dir) not in html
    assert not re.search(r"(/home/|/root/|/tmp/|/Users/|[A-Z]:\\\\)", html)


def test_provenance_footer_escapes_and_links_only_http(fake_dir: Path) -> None:
    info = {"build_id": "b", "sources": {
        "a.csv": {"title": EVIL, "producer": "p", "provenance": "official",
                  "url": "javascript:alert(1)", "licence": "CC-BY"},
        "b.csv": {"title": "Niên giám", "producer": "GSO", "provenance": "official",
                  "url": "https://gso.gov.vn/x", "licence": "unknown"}}}
    html = reporting.provenance_footer(lang="vi", build_info=info).html
    assert "<script>" not in html and 'href="javascript' not in html
    assert 'href="https://gso.gov.vn/x"' in html


def test_method_note_reads_the_thresholds() -> None:
    vi = reporting.method_note("vi").html
    assert "R ≥ 0,95" in vi and "0,60 ≤ R &lt; 0,95" in vi and "docs/METHODS.md" in vi
    assert "R ≥ 0.95" in reporting.method_note("en").html


# -- tables --------------------------------------------------------------------------------------


def test_progress_table_shows_status_text_and_colour(prog) -> None:
    html = reporting.progress_table(prog, lang="vi", province_code="01").html
    assert html.count("<tr>") == 1 + len(prog[prog["province_code"] == "01"])
    assert "Cần tăng tốc" in html and "#F0E442" in html
    assert "Fake Decision 0/2030 (test only)" in html and "tóm tắt văn bản" in html
    assert "11 điểm dữ liệu (2015–2025)" in html


def test_progress_table_escapes_and_summarises_targets_without_data(prog) -> None:
    rows = prog[prog["province_code"] == "01"].copy()
    rows.loc[rows.index[0], "source_document"] = EVIL
    rows.loc[rows.index[1], "n_points"] = 0
    html = reporting.progress_table(rows, lang="en").html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "1 other targets have no data to assess yet:" in html
    with pytest.raises(ParameterError):
        reporting.progress_table(rows, lang="en", no_data="drop")
    with pytest.raises(DataError, match="lacks column"):
        reporting.progress_table(rows.drop(columns="status"), lang="en")


def test_status_summary_counts(prog) -> None:
    html = reporting.status_summary(prog, lang="en", province_code="01").html
    assert "Status against the 4 targets with data" in html
    assert "↗ Acceleration needed: 2" in html


def test_national_table(obs) -> None:
    html = reporting.national_table(obs, lang="vi", geo_version="vn34").html
    assert "Cả nước (số công bố)" in html and "34/34" in html
    assert "gộp tử số và mẫu số" in html


# -- report data ---------------------------------------------------------------------------


def test_load_report_data_checks_parameters(fake_dir: Path) -> None:
    data = reporting.load_report_data("vn34", processed_dir=fake_dir, province_code="01",
                                      indicator="rural_hh_clean_water_pct", year=2024)
    assert data.data_year == 2025 and data.is_synthetic()
    assert set(data.sources) == {"synthetic/fake.csv"}
    for kwargs, message in (({"province_code": "99"}, "unknown province code '99'"),
                            ({"lang": "fr"}, "unknown language 'fr'"),
                            ({"indicator": "nope"}, "unknown indicator 'nope'"),
                            ({"year": 1990}, "no data for year 1990"),
                            ({"year": 2024.5}, "whole number")):
        with pytest.raises(ParameterError, match=message):
            reporting.load_report_data("vn34", processed_dir=fake_dir, **kwargs)
    with pytest.raises(ParameterError, match="geography"):
        reporting.load_report_data("vn99", processed_dir=fake_dir)
    with pytest.raises(DataError, match="has not been built"):
        reporting.load_report_data("vn34", processed_dir=fake_dir / "nothing")


def test_status_map_block(fake_dir: Path) -> None:
    data = reporting.load_report_data("vn34", processed_dir=fake_dir)
    block = reporting.status_map(data, lang="vi", highlight="01", kind="tiles")
    html = block._repr_html_()
    assert html.count("Hà Nội: ") >= 1 and "34 tỉnh, thành phố:" in html
    assert "Fake Decision 0/2030" in html
    assert {tr.type for tr in block.fig.data} <= {"scatter"}


def test_blocks_add_up_and_show_plain_text() -> None:
    both = reporting.heading("notebook.province.status_heading", "vi") + \
        reporting.paragraph("notebook.province.overview_intro", "vi")
    assert both.html.count("nq-block") == 2
    assert repr(both).startswith("Tình trạng so với từng mục tiêu")


def test_indicator_table_one_row_per_place(fake_dir: Path) -> None:
    data = reporting.load_report_data("vn34", processed_dir=fake_dir)
    html = reporting.indicator_table(data, "rural_hh_clean_water_pct", lang="vi").html
    body = html.split("<tbody>")[1]
    assert body.count("<tr>") == 35  # the country and 34 provinces
    assert "Cả nước" in body and "Hà Nội" in body and "Cà Mau" in body
    assert "80 % (2030)" in html and "Fake Decision 0/2030" in html
    empty = reporting.indicator_table(data, "population_avg_thousand", lang="en").html
    assert "This indicator has no quantitative target yet." in empty


def test_alternatives_block_shows_the_figure_set_aside_for_the_place(tmp_path):
    import pandas as pd

    pd.DataFrame([
        {"geo_version": "vn63", "province_code": "VN", "year": 2024,
         "indicator": "rural_hh_clean_water_pct", "value_used": 74.2, "source_used": "a.csv",
         "provenance_used": "secondary", "value_other": 68.0, "source_other": "b.csv",
         "provenance_other": "secondary", "rule": "higher register priority"},
        {"geo_version": "vn63", "province_code": "10", "year": 2021,
         "indicator": "population_avg_thousand", "value_used": 1.5, "source_used": "c.json",
         "provenance_used": "official", "value_other": 1.6, "source_other": "d.json",
         "provenance_other": "official", "rule": "higher register priority"},
    ]).to_csv(tmp_path / "alternatives.csv", index=False)
    nation = reporting.alternatives_block(lang="vi", geo_version="vn34", processed_dir=tmp_path)
    assert "74,2 — a.csv" in nation.html and "68 — b.csv" in nation.html
    assert "c.json" not in nation.html
    # the new Lào Cai (vn34 15) shows what its former province Lào Cai (vn63 10) had
    lao_cai = reporting.alternatives_block(lang="en", geo_version="vn34", province_code="15",
                                           processed_dir=tmp_path)
    assert "1.6 — d.json" in lao_cai.html and "a.csv" not in lao_cai.html
    assert reporting.alternatives_block(lang="en", geo_version="vn34", province_code="01",
                                        processed_dir=tmp_path).html == ""


def test_source_titles_follow_the_page_language_when_the_register_gives_them():
    entry = {"title": "NSO table E0225: Life expectancy", "title_vi": "Bảng E0225: Tuổi thọ",
             "producer": "NSO", "producer_vi": "Cục Thống kê", "provenance": "official"}
    vi, en = _source_line(entry, "vi"), _source_line(entry, "en")
    assert "Bảng E0225: Tuổi thọ — Cục Thống kê" in vi and "Life expectancy" not in vi
    assert "NSO table E0225: Life expectancy — NSO" in en
    assert "Life expectancy" in _source_line({"title": entry["title"]}, "vi")
