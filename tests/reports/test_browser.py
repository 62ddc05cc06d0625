"""Rendered reports in headless Chromium from file://, with every network request blocked.

Skipped when /usr/bin/chromium is missing, unless NQ42_REQUIRE_BROWSER=1 (then it fails).
Never runs `playwright install`: it drives Debian's chromium.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.reports.export import BUNDLE_TRACE_TYPES
from analysis.reports.runner import run_reports
from tests.fakes import make_fake_processed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = ("file:", "data:", "blob:", "about:")
REAL_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("NQ42_REQUIRE_BROWSER") == "1":
            pytest.fail("NQ42_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing "
                        "(apt-get install -y chromium)")
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def render(tmp: Path, notebooks: Path) -> Path:
    processed = make_fake_processed(tmp / "processed")
    out = tmp / "out"
    cwd = Path.cwd()
    os.chdir(tmp)
    try:
        result = run_reports(provinces="01,79", langs="vi,en", out=out, jobs=2, timeout=300,
                             processed_dir=processed, notebooks_dir=notebooks,
                             show_progress=False)
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, [r["error"] for r in result.failed]
    return out


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, fixture_notebooks) -> Path:
    return render(tmp_path_factory.mktemp("fixture-reports"), fixture_notebooks)


class Visit:
    """A page opened from file:// with the network cut and every problem recorded."""

    def __init__(self, browser, path: Path) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        if self.page.locator(".nq42-plot").count():  # figures are unpacked, then drawn
            self.page.wait_for_selector("html[data-nq42-figures]", state="attached",
                                        timeout=30_000)
            state = self.page.get_attribute("html", "data-nq42-figures")
            assert state == "drawn", f"figures {state}: {self.errors}"

    def _route(self, route) -> None:  # noqa: ANN001
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


