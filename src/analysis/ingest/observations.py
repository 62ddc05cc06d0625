"""Checked rows to observations: province figures as they are, facility rows added up per
province, year and indicator, and one observation per key."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.catalogue.indicators import indicators
from analysis.core.provenance import GRADES, RANK, UNREGISTERED
from analysis.ingest.numbers import _blanks, values_equal
from analysis.ingest.records import _INDICATOR_POS, _Column, _Records, _RowColumns
from analysis.ingest.state import OK, ReadState


def _to_observations(rec: _Records, cols: _RowColumns, is_row: np.ndarray,
                     derived: pd.DataFrame, facility: _Column | None, rows: np.ndarray,
                     obs_of: np.ndarray, cat: pd.DataFrame) -> pd.DataFrame:
    """Province figures as they are; facility rows added up per province, year, indicator.

    Grain of the result: one row per observation (duplicates not yet resolved), with
    ``_obs`` (id), ``_first`` (first record) and ``_rows`` (row numbers, for messages).
    """
    ok = (rec.status == OK) & is_row
    if facility is not None:
        fac_blank = facility.rows(_blanks(facility.uniques), bool)
    else:
        fac_blank = np.ones(rec.n, dtype=bool)
    plain_idx = np.flatnonzero(ok & fac_blank)
    fac_idx = np.flatnonzero(ok & ~fac_blank)
    pieces = []
    if len(plain_idx):
        p = cols.frame(plain_idx)
        p["_first"] = plain_idx
        p["_rows"] = rows[plain_idx].astype(str)
        p["_group"] = -1
        pieces.append(p)
    if len(derived):
        d_ok = derived.index.to_numpy()
        d_ok = d_ok[rec.status[d_ok] == OK]
        if len(d_ok):
            p = derived.loc[d_ok].assign(
                unit=lambda f: f["indicator"].map(cat["unit"]).astype("str"),
                source_id=cols.source_id, provenance=cols.grades[d_ok].astype(str),
                is_estimated=False)
            p["_first"] = d_ok
            p["_rows"] = rows[d_ok].astype(str)
            p["_group"] = -1
            pieces.append(p)
    members = groups = np.array([], dtype=np.int64)
    if len(fac_idx):
        fac_idx = _dedupe_facilities(rec, cols, fac_idx, facility, rows)
        added, members, groups = _add_up_facilities(rec, cols, fac_idx, rows, cat)
        if len(added):
            pieces.append(added)
    if not pieces:
        return schemas.empty_observations().assign(_obs=pd.Series(dtype="int64"),
                                                   _first=pd.Series(dtype="int64"),
                                                   _rows=pd.Series(dtype="object"))
    obs = pd.concat(pieces, ignore_index=True)
    obs = obs.sort_values("_first", kind="mergesort").reset_index(drop=True)
    obs["_obs"] = np.arange(len(obs), dtype=np.int64)
    single = obs[obs["_group"] < 0]
    obs_of[single["_first"].to_numpy()] = single["_obs"].to_numpy()
    if len(members):
        keyed = obs[obs["_group"] >= 0]
        group_to_obs = np.full(int(keyed["_group"].max()) + 1, -1, dtype=np.int64)
        group_to_obs[keyed["_group"].to_numpy()] = keyed["_obs"].to_numpy()
        obs_of[members] = group_to_obs[groups]
    return obs.drop(columns="_group")


def _dedupe_facilities(rec: _Records, cols: _RowColumns, idx: np.ndarray, facility: _Column,
                       rows: np.ndarray) -> np.ndarray:
    """Exact repeats of a facility row keep the first; conflicting repeats keep none."""
    key_codes, _ = pd.factorize(cols.key[idx])
    combined = key_codes.astype(np.int64) * (len(facility.uniques) + 1) + facility.codes[idx]
    dup = pd.Series(combined).duplicated(keep=False).to_numpy()
    if not dup.any():
        return idx
    sub = pd.DataFrame({"k": key_codes[dup], "f": facility.codes[idx][dup],
                        "i": idx[dup], "v": cols.value[idx[dup]], "n": cols.num[idx[dup]],
                        "d": cols.den[idx[dup]]})
    drop, reasons = [], []
    for _, g in sub.groupby(["k", "f"], sort=False):
        if g[["v", "n", "d"]].nunique(dropna=False).le(1).all():
            for i in g["i"].iloc[1:]:
                drop.append(int(i))
                reasons.append(f"exact duplicate of row {rows[g['i'].iloc[0]]} (same facility)")
        else:
            where = ", ".join(str(rows[i]) for i in g["i"])
            for i in g["i"]:
                drop.append(int(i))
                reasons.append("conflicting values for the same facility, year and indicator "
                               f"(rows {where})")
    mask = np.zeros(rec.n, dtype=bool)
    mask[drop] = True
    arr = np.full(rec.n, None, dtype=object)
    arr[drop] = reasons
    rec.fail(mask, "facility", arr)
    return idx[~np.isin(idx, drop)]


def _add_up_facilities(rec: _Records, cols: _RowColumns, idx: np.ndarray, rows: np.ndarray,
                       cat: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Facility rows -> one observation per key (rates pooled, counts summed).

    Returns the observations (with ``_group``), the record positions used and their group.
    """
    how_of = indicators()["aggregation"]
    ids = list(_INDICATOR_POS())
    how_table = np.array([how_of.get(i, "none") for i in ids] + ["none"], dtype=object)
    pos = cols.key[idx] % 4096  # the indicator's position in the catalogue (see key)
    how = how_table[np.where(pos < len(ids), pos, len(ids))]
    ratio = how == "ratio"
    parts = ~np.isnan(cols.num[idx]) & ~np.isnan(cols.den[idx])
    no_parts = ratio & ~parts
    not_additive = ~np.isin(how, ["ratio", "sum"])
    mask = np.zeros(rec.n, dtype=bool)
    mask[idx[no_parts]] = True
    rec.fail(mask, "numerator", "a facility row of a rate needs its numerator and denominator")
    mask = np.zeros(rec.n, dtype=bool)
    mask[idx[not_additive]] = True
    rec.fail(mask, "facility", "facility rows can be added up only for counts and rates "
             "(catalogue aggregation sum or ratio)")
    keep = ~no_parts & ~not_additive
    idx, ratio = idx[keep], ratio[keep]
    if not len(idx):
        empty = np.array([], dtype=np.int64)
        return pd.DataFrame(), empty, empty
    group, _ = pd.factorize(cols.key[idx])  # codes in order of first appearance
    n_groups = int(group.max()) + 1
    first = idx[pd.Series(group).drop_duplicates().index.to_numpy()]
    count = np.bincount(group, minlength=n_groups)
    num = np.bincount(group, weights=np.nan_to_num(cols.num[idx]), minlength=n_groups)
    den = np.bincount(group, weights=np.nan_to_num(cols.den[idx]), minlength=n_groups)
    val = np.bincount(group, weights=np.nan_to_num(cols.value[idx]), minlength=n_groups)
    prov = np.bincount(group, weights=cols.provisional[idx].astype(float),
                       minlength=n_groups) > 0
    rank = pd.Series(cols.grade_rank[idx]).groupby(group).min().to_numpy()
    out = cols.frame(first)
    is_ratio = np.zeros(n_groups, dtype=bool)
    is_ratio[group[ratio]] = True
    scale = out["indicator"].astype("object").map(cat["scale"]).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["value"] = np.where(is_ratio, scale * num / den, val)
    out["numerator"] = np.where(is_ratio, num, np.nan)
    out["denominator"] = np.where(is_ratio, den, np.nan)
    out["provenance"] = pd.array([_RANK_GRADE[r] for r in rank], dtype="str")
    out["is_provisional"] = prov
    out["_first"] = first
    out["_rows"] = [f"{rows[f]} (+{k - 1} facility rows)" if k > 1 else str(rows[f])
                    for f, k in zip(first, count, strict=True)]
    out["_group"] = np.arange(n_groups)
    return out.reset_index(drop=True), idx.astype(np.int64), group.astype(np.int64)


_RANK_GRADE = {RANK[g]: g for g in (*GRADES, UNREGISTERED)}


def _dedupe_observations(state: ReadState) -> None:
    """One observation per key: exact duplicates keep the first, conflicts keep none."""
    obs = state.obs
    if obs.empty:
        return
    dup = obs.duplicated(schemas.KEY, keep=False)
    if not dup.any():
        return
    reject: list[int] = []
    reasons: list[str] = []
    for _, g in obs[dup].groupby(schemas.KEY, sort=False):
        g = g.sort_values("_first")
        if values_equal(g[["value", "numerator", "denominator"]]):
            for o in g["_obs"].iloc[1:]:
                reject.append(int(o))
                reasons.append(f"exact duplicate of row {g['_rows'].iloc[0]}")
        else:
            where = ", ".join(map(str, g["_rows"]))
            for o in g["_obs"]:
                reject.append(int(o))
                reasons.append("conflicting values for the same province, year and indicator "
                               f"(rows {where})")
    state.quarantine_obs(np.asarray(reject, dtype=np.int64), np.asarray(reasons, dtype=object))
