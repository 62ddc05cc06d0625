"""Small text rules shared by the readers and the ingest: keys, years, blanks, numbers.

Everything here works on the *distinct* labels of a file (a few hundred strings), or on
whole columns with vectorised pandas string methods, never row by row in Python.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.core.text import fold, nfc

# ---------------------------------------------------------------------------------------
# Matching keys
# ---------------------------------------------------------------------------------------

_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " ",
                         "\t": " ", "\u2009": " ", "\u202f": " "})
_LOOSE_MAP = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})
_NON_ALNUM = re.compile(r"[^0-9a-z?]+")


def strict_key(text: object) -> str:
    """NFC, case-folded, dashes unified, whitespace collapsed (diacritics kept)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    s = nfc(str(text)).translate(_DASHES).casefold()
    s = re.sub(r"\s*([-/(),:;])\s*", r"\1", s)
    return " ".join(s.split())


def loose_key(text: object) -> str:
    """No diacritics, no case, letters and digits only; ``?`` kept (a lost letter)."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    return _NON_ALNUM.sub("", fold(text))


def wildcard_match(lossy: str, key: str) -> bool:
    """True when ``lossy`` (a loose key with ``?`` for lost letters) fits ``key``."""
    if len(lossy) != len(key):
        return False
    return all(a == "?" or a == b for a, b in zip(lossy, key, strict=True))


# ---------------------------------------------------------------------------------------
# Years
# ---------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")
_PROVISIONAL = re.compile(r"s[o?]\s*b[o?]|prel|provisional|u[o?]c\s*t[i?]nh|u[o?]c\b|estimat",
                          re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"\(\s*(\*+|\d{1,2}|[a-z])\s*\)|\*+")


def parse_year(label: object) -> tuple[int | None, bool, str | None]:
    """Read a year label: ``2024``, ``"2018 (*)"``, ``"Prel. 2024"``, ``"Sơ bộ - Prel. 2024"``.

    Returns:
        ``(year, is_provisional, problem)``; ``year`` is None when the label is not one
        year (``problem`` says why).
    """
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return None, False, "no year"
    if isinstance(label, (int, float, np.integer, np.floating)) and not isinstance(label, bool):
        value = float(label)
        if value.is_integer() and 1900 <= value <= 2100:
            return int(value), False, None
        return None, False, f"{label!r} is not a year"
    text = str(label).strip()
    if not text:
        return None, False, "no year"
    years = set(_YEAR.findall(text))
    if not years:
        return None, False, f"{text!r} is not a year"
    if len(years) > 1:
        return None, False, f"{text!r} names a period, not one year"
    provisional = bool(_PROVISIONAL.search(fold(text)))
    return int(years.pop()), provisional, None


def split_year_item(text: str) -> tuple[str, str]:
    """Split a PX-Web header that joins year and item ("2011 Dân số (Nghìn người)").

    Returns ``(year_part, item_part)``; ``item_part`` is empty when the cell is only a year
    (with its qualifiers such as "(*)" or "Sơ bộ").
    """
    text = str(text).strip()
    match = _YEAR.search(text)
    if not match:
        return "", text
    head, tail = text[: match.end()], text[match.end():]
    # keep footnote marks right after the year with the year: "2019 (*) Dân số"
    mark = re.match(r"\s*(\(\s*\*+\s*\)|\*+)", tail)
    if mark:
        head, tail = head + mark.group(0), tail[mark.end():]
    tail = tail.strip(" -–—:")
    if not tail:
        return text, ""
    if re.search(r"[^\W\d_]", head[: match.start()]) and not _PROVISIONAL.search(
            fold(head[: match.start()])):
        return "", text  # the year sits inside a label ("Dân số 2019 ..."): not a header year
    return head.strip(), tail


# ---------------------------------------------------------------------------------------
# Blank and "not available" cells
# ---------------------------------------------------------------------------------------

NIL = "nil (-)"
NOT_AVAILABLE = "not available (..)"
NOT_PUBLISHED = "not published (x)"
BLANK = "blank"
MISSING_MARKERS = {
    "": BLANK, "-": NIL, "–": NIL, "—": NIL, "..": NOT_AVAILABLE, "...": NOT_AVAILABLE,
    "…": NOT_AVAILABLE, ":": NOT_AVAILABLE, "x": NOT_PUBLISHED, "X": NOT_PUBLISHED,
    "na": NOT_AVAILABLE, "NA": NOT_AVAILABLE, "n/a": NOT_AVAILABLE, "N/A": NOT_AVAILABLE,
}
_NIL_LEGEND = re.compile(r"(\(\s*-\s*\)|[\"'“‘]\s*-\s*[\"'”’]|dau\s*-|ky hieu\s*-|^\s*-\s*[:=])")
_NIL_ZERO = re.compile(r"khong co hien tuong phat sinh|bang 0|bang khong|\bnil\b|\bzero\b|=\s*0\b|"
                       r"\bkhong phat sinh\b")


def nil_means_zero(lines: list[str]) -> bool:
    """True when a title or note line says that "-" stands for zero (no occurrence).

    GSO yearbooks print a legend such as ``(-): Không có hiện tượng phát sinh`` when "-"
    means nil. Without such a legend a "-" is recorded as *not reported*, never as 0.
    """
    for line in lines:
        folded = fold(line)
        if _NIL_LEGEND.search(folded) and _NIL_ZERO.search(folded):
            return True
    return False


# ---------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------

_PLAIN = r"[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
_AMBIGUOUS = r"[+-]?[1-9]\d{0,2}[.,]\d{3}"
_VI_ONLY = (r"[+-]?\d{1,3}(?:\.\d{3})+,\d+|[+-]?\d{1,3}(?:\.\d{3}){2,}|[+-]?\d+,(?:\d{1,2}|\d{4,})"
            r"|[+-]?\d{4,},\d+|[+-]?0,\d+")
_EN_ONLY = (r"[+-]?\d{1,3}(?:,\d{3})+\.\d+|[+-]?\d{1,3}(?:,\d{3}){2,}|[+-]?\d+\.(?:\d{1,2}|\d{4,})"
            r"|[+-]?\d{4,}\.\d+|[+-]?0\.\d+")
_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f\u2009'](?=\d{3}\b)")


def _clean_number_text(s: pd.Series) -> pd.Series:
    s = s.str.strip()
    s = s.str.replace(_SPACES.pattern, "", regex=True)
    s = s.str.replace(r"\s*%$", "", regex=True)
    return s


def number_style(texts: pd.Series) -> tuple[int, int]:
    """Count cells that are unambiguously Vietnamese-style and English-style numbers.

    Vietnamese: ``1.234,5``, ``12,5``, ``1.234.567``; English: ``1,234.5``, ``12.5``.
    """
    s = _clean_number_text(pd.Series(texts, dtype="str").dropna())
    if s.empty:
        return 0, 0
    vi = int(s.str.fullmatch(_VI_ONLY).sum())
    en = int(s.str.fullmatch(_EN_ONLY).sum())
    return vi, en


def parse_numbers(values: pd.Series, style: str | None) -> tuple[np.ndarray, pd.Series]:
    """Parse a column of numbers written as numbers or as text.

    Args:
        values: numbers (from XLSX/JSON) and/or strings; blanks should be removed first.
        style: ``"vi"`` (decimal comma, dot thousands), ``"en"`` (decimal point, comma
            thousands) or None (undecided: ``1.234`` and ``1,234`` are then ambiguous).

    Returns:
        ``(floats, problem)``: float64 array (NaN where unreadable) and, aligned with
        ``values``, the reason for each unreadable cell (NA where the cell was read).
    """
    n = len(values)
    out = np.full(n, np.nan)
    problem = pd.Series(pd.NA, index=values.index, dtype="object")
    if n == 0:
        return out, problem
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        out[:] = values.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isfinite(out)
        problem[bad] = "not a finite number"
        return out, problem
    if isinstance(values.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(values)
        if len(uniques):
            parsed, reasons = _parse_unique(pd.Series(uniques, dtype="str"), style)
            ok = codes >= 0
            out[ok] = parsed[codes[ok]]
            reason_arr = reasons.to_numpy(dtype="object")[np.where(ok, codes, 0)]
            has = ok & pd.notna(reason_arr)
            problem[has] = reason_arr[has]
        return out, problem
    obj = values.astype("object")
    is_num = obj.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                     and not isinstance(v, bool)).to_numpy(dtype=bool)
    if is_num.any():
        out[is_num] = obj[is_num].astype("float64").to_numpy()
    is_text = obj.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    other = ~is_num & ~is_text
    if other.any():
        problem[other] = obj[other].map(_not_a_number_reason)
    if is_text.any():
        text = pd.Series(obj[is_text].to_numpy(), dtype="str")
        codes, uniques = pd.factorize(text)
        parsed, reasons = _parse_unique(pd.Series(uniques, dtype="str"), style)
        out[is_text] = parsed[codes]
        idx = np.flatnonzero(is_text)
        reason_arr = reasons.to_numpy(dtype="object")[codes]
        has = pd.notna(reason_arr)
        problem.iloc[idx[has]] = reason_arr[has]
    inf = ~np.isfinite(out) & problem.isna().to_numpy() & ~np.isnan(out)
    problem[inf] = "not a finite number"
    out[inf] = np.nan
    return out, problem


def _not_a_number_reason(value: object) -> str:
    import datetime as dt

    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return "Excel stored this cell as a date or time, not a number"
    if isinstance(value, bool):
        return "a TRUE/FALSE cell, not a number"
    return "not a number"


def _parse_unique(s: pd.Series, style: str | None) -> tuple[np.ndarray, pd.Series]:
    clean = _clean_number_text(s)
    out = np.full(len(s), np.nan)
    reasons = pd.Series(pd.NA, index=s.index, dtype="object")
    ambiguous = clean.str.fullmatch(_AMBIGUOUS).to_numpy(dtype=bool)
    vi_only = clean.str.fullmatch(_VI_ONLY).to_numpy(dtype=bool)
    en_only = clean.str.fullmatch(_EN_ONLY).to_numpy(dtype=bool)
    plain = clean.str.fullmatch(_PLAIN).to_numpy(dtype=bool) & ~ambiguous
    converted = clean.copy()
    use_vi = vi_only | (ambiguous & (style == "vi"))
    use_en = (en_only & ~plain) | (ambiguous & (style == "en"))
    converted[use_vi] = clean[use_vi].str.replace(".", "", regex=False).str.replace(
        ",", ".", regex=False)
    converted[use_en] = clean[use_en].str.replace(",", "", regex=False)
    readable = plain | use_vi | use_en
    if readable.any():
        out[readable] = pd.to_numeric(converted[readable], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)
    undecided = ambiguous & ~use_vi & ~use_en
    reasons[undecided] = [
        f"ambiguous number {t!r}: '.' or ',' could mark thousands or decimals and nothing "
        "else in the file tells which; write it without separators" for t in s[undecided]]
    unreadable = ~readable & ~undecided
    unreadable |= readable & np.isnan(out)
    reasons[unreadable & ~undecided] = [f"{t!r} is not a number" for t in
                                        s[unreadable & ~undecided]]
    return out, reasons


# ---------------------------------------------------------------------------------------
# Item labels
# ---------------------------------------------------------------------------------------

GENERIC_LABELS = {"total", "tongso", "tong", "chung", "all", "tatca", "toanbo", "sum"}
_UNIT_WORDS = re.compile(
    r"%|thous|pers|nguoi|ngu\?i|nghin|ngh\?n|km2|\bha\b|ty dong|trieu|dong|vnd|\bho\b|can\b|m2|"
    r"person|people|households|units|percent|trieu|unit",
    re.IGNORECASE)
_TITLE_SPLIT = re.compile(r"\s+(?:phân theo|chia theo|ph[aâ?]n theo|chia theo|by)\s+", re.I)


def strip_unit(label: str) -> str:
    """The label without a trailing unit: "Dân số (Nghìn người)" -> "Dân số",
    "Total - Thous. pers." -> "Total", "Growth rate -%" -> "Growth rate"."""
    text = str(label).strip()
    # trailing parenthesis, possibly unbalanced like "Area (Km2(*)"
    m = re.search(r"\s*\((?:[^()]|\([^()]*\))*\)?\s*$", text)
    if m and m.start() > 0 and _UNIT_WORDS.search(fold(m.group(0))):
        text = text[: m.start()].strip()
    m = re.search(r"\s*[-–]\s*([^-–]{1,20})$", text)
    if m and m.start() > 0 and _UNIT_WORDS.search(fold(m.group(1))):
        text = text[: m.start()].strip()
    return text


def is_generic(label: str) -> bool:
    """True for category labels that mean nothing alone ("Total", "Tổng số")."""
    return loose_key(strip_unit(label)) in GENERIC_LABELS


def title_stems(title: str) -> list[str]:
    """What a table title says is measured: text before "phân theo"/"chia theo"/"by".

    A bilingual title ("Tỷ lệ ... - Percentage of ...") gives both halves.
    """
    out: list[str] = []
    for line in re.split(r"\n|\s+-\s+(?=[A-Z])", str(title)):
        line = _FOOTNOTE_MARK.sub("", line).strip(" -–:")
        if not line:
            continue
        stem = _TITLE_SPLIT.split(line, maxsplit=1)[0].strip(" ,-–:")
        for cand in (stem, line):
            if cand and cand not in out:
                out.append(cand)
    return out


def item_candidates(parts: list[tuple[str, str]], title: str = "") -> tuple[str, ...]:
    """Labels to try against the indicator catalogue for one column or category combination.

    Args:
        parts: ``(dimension label, category label)`` for each item dimension, in order
            (the dimension label may be empty for spreadsheet headers).
        title: the table title, used when the item labels alone are generic or absent.

    Rules (first catalogue hit wins): the labels joined with " - "; the same without units;
    a generic label ("Total") joined to its dimension label ("Average population - Total");
    the title's stem joined to the non-generic labels; the title's stem alone.
    """
    labels = [c for _, c in parts if str(c).strip()]
    names = [strip_unit(c) for c in labels]
    out: list[str] = []

    def add(text: str) -> None:
        text = text.strip(" -")
        if text and text not in out:
            out.append(text)

    add(" - ".join(labels))
    add(" - ".join(names))
    with_dims = [f"{d} - {c}" if is_generic(c) and d else c for d, c in parts if str(c).strip()]
    add(" - ".join(with_dims))
    add(" - ".join(strip_unit(c) for c in with_dims))
    specific = [n for n in names if not is_generic(n)]
    for stem in title_stems(title):
        if specific:
            add(" - ".join([stem, *specific]))
        else:
            add(f"{stem} - Total" if names else stem)
            add(stem)
    if len(labels) == 1:
        add(labels[0])
    return tuple(out)


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ---------------------------------------------------------------------------------------
# Distinct values (work once per distinct label, then broadcast)
# ---------------------------------------------------------------------------------------


def factor(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, uniques)`` of a column: codes index ``uniques``, -1 marks a missing cell.

    Categorical columns (what the template reader produces) give their codes for free.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        return codes, np.asarray(series.cat.categories, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def stripped_text(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``(codes, texts)``: each distinct cell as stripped text ("" for blank/missing)."""
    codes, uniques = factor(series)
    texts = ["" if u is None or (isinstance(u, float) and np.isnan(u)) else str(u).strip()
             for u in uniques]
    texts.append("")
    return np.where(codes < 0, len(uniques), codes), texts
