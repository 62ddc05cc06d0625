"""Observations several sources give for the same key, resolved: the grade, then the register
priority, then agreement decide (docs/METHODS.md, "When sources disagree")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.core import provenance
from analysis.ingest import ReadState
from analysis.ingest.numbers import values_equal

ALTERNATIVE_COLUMNS = [
    "geo_version", "province_code", "year", "indicator", "value_used", "source_used",
    "provenance_used", "value_other", "source_other", "provenance_other", "rule",
]


def reconcile(states: list[ReadState], priorities: dict[str, int] | None = None,
              alternatives: list[dict] | None = None) -> int:
    """Resolve observations that several sources give for the same key.

    The rule (docs/METHODS.md, "When sources disagree"):

    1. the highest provenance grade wins (official > secondary > synthetic); the others are
       quarantined as superseded;
    2. among sources of that grade, the highest register ``priority`` wins (default 0: a
       register entry says which source to prefer, e.g. the dedicated population table over
       one that repeats its figures); the figures of the others are quarantined as
       alternatives and, when they differ from the one used, listed in ``alternatives``
       (one dict per pair, :data:`ALTERNATIVE_COLUMNS`) so reports can show them;
    3. among sources of the same grade and priority, equal figures keep the first source's
       row (the others are quarantined as duplicates) and different figures keep none (all
       quarantined as conflicting): nobody has said which to believe.

    Returns the number of observations rejected.
    """
    priorities = priorities or {}
    frames = [s.obs[[*schemas.KEY, "value", "numerator", "denominator", "provenance", "_obs",
                     "_rows"]].assign(_state=k, _priority=int(priorities.get(s.source_id, 0)))
              for k, s in enumerate(states) if len(s.obs)]
    if len(frames) < 2:
        return 0
    allobs = pd.concat(frames, ignore_index=True)
    dup = allobs.duplicated(schemas.KEY, keep=False)
    rejects: dict[int, tuple[list[int], list[str]]] = {}
    for _, group in allobs[dup].groupby(schemas.KEY, sort=False):
        for row, reason in _reconcile_group(group, states, alternatives):
            ids, why = rejects.setdefault(int(row["_state"]), ([], []))
            ids.append(int(row["_obs"]))
            why.append(reason)
    for k, (ids, why) in rejects.items():
        states[k].quarantine_obs(np.asarray(ids, dtype=np.int64), np.asarray(why, dtype=object))
    return sum(len(ids) for ids, _ in rejects.values())


def _reconcile_group(g: pd.DataFrame, states: list[ReadState],
                     alternatives: list[dict] | None) -> list[tuple[pd.Series, str]]:
    """The rows of one key (from several sources) to reject, with the reason for each."""

    def where(row: pd.Series) -> str:
        return f"{states[int(row['_state'])].source_id} row {row['_rows']}"

    g = g.assign(_rank=g["provenance"].map(provenance.rank)).sort_values(
        ["_rank", "_priority", "_state"], ascending=[False, False, True], kind="mergesort")
    best = g.iloc[0]
    same_grade = g[g["_rank"] == best["_rank"]]
    top = same_grade[same_grade["_priority"] == best["_priority"]]
    lower = [r for _, r in g[g["_rank"] < best["_rank"]].iterrows()]
    if len(top) > 1 and not values_equal(top[["value", "numerator", "denominator"]]):
        listed = "; ".join(where(r) for _, r in top.iterrows())
        return ([(r, f"conflicting values between sources of the same grade and priority "
                     f"({listed}): give one a higher priority in sources.yml")
                 for _, r in same_grade.iterrows()]
                + [(r, "another source with a higher provenance grade has this figure "
                       f"({listed})") for r in lower])
    keeper = top.iloc[0]
    out = [(r, f"same figure as {where(keeper)} (kept there)") for _, r in top.iloc[1:].iterrows()]
    for _, r in same_grade[same_grade["_priority"] < keeper["_priority"]].iterrows():
        equal = values_equal(pd.DataFrame([keeper, r])[["value", "numerator", "denominator"]])
        if equal:
            out.append((r, f"same figure as {where(keeper)} (kept there)"))
            continue
        out.append((r, f"alternative figure: {where(keeper)} is used (higher priority in "
                       "sources.yml); this one is listed in alternatives.csv"))
        if alternatives is not None:
            alternatives.append(_alternative(keeper, r, states, "higher register priority"))
    for r in lower:
        out.append((r, f"superseded by {where(keeper)} ({keeper['provenance']} outranks "
                       f"{r['provenance']})"))
        if alternatives is not None and provenance.is_real(r["provenance"]) and not \
                values_equal(pd.DataFrame([keeper, r])[["value", "numerator", "denominator"]]):
            alternatives.append(_alternative(keeper, r, states, "higher provenance grade"))
    return out


def _alternative(used: pd.Series, other: pd.Series, states: list[ReadState],
                 rule: str) -> dict:
    return {
        "geo_version": str(used["geo_version"]), "province_code": str(used["province_code"]),
        "year": int(used["year"]), "indicator": str(used["indicator"]),
        "value_used": float(used["value"]), "source_used": states[int(used["_state"])].source_id,
        "provenance_used": str(used["provenance"]), "value_other": float(other["value"]),
        "source_other": states[int(other["_state"])].source_id,
        "provenance_other": str(other["provenance"]), "rule": rule,
    }
