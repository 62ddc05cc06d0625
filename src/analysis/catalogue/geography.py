"""Provinces of Viet Nam before and after the 2025 merger, and province-name resolution.

Two geography versions (see SPEC "Geography"):

* ``vn63``: the 63 provinces and centrally-run cities valid until 30 Jun 2025;
* ``vn34``: the 34 units in force from 1 Jul 2025 (Resolution 202/2025/QH15; codes per
  Decision 19/2025/QĐ-TTg). Each new unit keeps the code of the old province holding its
  seat, so a code is ambiguous without its ``geo_version`` (code 15 is Yên Bái in vn63 and the
  new Lào Cai in vn34).

The facts live in ``reference/provinces.csv``, ``reference/crosswalk_vn63_vn34.csv`` and
``reference/province_aliases.csv`` (package data, each row citing its source).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.core.config import COUNTRY_CODE, GEO_VERSIONS, REFERENCE_DIR
from analysis.core.errors import ParameterError, UnmatchedNamesError
from analysis.core.text import nfc, strip_diacritics

PROVINCE_COLUMNS = ["code", "name_vi", "name_en", "type", "region", "valid_from", "valid_to"]
TOTAL_CODE = "TOTAL"  # "TOÀN TỈNH": the whole-province row of a provincial yearbook
REGION_PREFIX = "REG-"

KIND_PROVINCE = "province"
KIND_HISTORICAL = "historical"
KIND_COUNTRY = "country"
KIND_REGION = "region"
KIND_PROVINCE_TOTAL = "province_total"


def check_geo_version(geo_version: str) -> str:
    """Return ``geo_version`` if known, else raise a ParameterError naming the choices."""
    if geo_version not in GEO_VERSIONS:
        raise ParameterError(
            f"unknown geography version {geo_version!r}; use one of: {', '.join(GEO_VERSIONS)}"
        )
    return geo_version


@cache
def _province_table() -> pd.DataFrame:
    df = pd.read_csv(REFERENCE_DIR / "provinces.csv", dtype=str, keep_default_na=False)
    for col in ("name_vi", "region_vi"):
        df[col] = df[col].map(nfc)
    return df


def provinces(geo_version: str = "vn34", *, with_source: bool = False) -> pd.DataFrame:
    """The provinces of one geography version.

    Grain: one row per province (63 for ``vn63``, 34 for ``vn34``), sorted by code.
    Columns: ``code`` (2-digit GSO code, str), ``name_vi``, ``name_en``, ``type``
    (``province`` or ``city``), ``region`` (socio-economic region code), ``region_vi``,
    ``region_en``, ``valid_from``, ``valid_to`` (ISO dates; empty = still valid) and, with
    ``with_source=True``, the legal ``source`` of the row.
    """
    check_geo_version(geo_version)
    df = _province_table()
    out = df[df["geo_version"] == geo_version].rename(columns={"region_code": "region"})
    cols = [*PROVINCE_COLUMNS[:5], "region_vi", "region_en", *PROVINCE_COLUMNS[5:]]
    if with_source:
        cols.append("source")
    return out[cols].sort_values("code").reset_index(drop=True)


def province_codes(geo_version: str) -> list[str]:
    """Sorted 2-digit codes of one geography version."""
    return provinces(geo_version)["code"].tolist()


@cache
def crosswalk() -> pd.DataFrame:
    """The 63 -> 34 crosswalk: one row per old province (``vn63_code`` -> ``vn34_code``).

    The 2025 merger joined whole provinces, so every old province maps to exactly one new
    unit, and aggregation along this table is exact.
    """
    return pd.read_csv(REFERENCE_DIR / "crosswalk_vn63_vn34.csv", dtype=str, keep_default_na=False)


def province_name(code: str, geo_version: str, lang: str = "vi") -> str:
    """Display name of one province (``VN`` gives the country's name)."""
    if code == COUNTRY_CODE:
        return "Cả nước" if lang == "vi" else "Viet Nam"
    table = provinces(geo_version).set_index("code")
    if code not in table.index:
        raise ParameterError(f"unknown province code {code!r} for {geo_version}")
    return str(table.at[code, "name_vi" if lang == "vi" else "name_en"])


# --------------------------------------------------------------------------------------
# Name resolution
# --------------------------------------------------------------------------------------

_CHAR_MAP = str.maketrans({
    "đ": "d", "Đ": "d", "Ð": "d", "ð": "d", "ɖ": "d", "Ɖ": "d",
    "–": " ", "—": " ", "‐": " ", "‑": " ", "-": " ", "_": " ", ".": " ", ",": " ",
    "\t": " ", "\u00a0": " ", "/": " ", "'": " ", "’": " ",
})
_FOOTNOTE = re.compile(r"\((?:\*+|\d{1,2}|[a-z])\)|\*+$")
_NON_KEY = re.compile(r"[^a-z0-9?]+")
_PREFIXES = ("thanh pho ", "tinh ", "tp ", "t p ", "city of ", "province of ", "thu do ")
_SUFFIXES = (" city", " province", " municipality")


def name_key(name: object) -> str:
    """The matching key of a spelling: no diacritics, no case, no spaces, no prefixes.

    "Tỉnh Thanh Hoá", "THANH HÓA", "Thanh  Hoa" and NFD-decomposed text all give
    ``"thanhhoa"``. A ``?`` (a letter lost by a lossy Windows-1252 export) is kept and later
    matched as a one-letter wildcard. Display names never go through this function.
    """
    if name is None or (isinstance(name, float) and np.isnan(name)):
        return ""
    text = unicodedata.normalize("NFKC", str(name)).translate(_CHAR_MAP)
    text = strip_diacritics(text)
    text = text.lower()
    text = _FOOTNOTE.sub(" ", text)
    text = " ".join(_NON_KEY.sub(" ", text).split())
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix):], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
    return text.replace(" ", "")


