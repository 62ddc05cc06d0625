"""The maps draw in headless Chromium from a file:// page with every network request blocked.

Needs /usr/bin/chromium (skipped without it, unless NQ42_REQUIRE_BROWSER=1: then it fails).
Set NQ42_SCREENSHOT_DIR to keep a PNG of each map for looking at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.catalogue.geography import province_codes
from analysis.present import maps
from analysis.present.style import STATUS_ORDER
from tests.geo import SHARED_GEO_FILE

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ASSETS = Path(__file__).resolve().parents[2] / "src" / "analysis" / "reports" / "assets"
ALLOWED_SCHEMES = ("file:", "data:", "blob:")
CANARY = "http://198.51.100.7/canary.png"  # TEST-NET-2: never routable


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("NQ42_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and NQ42_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is not installed")
    return CHROMIUM


def plotly_js() -> str:
    """The reports' cartesian bundle when it is vendored, else plotly's full bundle."""
    vendored = sorted(ASSETS.glob("plotly*cartesian*.js")) if ASSETS.is_dir() else []
    if vendored:
        return vendored[0].read_text(encoding="utf-8")
    import plotly.offline

    return plotly.offline.get_plotlyjs()


def status_data(geo: str):
    import pandas as pd

    codes = province_codes(geo)
    return pd.DataFrame({"province_code": codes[1:],  # the first one has no data
                         "status": [STATUS_ORDER[i % 6] for i in range(len(codes) - 1)]})


def value_data(geo: str):
    import numpy as np
    import pandas as pd

    codes = province_codes(geo)
    return pd.DataFrame({"province_code": codes, "value": np.linspace(35, 99, len(codes)),
                         "unit": "percent"})


def write_page(path: Path, figures: dict[str, object]) -> Path:
    import plotly.io as pio

    divs = []
    for div_id, fig in figures.items():
        html = pio.to_html(fig, full_html=False, include_plotlyjs=False, include_mathjax=False,
                           div_id=div_id, config={"displaylogo": False})
        assert "http" not in html  # no network address in the figure or its config
        divs.append(html)
    path.write_text("<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
                    f"<script>{plotly_js()}</script></head>"
                    f"<body style='width:900px;margin:0'>{''.join(divs)}</body></html>",
                    encoding="utf-8")
    return path


def test_maps_draw_offline_with_one_filled_path_per_province(chromium, tmp_path,
                                                             fake_boundaries):
    from playwright.sync_api import sync_playwright

    source = SHARED_GEO_FILE if SHARED_GEO_FILE.is_file() else fake_boundaries
    figures = {
        "vn34-geographic": maps.choropleth(status_data("vn34"), geo_version="vn34",
                                           kind="geographic", boundaries=source,
                                           title="vn34 — Tình trạng", highlight="79"),
        "vn34-tiles": maps.choropleth(status_data("vn34"), geo_version="vn34", kind="tiles",
                                      title="vn34 — Tình trạng"),
        "vn63-geographic": maps.choropleth(value_data("vn63"), geo_version="vn63",
                                           kind="geographic", boundaries=source, lang="en",
                                           title="vn63 — value"),
        "vn63-tiles": maps.choropleth(value_data("vn63"), geo_version="vn63", kind="tiles",
                                      lang="en", title="vn63 — value"),
    }
    page_file = write_page(tmp_path / "maps.html", figures)
    blocked: list[str] = []
    errors: list[str] = []
    shots = os.environ.get("NQ42_SCREENSHOT_DIR")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1000})

            def route(r) -> None:  # noqa: ANN001 - playwright Route
                if r.request.url.startswith(ALLOWED_SCHEMES):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= "
                f"{2 * len(figures)}")
            counts = page.evaluate("""() => Object.fromEntries(
                [...document.querySelectorAll('.js-plotly-plot')].map(gd => [gd.id,
                  [...gd.querySelectorAll('.scatterlayer path.js-fill')]
                    .filter(p => (p.getAttribute('d') || '').length > 2).length]))""")
            for div_id in figures:
                geo = div_id.split("-")[0]
                assert counts[div_id] == len(province_codes(geo)), (div_id, counts)
            # hovering a tile shows the province's text, on the fill itself
            hover = hover_text(page, "vn34-tiles", "01")
            assert "Hà Nội" in hover and "không có số liệu" in hover
            hover = hover_text(page, "vn63-tiles", "79")
            assert "Ho Chi Minh City" in hover and "%" in hover
            drawn_blocked, drawn_errors = list(blocked), list(errors)
            # the guard itself works: a request the page makes is seen and blocked
            page.evaluate(f"() => {{ new Image().src = '{CANARY}'; }}")
            page.wait_for_timeout(300)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                for div_id in figures:
                    page.locator(f"#{div_id}").screenshot(path=f"{shots}/map-{div_id}.png")
        finally:
            browser.close()
    assert drawn_blocked == []  # drawing the maps asked for nothing over the network
    assert drawn_errors == []
    assert blocked == [CANARY]


def hover_text(page, div_id: str, code: str) -> str:  # noqa: ANN001 - playwright Page
    """Move the mouse to the middle of a province's trace and read the hover label."""
    page.mouse.move(0, 0)
    x, y = page.evaluate("""([id, code]) => {
        const gd = document.getElementById(id), fl = gd._fullLayout;
        const t = gd.data.find(tr => tr.meta === code);
        const xs = t.x.filter(v => v !== null), ys = t.y.filter(v => v !== null);
        const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
        const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
        gd.scrollIntoView();
        const r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis.l2p(cx) + 4,
                r.top + fl.yaxis._offset + fl.yaxis.l2p(cy) + 4];
    }""", [div_id, code])
    page.mouse.move(x, y)
    page.wait_for_selector(f"#{div_id} .hoverlayer .hovertext", timeout=5000)
    selector = f"#{div_id} .hoverlayer .hovertext"
    return page.evaluate(f"() => [...document.querySelectorAll('{selector}')]"
                         ".map(e => e.textContent).join(' ')")
