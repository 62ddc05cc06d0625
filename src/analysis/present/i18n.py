"""Every string a reader sees, in Vietnamese and English, and numbers formatted per language.

Strings live in ``locales/<lang>/*.yml`` (UTF-8, NFC). Every ``*.yml`` file of a language is
merged; nested mappings are flattened into dotted keys (``status: {achieved: …}`` gives
``status.achieved``), so each module keeps its own file and namespace (``charts.*`` in
``charts.yml``, ``maps.*`` in ``maps.yml``, ``reports.*`` in ``reports.yml``). A key defined
twice for one language is an error. Keys are stable codes (status, unit, sector, indicator
ids), never display text, so configuration never depends on a translation.

Numbers follow the reader's language: Vietnamese ``1.234,5`` and ``57,3 %``; English
``1,234.5`` and ``57.3%``. A missing value is shown as an explicit "—" (or the text the caller
asks for), never ``nan``.

Example::

    from analysis.present.i18n import t, fmt_value
    t("status.on_track", "vi")                       # 'Đúng tiến độ'
    fmt_value(1234, "units", "vi")                   # '1.234 căn'
"""

from __future__ import annotations

import math
import numbers
import string
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import yaml

from analysis.catalogue.geography import check_geo_version, provinces
from analysis.catalogue.indicators import indicator
from analysis.core.config import COUNTRY_CODE, LANGUAGES
from analysis.core.errors import DataError, ParameterError
from analysis.core.provenance import SYNTHETIC, is_real
from analysis.core.text import nfc
from analysis.present.style import EVIDENCE_MARKS

LOCALES_DIR = Path(__file__).resolve().parent / "locales"

#: Decimals used by :func:`fmt_value` when the caller gives none, per unit.
UNIT_DECIMALS = {
    "percent": 1,
    "units": 0,
    "m2_per_person": 1,
    "thousand_persons": 1,
    "thousand_households": 1,
    "doctors_per_station": 2,
    "per_10k_population": 1,
    "km2": 0,
    "persons_per_km2": 0,
    "years": 1,
    "index": 3,
    "percentage_points_per_year": 1,
    "percentage_points": 1,
}

MINUS = "\u2212"  # typographic minus, as plotly's d3-format writes it


# --------------------------------------------------------------------------------------
# the catalogue
# --------------------------------------------------------------------------------------


