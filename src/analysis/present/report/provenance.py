"""Where figures come from: a figure's sources and target documents, the method note, the
alternatives set aside by the build and the provenance footer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.catalogue.geography import crosswalk
from analysis.core.config import COUNTRY_CODE
from analysis.core.errors import DataError
from analysis.pipeline.io import load_alternatives, load_build_info
from analysis.present.i18n import check_language, fmt_number, has_key, indicator_name, is_missing, t
from analysis.present.report.badges import _grade_badge
from analysis.present.report.blocks import HtmlBlock, _block, _esc
from analysis.present.report.data import _thresholds, split_source_ids
from analysis.progress import load_methods

_SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def sources_list(source_ids: Iterable[str], sources: Mapping[str, Mapping], *, lang: str,
                 data: pd.DataFrame | None = None) -> HtmlBlock:
    """The sources of a figure: title, producer, provenance grade, date accessed, licence.

    An id missing from the register is listed as such (never silently dropped), with the
    grade found in ``data`` when there is one.
    """
    grades_in_data: dict[str, str] = {}
    if data is not None and {"source_id", "provenance"} <= set(data.columns):
        for sid, grade in zip(data["source_id"], data["provenance"], strict=True):
            if isinstance(sid, str):
                for part in sid.split(";"):
                    grades_in_data.setdefault(part, str(grade))
    items = []
    for sid in source_ids:
        entry = sources.get(sid)
        if entry is None:
            grade = grades_in_data.get(sid, "unspecified")
            items.append(f"<li>{_esc(t('reporting.block.unknown_source', lang, source_id=sid))}"
                         f" {_grade_badge(grade, lang)}</li>")
            continue
        items.append(f"<li>{_source_line(entry, lang)}</li>")
    if not items:
        items.append(f"<li>{_esc(t('reporting.block.no_source', lang))}</li>")
    inner = (f"<p><b>{_esc(t('reporting.block.sources', lang))}:</b></p>"
             f"<ul>{''.join(items)}</ul>")
    return _block(inner, "nq-sources", lang, t("reporting.block.sources", lang))


def _source_line(entry: Mapping, lang: str) -> str:
    # the register may give a title and producer in the page's language (title_vi, ...)
    title = entry.get(f"title_{lang}") or entry.get("title") or ""
    producer = entry.get(f"producer_{lang}") or entry.get("producer")
    bits = [f"{_esc(title)}"]
    if producer:
        bits.append(f"— {_esc(producer)}")
    line = " ".join(bits)
    line += " " + _grade_badge(str(entry.get("provenance") or "unspecified"), lang)
    small = []
    if entry.get("date_accessed"):
        small.append(t("reporting.block.accessed", lang, date=entry["date_accessed"]))
    small.append(t("reporting.block.licence", lang,
                   licence=entry.get("licence") or t("reporting.footer.unknown", lang)))
    line += f' <span class="nq-small">({_esc("; ".join(small))})</span>'
    return line


def _ids_of(data: pd.DataFrame) -> list[str]:
    if "source_id" not in data.columns:
        return []
    return split_source_ids(data["source_id"])


def _target_documents(data: pd.DataFrame, meta_targets: list) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for target in meta_targets:
        doc = str(target.get("source_document") or "")
        if doc:
            found.setdefault(doc, str(target.get("confidence") or ""))
    if "source_document" in data.columns:
        conf = data["confidence"] if "confidence" in data.columns else [""] * len(data)
        for doc, c in zip(data["source_document"], conf, strict=True):
            if isinstance(doc, str) and doc:
                found.setdefault(doc, "" if is_missing(c) else str(c))
    return list(found.items())


def documents_list(docs: list[tuple[str, str]], lang: str) -> str:
    """The HTML list of the documents that set the targets shown, each with its confidence
    grade (``docs`` as :func:`_target_documents` gives them)."""
    items = "".join(
        f"<li>{_esc(doc)}"
        + (f' <span class="nq-small">({_esc(_confidence_note(conf, lang))})</span>'
           if conf else "") + "</li>" for doc, conf in docs)
    return (f"<p><b>{_esc(t('reporting.block.target_documents', lang))}:</b></p>"
            f"<ul>{items}</ul>")


def _confidence_note(code: str, lang: str) -> str:
    """"Confidence: …" for a target document's confidence grade."""
    return t("reporting.block.confidence", lang, confidence=_confidence(code, lang))


def _confidence(code: str, lang: str) -> str:
    return t(f"confidence.{code}", lang) if has_key(f"confidence.{code}", lang) else code


def method_note(lang: str) -> HtmlBlock:
    """A short note on how statuses are decided (Statistics Canada / Open SDG ratio, the
    thresholds of ``data/reference/methods.yml``, where the full method is described) and
    which figures a verdict uses (real ones where there are any, never spliced with
    synthetic ones)."""
    check_language(lang)
    th = _thresholds()
    parts = [t("reporting.method.text", lang),
             t("reporting.method.thresholds", lang, high=fmt_number(th["high"], lang, 2),
               med=fmt_number(th["med"], lang, 2), low=fmt_number(th["low"], lang, 0)),
             t("reporting.method.edge", lang), t("reporting.colours_note", lang),
             t("reporting.method.docs", lang)]
    evidence = t("reporting.method.evidence", lang)
    inner = (f"<h3>{_esc(t('reporting.method.title', lang))}</h3>"
             + "".join(f"<p>{_esc(p)}</p>" for p in parts)
             + f"<h4>{_esc(t('reporting.method.evidence_title', lang))}</h4>"
             f"<p>{_esc(evidence)}</p>")
    return _block(inner, "nq-method", lang, " ".join([*parts, evidence]), tag="section")


