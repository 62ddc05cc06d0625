"""Provenance grades: what they are, how they rank, and the weakest of several — defined once.

A figure's grade says how directly it comes from the body that published it:

* ``official``  — the issuing body's own table or document (an NSO export, a ministry annex);
* ``secondary`` — a press or agency report of an official figure;
* ``synthetic`` — made by this project for illustration; never a real figure.

Two more labels exist outside the register's three grades:

* ``unregistered`` — a file read by ``nq42 ingest`` that is not in ``data/raw/sources.yml``
  and whose grade the user did not state: nothing is known about it, so it ranks lowest;
* ``unspecified`` — a researcher's own frame without a ``provenance`` column (progress).

Ranks (higher is stronger): official 3 > secondary 2 > synthetic 1 > unregistered 0 =
unspecified 0. Anything else is treated as ``unspecified``. The *weakest* grade of a set is
the grade of a verdict or an aggregate that rests on all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

OFFICIAL, SECONDARY, SYNTHETIC = "official", "secondary", "synthetic"
UNREGISTERED, UNSPECIFIED = "unregistered", "unspecified"

#: The grades a register entry or a template row may carry, strongest first.
GRADES = (OFFICIAL, SECONDARY, SYNTHETIC)
#: Grades of real figures (published by someone other than this project).
REAL_GRADES = frozenset({OFFICIAL, SECONDARY})
#: Every label a grade column may hold, strongest first.
ALL_LABELS = (OFFICIAL, SECONDARY, SYNTHETIC, UNREGISTERED, UNSPECIFIED)

RANK = {OFFICIAL: 3, SECONDARY: 2, SYNTHETIC: 1, UNREGISTERED: 0, UNSPECIFIED: 0}
_BY_RANK = {3: OFFICIAL, 2: SECONDARY, 1: SYNTHETIC, 0: UNSPECIFIED}


def rank(grade: object) -> int:
    """The rank of a grade (unknown labels rank as ``unspecified``, 0)."""
    return RANK.get(grade, 0) if isinstance(grade, str) else 0


def weakest(grades: Iterable[object], empty: str = UNSPECIFIED) -> str:
    """The weakest grade of ``grades``; ``empty`` when there are none.

    ``unregistered`` stays ``unregistered`` when it is the weakest; any unknown label counts
    as ``unspecified``.
    """
    labels = [g if isinstance(g, str) and g in RANK else UNSPECIFIED for g in grades]
    if not labels:
        return empty
    return min(labels, key=lambda g: (RANK[g], g != UNREGISTERED))


def strongest(grades: Iterable[object], empty: str = UNSPECIFIED) -> str:
    """The strongest grade of ``grades``; ``empty`` when there are none."""
    labels = [g if isinstance(g, str) and g in RANK else UNSPECIFIED for g in grades]
    if not labels:
        return empty
    return max(labels, key=lambda g: RANK[g])


def is_real(grade: object) -> bool:
    """True for ``official`` and ``secondary`` (figures somebody else published)."""
    return grade in REAL_GRADES


def grade_of_rank(value: int) -> str:
    """The grade label of a rank (0 -> ``unspecified``)."""
    return _BY_RANK.get(int(value), UNSPECIFIED)