def check_language(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise a ParameterError."""
    if lang not in LANGUAGES:
        raise ParameterError(
            f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    return lang


def _flatten(data: Mapping, prefix: str, out: dict[str, str], path: Path) -> None:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, f"{full}.", out, path)
            continue
        if not isinstance(value, str | int | float):
            raise DataError(f"translation {full!r} is not text", file=path)
        if full in out:
            raise DataError(f"translation key {full!r} is defined twice", file=path)
        out[full] = nfc(str(value))


@cache
def _catalogue(lang: str) -> dict[str, str]:
    folder = LOCALES_DIR / lang
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            raise DataError(f"cannot read the translations: {err}", file=path) from None
        if not isinstance(data, Mapping):
            raise DataError("a translation file must hold a mapping", file=path)
        _flatten(data, "", out, path)
    return out


def keys(lang: str) -> frozenset[str]:
    """Every translation key defined for ``lang``."""
    return frozenset(_catalogue(check_language(lang)))


def has_key(key: str, lang: str) -> bool:
    """Whether ``key`` is translated for ``lang``."""
    return key in _catalogue(check_language(lang))


def fields_of(key: str, lang: str) -> set[str]:
    """The ``{field}`` names a translation expects (used by tests to compare languages)."""
    text = t_raw(key, lang)
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t_raw(key: str, lang: str) -> str:
    """The translation of ``key`` without filling its fields."""
    table = _catalogue(check_language(lang))
    if key not in table:
        raise ParameterError(f"no translation for {key!r} in {lang!r}",
                             hint=f"add it to src/analysis/present/locales/{lang}/*.yml")
    return table[key]


def t(key: str, lang: str, **fields: object) -> str:
    """The text of ``key`` in ``lang``, with ``{field}`` placeholders filled.

    Args:
        key: a stable dotted code, e.g. ``"status.achieved"``.
        lang: ``"vi"`` or ``"en"``.
        **fields: values for the placeholders (already formatted for the language).

    Raises:
        ParameterError: unknown language or key, or a placeholder without a value.
    """
    text = t_raw(key, lang)
    if not fields and "{" not in text:
        return text
    try:
        filled = text.format(**fields)
    except (KeyError, IndexError) as err:
        raise ParameterError(f"translation {key!r} needs the field {err}") from None
    return nfc(filled)


# --------------------------------------------------------------------------------------
# labels of codes
# --------------------------------------------------------------------------------------


def status_label(status: str, lang: str) -> str:
    """Display label of a progress status code (``achieved`` -> "Đã đạt" / "Achieved")."""
    key = f"status.{status}"
    if not has_key(key, lang):
        raise ParameterError(f"unknown status {status!r}")
    return t(key, lang)


def indicator_name(ind_id: str, lang: str) -> str:
    """Display name of an indicator, from the catalogue's ``name_vi`` / ``name_en``."""

    check_language(lang)
    return nfc(str(indicator(ind_id)[f"name_{lang}"]))


def indicator_short_name(ind_id: str, lang: str) -> str:
    """A short label for tight spaces (grid columns, small panels); the full name otherwise."""
    key = f"indicator_short.{ind_id}"
    return t(key, lang) if has_key(key, lang) else indicator_name(ind_id, lang)


def province_label(code: str, geo_version: str, lang: str) -> str:
    """Display name of a province of ``geo_version`` (``"VN"`` gives the whole country).

    Raises:
        ParameterError: unknown language, geography or province code.
    """
    check_language(lang)
    if code == COUNTRY_CODE:
        _province_names(geo_version, lang)  # checks the geography
        return t("common.country", lang)
    names = _province_names(geo_version, lang)
    if str(code) not in names:
        raise ParameterError(f"unknown province code {code!r} for {geo_version}")
    return names[str(code)]


@cache
def _province_names(geo_version: str, lang: str) -> dict[str, str]:
    """code -> display name (reference data, read once; a report names provinces often)."""

    table = provinces(check_geo_version(geo_version))
    return {str(c): nfc(str(n))
            for c, n in zip(table["code"], table[f"name_{lang}"], strict=True)}


def sector_label(sector: str, lang: str) -> str:
    """Display name of a sector code (``water`` -> "Nước sạch" / "Clean water")."""
    key = f"sector.{sector}"
    if not has_key(key, lang):
        raise ParameterError(f"unknown sector {sector!r}")
    return t(key, lang)


def unit_label(unit: str, lang: str) -> str:
    """The unit as an axis or column label (``percent`` -> "%")."""
    key = f"unit.{unit}"
    if not has_key(key, lang):
        raise ParameterError(f"unknown unit {unit!r}",
                             hint="add unit.<code> and unit_value.<code> to the locales")
    return t(key, lang)


def geo_label(geo_version: str, lang: str) -> str:
    """Display name of a geography version (vn34: the 34 units from 1 July 2025)."""

    return t(f"geo.{check_geo_version(geo_version)}", lang)


def provenance_label(grade: str, lang: str) -> str:
    """Display name of a provenance grade (official / secondary / synthetic)."""
    key = f"provenance.{grade}"
    return t(key, lang) if has_key(key, lang) else t("provenance.unspecified", lang)


def evidence_grade(row: Mapping) -> str:
    """The grade of the evidence behind a verdict (one progress row).

    ``evidence_grade`` (the weakest grade of the points the verdict uses; real and synthetic
    points are never mixed), or ``provenance`` in tables built before that column existed;
    ``""`` when the verdict used no point.
    """
    for key in ("evidence_grade", "provenance"):
        try:
            value = row[key]
        except (KeyError, IndexError):
            continue
        return "" if is_missing(value) else str(value).strip()
    return ""


def evidence_kind(grade: object) -> str:
    """What a grade says about the evidence: ``real`` (official or secondary figures),
    ``synthetic`` (illustrative data made by the project), ``unknown`` (unregistered or
    unspecified provenance) or ``none`` (no point at all, ``""``)."""

    text = "" if is_missing(grade) else str(grade).strip()
    if not text:
        return "none"
    if is_real(text):
        return "real"
    return "synthetic" if text == SYNTHETIC else "unknown"


def evidence_label(grade: object, lang: str) -> str:
    """What a verdict rests on, in words ("Dựa trên số liệu thực (chính thức hoặc thứ
    cấp)", "Based on illustrative synthetic data (not real figures)", …)."""
    return t(f"evidence.{evidence_kind(grade)}", lang)


def provenance_short_label(grade: object, lang: str) -> str:
    """The short label of a grade ("Chính thức", "Thứ cấp", "Giả lập" / "Official", …)."""
    key = f"provenance_short.{grade}"
    return t(key, lang) if has_key(key, lang) else t("provenance_short.unspecified", lang)


def evidence_tag(grade: object, lang: str) -> str:
    """The grade as shown next to a status: "◌ Giả lập", "Chính thức"; "" without points."""
    if evidence_kind(grade) == "none":
        return ""
    mark = evidence_mark(grade)
    label = provenance_short_label(str(grade).strip(), lang)
    return f"{mark} {label}" if mark else label


def evidence_detail(grade: object, lang: str) -> str:
    """One sentence for tooltips and screen readers: what the verdict rests on, and its
    grade ("Dựa trên số liệu thực (chính thức hoặc thứ cấp) — mức nguồn gốc: Thứ cấp")."""
    if evidence_kind(grade) == "none":
        return t("evidence.none", lang)
    return t("evidence.detail", lang, evidence=evidence_label(grade, lang),
             grade=provenance_short_label(str(grade).strip(), lang))


def evidence_mark(grade: object) -> str:
    """The mark written after a status symbol for this grade ("◌" for synthetic, "" for
    real figures): the evidence never reads by colour alone."""

    return EVIDENCE_MARKS[evidence_kind(grade)]


def plotly_separators(lang: str) -> str:
    """plotly's ``layout.separators`` for ``lang``: decimal mark, then thousands mark."""
    return ",." if check_language(lang) == "vi" else ".,"


# --------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------


def is_missing(x: object) -> bool:
    """True for None, NaN, pandas NA/NaT and infinities (nothing a reader can use)."""
    if x is None:
        return True
    try:
        import pandas as pd

        if x is pd.NA or x is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    if isinstance(x, numbers.Number):
        try:
            return not math.isfinite(float(x))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return True
    return False


def _auto_decimals(x: float) -> int:
    if float(x).is_integer():
        return 0
    return 1 if abs(x) >= 1 else 2


def fmt_number(x: object, lang: str, decimals: int | None = None, *,
               missing: str | None = None) -> str:
    """A number written for ``lang``: vi ``1.234,5``; en ``1,234.5``.

    Args:
        x: the number (None, NaN and NA are "missing").
        lang: ``"vi"`` or ``"en"``.
        decimals: digits after the decimal mark; None = 0 for whole numbers, else 1
            (2 below 1).
        missing: text for a missing value (default "—").
    """
    check_language(lang)
    if is_missing(x):
        return missing if missing is not None else t("common.na", lang)
    value = float(x)  # type: ignore[arg-type]
    if decimals is None:
        decimals = _auto_decimals(value)
    if decimals < 0:
        raise ParameterError(f"decimals must be 0 or more, not {decimals}")
    text = f"{abs(value):,.{decimals}f}"
    if lang == "vi":
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    if value < 0 and any(c not in "0.," for c in text):
        text = MINUS + text
    return text


def fmt_percent(x: object, lang: str, decimals: int | None = 1, *,
                missing: str | None = None) -> str:
    """A percentage for ``lang``: vi ``57,3 %``; en ``57.3%`` (``x`` is already ×100)."""
    if is_missing(x):
        return fmt_number(x, lang, missing=missing)
    return t("unit_value.percent", lang, value=fmt_number(x, lang, decimals))


def fmt_value(x: object, unit: str, lang: str, decimals: int | None = None, *,
              missing: str | None = None) -> str:
    """A value with its unit for ``lang``: ``1.234 căn`` / ``1,234 units``, ``26,6 m²/người``.

    Args:
        x: the value in ``unit``.
        unit: a unit code of the indicator catalogue (``percent``, ``units``,
            ``m2_per_person``, ``thousand_persons``, ``doctors_per_station``, …).
        lang: ``"vi"`` or ``"en"``.
        decimals: None = the unit's usual precision (:data:`UNIT_DECIMALS`); ``"auto"``
            is not needed: pass ``decimals=None`` with :func:`fmt_number` for that.
        missing: text for a missing value (default "—").

    Raises:
        ParameterError: unknown unit or language.
    """
    key = f"unit_value.{unit}"
    if not has_key(key, lang):
        raise ParameterError(f"unknown unit {unit!r}",
                             hint="add unit.<code> and unit_value.<code> to the locales")
    if is_missing(x):
        return fmt_number(x, lang, missing=missing)
    if decimals is None:
        decimals = UNIT_DECIMALS.get(unit)
    return t(key, lang, value=fmt_number(x, lang, decimals))


def fmt_compact(x: object, unit: str, lang: str, *, missing: str | None = None) -> str:
    """A value with its unit and only the decimals it needs (targets: ``65 %``, ``75,5 %``)."""
    if is_missing(x):
        return fmt_number(x, lang, missing=missing)
    value = float(x)  # type: ignore[arg-type]
    decimals = 0 if value.is_integer() else min(3, max(1, _needed_decimals(value)))
    return fmt_value(value, unit, lang, decimals)


def _needed_decimals(value: float) -> int:
    for d in range(1, 4):
        if abs(round(value, d) - value) < 1e-9:
            return d
    return 3


# --------------------------------------------------------------------------------------
# sorting
# --------------------------------------------------------------------------------------

_VI_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_VI_RANK = {c: i for i, c in enumerate(_VI_LETTERS)}
_VOWEL_MARKS = {"\u0306": "ă", "\u0302": {"a": "â", "e": "ê", "o": "ô"}, "\u031b": {"o": "ơ", "u": "ư"}}
# dictionary order of the tones: level, grave, hook, tilde, acute, dot below
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def sort_key(text: str, lang: str = "vi") -> tuple:
    """A key that sorts names in the reader's alphabetical order.

    Vietnamese order: a ă â b c d đ e ê …, then tones (level, huyền, hỏi, ngã, sắc, nặng);
    case is ignored. English names sort case-insensitively without diacritics.
    """
    check_language(lang)
    letters: list[int] = []
    tones: list[int] = []
    for char in nfc(str(text)).lower():
        base_and_marks = unicodedata.normalize("NFD", char)
        base, marks = base_and_marks[0], base_and_marks[1:]
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif lang == "vi" and mark in _VOWEL_MARKS:
                table = _VOWEL_MARKS[mark]
                base = table if isinstance(table, str) else table.get(base, base)
        if base == "đ" and lang == "en":
            base = "d"
        rank = _VI_RANK.get(base) if lang == "vi" else None
        if base.isspace() or base in "-–—,.()":
            rank = -1  # separators sort before letters ("Hà Nam" < "Hàm")
        letters.append(rank if rank is not None else 100 + ord(base))
        tones.append(tone)
    return tuple(letters), tuple(tones)


# --------------------------------------------------------------------------------------
# sentences about a progress row (shared by charts, tables and summaries)
# --------------------------------------------------------------------------------------

#: how a comparison reads before a target value (">=" and "=" read as the bare value)
COMPARISON_PREFIX = {"<=": "≤ ", "<": "< ", ">": "> "}


def row_value(row: Mapping, key: str, default: object = None) -> object:
    """``row[key]`` from a mapping or a pandas Series, with missing values as ``default``."""
    try:
        value = row[key]
    except (KeyError, IndexError):
        return default
    return default if is_missing(value) else value


def indicator_unit(ind_id: str) -> str:
    """The unit code of an indicator (from the catalogue)."""

    return str(indicator(ind_id)["unit"])


def capped_projection(row: Mapping) -> float | None:
    """The projected value at the target year, capped at the indicator's natural limit
    (e.g. a coverage rate cannot pass 100 %); None when there is no projection."""

    projected = row_value(row, "projected_value_at_target_year")
    if projected is None:
        return None
    limit = indicator(str(row_value(row, "indicator"))).get("limit")
    if limit is not None and not is_missing(limit) and float(limit) > 0:
        return min(float(projected), float(limit))
    return float(projected)


def _int_text(value: object) -> str:
    return str(int(float(value))) if not is_missing(value) else ""  # type: ignore[arg-type]


def target_text(row: Mapping, lang: str, *, short: bool = False) -> str:
    """How one target reads: "mục tiêu 65 % năm 2030" / "target 65% by 2030".

    Args:
        row: a progress row (``indicator``, ``kind``, ``comparison``, ``target_value``,
            ``target_year``; ``base_year`` for cumulative targets).
        lang: ``"vi"`` or ``"en"``.
        short: the compact form for table cells and chart labels ("65 % (2030)").
    """
    kind = str(row_value(row, "kind", "level"))
    if kind not in ("level", "annual", "cumulative", "reduction_per_year"):
        kind = "level"
    unit = "percentage_points" if kind == "reduction_per_year" else indicator_unit(
        str(row_value(row, "indicator")))
    value = fmt_compact(row_value(row, "target_value"), unit, lang)
    prefix = COMPARISON_PREFIX.get(str(row_value(row, "comparison", "")), "")
    if kind in ("level", "annual"):
        value = prefix + value
    year = _int_text(row_value(row, "target_year"))
    base = row_value(row, "base_year")
    start = str(int(float(base)) + 1) if base is not None else ""  # type: ignore[arg-type]
    key = f"target.short_{kind}" if short else f"target.{kind}"
    return t(key, lang, value=value, year=year, start=start)


def progress_summary(row: Mapping, lang: str, geo_version: str) -> str:
    """One sentence generated from a progress row.

    Example: "Hà Nội: 78,8 % năm 2024 — mục tiêu 65 % năm 2030 — đã đạt". When the target
    is not met, the projection at the current pace follows in brackets.
    """
    code = str(row_value(row, "province_code"))
    place = province_label(code, geo_version, lang)
    ind = str(row_value(row, "indicator"))
    unit = indicator_unit(ind)
    kind = str(row_value(row, "kind", "level"))
    status = str(row_value(row, "status", "insufficient_data"))
    latest = row_value(row, "latest_value")
    latest_year = _int_text(row_value(row, "latest_year"))
    if latest is None:
        latest_text = t("common.no_data", lang)
    elif kind == "cumulative":
        latest_text = t("summary.latest_cumulative", lang, value=fmt_value(latest, unit, lang),
                        year=latest_year)
    else:
        latest_text = t("summary.latest", lang, value=fmt_value(latest, unit, lang),
                        year=latest_year)
    sentence = t("summary.progress", lang, place=place, latest=latest_text,
                 target=target_text(row, lang), status=t(f"status_phrase.{status}", lang))
    projected = capped_projection(row)
    target_year = row_value(row, "target_year")
    future = (target_year is not None and latest_year != ""
              and int(float(target_year)) > int(latest_year))  # type: ignore[arg-type]
    if (status not in ("achieved", "insufficient_data") and projected is not None
            and kind != "reduction_per_year" and future):
        sentence += t("summary.projection", lang, value=fmt_value(projected, unit, lang),
                      year=_int_text(target_year))
    return sentence


def format_datetime(moment: datetime, lang: str, *, with_time: bool = True) -> str:
    """``28/11/2026 15:54 UTC`` (vi) or ``28 Nov 2026 15:54 UTC`` (en)."""
    moment = moment.astimezone(UTC)
    if lang == "vi":
        text = moment.strftime("%d/%m/%Y")
    else:
        text = f"{moment.day} {moment.strftime('%b %Y')}"
    return f"{text} {moment:%H:%M} UTC" if with_time else text
