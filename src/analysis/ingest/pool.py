"""Rate parts given as their own items of a wide table: put with their rate, or pooled into the
rate when the table gives only the parts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.ingest.names import _PartRoles
from analysis.ingest.numbers import values_equal
from analysis.ingest.records import _Records
from analysis.ingest.state import OK

_KEY5 = ["geo", "code", "year", "rate", "role"]


@dataclass
class _RateCells:
    """Per-row arrays the rate pooling reads: each row's key, indicator and numbers."""

    geo: np.ndarray
    codes: np.ndarray
    years: np.ndarray
    ind: np.ndarray  # the indicator a value names (None for a pure rate part)
    value: np.ndarray
    num: np.ndarray
    den: np.ndarray
    provisional: np.ndarray


def _assemble_rates(rec: _Records, cells: _RateCells, parts: _PartRoles, companion: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Put numerators and denominators given as separate items with their rate.

    * a rate value in the table gets the parts of the same province and year (its
      ``value == scale × numerator / denominator`` check follows);
    * both parts without the rate give the rate (``scale × numerator / denominator``);
    * a lone part is quarantined; duplicate parts follow the duplicate rule (equal: keep one;
      different: reject all).

    The part rows share the fate of their rate (``companion`` points to the rate's row).
    Returns the updated numerator and denominator arrays and the derived rates (indexed by
    their numerator's row).
    """
    n = rec.n
    geo, codes, years, ind, value = cells.geo, cells.codes, cells.years, cells.ind, cells.value
    part_rate, part_role = parts.rate, parts.role
    attach_rate, attach_role = parts.attach_rate, parts.attach_role
    num, den = cells.num.copy(), cells.den.copy()
    ok = rec.status == OK
    frame = pd.DataFrame({"geo": geo, "code": codes, "year": years, "rate": part_rate,
                          "role": part_role, "v": value, "idx": np.arange(n)})
    given = _dedupe_parts(rec, frame[ok & (part_rate != None)])  # noqa: E711
    wide = given.pivot_table(index=_KEY5[:4], columns="role", values="idx",
                             aggfunc="first") if len(given) else pd.DataFrame()
    has_att = ok & (attach_rate != None)  # noqa: E711
    att = frame[has_att].assign(rate=attach_rate[has_att], role=attach_role[has_att])
    att = att.drop_duplicates(_KEY5, keep=False)
    att_wide = att.pivot_table(index=_KEY5[:4], columns="role", values="v",
                               aggfunc="first") if len(att) else pd.DataFrame()
    value_rows = np.flatnonzero(ok & (ind != None) & (part_rate == None))  # noqa: E711
    used: set[int] = set()
    for i in value_rows:
        key = (geo[i], codes[i], years[i], ind[i])
        found = _parts_for(key, wide, att_wide, value)
        if found is None:
            continue
        (num_i, den_i), members = found
        if np.isnan(num[i]) and np.isnan(den[i]) or members:
            num[i], den[i] = num_i, den_i
            for m in members:
                companion[m] = i
            used.update(members)
    derived = _derive_rates(wide, used, value, cells.provisional, companion)
    lone = np.zeros(n, dtype=bool)
    lone[given["idx"].to_numpy()] = True
    lone[list(used)] = False
    if lone.any():
        reasons = np.full(n, None, dtype=object)
        for i in np.flatnonzero(lone):
            other = "denominator" if part_role[i] == "numerator" else "numerator"
            reasons[i] = (f"a {part_role[i]} of {part_rate[i]} without its {other} for this "
                          "province and year")
        rec.fail(lone, "value", reasons)
    return num, den, derived


def _dedupe_parts(rec: _Records, parts: pd.DataFrame) -> pd.DataFrame:
    """Repeated cells of one rate part: equal ones keep the first, different ones none."""
    dup = parts.duplicated(_KEY5, keep=False)
    if not dup.any():
        return parts
    reasons = np.full(rec.n, None, dtype=object)
    drop: list[int] = []
    for _, g in parts[dup].groupby(_KEY5, sort=False):
        same = values_equal(g[["v"]])
        for i in (g["idx"].iloc[1:] if same else g["idx"]):
            drop.append(int(i))
            reasons[i] = ("exact duplicate of another cell of the same rate part" if same else
                          "conflicting values for the same rate part, province and year")
    mask = np.zeros(rec.n, dtype=bool)
    mask[drop] = True
    rec.fail(mask, "value", reasons)
    return parts[~np.isin(parts["idx"], drop)]


def _parts_for(key: tuple, wide: pd.DataFrame, att_wide: pd.DataFrame, value: np.ndarray
               ) -> tuple[tuple[float, float], list[int]] | None:
    """Numerator and denominator for a rate value, and the part rows they come from.

    Part items of the table come first; values that double as a part ("Dân số nông thôn")
    fill in; None when the pair is incomplete.
    """
    def get(table: pd.DataFrame, role: str) -> float:
        if table.empty or role not in table.columns or key not in table.index:
            return np.nan
        return float(table.at[key, role])

    n_i, d_i = get(wide, "numerator"), get(wide, "denominator")
    a_n, a_d = get(att_wide, "numerator"), get(att_wide, "denominator")
    num = (value[int(n_i)], [int(n_i)]) if not np.isnan(n_i) else (a_n, [])
    den = (value[int(d_i)], [int(d_i)]) if not np.isnan(d_i) else (a_d, [])
    if np.isnan(num[0]) or np.isnan(den[0]):
        return None
    return (float(num[0]), float(den[0])), num[1] + den[1]


def _derive_rates(wide: pd.DataFrame, used: set[int], value: np.ndarray,
                  provisional: np.ndarray, companion: np.ndarray) -> pd.DataFrame:
    """Rates computed from a numerator and a denominator given without the rate."""
    rows = []
    if wide.empty or not {"numerator", "denominator"} <= set(wide.columns):
        return pd.DataFrame()
    scale = schemas._catalogue()["scale"]
    for key, row in wide.dropna(subset=["numerator", "denominator"]).iterrows():
        n_i, d_i = int(row["numerator"]), int(row["denominator"])
        if n_i in used:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            v = float(scale[key[3]]) * value[n_i] / value[d_i] if value[d_i] else np.nan
        rows.append({"idx": n_i, "geo_version": key[0], "province_code": key[1],
                     "year": int(key[2]), "indicator": key[3], "value": v,
                     "numerator": value[n_i], "denominator": value[d_i],
                     "is_provisional": bool(provisional[n_i] or provisional[d_i])})
        companion[d_i] = n_i
        used.update((n_i, d_i))
    if not rows:
        return pd.DataFrame()
    derived = pd.DataFrame(rows).set_index("idx")
    derived.index.name = None
    derived["year"] = derived["year"].astype("int64")
    derived["is_provisional"] = derived["is_provisional"].astype(bool)
    return derived
