"""Provenance-grade and evidence badges, and the summary of what a place's verdicts rest on."""

from __future__ import annotations

import pandas as pd

from analysis.core.provenance import rank
from analysis.present.i18n import (
    check_language,
    evidence_detail,
    evidence_grade,
    evidence_kind,
    evidence_mark,
    evidence_tag,
    has_key,
    provenance_label,
    t,
)
from analysis.present.report.blocks import HtmlBlock, _block, _esc
from analysis.present.report.data import _progress_rows, _with_data


def _grade_badge(grade: str, lang: str, *, short: bool = False, mark: bool = False,
                 title: str | None = None, text: str | None = None) -> str:
    """The provenance grade as a badge (synthetic in the synthetic colour, dashed border).

    ``mark`` puts the evidence mark first ("◌ Giả lập"); ``title`` is a tooltip; ``text``
    replaces the label.
    """
    css = "nq-grade nq-grade-synthetic" if grade == "synthetic" else "nq-grade"
    if text is not None:
        label = text
    elif short:
        key = f"provenance_short.{grade}"
        label = t(key, lang) if has_key(key, lang) else provenance_label(grade, lang)
    else:
        label = f"{t('reporting.block.grade', lang)}: {provenance_label(grade, lang)}"
    if mark and evidence_mark(grade):
        label = f"{evidence_mark(grade)} {label}"
    tip = f' title="{_esc(title)}"' if title else ""
    return f'<span class="{css}"{tip}>{_esc(label)}</span>'


def _evidence_badge(grade: str, lang: str, n: int | None = None) -> str:
    """The grade of a verdict's evidence as a badge ("◌ Giả lập", "Thứ cấp"; with ``n``,
    "◌ Giả lập: 3"), its meaning in the tooltip; "" when the verdict used no point."""
    if evidence_kind(grade) == "none":
        return ""
    tag = evidence_tag(grade, lang)
    text = tag if n is None else t("evidence.count", lang, grade=tag, n=n)
    return _grade_badge(grade, lang, title=evidence_detail(grade, lang), text=text)


def _evidence_counts(rows: pd.DataFrame) -> dict[str, int]:
    """How many verdicts rest on each grade (strongest first; verdicts without points
    left out)."""
    grades = [evidence_grade(r) for r in rows.to_dict("records")]
    counts: dict[str, int] = {}
    for grade in sorted((g for g in grades if g), key=lambda g: (-rank(g), g)):
        counts[grade] = counts.get(grade, 0) + 1
    return counts


def evidence_summary(progress: pd.DataFrame, *, lang: str,
                     province_code: str | None = None) -> HtmlBlock:
    """What the verdicts rest on: how many on each grade (badges), and what the badges mean.

    One line ("Cơ sở của các đánh giá: Thứ cấp: 1, ◌ Giả lập: 3.") and one legend line per
    kind of evidence present (real figures, synthetic data, unknown provenance).
    """
    check_language(lang)
    df = _progress_rows(progress, province_code)
    counts = _evidence_counts(df[_with_data(df)])
    if not counts:
        return _block("", "nq-evidence", lang)
    badges = t("common.list_separator", lang).join(
        _evidence_badge(g, lang, n) for g, n in counts.items())
    before, _, after = t("evidence.summary", lang, counts="\x00").partition("\x00")
    kinds = []
    for grade in counts:
        kind = evidence_kind(grade)
        if kind not in kinds:
            kinds.append(kind)
    legend = "".join(
        f"<li>{' '.join(_evidence_badge(g, lang) for g in counts if evidence_kind(g) == k)}"
        f" {_esc(t(f'evidence.{k}', lang))}</li>" for k in kinds)
    inner = (f"<p>{_esc(before)}{badges}{_esc(after)}</p>"
             f'<ul class="nq-small">{legend}</ul>')
    text = t("evidence.summary", lang, counts=t("common.list_separator", lang).join(
        t("evidence.count", lang, grade=evidence_tag(g, lang), n=n) for g, n in counts.items()))
    return _block(inner, "nq-evidence", lang, text)
