"""index.html: status grid, links per language, run facts, failures — all escaped, no script."""

from __future__ import annotations

import re

import pandas as pd

from analysis.present.i18n import t
from analysis.reports.index import render_index, status_grid_data

HOSTILE = "<script>alert('x')</script>"


def run_document(failed: bool = True) -> dict:
    reports = [
        {"id": "vi/national", "kind": "national", "lang": "vi", "province_code": None,
         "title": "Tổng quan cả nước", "html": "vi/national.html", "status": "ok"},
        {"id": "en/national", "kind": "national", "lang": "en", "province_code": None,
         "title": "National overview", "html": "en/national.html", "status": "skipped"},
        {"id": "vi/provinces/79-ho-chi-minh", "kind": "province", "lang": "vi",
         "province_code": "79", "title": "Hồ Chí Minh",
         "html": "vi/provinces/79-ho-chi-minh.html", "status": "failed" if failed else "ok",
         "error": {"kind": "cell_error", "message": f"ValueError: {HOSTILE}", "cell_index": 3,
                   "cell_source": 'if province_code == "79":'},
         "failed_notebook": "vi/notebooks/province-79-ho-chi-minh.failed.ipynb",
         "previous_html_kept": False},
        {"id": "en/provinces/79-ho-chi-minh", "kind": "province", "lang": "en",
         "province_code": "79", "title": "Ho Chi Minh City",
         "html": "en/provinces/79-ho-chi-minh.html", "status": "ok"},
    ]
    counts = {"ok": 2 - failed + 1, "skipped": 1, "failed": int(failed), "total": 4}
    return {
        "run_id": "20261128T000000Z-abc123", "started_at": "2026-11-28T00:00:00+00:00",
        "finished_at": "2026-11-28T00:01:00+00:00", "duration_s": 60.4,
        "nq42_version": "0.1.0", "git_commit": "0123456789abcdef",
        "data": {"build_id": "fake-0001", "built_at": "2026-11-28T00:00:00+00:00",
                 "years": [2015, 2025], "synthetic": True,
                 "synthetic_sources": [f"Nguồn tổng hợp {HOSTILE}"]},
        "parameters": {"geo": "vn34", "langs": ["vi", "en"], "provinces": ["79"],
                       "year": None},
        "counts": counts, "reports": reports,
    }


