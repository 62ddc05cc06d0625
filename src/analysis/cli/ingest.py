"""``nq42 ingest``: read files, reconcile them, print what happened to their rows and
optionally write the observations and the rejected rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.table import Table

from analysis import schemas
from analysis.core import config
from analysis.core.atomic import atomic_path
from analysis.core.console import console_for_cli
from analysis.core.csvsafe import neutralise_frame
from analysis.core.errors import ParameterError
from analysis.core.provenance import SYNTHETIC, UNREGISTERED
from analysis.ingest import ReadResult, read_state
from analysis.pipeline.reconcile import reconcile


def cli_ingest(files: list[Path], indicator: str | None = None, geo: str | None = None,
               fmt: str | None = None, out: Path | None = None,
               quarantine: Path | None = None, provenance: str | None = None) -> int:
    """``nq42 ingest``: read files, print what happened to their rows, optionally write them.

    Touches nothing in ``data/``: writes only ``--out`` (.csv or .parquet) and
    ``--quarantine`` (.csv), atomically. ``provenance`` (``--provenance``) is the grade the
    user states for files outside the register (the register's grade wins for a registered
    file; a file that says it is synthetic stays synthetic); without it such a file is
    ``unregistered`` — written as such by ``--out``. Returns 0 when every file was read
    (even with rejected rows); a file that cannot be read raises DataError (exit 1), and
    then nothing is written. ``--out``/``--quarantine`` inside ``data/raw/`` or
    ``data/processed/`` (after resolving symlinks and ``..``) are refused (ParameterError,
    exit 1) before anything is read. CSV cells that would start a spreadsheet formula get a
    leading ``'`` (:mod:`analysis.core.csvsafe`; ``restore_frame`` gives the raw values back).
    """
    if out is not None and Path(out).suffix.lower() not in (".csv", ".parquet"):
        raise ParameterError(f"--out must end in .csv or .parquet, not {Path(out).name!r}")
    if quarantine is not None and Path(quarantine).suffix.lower() != ".csv":
        raise ParameterError(f"--quarantine must be a .csv file, not {Path(quarantine).name!r}")
    _refuse_data_folders(out=out, quarantine=quarantine)
    states = [read_state(f, indicator=indicator, geo_version=geo, fmt=fmt,
                         stated_provenance=provenance) for f in files]
    reconcile(states)
    results = [s.result() for s in states]
    console = console_for_cli()
    _print_results(console, results)
    observations = (pd.concat([r.observations for r in results], ignore_index=True)
                    if results else schemas.empty_observations())
    observations = schemas.conform(observations) if len(observations) else observations
    rejected = pd.concat([r.quarantine for r in results], ignore_index=True)
    if out is not None:
        _write_table(observations, Path(out))
        console.print(f"wrote {len(observations)} observations to {out}")
    if quarantine is not None:
        with atomic_path(quarantine) as tmp:  # opened in spreadsheets: no formulas
            neutralise_frame(rejected).to_csv(tmp, index=False, encoding="utf-8")
        console.print(f"wrote {len(rejected)} rejected rows to {quarantine}")
    elif len(rejected):
        console.print("rejected rows (first 10; use --quarantine FILE.csv for all):")
        for r in rejected.head(10).itertuples(index=False):
            console.print(f"  {r.file} row {r.row}, {r.column}: {r.value!r} — {r.reason}")
    return 0


REGISTER_HINT = ("to grade it, put it under data/raw/ and add it to data/raw/sources.yml "
                 "(analysis.sources.register.register_source), or state a grade with --provenance")


def _print_results(console, results: list[ReadResult]) -> None:  # noqa: ANN001
    table = Table(title="nq42 ingest", show_lines=False)
    for col in ("file", "format", "provenance", "rows read", "kept", "quarantined",
                "aggregates dropped", "observations"):
        table.add_column(col, justify="right" if col not in ("file", "format", "provenance")
                         else "left", no_wrap=col == "file")
    for r in results:
        table.add_row(r.file, r.fmt, r.provenance or "", str(r.rows_read), str(r.rows_kept),
                      str(r.rows_quarantined), str(r.rows_dropped_as_aggregates),
                      str(len(r.observations)))
    console.print(table)
    for r in results:
        extras = []
        if r.provenance_basis:
            extras.append(f"provenance: {r.provenance or '—'} ({r.provenance_basis})")
        if r.cells_missing:
            extras.append("empty or not-reported cells (not rows): " + ", ".join(
                f"{k} {v}" for k, v in sorted(r.cells_missing.items())))
        extras.extend(r.notes)
        if r.provenance == SYNTHETIC:
            extras.append("SYNTHETIC data: illustrative only, not real figures")
        elif r.provenance == UNREGISTERED:
            extras.append(REGISTER_HINT)
        for line in extras:  # text from the file: never read as rich markup
            console.print(f"  {r.file}: {line}", markup=False)


def _write_table(df: pd.DataFrame, target: Path) -> None:
    with atomic_path(target) as tmp:
        if target.suffix.lower() == ".parquet":
            df.to_parquet(tmp, index=False)
        else:
            neutralise_frame(df).to_csv(tmp, index=False, encoding="utf-8")


def _protected_folders() -> list[tuple[Path, str]]:
    """The folders ``nq42 ingest`` never writes into: the raw files and the built tables
    (the configured ones and the project's own)."""
    folders = [(config.RAW_DIR, "data/raw/"), (config.PROCESSED_DIR, "data/processed/"),
               (config.PROJECT_ROOT / "data" / "raw", "data/raw/"),
               (config.PROJECT_ROOT / "data" / "processed", "data/processed/")]
    return [(Path(folder).resolve(), label) for folder, label in folders]


def _refuse_data_folders(**targets: Path | None) -> None:
    """Refuse an output inside data/raw/ or data/processed/ (symlinks and ``..`` resolved,
    so neither a link nor a roundabout spelling gets past), or both outputs on one file."""
    resolved: dict[Path, str] = {}
    for option, target in targets.items():
        if target is None:
            continue
        flag = f"--{option}"
        try:
            path = Path(target).expanduser().resolve()
        except (OSError, RuntimeError) as err:  # a symlink loop: no file can be written there
            raise ParameterError(f"{flag} {target} cannot be resolved ({err})") from None
        for folder, label in _protected_folders():
            if path == folder or path.is_relative_to(folder):
                raise ParameterError(
                    f"{flag} {target} is inside {label}: nq42 ingest writes nothing in data/raw/ "
                    "(the registered raw files) or data/processed/ (the built tables); "
                    f"choose a path outside them")
        if path in resolved:
            raise ParameterError(f"{resolved[path]} and {flag} name the same file ({target})")
        resolved[path] = flag
