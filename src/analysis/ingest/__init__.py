"""Reading one raw file into the tidy observation table, keeping account of every row.

The stages, one module each: :mod:`~analysis.ingest.read` (the entry points and the grade of
a file), :mod:`~analysis.ingest.interpret` (the steps that turn a raw table's rows into checked
observations), :mod:`~analysis.ingest.provinces`, :mod:`~analysis.ingest.names` and
:mod:`~analysis.ingest.numbers` (labels and cells to codes and numbers),
:mod:`~analysis.ingest.template` (the entry template's own columns), :mod:`~analysis.ingest.pool`
(rate parts given as their own items), :mod:`~analysis.ingest.observations` (facility rows
added up, duplicates resolved) and :mod:`~analysis.ingest.state` (``ReadResult``,
``ReadState``). Several files are reconciled by :mod:`analysis.pipeline.reconcile`.
"""

from analysis.ingest.names import match_indicator, match_part
from analysis.ingest.read import read, read_state, read_with_report
from analysis.ingest.state import GRADE_RANK, ReadResult, ReadState
from analysis.schemas import QUARANTINE_COLUMNS

__all__ = [
    "GRADE_RANK",
    "QUARANTINE_COLUMNS",
    "ReadResult",
    "ReadState",
    "match_indicator",
    "match_part",
    "read",
    "read_state",
    "read_with_report",
]
