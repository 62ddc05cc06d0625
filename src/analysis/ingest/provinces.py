"""Province labels to codes: codes and kinds per (label, geography), aggregates dropped, and
figures on boundaries before a merger quarantined."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.catalogue.geography import match_provinces, province_codes, province_name
from analysis.core.config import COUNTRY_CODE
from analysis.ingest.records import _Column, _Records
from analysis.ingest.state import AGGREGATE, MISSING, OK


def _provinces(col: _Column, is34: np.ndarray, explicit_geo: str | None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codes, kinds, problems and integer codes (VN = 100) of every row, resolved once per
    (label, geography)."""
    n = len(col.codes)
    codes = np.full(n, None, dtype=object)
    kinds = np.full(n, "unmatched", dtype=object)
    reasons = np.full(n, None, dtype=object)
    ints = np.full(n, -1, dtype=np.int64)
    for flag in (False, True):
        sel = is34 == flag
        if not sel.any():
            continue
        g = "vn34" if flag else "vn63"
        valid = set(province_codes(g))
        used = col.used(sel)
        labels = [col.uniques[c] for c in used]
        plain = [u for u in labels if u and not _is_code(u)]
        matched = match_provinces(pd.Series(plain, dtype="object"), g, errors="mark")
        by_name = {n_: (c, k, r) for n_, c, k, r in zip(
            plain, matched["code"], matched["kind"], matched["reason"], strict=True)}
        t_code = np.full(len(col.uniques), None, dtype=object)
        t_kind = np.full(len(col.uniques), "unmatched", dtype=object)
        t_reason = np.full(len(col.uniques), "province missing", dtype=object)
        for c, u in zip(used, labels, strict=True):
            if not u:
                continue
            if _is_code(u):
                code = COUNTRY_CODE if u.upper() == COUNTRY_CODE else u.zfill(2)
                if code == COUNTRY_CODE or code in valid:
                    t_code[c], t_kind[c] = code, ("country" if code == COUNTRY_CODE
                                                  else "province")
                    t_reason[c] = None
                else:
                    t_reason[c] = f"no province has code {code} in {g}"
                continue
            code, kind, reason = by_name[u]
            code = None if pd.isna(code) else str(code)
            if kind == "historical":
                reason = (f"former province {u!r} (now part of "
                          f"{province_name(code, g)}): its figures are on old boundaries and "
                          "are not added to a current province")
            elif kind == "unmatched":
                where = "" if explicit_geo else (
                    f" (a {'2025+' if g == 'vn34' else '≤ 2024'} row is read on {g})")
                reason = f"province {u!r} not recognised for {g}{where}: {reason}"
            else:
                reason = None
            t_code[c], t_kind[c], t_reason[c] = code, kind, reason
        t_int = np.array([100 if c == COUNTRY_CODE else int(c) if c and c.isdigit() else -1
                          for c in t_code], dtype=np.int64)
        rows = np.flatnonzero(sel)
        codes[rows] = t_code[col.codes[rows]]
        kinds[rows] = t_kind[col.codes[rows]]
        reasons[rows] = t_reason[col.codes[rows]]
        ints[rows] = t_int[col.codes[rows]]
    return codes, kinds, reasons, ints


def _old_boundaries(rec: _Records, codes: np.ndarray, kinds: np.ndarray, years: np.ndarray,
                    geo: np.ndarray, col: _Column) -> None:
    """Quarantine a province's rows for years in which the same table lists a former
    province now part of it (e.g. Hà Nội while "Hà Tây" still has figures, before 2008):
    those figures are on the old boundaries, not the province's current ones."""
    historical = (kinds == "historical") & (rec.status != MISSING) & ~np.isnan(years)
    if not historical.any():
        return
    names = col.rows(col.uniques)
    old = pd.DataFrame({"geo": geo[historical], "code": codes[historical],
                        "year": years[historical], "name": names[historical]}
                       ).drop_duplicates(["geo", "code", "year"])
    current = pd.DataFrame({"geo": geo, "code": codes, "year": years})
    hit = current.merge(old, on=["geo", "code", "year"], how="left")["name"].notna()
    hit = hit.to_numpy().copy() & (kinds == "province")
    if hit.any():
        lookup = old.set_index(["geo", "code", "year"])["name"]
        reasons = np.full(rec.n, None, dtype=object)
        for i in np.flatnonzero(hit):
            former = lookup.get((geo[i], codes[i], years[i]))
            reasons[i] = (f"this table still lists the former province {former!r} in "
                          f"{int(years[i])}: the figure is on the boundaries before the merger, "
                          "not comparable with the current province")
        rec.fail(hit, "province", reasons)


def _is_code(label: str) -> bool:
    return label.isdigit() and len(label) <= 2 or label.upper() == COUNTRY_CODE


def _drop_aggregates(rec: _Records, kinds: np.ndarray) -> dict[str, int]:
    """Region and whole-province rows are aggregates: dropped and counted, per reason."""
    is_region = kinds == "region"
    is_total = kinds == "province_total"
    aggregate = (is_region | is_total) & (rec.status == OK)
    rec.status[aggregate] = AGGREGATE
    dropped = {}
    for kind, reason in (("region", "region aggregate rows"),
                         ("province_total", "whole-province total rows (TOÀN TỈNH)")):
        count = int((aggregate & (is_region if kind == "region" else is_total)).sum())
        if count:
            dropped[reason] = count
    return dropped
