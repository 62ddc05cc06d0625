"""Offline HTML export: no code, no network, plotly.js once, figures drawn, text escaped."""

from __future__ import annotations

import base64
import hashlib
import re

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.reports import export as X

PLOTLY = X.PLOTLY_MIME
TEMPLATE = {"layout": {"font": {"family": "Arial"}, "paper_bgcolor": "white"}}


def figure(kind="scatter", name="Hà Nội", template=TEMPLATE):
    layout = {"title": {"text": "Nước sạch"}, "height": 320}
    if template is not None:
        layout["template"] = template
    return {"data": [{"type": kind, "x": [2020, 2021], "y": [57.3, 60.1], "name": name}],
            "layout": layout, "config": {"plotlyServerURL": "https://chart-studio.plotly.com"}}


def executed_notebook(*figures, html="<div class='banner'>DỮ LIỆU TỔNG HỢP – minh hoạ</div>"):
    cells = [
        new_code_cell('province_code = "79"', metadata={"tags": ["parameters"]}),
        new_markdown_cell("## Tiến độ của tỉnh"),
        new_code_cell("display(HTML(banner))", outputs=[
            new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"}),
            new_output("stream", name="stderr", text="FutureWarning: secret stderr noise\n"),
        ]),
        new_code_cell("fig.show()  # SOURCE-MARKER", outputs=[
            new_output("display_data", data={PLOTLY: f, "text/plain": "Figure"})
            for f in figures]),
        new_code_cell("init_notebook_mode()", outputs=[
            new_output("display_data", data={
                "text/html": "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>"
                             "<script src='https://cdn.plot.ly/plotly-3.0.0.min.js'></script>"}),
            new_output("display_data", data={"application/javascript": "alert(1)"}),
        ]),
        new_code_cell("hidden()", metadata={"tags": ["remove-cell"]}, outputs=[
            new_output("stream", name="stdout", text="REMOVED-CELL-OUTPUT")]),
        new_code_cell("x = 1"),
    ]
    return new_notebook(cells=cells)


def without_bundle(html: str) -> str:
    """The page minus the packed plotly.js (whose own code mentions MathJax, require, ...)."""
    payload = X.plotlyjs_payload()
    assert html.count(payload) <= 1
    return html.replace(payload, "")


def figures_json(html: str) -> str:
    """Every figure the page draws, as the JSON the browser unpacks."""
    return "\n".join(X.unpack(p).decode("utf-8") for p in re.findall(
        r'<script type="application/x-nq42-figure" data-target="[^"]+">([^<]*)</script>', html))


def page(**kw):
    base = {"lang": "vi", "title": "Hồ Chí Minh", "heading": "Báo cáo: Hồ Chí Minh",
            "geography": "34 tỉnh", "synthetic": True, "synthetic_label": "Dữ liệu tổng hợp",
            "facts": [("Mã lượt chạy", "run-1")], "version": "0.1.0"}
    base.update(kw)
    return X.PageInfo(**base)


@pytest.fixture(scope="module")
def exporter():
    return X.ReportExporter()


def test_vendored_bundle_is_plotly_pys_version():
    from plotly.offline import get_plotlyjs_version

    assert X.vendored_plotlyjs_version() == get_plotlyjs_version(), (
        "plotly (Python) and the vendored plotly.js bundle differ: vendor "
        "plotly.js-cartesian-dist-min at plotly.py's version (assets/README.md)")