def alternatives_block(*, lang: str, geo_version: str, province_code: str | None = None,
                       processed_dir: str | Path | None = None) -> HtmlBlock:
    """Where real sources disagree for this place: the figure used and the one set aside.

    The build keeps one figure per key by a written rule (grade, then the register's
    priority: docs/METHODS.md §5b) and lists every real figure set aside in
    ``alternatives.csv``; this block shows them for the nation (``province_code=None``) or
    for one province (a vn34 unit also shows those of its former provinces). An empty block
    when there are none.
    """
    check_language(lang)
    alt = load_alternatives(processed_dir)
    if province_code is None:
        rows = alt[alt["province_code"] == COUNTRY_CODE]
    else:
        codes = {province_code}
        if geo_version == "vn34":
            cw = crosswalk()
            codes |= set(cw.loc[cw["vn34_code"] == province_code, "vn63_code"])
        rows = alt[alt["province_code"].isin(codes) & (alt["province_code"] != COUNTRY_CODE)]
    if rows.empty:
        return HtmlBlock("", "")
    body = []
    for r in rows.sort_values(["indicator", "year"], kind="mergesort").to_dict("records"):
        body.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in (
            indicator_name(r["indicator"], lang), r["year"],
            f"{fmt_number(r['value_used'], lang)} — {r['source_used']}",
            f"{fmt_number(r['value_other'], lang)} — {r['source_other']}",
            t(f"reporting.alternatives.rule.{_rule_key(r['rule'])}", lang))) + "</tr>")
    head = "".join(f"<th scope=\"col\">{_esc(t(f'reporting.alternatives.{k}', lang))}</th>"
                   for k in ("indicator", "year", "used", "other", "rule_heading"))
    text = t("reporting.alternatives.intro", lang)
    inner = (f"<h2>{_esc(t('reporting.alternatives.heading', lang))}</h2><p>{_esc(text)}</p>"
             f"<table class=\"nq-table\"><thead><tr>{head}</tr></thead>"
             f"<tbody>{''.join(body)}</tbody></table>")
    return _block(inner, "nq-alternatives", lang, text)


def _rule_key(rule: str) -> str:
    return "grade" if "grade" in str(rule) else "priority"


def provenance_footer(*, lang: str, processed_dir: str | Path | None = None,
                      build_info: Mapping | None = None,
                      generated_at: str | None = None) -> HtmlBlock:
    """Where the data come from: build id, build time, code version, inputs hash, method
    version, report time, and every source with title, producer, grade, date accessed,
    address and licence (from ``build.json``).

    Args:
        lang: ``vi`` or ``en``.
        processed_dir: the built folder (default ``data/processed``).
        build_info: the manifest itself (instead of reading it).
        generated_at: the report time to show (default: now, UTC).
    """
    check_language(lang)
    if build_info is None:

        build_info = load_build_info(processed_dir)
    unknown = t("reporting.footer.unknown", lang)
    commit = build_info.get("git_commit")
    inputs = build_info.get("inputs_sha256")
    when = generated_at or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    facts = [
        ("build_id", build_info.get("build_id") or unknown),
        ("built_at", build_info.get("built_at") or unknown),
        ("git_commit", str(commit)[:12] if commit else unknown),
        ("inputs", str(inputs)[:16] if inputs else unknown),
        ("method_version", build_info.get("method_version") or _method_version() or unknown),
        ("generated_at", when),
    ]
    dl = "".join(f'<tr><th scope="row">{_esc(t(f"reporting.footer.{k}", lang))}</th>'
                 f"<td>{_esc(v)}</td></tr>" for k, v in facts)
    rows = []
    for sid, entry in sorted((build_info.get("sources") or {}).items()):
        url = str(entry.get("url") or "")
        url_html = (f'<a href="{_esc(url)}" rel="noopener noreferrer">{_esc(url)}</a>'
                    if _SAFE_URL.match(url) else _esc(url or unknown))
        citations = entry.get("citations") or []
        cite_html = ("<br><span class=\"nq-small\">" + "<br>".join(_esc(c) for c in citations)
                     + "</span>") if citations else ""
        rows.append(
            "<tr>"
            f"<td>{_esc(entry.get('title') or sid)}{cite_html}</td>"
            f"<td>{_esc(entry.get('producer') or unknown)}</td>"
            f"<td>{_grade_badge(str(entry.get('provenance') or 'unspecified'), lang)}</td>"
            f'<td class="nq-num">{_esc(entry.get("date_accessed") or unknown)}</td>'
            f"<td>{url_html}</td>"
            f"<td>{_esc(entry.get('licence') or unknown)}</td>"
            "</tr>")
    head = "".join(f'<th scope="col">{_esc(t(f"reporting.footer.{k}", lang))}</th>' for k in
                   ("col_title", "col_producer", "col_grade", "col_accessed", "col_url",
                    "col_licence"))
    inner = (f"<h2>{_esc(t('reporting.footer.title', lang))}</h2>"
             f'<table class="nq-table nq-facts-table"><tbody>{dl}</tbody></table>'
             f"<h3>{_esc(t('reporting.footer.sources', lang))}</h3>"
             f'<table class="nq-table"><thead><tr>{head}</tr></thead>'
             f"<tbody>{''.join(rows)}</tbody></table>"
             f"<p class=\"nq-small\">{_esc(t('reporting.footer.grades_note', lang))}</p>")
    text = "; ".join(f"{k}: {v}" for k, v in facts)
    return _block(inner, "nq-footer", lang, text, tag="footer")


def _method_version() -> str | None:
    try:
        return str(load_methods().get("method_version") or "") or None
    except DataError:
        return None