def check_report(browser, path: Path, lang: str, name: str) -> dict:
    visit = Visit(browser, path)
    try:
        page = visit.page
        plots = page.locator(".js-plotly-plot")
        assert plots.count() >= 1
        drawn = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .map(d => d.querySelector('.main-svg') !== null && d.getBoundingClientRect().height > 50)""")
        assert all(drawn), f"a figure is not drawn: {drawn}"
        assert page.evaluate("document.documentElement.lang") == lang
        assert name in page.title() and name in page.inner_text("body")
        # the synthetic-data notice: the notebook's banner, else the header's badge
        assert page.locator(".nq-synthetic, .nq42-synthetic-badge").first.is_visible()
        assert visit.external == [], visit.external
        assert visit.errors == [], visit.errors
        return {"plots": plots.count(),
                "schema": page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)")}
    finally:
        visit.close()


def test_national_and_two_province_reports_draw_offline(browser, rendered):
    national = check_report(browser, rendered / "vi/national.html", "vi", "Tổng quan cả nước")
    assert national["plots"] == 3
    check_report(browser, rendered / "vi/provinces/79-ho-chi-minh.html", "vi", "Hồ Chí Minh")
    check_report(browser, rendered / "en/provinces/01-ha-noi.html", "en", "Hanoi")


def test_the_bundle_draws_exactly_the_trace_types_we_allow(browser, rendered):
    info = check_report(browser, rendered / "en/national.html", "en", "National overview")
    assert set(info["schema"]) == BUNDLE_TRACE_TYPES
    run = json.loads((rendered / "run.json").read_text(encoding="utf-8"))
    used = {t for r in run["reports"] for t in r.get("trace_types") or []}
    assert used and used <= BUNDLE_TRACE_TYPES


def test_figures_fit_an_a4_page_when_printed(browser, rendered):
    visit = Visit(browser, rendered / "vi/provinces/79-ho-chi-minh.html")
    try:
        page = visit.page
        widths = "[...document.querySelectorAll('.js-plotly-plot .main-svg')].map(s => s.getBoundingClientRect().width)"
        assert max(page.evaluate(widths)) > 700  # drawn for a 1280-px window
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.emulate_media(media="print")
        page.wait_for_timeout(300)
        assert max(page.evaluate(widths)) <= 700.5  # 186 mm: A4 minus the margins
        assert not page.locator(".nq42-bar-nav").is_visible()  # links are not printed
        assert page.locator(".nq42-footer").is_visible()
        page.emulate_media(media="screen")
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        page.wait_for_timeout(300)
        assert max(page.evaluate(widths)) > 700
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


def test_index_links_work_and_switches_language(browser, rendered):
    visit = Visit(browser, rendered / "index.html")
    try:
        page = visit.page
        assert page.evaluate("document.documentElement.lang") == "vi"
        assert page.locator("#vi").is_visible() and not page.locator("#en").is_visible()
        assert page.locator("#vi .nq42-notice").is_visible()  # synthetic data notice
        assert "Hồ Chí Minh" in page.inner_text("#vi")
        page.click("#vi .nq42-lang-switch a")
        assert page.locator("#en").is_visible() and not page.locator("#vi").is_visible()
        assert "Ho Chi Minh City" in page.inner_text("#en")
        page.click("#en a[href='en/provinces/79-ho-chi-minh.html']")
        page.wait_for_selector(".js-plotly-plot .main-svg")
        assert page.evaluate("document.documentElement.lang") == "en"
        page.click("a[hreflang='vi']")  # the same report in Vietnamese
        page.wait_for_selector(".js-plotly-plot .main-svg")
        assert page.url.endswith("vi/provinces/79-ho-chi-minh.html")
        assert visit.external == [] and visit.errors == []
    finally:
        visit.close()


@pytest.mark.skipif(not (REAL_NOTEBOOKS / "province_report.py").exists()
                    or not (REAL_NOTEBOOKS / "national_overview.py").exists(),
                    reason="the project's notebooks are not there yet")
def test_the_projects_notebooks_render_offline(browser, tmp_path_factory):
    out = render(tmp_path_factory.mktemp("real-reports"), REAL_NOTEBOOKS)
    check_report(browser, out / "vi/national.html", "vi", "Tổng quan cả nước")
    check_report(browser, out / "vi/provinces/79-ho-chi-minh.html", "vi", "Hồ Chí Minh")
    check_report(browser, out / "en/provinces/01-ha-noi.html", "en", "Hanoi")
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    used = {t for r in run["reports"] for t in r.get("trace_types") or []}
    assert used <= BUNDLE_TRACE_TYPES, used - BUNDLE_TRACE_TYPES


def test_csv_downloads_unpack_to_the_files_the_page_holds(browser, rendered):
    from analysis.reports.export import page_downloads

    path = rendered / "vi/provinces/79-ho-chi-minh.html"
    expected = page_downloads(path.read_text(encoding="utf-8"))
    assert expected, "no CSV download on the page"
    visit = Visit(browser, path)
    try:
        page = visit.page
        page.wait_for_function("!document.querySelector('a[data-nq42-gzip]')", timeout=10_000)
        link = page.locator("a[download]").first
        assert link.get_attribute("href").startswith("blob:")
        with page.expect_download() as caught:
            link.click()
        download = caught.value
        assert Path(download.path()).read_bytes() == expected[download.suggested_filename]
        assert visit.errors == [] and visit.external == []
    finally:
        visit.close()


def test_a_browser_without_decompression_says_so_instead_of_blank_charts(browser, rendered):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.add_init_script("delete window.DecompressionStream;")
        page.goto((rendered / "vi/national.html").as_uri())
        page.wait_for_selector("html[data-nq42-figures]", state="attached", timeout=10_000)
        assert page.get_attribute("html", "data-nq42-figures") == "unsupported"
        notices = page.locator(".nq42-plot-missing")
        assert notices.count() == page.locator(".nq42-plot").count() > 0
        assert "Trình duyệt này quá cũ" in notices.first.inner_text()
    finally:
        context.close()
