"""What reading a file gives: the row statuses, the public ``ReadResult`` and the ``ReadState``
of a file being read (also used by :mod:`analysis.pipeline.reconcile` across sources)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import schemas
from analysis.core.provenance import RANK, weakest
from analysis.schemas import QUARANTINE_COLUMNS
from analysis.sources.readers import RawTable

#: Ranks of the grades (the single definition is :data:`analysis.core.provenance.RANK`).
GRADE_RANK = RANK

#: Status of a record: kept, blank / not reported (not a row), aggregate, quarantined.
OK, MISSING, AGGREGATE, QUARANTINED = 0, 1, 2, 3


@dataclass
class ReadResult:
    """What reading one file produced, and what happened to every row.

    Attributes:
        observations: tidy observations (columns and dtypes of ``docs/ARCHITECTURE.md``);
            one row per ``(geo_version, province_code, year, indicator)``.
        quarantine: rejected rows: ``source_id, file, row, column, value, reason, province,
            year, indicator`` (``row`` as a spreadsheet shows it, or ``cell N``).
        rows_read: rows (records or non-blank cells) read from the file.
        rows_kept: rows behind the observations.
        rows_quarantined: rows rejected (one quarantine line each).
        rows_dropped_as_aggregates: region and whole-province rows.
        dropped_reasons: count of dropped rows per reason.
        cells_missing: blank / not-reported cells, per marker (not rows).
        source_id, file, fmt, encoding, lossy, title: what was read.
        provenance: grade given to the rows (the lowest if they differ): ``official``,
            ``secondary``, ``synthetic``, or ``unregistered`` (not in a register, no grade
            stated).
        provenance_basis: why that grade (register entry, grade stated by the user,
            template column, the file saying it is synthetic, not in a register).
        notes: remarks for the user.
        citations: distinct ``source`` texts of template rows.
    """

    observations: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    rows_kept: int
    rows_quarantined: int
    rows_dropped_as_aggregates: int
    dropped_reasons: dict[str, int]
    cells_missing: dict[str, int]
    source_id: str
    file: str
    fmt: str
    encoding: str | None = None
    lossy: bool = False
    title: str = ""
    provenance: str | None = None
    provenance_basis: str = ""
    notes: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: rows read / kept / quarantined / dropped as aggregates."""
        return (f"{self.rows_read} rows read: {self.rows_kept} kept, {self.rows_quarantined} "
                f"quarantined, {self.rows_dropped_as_aggregates} aggregates dropped "
                f"-> {len(self.observations)} observations")


@dataclass
class ReadState:
    """One file being read: its records with their status, and its observations.

    ``records`` has one row per raw row (see module docstring) with ``status`` (OK,
    MISSING, AGGREGATE, QUARANTINED), ``reason``, ``q_field`` and ``obs`` (the position in
    ``obs`` of the observation the record went into, -1 if none). ``obs`` holds the
    observations with an ``_obs`` id and ``_rows`` (row numbers, for messages).
    """

    raw: RawTable
    records: pd.DataFrame
    obs: pd.DataFrame
    source_id: str
    file_label: str
    provenance: str | None
    provenance_basis: str
    dropped_reasons: dict[str, int]
    cells_missing: dict[str, int]
    citations: list[str]

    def quarantine_obs(self, obs_ids: np.ndarray, reasons: np.ndarray | str) -> None:
        """Reject observations (and every record behind them) with a reason each."""
        if len(obs_ids) == 0:
            return
        reasons_arr = np.broadcast_to(np.asarray(reasons, dtype=object), (len(obs_ids),))
        by_obs = dict(zip(obs_ids.tolist(), reasons_arr.tolist(), strict=True))
        rec_obs = self.records["obs"].to_numpy()
        hit = np.isin(rec_obs, obs_ids) & (self.records["status"].to_numpy() == OK)
        idx = np.flatnonzero(hit)
        status = self.records["status"].to_numpy().copy()
        reason = self.records["reason"].to_numpy(dtype=object).copy()
        q_field = self.records["q_field"].to_numpy(dtype=object).copy()
        status[idx] = QUARANTINED
        reason[idx] = [by_obs[o] for o in rec_obs[idx]]
        q_field[idx] = "key"
        self.records["status"] = status
        self.records["reason"] = reason
        self.records["q_field"] = q_field
        self.obs = self.obs[~self.obs["_obs"].isin(obs_ids)]

    def result(self) -> ReadResult:
        """The public result, with the accounting invariant checked."""
        status = self.records["status"].to_numpy()
        read_n = int((status != MISSING).sum())
        kept = int((status == OK).sum())
        quarantined = int((status == QUARANTINED).sum())
        dropped = int((status == AGGREGATE).sum())
        if read_n != kept + quarantined + dropped:  # pragma: no cover - invariant
            raise AssertionError(f"{self.file_label}: rows read {read_n} != kept {kept} + "
                                 f"quarantined {quarantined} + dropped {dropped}")
        observations = schemas.conform(self.obs) if len(self.obs) else \
            schemas.empty_observations()
        grades = observations["provenance"].unique().tolist()
        grade = weakest(grades) if grades else self.provenance
        return ReadResult(
            observations=observations, quarantine=self.quarantine_frame(), rows_read=read_n,
            rows_kept=kept, rows_quarantined=quarantined, rows_dropped_as_aggregates=dropped,
            dropped_reasons=dict(self.dropped_reasons), cells_missing=dict(self.cells_missing),
            source_id=self.source_id, file=self.file_label, fmt=self.raw.fmt,
            encoding=self.raw.encoding, lossy=self.raw.lossy, title=self.raw.title,
            provenance=grade, provenance_basis=self.provenance_basis,
            notes=list(self.raw.notes), citations=list(self.citations),
        )

    def quarantine_frame(self) -> pd.DataFrame:
        """One line per quarantined record (see ``QUARANTINE_COLUMNS``)."""
        rec = self.records[self.records["status"].to_numpy() == QUARANTINED]
        if rec.empty:
            return pd.DataFrame({c: pd.Series(dtype="str") for c in QUARANTINE_COLUMNS})
        fields = rec["q_field"].astype("object").fillna("value")
        value = pd.Series("", index=rec.index, dtype="object")
        for f in fields.unique():
            sel = fields == f
            src = {"province_code": "province", "key": "value", "indicator": "item",
                   "geo_version": "province"}.get(f, f)
            if src in rec:
                value[sel] = rec.loc[sel, src].map(_as_text)
        names = {"province_code": "province", "indicator": "item", "key": "value"}
        column = fields.map(lambda f: self.raw.field_columns.get(f)
                            or self.raw.field_columns.get(names.get(f, f)))
        column = column.where(column.notna(), rec["column"].astype("object"))
        indicator = rec["indicator"].astype("object")
        indicator = indicator.where(indicator.notna() & (indicator != ""),
                                    rec["item"].astype("object"))
        out = pd.DataFrame({
            "source_id": self.source_id,
            "file": self.file_label,
            "row": rec["row"].astype("str"),
            "column": column.astype("str"),
            "value": value.astype("str"),
            "reason": rec["reason"].astype("str"),
            "province": rec["province"].map(_as_text).astype("str"),
            "year": rec["year"].map(_as_text).astype("str"),
            "indicator": indicator.map(_as_text).astype("str"),
        })
        return out.reset_index(drop=True)


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