def test_vendored_bundle_matches_its_readme():
    readme = (X.ASSETS_DIR / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(X.PLOTLY_JS.read_bytes()).hexdigest()
    assert digest in readme
    assert X.vendored_plotlyjs_version() in readme
    assert (X.ASSETS_DIR / "PLOTLY-LICENSE").read_text(encoding="utf-8").startswith("MIT")
    assert X.PLOTLY_JS.stat().st_size < 2_000_000
    bundle = X.plotlyjs_bundle()
    # inlined in <script>: these sequences would end or confuse the script element
    assert "</script" not in bundle.lower() and "<!--" not in bundle


def test_page_has_no_code_no_network_and_plotlyjs_once(exporter):
    nb = executed_notebook(figure(), figure("bar"))
    html, info = exporter.to_html(nb, page())
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in html and '<meta charset="utf-8"' in html
    assert html.count('id="nq42-plotlyjs"') == 1 and html.count(X.plotlyjs_payload()) == 1
    assert html.index('id="nq42-plotlyjs"') < html.index("</head>")
    assert X.unpack(X.plotlyjs_payload()) == X.PLOTLY_JS.read_bytes()
    assert len(X.page_figures(html)) == 2 and info.figures == 2
    assert html.count('<div id="nq42-fig-') == 2
    assert info.trace_types == {"scatter", "bar"}
    # no code, no prompts, no removed cell, no stderr, no loader, no JavaScript output
    html = without_bundle(html)
    for absent in ("SOURCE-MARKER", "province_code", "In&nbsp;[", "Out[", "REMOVED-CELL-OUTPUT",
                   "secret stderr noise", "PlotlyConfig", "alert(1)", "require.js",
                   "MathJax", "chart-studio"):
        assert absent not in html, absent
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", html)
    assert "DỮ LIỆU TỔNG HỢP – minh hoạ" in html  # the notebook's banner kept, diacritics intact
    assert "Tiến độ của tỉnh" in html  # Markdown narrative kept
    drawn = figures_json(html)
    assert '"displaylogo":false' in drawn and '"responsive":true' in drawn
    assert '"separators":",."' in drawn  # vi: 57,3 and 1.234 on the axes
    assert "chart-studio" not in drawn
    assert "@page" in html and "A4" in html


def test_chrome_and_figure_text_are_escaped(exporter):
    hostile = "</script><script>alert('x')</script>"
    nb = executed_notebook(figure(name=hostile))
    html, _ = exporter.to_html(nb, page(title=hostile, heading=f"<b>{hostile}</b>",
                                        facts=[("<i>run</i>", hostile)]))
    assert hostile not in html
    assert "<script>alert" not in html
    # the figure JSON is packed (base64 cannot close a script) and unpacks to the same text
    assert X.page_figures(html)[0]["data"][0]["name"] == hostile
    assert "&lt;/script&gt;" in html  # in the header, title and footer


def test_shared_plotly_template_is_written_once(exporter):
    nb = executed_notebook(figure(), figure(), figure("bar"))
    html, _ = exporter.to_html(nb, page())
    assert html.count('id="nq42-templates"') == 1
    figures = X.page_figures(html)
    assert [f["layout"]["template"] for f in figures] == [TEMPLATE] * 3
    assert '"paper_bgcolor"' not in figures_json(html)  # the template is stored once


def test_synthetic_badge_unless_the_notebook_shows_its_banner(exporter):
    html, _ = exporter.to_html(executed_notebook(), page())
    assert 'class="nq42-synthetic-badge"' in html and "Dữ liệu tổng hợp" in html
    own = executed_notebook(html='<div class="nq-block nq-synthetic">GIẢ LẬP</div>')
    html, _ = exporter.to_html(own, page())
    assert 'class="nq42-synthetic-badge"' not in html and "GIẢ LẬP" in html
    html, _ = exporter.to_html(executed_notebook(), page(synthetic=False))
    assert 'class="nq42-synthetic-badge"' not in html


def test_a_page_without_figures_does_not_carry_plotlyjs(exporter):
    html, info = exporter.to_html(executed_notebook(), page(lang="en"))
    assert info.figures == 0 and 'id="nq42-plotlyjs"' not in html and info.html_bytes < 60_000
    assert '<html lang="en">' in html


def test_unsupported_trace_type_fails_loudly(exporter):
    nb = executed_notebook(figure("choropleth", template=None))
    with pytest.raises(X.UnsupportedFigureError, match="choropleth"):
        exporter.to_html(nb, page())


def test_every_bundle_trace_type_is_accepted():
    nb = executed_notebook(*[figure(kind) for kind in sorted(X.BUNDLE_TRACE_TYPES)])
    prepared, writer = X.prepare_notebook(nbformat.from_dict(nb), "en")
    assert writer.count == len(X.BUNDLE_TRACE_TYPES)
    assert X.figure_trace_types(nb) == X.BUNDLE_TRACE_TYPES
    assert all(c["cell_type"] != "code" or c["outputs"] for c in prepared["cells"])


def test_network_references_are_neutralised_links_kept():
    html = ('<img src="https://example.org/a.png"><a href="https://nso.gov.vn/">NSO</a>'
            "<div style=\"background:url('//cdn.example/x.png')\"></div>"
            '<link rel="stylesheet" href="http://fonts.example/css">'
            '<script src=https://cdn.example/x.js></script><img src="data:image/png;base64,AA">')
    cleaned, removed = X.neutralise_external(html)
    assert len(removed) == 4
    assert 'href="https://nso.gov.vn/"' in cleaned
    assert "example.org" not in cleaned and "cdn.example" not in cleaned
    assert "fonts.example" not in cleaned and 'src="data:image/png;base64,AA"' in cleaned


def test_an_image_from_the_network_in_an_output_is_neutralised(exporter):
    nb = executed_notebook(html='<p>logo <img src="https://example.org/logo.png"></p>')
    html, info = exporter.to_html(nb, page())
    assert info.external_refs_removed == ["https://example.org/logo.png"]
    assert "example.org" not in html


def test_scrub_paths_removes_local_folders():
    text = "File /home/analyst/nq42/src/analysis/x.py and /home/analyst/data/y"
    out = X.scrub_paths(text, [("/home/analyst/nq42", ""), ("/home/analyst", "~/")])
    assert out == "File src/analysis/x.py and ~/data/y"


def test_figures_with_gaps_unpack_as_json_nulls(exporter):
    gap = figure()
    gap["data"][0]["y"] = [57.3, float("nan")]
    gap["data"][0]["x"] = [2020, float("inf")]
    html, _ = exporter.to_html(executed_notebook(gap), page())
    assert "NaN" not in figures_json(html) and "Infinity" not in figures_json(html)
    trace = X.page_figures(html)[0]["data"][0]
    assert trace["y"] == [57.3, None] and trace["x"] == [2020, None]


def test_csv_downloads_are_packed_and_unpack_to_their_bytes(exporter):
    csv = "tỉnh,năm,giá trị\nHà Nội,2024,57.3\n".encode()
    link = ('<a download="nuoc-sach.csv" href="data:text/csv;charset=utf-8;base64,'
            f'{base64.b64encode(csv).decode()}">CSV</a>')
    html, _ = exporter.to_html(executed_notebook(figure(), html=link), page())
    assert "data:text/csv" not in html
    assert 'data-nq42-type="text/csv;charset=utf-8"' in html
    assert X.page_downloads(html) == {"nuoc-sach.csv": csv}


def test_a_page_says_in_its_language_when_charts_cannot_be_drawn(exporter):
    for lang, word in (("vi", "Trình duyệt này quá cũ"), ("en", "This browser is too old")):
        html, _ = exporter.to_html(executed_notebook(figure()), page(lang=lang))
        assert word in html


def test_js_literal_cannot_close_the_script():
    assert "</" not in X.js_literal({"a": "</script><!--", "b": "\u2028"})
