"""Executed notebook -> one self-contained, offline HTML page.

What a page holds: the notebook's outputs without code, input or output prompts; every plotly
figure (``application/vnd.plotly.v1+json``, which nbconvert does not render) as a compressed
payload drawn by ``Plotly.newPlot``; the vendored lean plotly.js bundle inlined once in
``<head>``; a header bar and a footer with the run's facts; an A4 print stylesheet.

Size: plotly.js (1.5 MB), the figures and the CSV downloads are stored gzip-compressed and
base64-encoded; the page's own script (``assets/figures.js``) unpacks them with the browser's
``DecompressionStream`` (Chromium/Edge 80, Firefox 113, Safari 16.4) and draws the figures. A
province page falls from about 1.9 MB to well under 1 MB. :func:`page_figures` and
:func:`page_downloads` read the payloads back (tests, audits). No require.js, MathJax, web font
or network URL: any resource reference to the network left in an output is neutralised, and a
figure that the lean bundle cannot draw fails the report loudly instead of showing a blank chart.

nbconvert is imported only when an exporter is built (in the runner's worker processes).
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from analysis.core.errors import DataError
from analysis.present.i18n import t

HERE = Path(__file__).resolve().parent
ASSETS_DIR = HERE / "assets"
TEMPLATES_DIR = HERE / "templates"
TEMPLATE_NAME = "nq42"
PLOTLY_JS = ASSETS_DIR / "plotly-cartesian.min.js"
REPORT_CSS = ASSETS_DIR / "report.css"
FIGURES_JS = ASSETS_DIR / "figures.js"
FIGURE_TYPE = "application/x-nq42-figure"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
# trace modules of the plotly.js "cartesian" partial bundle (see assets/README.md)
BUNDLE_TRACE_TYPES = frozenset({
    "bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
    "image", "pie", "scatter", "scatterternary", "violin",
})
_PLOTLYJS_PLACEHOLDER = "<script>/*NQ42_PLOTLYJS*/</script>"
_REMOVE_TAGS = {"remove-cell", "remove_cell", "hide", "hide-cell"}
_REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output", "hide-output"}
# a text/html output that only loads plotly.js for the classic notebook (renderer "notebook")
_PLOTLY_LOADER = re.compile(r"window\.PlotlyConfig|require\.undef\(\s*[\"']plotly")
# resource-loading attributes pointing to the network (links <a href> are fine: not loaded)
_EXTERNAL_ATTR = re.compile(
    r"""(<(?:script|img|iframe|link|source|video|audio|embed|object|track|input|image|use)\b"""
    r"""[^>]*?\s(?:src|href|xlink:href|data|poster|srcset)\s*=\s*)(["']?)\s*"""
    r"""((?:https?:|ftp:)?//[^"'\s>]*)""", re.IGNORECASE)
_EXTERNAL_CSS = re.compile(r"""(url\(\s*["']?|@import\s+["'])\s*((?:https?:)?//[^"')\s]*)""",
                           re.IGNORECASE)
# the notebooks' own synthetic-data banner (analysis.present.report.synthetic_banner); when a page
# shows it, the header's badge would only repeat it
NOTEBOOK_SYNTHETIC_MARKERS = ("nq-synthetic",)
_NOT_SHOWN = {"application/javascript", "application/vnd.jupyter.widget-view+json",
              "application/vnd.jupyter.widget-state+json"}
_CONFIG_DROP = ("topojsonURL", "mapboxAccessToken", "plotlyServerURL", "showEditInChartStudio",
                "showSendToCloud", "showLink", "linkText")


_CHAR_REF = re.compile(r"&#(x[0-9a-fA-F]{2,6}|[0-9]{3,7});")


def _char(match: re.Match) -> str:
    ref = match.group(1)
    code = int(ref[1:], 16) if ref[0] == "x" else int(ref)
    # only letters beyond ASCII: "&#60;" and friends stay escaped
    return chr(code) if 0xA0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)


class UnsupportedFigureError(DataError):
    """A figure uses a plotly trace type that the offline bundle cannot draw."""


@dataclass
class PageInfo:
    """What the HTML chrome around one report says (all plain text; escaped on output).

    Attributes:
        lang: page language (``<html lang>``).
        title: short subject, used in ``<title>`` (e.g. "Hồ Chí Minh").
        heading: the header bar's title.
        geography: human label of the geography version.
        data_date: "data as of ..." text, or empty.
        synthetic: the page shows synthetic data: a badge under the header bar, unless the
            notebook shows its own banner (``analysis.present.report``).
        synthetic_label: the badge's text.
        index_href / index_label: relative link back to ``index.html``.
        alt_href / alt_label / alt_lang / alt_title: the same report in the other language.
        facts: ``(label, value)`` pairs for the footer (generated at, commit, run id, ...).
        footer_title / sources_note: footer texts.
        project / version: project name and version.
    """

    lang: str
    title: str
    heading: str
    geography: str = ""
    data_date: str = ""
    synthetic: bool = False
    synthetic_label: str = ""
    index_href: str = ""
    index_label: str = ""
    alt_href: str = ""
    alt_label: str = ""
    alt_lang: str = ""
    alt_title: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    footer_title: str = ""
    sources_note: str = ""
    project: str = "NQ42 Tracker"
    version: str = ""


