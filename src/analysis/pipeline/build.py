"""``nq42 build``: every registered raw file -> the processed tables, all or nothing.

Steps, in order (plain function calls are the pipeline):

1. :func:`analysis.sources.register.check_register`: every file has an entry, every entry its
   file, every SHA-256 matches — all problems reported at once, before anything is read;
2. every source (except ``kind: boundaries``) read with
   :func:`analysis.ingest.read_state` (source id = register key; provenance, indicator,
   format and geography from its entry); a source that cannot be read stops the build;
3. observations several sources give for the same key reconciled
   (:func:`analysis.pipeline.reconcile.reconcile`: a higher provenance grade wins,
   conflicts are quarantined);
4. the vn63 series carried onto vn34 with ``analysis.transform.harmonisation.harmonise_with_report``
   (weights from the catalogue); native vn34 rows take precedence over carried ones of the
   same key unless the carried one has a higher provenance grade;
5. progress against the targets (``analysis.progress``, ``analysis.catalogue.targets``);
6. ``observations.parquet``, ``progress.parquet``, ``quarantine.csv`` and ``build.json``
   written together with :func:`analysis.core.atomic.atomic_outputs`: a failed or killed build
   leaves the previous outputs byte-identical. The output folder is locked meanwhile
   (:func:`analysis.core.lock.exclusive`, ``.nq42-build.lock``): a second build writing into
   it is refused with the holder's pid and start time. The CSV tables are written with
   :func:`analysis.core.csvsafe.neutralise_frame` (a cell that would start a spreadsheet
   formula gets a leading ``'``; :func:`analysis.core.csvsafe.restore_frame` undoes it).

The tables are deterministic: rows sorted by key, fixed column order, no timestamps in the
parquet files (two builds of the same inputs give byte-identical tables; ``build.json``
carries the time and id of each build).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import schemas
from analysis.catalogue import methods as method_settings
from analysis.catalogue.targets import load_targets
from analysis.core import provenance
from analysis.core.atomic import atomic_outputs
from analysis.core.config import PROCESSED_DIR, PROJECT_ROOT, VERSION
from analysis.core.console import console_for_cli
from analysis.core.csvsafe import neutralise_frame
from analysis.core.errors import DataError
from analysis.core.lock import exclusive
from analysis.core.versioning import code_hash, git_commit
from analysis.ingest import QUARANTINE_COLUMNS, ReadResult, read_state
from analysis.pipeline.coverage import coverage_table
from analysis.pipeline.reconcile import ALTERNATIVE_COLUMNS, reconcile
from analysis.progress import build_progress
from analysis.sources.register import check_register, key_path, raw_dir_of
from analysis.transform.harmonisation import harmonise_with_report

logger = logging.getLogger(__name__)

OUTPUTS = ("observations.parquet", "progress.parquet", "quarantine.csv", "alternatives.csv",
           "coverage.csv", "build.json")


@dataclass
class SourceReport:
    """Accounting of one source in a build."""

    source_id: str
    result: ReadResult
    entry: dict


@dataclass
class BuildSummary:
    """What a build did (also written to ``build.json``).

    Attributes:
        out_dir: where the tables were written.
        sources: per-source accounting.
        n_observations: rows of ``observations.parquet`` (both geographies).
        n_progress: rows of ``progress.parquet``.
        n_quarantined: lines of ``quarantine.csv``.
        info: the content of ``build.json``.
    """

    out_dir: Path
    sources: list[SourceReport] = field(default_factory=list)
    n_observations: int = 0
    n_progress: int = 0
    n_quarantined: int = 0
    info: dict = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        """Rows read / kept / quarantined / dropped over all sources."""
        return {
            "rows_read": sum(s.result.rows_read for s in self.sources),
            "rows_kept": sum(s.result.rows_kept for s in self.sources),
            "rows_quarantined": sum(s.result.rows_quarantined for s in self.sources),
            "rows_dropped_as_aggregates": sum(s.result.rows_dropped_as_aggregates
                                              for s in self.sources),
        }


def run_build(raw_dir: str | Path | None = None, out_dir: str | Path | None = None
              ) -> BuildSummary:
    """Build the processed tables from the registered raw files (see module docstring).

    Raises:
        DataError: the register and the folder disagree, a checksum does not match, a
            source cannot be read, or a later step fails; nothing is written then.
    """
    raw = raw_dir_of(raw_dir)
    out = Path(out_dir) if out_dir is not None else PROCESSED_DIR
    entries = check_register(raw)
    started = dt.datetime.now(dt.UTC)

    states, errors = [], []
    for key in sorted(entries):
        entry = entries[key]
        if entry.get("kind", "observations") != "observations":
            continue
        try:
            states.append((key, entry, read_state(
                key_path(raw, key), indicator=entry.get("indicator"), fmt=entry.get("format"),
                geo_version=entry.get("geo_version"), source_id=key,
                provenance=entry["provenance"], file_label=key)))
        except DataError as err:
            # name the file by its register key, keep the row/cell of the problem
            errors.append(DataError(err.problem, file=key, row=err.row, column=err.column,
                                    hint=err.hint).message)
    if errors:
        raise DataError("source(s) could not be read, nothing was built:\n  "
                        + "\n  ".join(errors), file=raw / "sources.yml")
    alternatives: list[dict] = []
    priorities = {key: int(entry.get("priority") or 0) for key, entry, _ in states}
    reconcile([s for _, _, s in states], priorities, alternatives)
    carried, harmonise_info = _carry_to_vn34([s for _, _, s in states])
    results = [(key, entry, state.result()) for key, entry, state in states]

    frames = [r.observations for _, _, r in results if len(r.observations)]
    if len(carried):
        frames.append(carried)
    observations = (pd.concat(frames, ignore_index=True) if frames
                    else schemas.empty_observations())
    observations = schemas.conform(observations)
    schemas.validate(observations)
    progress = _progress(observations)
    quarantine = _quarantine([r for _, _, r in results])
    alternatives_table = _alternatives(alternatives)
    coverage = _coverage(observations, progress)
    # every table is checked against its declared schema before anything is written
    # (progress in _progress, coverage in coverage_table)
    schemas.quarantine_schema().validate(quarantine, lazy=True)
    schemas.alternatives_schema().validate(alternatives_table, lazy=True)

    summary = BuildSummary(out_dir=out)
    summary.sources = [SourceReport(key, r, entry) for key, entry, r in results]
    summary.n_observations = len(observations)
    summary.n_progress = len(progress)
    summary.n_quarantined = len(quarantine)
    summary.info = _build_info(summary, entries, observations, harmonise_info, started, raw)

    with exclusive(out, BUILD_LOCK, "nq42 build", shown=_shown(out), remove_when_done=True), \
            _atomic_outputs(out) as stage:
        observations.to_parquet(stage("observations.parquet"), index=False)
        progress.to_parquet(stage("progress.parquet"), index=False)
        for name, table in (("quarantine.csv", quarantine),
                            ("alternatives.csv", alternatives_table),
                            ("coverage.csv", coverage)):
            # tables people open in a spreadsheet: no cell may run as a formula
            neutralise_frame(table).to_csv(stage(name), index=False, encoding="utf-8",
                                           lineterminator="\n")
        stage("build.json").write_text(json.dumps(summary.info, ensure_ascii=False, indent=2)
                                       + "\n", encoding="utf-8")
    return summary


#: The lock file held in the output folder while a build writes (removed when done).
BUILD_LOCK = ".nq42-build.lock"


def _atomic_outputs(folder: Path):  # noqa: ANN202 - context manager from analysis.core.atomic
    """Staged outputs, published together; the caller holds the folder's build lock, so
    the leftovers cleared here are never those of a running build."""
    return atomic_outputs(folder)


# --------------------------------------------------------------------------------------
# Harmonisation and progress (modules of issues 2 and 4, imported when the build runs)
# --------------------------------------------------------------------------------------


def _carry_to_vn34(states: list) -> tuple[pd.DataFrame, dict]:
    """The vn34 rows carried from the sources' vn63 rows by analysis.transform.harmonisation.

    A native vn34 figure of the same key keeps its place unless the carried one has a
    higher provenance grade; then the native row is quarantined in its source (never
    silently dropped). Carried rows that lose are simply not produced (counted).
    """

    frames = [schemas.conform(s.obs).assign(_state=k, _obs=s.obs.sort_values(
        schemas.KEY, kind="mergesort")["_obs"].to_numpy()) for k, s in enumerate(states)
        if len(s.obs)]
    if not frames:
        return schemas.empty_observations(), {"carried": 0, "actions": {}, "superseded": 0}
    allobs = pd.concat(frames, ignore_index=True)
    vn63 = allobs[allobs["geo_version"] == "vn63"].drop(columns=["_state", "_obs"])
    native = allobs[allobs["geo_version"] == "vn34"]
    if vn63.empty:
        return schemas.empty_observations(), {"carried": 0, "actions": {}, "superseded": 0}
    carried, report = harmonise_with_report(vn63, to="vn34", weights="catalogue")
    carried = carried[carried["geo_version"] == "vn34"].reset_index(drop=True)
    merged = carried[schemas.KEY + ["provenance", "source_id"]].merge(
        native[schemas.KEY + ["provenance", "_state", "_obs"]], on=schemas.KEY, how="left",
        suffixes=("", "_native"), validate="1:1")
    clash = merged["_state"].notna().to_numpy()
    rank_carried = merged["provenance"].map(provenance.rank).to_numpy()
    rank_native = merged["provenance_native"].map(provenance.rank).fillna(-1).to_numpy()
    carried_wins = clash & (rank_carried > rank_native)
    for k, group in merged[carried_wins].groupby("_state"):
        state = states[int(k)]
        reasons = [f"superseded by the figure carried from vn63 ({src}; {g} outranks {n})"
                   for src, g, n in zip(group["source_id"], group["provenance"],
                                        group["provenance_native"], strict=True)]
        state.quarantine_obs(group["_obs"].astype("int64").to_numpy(),
                             pd.Series(reasons, dtype="object").to_numpy())
    keep = carried[~clash | carried_wins]
    actions = report["action"].value_counts().to_dict() if len(report) else {}
    dropped = report[report["action"] == "dropped"] if len(report) else report
    info = {
        "carried": int(len(keep)),
        "actions": {str(k): int(v) for k, v in sorted(actions.items())},
        "not_carried_reasons": {str(k): int(v) for k, v in sorted(
            dropped["reason"].value_counts().to_dict().items())} if len(dropped) else {},
        "superseded_by_native_vn34": int(clash.sum() - carried_wins.sum()),
        "native_vn34_superseded": int(carried_wins.sum()),
    }
    return keep, info


def _progress(observations: pd.DataFrame) -> pd.DataFrame:
    """The progress table from analysis.progress and the targets catalogue."""

    table = build_progress(observations, load_targets())
    schemas.progress_schema().validate(table, lazy=True)
    sort = [c for c in ("geo_version", "province_code", "target_id") if c in table]
    if sort:
        table = table.sort_values(sort, kind="mergesort")
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------


def _alternatives(records: list[dict]) -> pd.DataFrame:
    """Figures of real sources that were not used for a key because another one was."""
    table = pd.DataFrame(records, columns=ALTERNATIVE_COLUMNS)
    table["year"] = table["year"].astype("int64")
    for col in ("value_used", "value_other"):
        table[col] = table[col].astype("float64")
    return table.sort_values(["geo_version", "indicator", "province_code", "year",
                              "source_other"], kind="mergesort").reset_index(drop=True)


def _coverage(observations: pd.DataFrame, progress: pd.DataFrame) -> pd.DataFrame:
    """Per sector and indicator: places and years by grade, verdicts resting on real figures."""

    return coverage_table(observations, progress)


def _quarantine(results: list[ReadResult]) -> pd.DataFrame:
    frames = [r.quarantine for r in results if len(r.quarantine)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in QUARANTINE_COLUMNS})
    q = pd.concat(frames, ignore_index=True)[QUARANTINE_COLUMNS]
    order = q["row"].str.extract(r"(\d+)", expand=False).astype(float)
    q = q.assign(_n=order).sort_values(["source_id", "_n", "row", "column"], kind="mergesort")
    return q.drop(columns="_n").reset_index(drop=True)


def _inputs_sha256(entries: dict[str, dict], code: str) -> str:
    digest = hashlib.sha256()
    for key in sorted(entries):
        digest.update(f"{key}\t{entries[key]['sha256']}\n".encode())
    digest.update(f"code\t{code}\n".encode())
    return digest.hexdigest()


def _year_ranges(observations: pd.DataFrame) -> dict[str, list[int] | None]:
    out: dict[str, list[int] | None] = {}
    for geo in ("vn63", "vn34"):
        years = observations.loc[observations["geo_version"] == geo, "year"]
        out[geo] = [int(years.min()), int(years.max())] if len(years) else None
    return out


def _build_info(summary: BuildSummary, entries: dict[str, dict], observations: pd.DataFrame,
                harmonise_info: dict, started: dt.datetime, raw: Path) -> dict:
    code = code_hash(suffixes=(".py", ".csv", ".yml", ".yaml", ".json"))
    inputs = _inputs_sha256(entries, code)
    method = getattr(method_settings, "METHOD_VERSION", None)
    sources = {}
    for s in summary.sources:
        r, e = s.result, s.entry
        sources[s.source_id] = {
            "title": e.get("title"), "producer": e.get("producer"),
            "title_vi": e.get("title_vi"), "producer_vi": e.get("producer_vi"),
            "provenance": e.get("provenance"), "date_accessed": e.get("date_accessed"),
            "url": e.get("url"), "licence": e.get("licence"), "sha256": e.get("sha256"),
            "format": r.fmt, "indicator": e.get("indicator"),
            "rows_read": r.rows_read, "rows_kept": r.rows_kept,
            "rows_quarantined": r.rows_quarantined,
            "rows_dropped_as_aggregates": r.rows_dropped_as_aggregates,
            "dropped_reasons": r.dropped_reasons, "cells_missing": r.cells_missing,
            "observations": int(len(r.observations)), "citations": r.citations,
            "notes": r.notes,
        }
    skipped = sorted(k for k, e in entries.items() if e.get("kind") == "boundaries")
    grades = observations["provenance"].value_counts().to_dict()
    return {
        "build_id": f"{started:%Y%m%dT%H%M%SZ}-{inputs[:8]}",
        "built_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "git_commit": git_commit(),
        "code_version": VERSION,
        "code_sha256": code,
        "inputs_sha256": inputs,
        "method_version": method,
        "raw_dir": _shown(raw),
        "sources": sources,
        "not_ingested": {k: "kind: boundaries (used by maps, not observations)"
                         for k in skipped},
        "harmonisation": harmonise_info,
        "year_ranges": _year_ranges(observations),
        "observations_by_provenance": {str(k): int(v) for k, v in sorted(grades.items())},
        "totals": {**summary.totals, "observations": summary.n_observations,
                   "progress_rows": summary.n_progress,
                   "quarantine_lines": summary.n_quarantined},
    }


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.name


# --------------------------------------------------------------------------------------
# nq42 build
# --------------------------------------------------------------------------------------


def cli_build(raw_dir: str | Path | None = None, out_dir: str | Path | None = None) -> int:
    """``nq42 build``: run the build and print a per-source table. Returns the exit status.

    Exit 0 when every source was read (rejected rows are in quarantine.csv); a source that
    cannot be read or a checksum mismatch raises DataError (exit 1, outputs untouched).
    """
    from rich.table import Table

    summary = run_build(raw_dir, out_dir)
    console = console_for_cli()
    table = Table(title="nq42 build: rows per source")
    table.add_column("source (data/raw/…)", no_wrap=True)
    table.add_column("grade")
    for col in ("read", "kept", "quarantined", "aggregates dropped", "observations"):
        table.add_column(col, justify="right")
    for s in summary.sources:
        r = s.result
        table.add_row(s.source_id, r.provenance or s.entry.get("provenance", ""),
                      f"{r.rows_read:,}", f"{r.rows_kept:,}", f"{r.rows_quarantined:,}",
                      f"{r.rows_dropped_as_aggregates:,}", f"{len(r.observations):,}")
    t = summary.totals
    table.add_row("total", "", f"{t['rows_read']:,}", f"{t['rows_kept']:,}",
                  f"{t['rows_quarantined']:,}", f"{t['rows_dropped_as_aggregates']:,}",
                  f"{sum(len(s.result.observations) for s in summary.sources):,}",
                  style="bold")
    console.print(table)
    h = summary.info.get("harmonisation", {})
    console.print(f"carried onto the 34 provinces (vn34): {h.get('carried', 0):,} observations"
                  + (f"; not carried: {sum(h.get('not_carried_reasons', {}).values()):,} "
                     "(reasons in build.json)" if h.get("not_carried_reasons") else ""))
    synthetic = summary.info.get("observations_by_provenance", {}).get("synthetic", 0)
    if synthetic:
        console.print(f"note: {synthetic:,} observations are SYNTHETIC (illustrative, not real "
                      "figures); reports label them as such")
    if t["rows_quarantined"]:
        console.print(f"{t['rows_quarantined']:,} rows rejected: see "
                      f"{_shown(summary.out_dir / 'quarantine.csv')} (file, row, column, value, "
                      "reason)")
    console.print(f"wrote {summary.n_observations:,} observations and {summary.n_progress:,} "
                  f"progress rows to {_shown(summary.out_dir)}/ "
                  f"(build {summary.info['build_id']})")
    return 0
