"""The HTML objects the report functions return: :class:`HtmlBlock`, :class:`FigureBlock`
(a figure and its caption) and :class:`BlockList`, with the escaping every block uses."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

PLOTLY_MIME = "application/vnd.plotly.v1+json"


class HtmlBlock:
    """A piece of HTML that notebooks display (``_repr_html_``) and templates embed
    (``__html__``); ``str()`` gives the HTML, ``repr()`` a short plain-text description."""

    __slots__ = ("html", "text")

    def __init__(self, html_text: str, text: str = "") -> None:
        self.html = html_text
        self.text = text

    def _repr_html_(self) -> str:
        return self.html

    def __html__(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or f"<HTML block, {len(self.html)} characters>"

    def __add__(self, other: HtmlBlock) -> HtmlBlock:
        return HtmlBlock(self.html + str(other), "\n".join(x for x in (self.text, getattr(
            other, "text", "")) if x))


class FigureBlock:
    """A figure and its caption (summary, sources, CSV download).

    In IPython it displays the figure (as ``application/vnd.plotly.v1+json``, what papermill
    stores and the report exporter draws offline) and then the caption as HTML. Elsewhere
    ``_repr_html_`` gives the caption only.
    """

    def __init__(self, fig: Any, caption: HtmlBlock) -> None:
        self.fig = fig
        self.caption = caption

    def figure_bundle(self) -> dict:
        """The figure as the MIME bundle a notebook stores (JSON-safe, no network URL)."""
        from plotly.io import to_json  # plotly is heavy: only when a figure is shown

        figure = json.loads(to_json(self.fig, validate=False))
        meta = (figure.get("layout") or {}).get("meta") or {}
        figure["config"] = {
            "displaylogo": False, "responsive": True,
            "toImageButtonOptions": {"filename": str(meta.get("filename") or "chart")},
        }
        title = str(meta.get("title") or meta.get("summary") or "figure")
        return {PLOTLY_MIME: figure, "text/plain": title}

    def _ipython_display_(self) -> None:
        from IPython.display import display  # IPython only when a notebook shows it

        display(self.figure_bundle(), raw=True)
        display(self.caption)

    def _repr_html_(self) -> str:
        return self.caption.html

    def __html__(self) -> str:
        return self.caption.html

    def __repr__(self) -> str:
        return repr(self.caption)


class BlockList:
    """Several blocks shown one after the other (a notebook cell can show only one value)."""

    def __init__(self, blocks: Iterable[HtmlBlock | FigureBlock]) -> None:
        self.blocks = list(blocks)

    def __len__(self) -> int:
        return len(self.blocks)

    def __iter__(self):  # noqa: ANN204
        return iter(self.blocks)

    def _ipython_display_(self) -> None:
        from IPython.display import display  # IPython only when a notebook shows it

        for block in self.blocks:
            display(block)

    def _repr_html_(self) -> str:
        return "".join(b._repr_html_() for b in self.blocks)

    def __repr__(self) -> str:
        return "\n".join(repr(b) for b in self.blocks)


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _block(inner: str, css_class: str, lang: str, text: str = "", tag: str = "div") -> HtmlBlock:
    return HtmlBlock(f'<{tag} class="nq-block {css_class}" lang="{lang}">{inner}</{tag}>', text)
