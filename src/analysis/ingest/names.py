"""Item labels to indicators: the indexes of indicator and rate-part names, the matching of a
label, and which items of a table are parts of a rate."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from analysis.catalogue.indicators import indicators
from analysis.ingest.records import _Column, _Records
from analysis.ingest.state import MISSING
from analysis.sources.readers import RawTable
from analysis.sources.readers.labels import loose_key, strict_key, strip_unit, wildcard_match


@cache
def _indicator_index() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Strict and loose keys of every id, name and alias -> indicator ids."""
    strict: dict[str, set[str]] = {}
    loose: dict[str, set[str]] = {}
    cat = indicators()
    for ind_id, row in cat.iterrows():
        labels = [ind_id, row["name_vi"], row["name_en"], *(row["aliases"] or [])]
        for label in labels:
            for text in {label, strip_unit(label)}:
                if strict_key(text):
                    strict.setdefault(strict_key(text), set()).add(ind_id)
                if loose_key(text):
                    loose.setdefault(loose_key(text), set()).add(ind_id)
    return ({k: frozenset(v) for k, v in strict.items()},
            {k: frozenset(v) for k, v in loose.items()})


@cache
def _part_index() -> tuple[dict[str, frozenset[tuple[str, str]]],
                           dict[str, frozenset[tuple[str, str]]]]:
    """Strict and loose keys of the rate parts' names -> (indicator, "numerator"|"denominator").

    From the catalogue's ``numerator_vi/_en``, ``denominator_vi/_en`` and, when an entry has
    them, ``numerator_aliases`` / ``denominator_aliases``.
    """
    strict: dict[str, set[tuple[str, str]]] = {}
    loose: dict[str, set[tuple[str, str]]] = {}
    cat = indicators()
    for ind_id, row in cat.iterrows():
        for role in ("numerator", "denominator"):
            labels = [row.get(f"{role}_vi"), row.get(f"{role}_en")]
            extra = row.get(f"{role}_aliases")
            if isinstance(extra, list):
                labels.extend(extra)
            for label in labels:
                if not isinstance(label, str) or not label.strip():
                    continue
                for text in {label, strip_unit(label)}:
                    strict.setdefault(strict_key(text), set()).add((ind_id, role))
                    loose.setdefault(loose_key(text), set()).add((ind_id, role))
    return ({k: frozenset(v) for k, v in strict.items()},
            {k: frozenset(v) for k, v in loose.items()})