@dataclass
class ExportInfo:
    """What an export did: figures drawn, trace types used, references neutralised, size."""

    figures: int = 0
    trace_types: set[str] = field(default_factory=set)
    external_refs_removed: list[str] = field(default_factory=list)
    html_bytes: int = 0


@cache
def plotlyjs_bundle() -> str:
    """The vendored lean plotly.js (read once per process)."""
    return PLOTLY_JS.read_text(encoding="utf-8")


def vendored_plotlyjs_version() -> str:
    """Version of the vendored bundle, read from its licence header (e.g. ``"4.1.1"``)."""
    with PLOTLY_JS.open(encoding="utf-8") as fh:
        head = fh.read(400)
    match = re.search(r"plotly\.js \(cartesian[^)]*\) v(\d+\.\d+\.\d+)", head)
    if not match:
        raise DataError("cannot read the plotly.js version in its header", file=PLOTLY_JS)
    return match.group(1)


def pack(data: bytes | str) -> str:
    """gzip + base64: what the page stores (``mtime=0``, so equal input gives equal text)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def unpack(text: str) -> bytes:
    """The bytes a :func:`pack` text holds (what the browser's DecompressionStream gives)."""
    return gzip.decompress(base64.b64decode(text.strip()))


@cache
def plotlyjs_payload() -> str:
    """The vendored plotly.js, packed (compressed once per process)."""
    return pack(PLOTLY_JS.read_bytes())


@cache
def figures_js() -> str:
    """The page script that unpacks plotly.js, the figures and the downloads."""
    return FIGURES_JS.read_text(encoding="utf-8")


def _json_safe(value: object) -> object:
    """NaN and infinities as ``null`` (a gap, as plotly draws NaN): ``JSON.parse`` rejects them."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _packed_json(value: object) -> str:
    text = json.dumps(_json_safe(value), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return pack(text)


_PACKED_FIGURE = re.compile(
    r'<script type="application/x-nq42-figure" data-target="([^"]+)">([A-Za-z0-9+/=\s]*)'
    r"</script>")
_PACKED_TEMPLATES = re.compile(
    r'<script type="application/x-nq42-gzip" id="nq42-templates">([A-Za-z0-9+/=\s]*)</script>')
_DATA_DOWNLOAD = re.compile(
    r'(<a\b[^>]*?\sdownload="([^"]*)"[^>]*?\s)href="data:([^",;]+(?:;[^",;]+)*?);base64,'
    r'([A-Za-z0-9+/=]+)"')
_PACKED_DOWNLOAD = re.compile(
    r'<a\b[^>]*?\sdownload="([^"]*)"[^>]*?\sdata-nq42-gzip="([A-Za-z0-9+/=]+)"')


def page_figures(html: str) -> list[dict]:
    """The figures a page draws, as plotly dicts (``template`` put back into each layout)."""
    found = _PACKED_TEMPLATES.search(html)
    templates = json.loads(unpack(found.group(1))) if found else []
    figures = []
    for target, payload in _PACKED_FIGURE.findall(html):
        fig = json.loads(unpack(payload))
        index = fig.pop("template", None)
        if index is not None:
            fig["layout"] = {"template": templates[index], **fig["layout"]}
        figures.append({"id": target, **fig})
    return figures


def page_downloads(html: str) -> dict[str, bytes]:
    """The files a page offers for download: ``{file name: bytes}``."""
    return {name: unpack(payload) for name, payload in _PACKED_DOWNLOAD.findall(html)}


def _pack_downloads(html: str) -> str:
    """``<a download href="data:…;base64,…">`` -> a packed ``data-nq42-gzip`` attribute."""
    def sub(match: re.Match) -> str:
        start, _name, mime, payload = match.groups()
        packed = pack(base64.b64decode(payload))
        return f'{start}href="#" data-nq42-type="{mime}" data-nq42-gzip="{packed}"'

    return _DATA_DOWNLOAD.sub(sub, html)


@cache
def _css() -> str:
    return REPORT_CSS.read_text(encoding="utf-8")


def report_css() -> str:
    """The stylesheet shared by report pages and the index (screen + A4 print)."""
    return _css()


def js_literal(value: object) -> str:
    """JSON for an inline ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def trace_types(figure: dict) -> set[str]:
    """Trace types of one plotly figure dict (a trace without ``type`` is a scatter)."""
    return {str(trace.get("type") or "scatter") for trace in figure.get("data") or []}


def figure_trace_types(nb: dict) -> set[str]:
    """Every trace type used by the plotly outputs of an executed notebook."""
    found: set[str] = set()
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            figure = (output.get("data") or {}).get(PLOTLY_MIME)
            if isinstance(figure, str):
                figure = json.loads(figure)
            if isinstance(figure, dict):
                found |= trace_types(figure)
    return found


class _FigureWriter:
    """Turns plotly figure dicts into ``<div>`` + ``Plotly.newPlot`` HTML; shares templates."""

    def __init__(self, lang: str, prefix: str = "nq42-fig") -> None:
        self.lang = lang
        self.prefix = prefix
        self.count = 0
        self.templates: list[object] = []
        self._template_index: dict[str, int] = {}
        self.types: set[str] = set()
        self.synthetic_banner = False

    def html(self, figure: dict, cell_index: int) -> str:
        if isinstance(figure, str):
            figure = json.loads(figure)
        types = trace_types(figure)
        unsupported = sorted(types - BUNDLE_TRACE_TYPES)
        if unsupported:
            raise UnsupportedFigureError(
                f"a figure in cell {cell_index} uses plotly trace type(s) "
                f"{', '.join(unsupported)}, which the offline plotly.js bundle (cartesian) "
                f"cannot draw",
                hint="draw maps with filled scatter polygons (analysis.present.maps) or see "
                     "src/analysis/reports/assets/README.md")
        self.types |= types
        self.count += 1
        div_id = f"{self.prefix}-{self.count}"
        layout = dict(figure.get("layout") or {})
        if self.lang == "vi":
            layout.setdefault("separators", ",.")
        template = layout.pop("template", None)
        config = {k: v for k, v in dict(figure.get("config") or {}).items()
                  if k not in _CONFIG_DROP}
        config.update({"displaylogo": False, "responsive": True})
        style = ""
        height = layout.get("height")
        if isinstance(height, int | float) and height > 0:
            style = f' style="height:{int(height)}px"'
        index = None
        if template is not None:
            key = js_literal(template)
            if key not in self._template_index:
                self._template_index[key] = len(self.templates)
                self.templates.append(template)
            index = self._template_index[key]
        payload = _packed_json({"data": figure.get("data") or [], "layout": layout,
                                "config": config, "template": index})
        return (f'<div class="nq42-figure"><div id="{div_id}" class="nq42-plot"{style}></div>'
                f'</div>\n<script type="{FIGURE_TYPE}" data-target="{div_id}">{payload}</script>')


def prepare_notebook(nb: dict, lang: str) -> tuple[dict, _FigureWriter]:
    """A notebook ready for the HTML template: what a reader sees, nothing else.

    ``nb`` itself is not modified (the audit copy keeps every output).

    Removes cells tagged ``remove-cell``, code cells without outputs, raw cells, stderr
    streams, error outputs, JavaScript and widget outputs and plotly.js loader blocks, and
    turns each plotly figure output into a ``text/html`` div + ``Plotly.newPlot`` call.

    Raises:
        UnsupportedFigureError: a figure needs a trace type the lean bundle does not have.
    """
    writer = _FigureWriter(lang)
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        tags = set((cell.get("metadata") or {}).get("tags") or [])
        if tags & _REMOVE_TAGS or cell.get("cell_type") == "raw":
            continue
        if cell.get("cell_type") != "code":
            cells.append(copy.deepcopy(cell))
            continue
        outputs = [] if tags & _REMOVE_OUTPUT_TAGS else _visible_outputs(cell, index, writer)
        if outputs:  # a shallow copy: the executed notebook itself is left untouched
            cells.append({**cell, "metadata": copy.deepcopy(cell.get("metadata") or {}),
                          "outputs": outputs})
    return {**nb, "metadata": copy.deepcopy(nb.get("metadata") or {}), "cells": cells}, writer


def _visible_outputs(cell: dict, index: int, writer: _FigureWriter) -> list:
    kept = []
    for output in cell.get("outputs") or []:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stdout" and str(output.get("text", "")).strip():
                kept.append(output)
            continue
        if kind not in ("display_data", "execute_result"):
            continue  # errors never reach a rendered report; nothing else is shown
        data = output.get("data") or {}
        if PLOTLY_MIME in data:
            kept.append({**output, "data": {"text/html": writer.html(data[PLOTLY_MIME], index)},
                         "metadata": {}})
            continue
        html = data.get("text/html")
        text = "".join(html) if isinstance(html, list) else str(html or "")
        if html is not None and _PLOTLY_LOADER.search(text):
            continue
        if any(marker in text for marker in NOTEBOOK_SYNTHETIC_MARKERS):
            writer.synthetic_banner = True
        data = {mime: value for mime, value in data.items() if mime not in _NOT_SHOWN}
        if data:
            kept.append({**output, "data": data})
    return kept


def neutralise_external(html: str) -> tuple[str, list[str]]:
    """Point every network resource reference (``<img src="https://…">``, CSS ``url(//…)``)
    at an empty ``data:`` URL so that opening the page makes no request.

    Returns the new HTML and the removed URLs. Plain links (``<a href>``) are kept: they load
    nothing until clicked.
    """
    removed: list[str] = []

    def attr(match: re.Match) -> str:
        removed.append(match.group(3))
        return f"{match.group(1)}{match.group(2)}data:,"

    def css(match: re.Match) -> str:
        removed.append(match.group(2))
        return f"{match.group(1)}data:,"

    html = _EXTERNAL_ATTR.sub(attr, html)
    html = _EXTERNAL_CSS.sub(css, html)
    return html, removed


def scrub_paths(text: str, prefixes: list[tuple[str, str]]) -> str:
    """Replace absolute local folders (``prefix/``) by their relative or neutral name."""
    for prefix, replacement in prefixes:
        if prefix and prefix != "/":
            text = text.replace(prefix.rstrip("/") + "/", replacement)
    return text


class ReportExporter:
    """A reusable nbconvert HTML exporter configured for offline reports (one per worker)."""

    def __init__(self) -> None:
        from nbconvert import HTMLExporter  # heavy: only in the processes that export
        from traitlets.config import Config

        config = Config()
        config.HTMLExporter.exclude_input = True
        config.HTMLExporter.exclude_input_prompt = True
        config.HTMLExporter.exclude_output_prompt = True
        config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES_DIR)]
        config.HTMLExporter.template_name = TEMPLATE_NAME
        config.HTMLExporter.embed_images = True
        config.HTMLExporter.sanitize_html = False
        config.HTMLExporter.exclude_anchor_links = True
        self._exporter = HTMLExporter(config=config)
        self._render = self._exporter.from_notebook_node
        try:
            # HTMLExporter.from_notebook_node re-parses the whole page with BeautifulSoup only
            # to add tabindex/alt attributes (~0.1 s a page): register the two filters it
            # registers and render with the template exporter directly.
            from nbconvert.exporters.templateexporter import TemplateExporter
            from nbconvert.filters.highlight import Highlight2HTML
            from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

            exporter = self._exporter
            exporter.register_filter("highlight_code",
                                     Highlight2HTML(pygments_lexer="ipython3", parent=exporter))
            exporter.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=exporter._nb_metadata, parent=exporter))

            def render(nb, resources=None):  # noqa: ANN001, ANN202
                return TemplateExporter.from_notebook_node(exporter, nb, resources=resources)

            self._render = render
        except (ImportError, AttributeError, TypeError):  # another nbconvert: the plain way
            pass

    def to_html(self, nb: dict, page: PageInfo, *,
                scrub: list[tuple[str, str]] | None = None) -> tuple[str, ExportInfo]:
        """Render an executed notebook as one self-contained HTML page.

        Args:
            nb: the executed notebook (an ``nbformat`` node or a plain dict).
            page: texts of the header bar and footer.
            scrub: ``(absolute folder, replacement)`` pairs removed from the page's text.

        Raises:
            UnsupportedFigureError: a figure cannot be drawn by the lean plotly.js bundle.
        """
        import nbformat

        prepared, writer = prepare_notebook(nb, page.lang)
        node = nbformat.from_dict(prepared)
        resources = {"nq42": {
            **page.__dict__,
            "synthetic": page.synthetic and not writer.synthetic_banner,
            "css": report_css(),
            "has_figures": writer.count > 0,
            "templates_packed": _packed_json(writer.templates),
            "figures_js": figures_js(),
            "figure_text_js": js_literal({
                "old_browser": t("reports.chrome.figures_old_browser", page.lang),
                "failed": t("reports.chrome.figures_failed", page.lang)}),
        }}
        body, _ = self._render(node, resources=resources)
        body = _CHAR_REF.sub(_char, body)  # "Ti&#7871;n" (Markdown headings) -> "Tiến"
        body, removed = neutralise_external(body)
        if scrub:
            body = scrub_paths(body, scrub)
        body = _pack_downloads(body)
        if writer.count:
            body = body.replace(_PLOTLYJS_PLACEHOLDER,
                                '<script type="application/x-nq42-gzip" id="nq42-plotlyjs">'
                                + plotlyjs_payload() + "</script>", 1)
        info = ExportInfo(figures=writer.count, trace_types=set(writer.types),
                          external_refs_removed=removed,
                          html_bytes=len(body.encode("utf-8")))
        return body, info
