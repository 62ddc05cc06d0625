"""The entry template's own columns: unit (checked against the catalogue), provenance (capped by
the file's grade) and source (required for official and secondary figures)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.catalogue.indicators import indicators
from analysis.core.provenance import OFFICIAL, RANK, SYNTHETIC
from analysis.ingest.records import _Column, _Records
from analysis.ingest.state import GRADE_RANK, OK
from analysis.sources.readers.labels import loose_key
from analysis.sources.register import synthetic_phrase

_GRADE_WORDS = {
    "official": "official", "chinhthuc": "official", "chinhthong": "official",
    "secondary": "secondary", "thucap": "secondary", "baochi": "secondary",
    "synthetic": "synthetic", "gialap": "synthetic", "mophong": "synthetic",
    "tonghopgialap": "synthetic", "illustrative": "synthetic",
}


_UNIT_WORDS = {
    "percent": ["%", "percent", "phần trăm", "pct", "tỷ lệ %"],
    "units": ["units", "unit", "căn", "căn hộ", "căn nhà", "dwellings"],
    "m2_per_person": ["m2/người", "m2 sàn/người", "m²/người", "m2 per person", "m2/person",
                      "m² per person"],
    "thousand_persons": ["nghìn người", "ngàn người", "thous. pers.", "thousand persons",
                         "1000 người", "thousand people"],
    "thousand_households": ["nghìn hộ", "thousand households"],
    "km2": ["km2", "km²"],
    "persons_per_km2": ["người/km2", "người/km²", "person/km2", "persons per km2"],
    "doctors_per_station": ["bác sĩ/trạm", "doctors per station"],
}


def _template_columns(rec: _Records, cells: pd.DataFrame, item_col: _Column, ind_u: list,
                      provenance: str | None
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Unit, provenance and source of template rows: grade codes, grades, ranks, citations."""
    _check_units(rec, _Column.of(cells["unit"]), item_col, ind_u)
    grade_col = _Column.of(cells["provenance"])
    grades, grade_rank = _grades(rec, grade_col, provenance)
    source_col = _Column.of(cells["source"])
    says_synthetic = [synthetic_phrase(u) is not None for u in source_col.uniques]
    if any(says_synthetic):  # the row's own source says it is synthetic
        marked = source_col.rows(says_synthetic, bool)
        grades, grade_rank = grades.copy(), grade_rank.copy()
        grades[marked] = SYNTHETIC
        grade_rank[marked] = RANK[SYNTHETIC]
    blank_source = source_col.rows([s == "" for s in source_col.uniques], bool)
    needs = np.isin(grades, ["official", "secondary"]) & blank_source
    rec.fail(needs, "source", "source missing: an official or secondary figure must name "
             "its document (number, issuing body, date)")
    citations = sorted(source_col.uniques[c] for c in source_col.used(rec.status == OK)
                       if source_col.uniques[c])
    return grade_col.codes, grades, grade_rank, citations


@cache
def _unit_index() -> dict[str, str]:
    index = {loose_key(u): u for u in indicators()["unit"].unique()}
    for unit, words in _UNIT_WORDS.items():
        for w in words:
            index[loose_key(w) or w] = unit
    index["%"] = "percent"
    return index


def _check_units(rec: _Records, units: _Column, items: _Column, ind_u: list) -> None:
    index = _unit_index()
    given_u = [index.get(loose_key(u) or u) if u else "" for u in units.uniques]
    cat_unit = schemas._catalogue()["unit"]
    expected_u = [cat_unit.get(i) if i else None for i in ind_u]
    # one check per distinct (unit, item) pair
    pair = units.codes.astype(np.int64) * len(items.uniques) + items.codes
    inverse, uniq = pd.factorize(pair)
    combos = [divmod(int(c), len(items.uniques)) for c in uniq]
    bad_combo = np.array([given_u[u] != "" and given_u[u] != expected_u[i]
                          for u, i in combos], dtype=bool)
    if not bad_combo.any():
        return
    reasons = np.array([f"unit {units.uniques[u]!r} does not match the indicator's unit "
                        f"({expected_u[i]})" if b else None
                        for (u, i), b in zip(combos, bad_combo, strict=True)], dtype=object)
    rec.fail(bad_combo[inverse], "unit", reasons[inverse])


def _grades(rec: _Records, col: _Column, file_grade: str | None
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per-row grade (and its rank): the row's ``provenance`` capped by the file's grade."""
    cap = RANK.get(file_grade, RANK[OFFICIAL]) if file_grade else RANK[OFFICIAL]
    grade_u, reason_u = [], []
    for u in col.uniques:
        if not u:
            grade_u.append(file_grade or "")
            reason_u.append(None if file_grade else
                            "provenance missing: official, secondary or synthetic")
            continue
        g = _GRADE_WORDS.get(loose_key(u))
        if g is None:
            grade_u.append("")
            reason_u.append(f"unknown provenance {u!r}: use official, secondary or synthetic")
            continue
        grade_u.append(file_grade if file_grade and GRADE_RANK[g] > cap else g)
        reason_u.append(None)
    reasons = col.rows(reason_u)
    rec.fail(pd.notna(reasons), "provenance", reasons)
    grade_u = [g or "synthetic" for g in grade_u]
    return col.rows(grade_u), col.rows([GRADE_RANK[g] for g in grade_u], np.int64)