@dataclass(frozen=True)
class _Target:
    code: str
    kind: str


@cache
def _alias_index(geo_version: str) -> dict[str, frozenset[_Target]]:
    """Every known spelling key of ``geo_version`` -> the set of targets it can mean."""
    index: dict[str, set[_Target]] = {}

    def add(alias: str, code: str, kind: str) -> None:
        key = name_key(alias)
        if key:
            index.setdefault(key, set()).add(_Target(code, kind))

    for row in provinces(geo_version).itertuples():
        add(row.name_vi, row.code, KIND_PROVINCE)
        add(row.name_en, row.code, KIND_PROVINCE)
    aliases = pd.read_csv(REFERENCE_DIR / "province_aliases.csv", dtype=str, keep_default_na=False)
    for row in aliases.itertuples():
        if row.geo_version in ("*", geo_version):
            add(row.alias, row.code, row.kind)
    return {k: frozenset(v) for k, v in index.items()}


@cache
def _wildcard_candidates(geo_version: str) -> tuple[tuple[str, frozenset[_Target]], ...]:
    return tuple(_alias_index(geo_version).items())


def _other_version_hint(key: str, geo_version: str) -> str | None:
    other = "vn34" if geo_version == "vn63" else "vn63"
    targets = _alias_index(other).get(key)
    if targets and all(t.kind == KIND_PROVINCE for t in targets):
        (target,) = sorted(targets, key=lambda t: t.code)[:1]
        name = province_name(target.code, other)
        return f"a {other} province ({name}, code {target.code}); read it with geo_version={other!r}"
    return None


def _match_one(name: str, geo_version: str) -> tuple[_Target | None, str | None]:
    """Resolve one spelling. Returns (target, None) or (None, reason)."""
    index = _alias_index(geo_version)
    key = name_key(name)
    if not key:
        return None, "empty name"
    if "?" not in key:
        targets = index.get(key)
        if targets is None and " - " in str(name):
            # bilingual labels such as "Hà Nội - Ha Noi": both halves must agree
            halves = {index.get(name_key(h)) for h in str(name).split(" - ")}
            if len(halves) == 1 and None not in halves:
                targets = halves.pop()
        if targets is None:
            return None, _other_version_hint(key, geo_version) or "no such province"
    else:
        pattern = re.compile("^" + re.escape(key).replace(r"\?", ".") + "$")
        candidates = _wildcard_candidates(geo_version)
        targets = frozenset().union(*(t for k, t in candidates if pattern.match(k)))
        if not targets and len(key) >= 6:
            # NOTE(2026-11): the best-fit export also swaps letters ("Vũng" -> "Vtng" in
            # V02.01); allow one substituted letter besides the "?" wildcards.
            targets = frozenset().union(
                *(t for k, t in candidates if _hamming_within_one(key, k))
            )
        if not targets:
            return None, "no province fits this lossy spelling"
    codes = {t.code for t in targets}
    if len(codes) > 1:
        names = ", ".join(sorted(_describe(t, geo_version) for t in targets))
        return None, f"ambiguous: fits {names}"
    # a code may appear with two kinds (e.g. "Hà Tây" historical): prefer the plain province
    target = sorted(targets, key=lambda t: t.kind != KIND_PROVINCE)[0]
    return target, None


