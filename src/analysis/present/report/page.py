"""Page pieces: the report heading (with the stylesheet of every block), the synthetic-data
banner, section headings and paragraphs of narrative from the catalogue."""

from __future__ import annotations

from analysis.core.errors import ParameterError
from analysis.present.i18n import check_language, geo_label, is_missing, province_label, t
from analysis.present.report.blocks import HtmlBlock, _block, _esc
from analysis.present.style import FONT_FAMILY, SYNTHETIC_COLOR

_CSS = f"""
.nq-block {{ font-family: {FONT_FAMILY}; color: #1b1f24; line-height: 1.5; }}
.nq-header h1 {{ font-size: 1.6rem; margin: 0.2rem 0 0.4rem; }}
.nq-kicker {{ font-size: 0.85rem; color: #55606e; margin: 0; }}
.nq-facts {{ display: flex; flex-wrap: wrap; gap: 0.3rem 1.5rem; margin: 0.3rem 0 0.8rem;
  padding: 0 !important; list-style: none !important; font-size: 0.95rem; }}
.nq-facts li, .nq-chips li {{ list-style: none !important; margin: 0 !important; }}
.nq-facts b {{ font-weight: 600; }}
.nq-banner {{ border: 3px solid #000; background: {SYNTHETIC_COLOR}; color: #000;
  padding: 0.6rem 0.9rem; margin: 0.6rem 0 1rem; font-size: 1rem; }}
.nq-banner strong {{ display: block; font-size: 1.1rem; letter-spacing: 0.02em; }}
.nq-caption {{ font-size: 0.9rem; margin: 0.2rem 0 1.6rem; padding-left: 0.6rem;
  border-left: 3px solid #d5dbe3; }}
.nq-caption p {{ margin: 0.25rem 0; }}
.nq-summary {{ font-size: 1rem; }}
.nq-caption ul {{ margin: 0.2rem 0 0.3rem 1.1rem; padding: 0; }}
.nq-grade {{ display: inline-block; padding: 0 0.35rem; border: 1px solid #555;
  border-radius: 3px; font-size: 0.8rem; }}
.nq-grade {{ background: #fff; color: #000; font-weight: 400; white-space: nowrap; }}
.nq-grade-synthetic {{ background: {SYNTHETIC_COLOR}; color: #000; border-color: #000;
  border-style: dashed; }}
.nq-status .nq-grade, .nq-chips .nq-grade {{ margin-left: 0.2rem; }}
.nq-evidence {{ margin: 0.2rem 0 0.8rem; }}
.nq-evidence ul {{ margin: 0.2rem 0 0 1.1rem; padding: 0; }}
.nq-download a {{ font-weight: 600; }}
.nq-small {{ font-size: 0.82rem; color: #55606e; }}
.nq-block table.nq-table {{ border-collapse: collapse; width: 100%; font-size: 0.88rem;
  margin: 0.4rem 0 1.2rem; table-layout: auto !important; }}
.nq-block table.nq-table caption {{ text-align: left !important; font-weight: 600;
  padding: 0.3rem 0; }}
.nq-block table.nq-table th, .nq-block table.nq-table td {{ border: 1px solid #d5dbe3;
  padding: 0.3rem 0.45rem; vertical-align: top; text-align: left !important; }}
.nq-block table.nq-table th {{ background: #f4f6f9; }}
.nq-block table.nq-table td.nq-num {{ text-align: right !important; white-space: nowrap; }}
.nq-block table.nq-facts-table td, .nq-block table.nq-facts-table th {{ border: 0;
  background: none; padding: 0.1rem 1rem 0.1rem 0; }}
.nq-block table.nq-facts-table {{ width: auto; }}
.nq-status {{ font-weight: 600; white-space: nowrap; }}
.nq-chips {{ display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.4rem 0 0.8rem;
  padding: 0; list-style: none; }}
.nq-chips li {{ padding: 0.25rem 0.6rem; border: 1px solid #333; border-radius: 4px;
  font-weight: 600; }}
.nq-footer {{ border-top: 2px solid #d5dbe3; margin-top: 2rem; padding-top: 0.6rem;
  font-size: 0.85rem; }}
.nq-method {{ font-size: 0.9rem; background: #f4f6f9; padding: 0.5rem 0.9rem;
  margin: 1rem 0; }}
@media print {{
  .nq-caption, table.nq-table tr, .nq-banner {{ break-inside: avoid; }}
  .nq-download {{ display: none; }}
}}
"""