def match_part(candidates: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    """The (rate indicator, role) pairs whose numerator/denominator name a label gives."""
    strict, loose = _part_index()
    for cand in candidates:
        for hits in (strict.get(strict_key(cand)), loose.get(loose_key(cand))):
            if hits:
                return hits
        key = loose_key(cand)
        if "?" in key:
            hits = frozenset().union(*(v for k, v in loose.items() if wildcard_match(key, k)))
            if hits:
                return hits
    return frozenset()


def match_indicator(candidates: tuple[str, ...]) -> tuple[str | None, str | None]:
    """The one indicator the first matching candidate label names, or a reason.

    Each candidate is tried as written (NFC, case and spaces folded), then without
    diacritics and punctuation, then with ``?`` as a one-letter wildcard.
    """
    strict, loose = _indicator_index()
    ambiguous: set[str] = set()
    for cand in candidates:
        for hits in (strict.get(strict_key(cand)), loose.get(loose_key(cand))):
            if hits and len(hits) == 1:
                return next(iter(hits)), None
            if hits:
                ambiguous |= hits
        key = loose_key(cand)
        if "?" in key:
            hits = frozenset().union(*(v for k, v in loose.items() if wildcard_match(key, k)))
            if len(hits) == 1:
                return next(iter(hits)), None
            ambiguous |= hits
    label = candidates[0] if candidates else ""
    if ambiguous:
        return None, (f"item {label!r} fits several indicators ({', '.join(sorted(ambiguous))})"
                      "; pass --indicator")
    if not label:
        return None, "no item label: pass --indicator"
    return None, (f"item {label!r} is not in the indicator catalogue (add an alias in "
                  "src/analysis/catalogue/reference/indicators/, or pass --indicator)")


def _indicators(col: _Column, raw: RawTable, override: str | None, is_template: bool
                ) -> tuple[list, list, list]:
    """Per distinct item: the indicator it names (or None), the reason when none, and the
    rate parts (``(indicator, role)`` pairs) it names."""
    k = len(col.uniques)
    if override is not None:
        return [override] * k, [None] * k, [frozenset()] * k
    ind_u, reason_u, parts_u = [], [], []
    for u in col.uniques:
        cands = raw.item_candidates.get(u) or ((u, strip_unit(u)) if u else ())
        if is_template and not u:
            ind, reason, parts = None, "indicator missing", frozenset()
        else:
            ind, reason = match_indicator(tuple(cands)) if cands else (
                None, "no item label: pass --indicator")
            parts = frozenset() if is_template else match_part(tuple(cands))
        ind_u.append(ind)
        reason_u.append(reason)
        parts_u.append(parts)
    return ind_u, reason_u, parts_u


@dataclass
class _PartRoles:
    """Per row, what an item is as a rate part (object arrays, None where it is none).

    ``rate`` and ``role`` are the rate a pure part belongs to and its role (``numerator`` or
    ``denominator``); ``attach_rate`` and ``attach_role`` are, for a value that also completes
    a rate, that rate and role.
    """

    rate: np.ndarray
    role: np.ndarray
    attach_rate: np.ndarray
    attach_role: np.ndarray

    @classmethod
    def none(cls, n: int) -> _PartRoles:
        """No row is a rate part (the entry template gives numerator and denominator)."""
        nothing = np.full(n, None, dtype=object)
        return cls(nothing, nothing, nothing, nothing)

    def any(self) -> bool:
        """Does any row give, or also complete, a rate part?"""
        return bool((self.rate != None).any() or (self.attach_rate != None).any())  # noqa: E711


def _part_roles(rec: _Records, col: _Column, ind_u: list, reason_u: list, parts_u: list
                ) -> _PartRoles:
    """Decide, for the file as a whole, which items are parts of a rate.

    An item that names no indicator but the numerator or denominator of a rate is that
    rate's part when the table also has the other part or the rate itself; an item that
    names an indicator *and* a rate part (e.g. "Dân số nông thôn") stays a value and also
    completes that rate when the rate itself is in the table (the rate's check of
    ``value == scale × numerator / denominator`` then guards the units).

    Returns per row: the rate (or None) and role of pure parts, and for values that also
    complete a rate, that rate and role.
    """
    live = col.used(rec.status != MISSING)
    value_rates = {ind_u[c] for c in live if ind_u[c]}
    roles: dict[str, dict[str, bool]] = {}
    for c in live:
        for rate, role in parts_u[c]:
            roles.setdefault(rate, {})[role] = True

    def other(role: str) -> str:
        return "denominator" if role == "numerator" else "numerator"

    k = len(col.uniques)
    p_rate, p_role = [None] * k, [None] * k
    a_rate, a_role = [None] * k, [None] * k
    failing = list(reason_u)
    for c in range(k):
        pset, item = parts_u[c], col.uniques[c]
        usable = sorted((r, role) for r, role in pset
                        if r in value_rates or roles.get(r, {}).get(other(role)))
        if ind_u[c] is not None:
            failing[c] = None
            if len(usable) == 1 and usable[0][0] in value_rates and usable[0][0] != ind_u[c]:
                a_rate[c], a_role[c] = usable[0]
        elif len(usable) == 1:
            p_rate[c], p_role[c] = usable[0]
            failing[c] = None
        elif len(usable) > 1:
            failing[c] = (f"item {item!r} fits the parts of several rates ("
                          + ", ".join(f"{role} of {r}" for r, role in usable) + ")")
        elif pset:
            rate, role = sorted(pset)[0]
            failing[c] = (f"item {item!r} is the {role} of {rate}, but the table has neither "
                          f"its {other(role)} nor the rate itself")
    reasons = col.rows(failing)
    rec.fail(pd.notna(reasons), "indicator", reasons)
    return _PartRoles(col.rows(p_rate), col.rows(p_role), col.rows(a_rate), col.rows(a_role))