def _hamming_within_one(lossy: str, key: str) -> bool:
    if len(lossy) != len(key):
        return False
    misses = sum(1 for a, b in zip(lossy, key, strict=True) if a != "?" and a != b)
    return misses <= 1


def _describe(target: _Target, geo_version: str) -> str:
    if target.kind in (KIND_PROVINCE, KIND_HISTORICAL):
        return f"{province_name(target.code, geo_version)} ({target.code})"
    return target.code


def match_provinces(names: pd.Series | list[str], geo_version: str = "vn63", *,
                    file: str | Path | None = None, errors: str = "raise") -> pd.DataFrame:
    """Resolve spellings and say what each one is.

    Returns a frame aligned with ``names`` with columns ``name``, ``code`` and ``kind``:
    ``province`` (a 2-digit code), ``historical`` (e.g. "Hà Tây" -> "01": a unit that no
    longer exists; the caller decides what its rows mean), ``country`` ("VN"), ``region``
    (``REG-<code>``) or ``province_total`` (``TOTAL``). With ``errors="raise"`` every
    unmatched or ambiguous spelling is listed in one :class:`UnmatchedNamesError`; with
    ``errors="mark"`` they get ``code`` = NaN, ``kind`` = ``unmatched`` and the reason in
    ``reason``. Work is done once per distinct spelling; columns are ``str`` dtype.
    """
    check_geo_version(geo_version)
    series = pd.Series(names, dtype="object") if not isinstance(names, pd.Series) else names
    codes_idx, uniques = pd.factorize(series, use_na_sentinel=True)
    u_code: list[str | None] = []
    u_kind: list[str] = []
    u_reason: list[str | None] = []
    unmatched: dict[str, str] = {}
    for raw in uniques:
        target, reason = _match_one(raw, geo_version)
        if target is None:
            unmatched[str(raw)] = reason or "no such province"
            u_code.append(None)
            u_kind.append("unmatched")
            u_reason.append(reason)
        else:
            u_code.append(target.code)
            u_kind.append(target.kind)
            u_reason.append(None)
    if (codes_idx < 0).any():
        unmatched.setdefault("<empty>", "empty name")
    if unmatched and errors == "raise":
        raise UnmatchedNamesError(unmatched.keys(), geo_version=geo_version, file=file,
                                  details=unmatched)
    # one slot more for missing names; arrow `take` keeps a million rows well under a second
    take = pa.array(np.where(codes_idx < 0, len(uniques), codes_idx))

    def column(values: list, extra: str | None) -> pd.Series:
        arr = pa.array([*values, extra], type=pa.string()).take(take)
        return pd.Series(pd.array(arr, dtype="str"), index=series.index)

    return pd.DataFrame({
        "name": series,
        "code": column(u_code, None),
        "kind": column(u_kind, "unmatched"),
        "reason": column(u_reason, "empty name"),
    })


def resolve_provinces(names: pd.Series | list[str], geo_version: str = "vn63", *,
                      file: str | Path | None = None) -> pd.Series:
    """Map every spelling real sources use to a code (vectorised over distinct values).

    Accepts diacritics or none, NFC or NFD, old-style tone placement ("Hoà Bình"),
    alternative spellings ("Đăk Lăk"), prefixes ("Tỉnh", "TP.", "Thành phố"), English names,
    doubled spaces and tabs, dashes ("Bà Rịa–Vũng Tàu", "Thừa Thiên - Huế"), historical
    "Hà Tây" (-> Hà Nội) and lossy Windows-1252 exports ("B?c Ninh", "Ð?ng Nai": ``?`` is a
    one-letter wildcard and a spelling that fits two provinces is refused).

    Country rows give ``"VN"``, region rows ``"REG-<region>"`` and "TOÀN TỈNH" ``"TOTAL"``;
    use :func:`match_provinces` to get the kind of each row.

    Raises:
        UnmatchedNamesError: listing every spelling that matched nothing or was ambiguous.
    """
    matched = match_provinces(names, geo_version, file=file)
    return matched["code"].rename("province_code")


def is_province_code(codes: pd.Series) -> pd.Series:
    """True where a code is a 2-digit province code (not VN, a region or TOTAL)."""
    return codes.astype("string").str.fullmatch(r"\d{2}").fillna(False).astype(bool)