def page_header(title: str, *, lang: str, geo_version: str, province_code: str | None = None,
                data_date: object = None, synthetic: bool = False) -> HtmlBlock:
    """The report's heading: title, place, geography, data date; the synthetic-data banner
    when ``synthetic``; also the stylesheet of the other blocks.

    Args:
        title: the page title (already in ``lang``).
        lang: ``vi`` or ``en``.
        geo_version: ``vn34`` or ``vn63``.
        province_code: the report's province, if any.
        data_date: the year (int) or date (text) the data run to.
        synthetic: whether the page shows synthetic data.
    """
    check_language(lang)
    facts = []
    if province_code is not None:
        facts.append((t("reporting.header.province", lang),
                      province_label(str(province_code), geo_version, lang)))
    facts.append((t("reporting.header.geography", lang), geo_label(geo_version, lang)))
    if data_date is not None and not is_missing(data_date):
        shown = (t("reporting.header.data_year", lang, year=int(data_date))
                 if isinstance(data_date, int | float) else str(data_date))
        facts.append((t("reporting.header.data_date", lang), shown))
    facts.append((t("reporting.header.language", lang), t(f"language.{lang}", lang)))
    items = "".join(f"<li><b>{_esc(k)}:</b> {_esc(v)}</li>" for k, v in facts)
    inner = (f"<style>{_CSS}</style>"
             f'<p class="nq-kicker">{_esc(t("reporting.header.kicker", lang))}</p>'
             f"<h1>{_esc(title)}</h1><ul class=\"nq-facts\">{items}</ul>")
    if synthetic:
        inner += synthetic_banner(lang).html
    text = f"{title}\n" + "\n".join(f"{k}: {v}" for k, v in facts)
    return _block(inner, "nq-header", lang, text, tag="header")


def synthetic_banner(lang: str) -> HtmlBlock:
    """A visible, high-contrast notice that the page shows synthetic (illustrative) data."""
    title = t("reporting.banner.title", lang)
    body = t("reporting.banner.text", lang)
    inner = (f'<div class="nq-banner" role="note" style="border:3px solid #000;'
             f'background:{SYNTHETIC_COLOR};color:#000;padding:0.6rem 0.9rem">'
             f"<strong>{_esc(title)}</strong>{_esc(body)}</div>")
    return _block(inner, "nq-synthetic", lang, f"{title}: {body}")


def heading(key: str, lang: str, *, level: int = 2, **fields: object) -> HtmlBlock:
    """A section heading from the catalogue (``<h2>`` by default)."""
    if level not in range(1, 7):
        raise ParameterError(f"heading level must be 1-6, not {level}")
    text = t(key, lang, **fields)
    return _block(f"<h{level}>{_esc(text)}</h{level}>", "nq-heading", lang, text)


def paragraph(key: str, lang: str, **fields: object) -> HtmlBlock:
    """A paragraph of narrative from the catalogue."""
    text = t(key, lang, **fields)
    return _block(f"<p>{_esc(text)}</p>", "nq-text", lang, text)


def section(heading_key: str, text_key: str | None, lang: str, **fields: object) -> HtmlBlock:
    """A heading and its introductory paragraph (both from the catalogue)."""
    block = heading(heading_key, lang, **fields)
    return block + paragraph(text_key, lang, **fields) if text_key else block