def write_pages(out, run):
    for r in run["reports"]:
        if r["status"] != "failed":
            path = out / r["html"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("<html></html>", encoding="utf-8")


def test_index_lists_failures_links_and_facts(processed, tmp_path):
    out = tmp_path / "out"
    run = run_document()
    write_pages(out, run)
    html = render_index(run, out_dir=out, processed_dir=processed)
    assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html
    assert "<script" not in html.lower()  # a static page
    assert not re.search(r"(src|href)=[\"'](https?:)?//", html)
    assert HOSTILE not in html and "&lt;script&gt;" in html  # escaped everywhere
    # both languages, each linking its own reports (relative links)
    assert 'id="vi"' in html and 'id="en"' in html
    assert 'href="en/provinces/79-ho-chi-minh.html"' in html
    assert 'href="vi/national.html"' in html and 'href="en/national.html"' in html
    assert 'href="vi/provinces/79-ho-chi-minh.html"' not in html  # failed, no file
    # the failure: message, cell, audit notebook
    assert "Báo cáo bị lỗi" in html and "Reports that failed" in html
    assert "ô 3: if province_code == &quot;79&quot;:" in html
    assert "cell 3: if province_code == &quot;79&quot;:" in html
    assert 'href="vi/notebooks/province-79-ho-chi-minh.failed.ipynb"' in html
    # run facts and the synthetic notice
    for fact in ("20261128T000000Z-abc123", "0123456789ab", "fake-0001", "2015–2025",
                 "Dữ liệu minh hoạ", "Synthetic data", "60,4 giây", "60.4 s"):
        assert fact in html, fact
    assert "34 tỉnh, thành phố" in html


def test_status_grid_has_every_province_and_status_text(processed, tmp_path):
    columns, cells = status_grid_data(processed, "vn34", "vi")
    assert len(cells) == 35  # 34 provinces + VN
    assert {c["indicator"] for c in columns} >= {"rural_pop_clean_water_pct"}
    labels = [c["label"] for c in columns]
    assert len(set(labels)) == len(labels), labels  # every column tells which target it is
    run = run_document(failed=False)
    html = render_index(run, out_dir=tmp_path, processed_dir=processed)
    assert html.count("<tr><td>") >= 2 * 35  # both views
    assert "Đúng tiến độ" in html and "On track" in html  # status as text, not colour only
    assert "Cà Mau" in html and "Ca Mau" in html
    assert "Mọi báo cáo đều được tạo thành công." in html


def test_index_without_progress_table_still_lists_reports(processed, tmp_path):
    (processed / "progress.parquet").unlink()
    out = tmp_path / "out"
    run = run_document(failed=False)
    write_pages(out, run)
    html = render_index(run, out_dir=out, processed_dir=processed)
    assert "progress.parquet" in html
    assert 'href="vi/provinces/79-ho-chi-minh.html"' in html


def _view(page: str, lang: str) -> str:
    """The part of index.html of one language."""
    start = page.index(f'<div id="{lang}"')
    end = page.find('<div id="', start + 1)
    return page[start:end if end > 0 else None]


def _status_cells(view: str, code: str) -> list[str]:
    row = re.search(rf"<tr><td>{code}</td>.*?</tr>", view).group(0)
    return re.findall(r'<td class="status[^"]*"[^>]*>[^<]*</td>', row)


def test_grid_tells_real_from_synthetic_evidence_without_colour(processed, tmp_path):
    prog = pd.read_parquet(processed / "progress.parquet")
    prog.loc[prog["province_code"] == "01", ["evidence_grade", "provenance"]] = "secondary"
    prog.to_parquet(processed / "progress.parquet", index=False)
    html = render_index(run_document(failed=False), out_dir=tmp_path, processed_dir=processed)
    vi_letters = re.compile("[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]")
    for lang in ("vi", "en"):
        view = _view(html, lang)
        real, synthetic = _status_cells(view, "01"), _status_cells(view, "79")
        assert real and len(real) == len(synthetic)

        def plain(cell: str) -> str:  # the cell with its colours taken away
            return re.sub(r' style="[^"]*"', "", cell)

        for cell in map(plain, real):
            assert "ev-real" in cell and "◌" not in cell, cell
            assert t("evidence.real", lang) in cell  # tooltip and aria-label
            assert t("provenance_short.secondary", lang) in cell
        for cell in map(plain, synthetic):
            assert "ev-synthetic" in cell and "◌</td>" in cell, cell
            assert t("evidence.synthetic", lang) in cell
        assert not set(map(plain, real)) & set(map(plain, synthetic))
        # the legend explains both, in the page's language
        legend = view[view.index(t("evidence.legend_title", lang)):]
        legend = legend[:legend.index("</ul>")]
        for key in ("evidence.real", "evidence.synthetic"):
            assert t(key, lang) in legend, (lang, key)
        assert bool(vi_letters.search(legend)) == (lang == "vi")


def test_index_shows_how_much_of_the_data_is_real(processed, tmp_path):
    from analysis.pipeline.coverage import coverage_table

    obs = pd.read_parquet(processed / "observations.parquet")
    prog = pd.read_parquet(processed / "progress.parquet")
    obs.loc[obs["province_code"] == "01", "provenance"] = "official"
    table = coverage_table(obs, prog)
    table.to_csv(processed / "coverage.csv", index=False)
    html = render_index(run_document(failed=False), out_dir=tmp_path, processed_dir=processed)
    for lang in ("vi", "en"):
        view = _view(html, lang)
        assert t("reports.index.coverage_heading", lang) in view
        section = view[view.index(f'id="coverage-{lang}"'):]
        section = section[:section.index("</table>")]
        assert t("reports.index.coverage_official", lang) in section
        # one row per indicator with data or targets, in the page's language
        name = "name_vi" if lang == "vi" else "name_en"
        shown = table[(table["geo_version"] == "vn34") & ((table["targets"] > 0) | (
            table[["points_official", "points_secondary", "points_synthetic"]].sum(axis=1) > 0))]
        assert section.count("<tr>") == len(shown) + 1
        assert all(html_escape(n) in section for n in shown[name])
    # without coverage.csv the page still renders, without the section
    (processed / "coverage.csv").unlink()
    html = render_index(run_document(failed=False), out_dir=tmp_path, processed_dir=processed)
    assert 'id="coverage-vi"' not in html


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=True)
