"""The ``nq42`` command (also ``python -m analysis``).

This module only declares the commands and their options; each command hands over to the
module that does the work, which returns an exit status. Errors a user can cause are
``DataError``s: they are printed as one clear message, never as a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from analysis.core.errors import DataError

HELP = """\
NQ42 Tracker: how far each province is from the 2030 social-policy targets of
Resolution 42-NQ/TW and Resolution 68/NQ-CP (clean water, social housing, schools,
commune health), and whether it is moving fast enough.

Typical use:

  nq42 build        read data/raw/, check it, write data/processed/

  nq42 reports      render the national and provincial HTML reports

  nq42 ingest FILE  look at a new file before adding it to data/raw/

  nq42 coverage     how much of each indicator rests on real figures
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
fetch_app = typer.Typer(
    help="Download boundaries or NSO tables into data/raw/ (needs internet; the only "
    "command that uses the network).",
    no_args_is_help=True,
)
app.add_typer(fetch_app, name="fetch", short_help="Download boundaries or NSO tables (needs internet).")


def _run(action) -> None:  # noqa: ANN001 - a zero-argument callable returning an exit code
    """Run a command body; show DataErrors as one message; exit with the status."""
    try:
        code = action()
    except DataError as err:
        typer.echo(f"error: {err.message}", err=True)
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("interrupted: nothing half-written was kept", err=True)
        raise typer.Exit(130) from None
    raise typer.Exit(code or 0)


@app.command(short_help="Build data/processed from every file in data/raw/sources.yml.")
def build(
    raw: Annotated[Path | None, typer.Option(help="Folder of raw files with its sources.yml "
                                             "(default: data/raw).")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the built tables "
                                             "(default: data/processed).")] = None,
) -> None:
    """Build the tables from every file registered in data/raw/sources.yml.

    Checks each file's SHA-256, reads and validates it, carries the 63-province series onto
    the 34 provinces, computes progress against the targets and writes
    observations.parquet, progress.parquet, quarantine.csv and build.json. Rejected rows go
    to quarantine.csv with the reason. Exit 0 when every source was read; exit 1 when a
    source cannot be read or its checksum does not match (previous outputs are kept).
    """
    from analysis.pipeline.build import cli_build  # lazy: --help stays fast

    _run(lambda: cli_build(raw_dir=raw, out_dir=out))


@app.command(short_help="Read raw files into the tidy table to inspect them (writes nothing in data/).")
def ingest(
    files: Annotated[list[Path], typer.Argument(help="One or more raw files (CSV, XLSX, "
                                                "JSON-stat).", show_default=False)],
    indicator: Annotated[str | None, typer.Option(help="Indicator id for every value in the "
                                                  "file (overrides the item labels).")] = None,
    geo: Annotated[str | None, typer.Option(help="Geography of the file: vn63 (63 provinces, "
                                            "to mid-2025) or vn34 (34 provinces).")] = None,
    format: Annotated[str | None, typer.Option(  # noqa: A002 - the SPEC's option name
        "--format", help="Force the format: jsonstat, pxweb-csv, pxweb-xlsx, yearbook, "
        "template (default: detected from the content).")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the tidy table to this .csv or "
                                             ".parquet file.")] = None,
    quarantine: Annotated[Path | None, typer.Option(help="Write rejected rows (file, row, "
                                                    "column, value, reason) to this CSV.")] = None,
    provenance: Annotated[str | None, typer.Option(
        help="Grade of a file that is not in a register: official, secondary or synthetic "
        "(default: unregistered). A registered file keeps its register grade; a file that "
        "says it is synthetic stays synthetic.")] = None,
) -> None:
    """Read raw files into the tidy table to inspect them. Touches nothing in data/.

    Prints rows read / kept / quarantined for each file, and each file's provenance grade
    with its basis: the register entry (sources.yml) when the file is registered, else the
    grade given with --provenance, else "unregistered". Exit 0 when the files were read
    (even with rejected rows), exit 1 when one cannot be read.
    """
    from analysis.cli.ingest import cli_ingest  # lazy: --help stays fast

    _run(lambda: cli_ingest(files, indicator=indicator, geo=geo, fmt=format, out=out,
                            quarantine=quarantine, provenance=provenance))


@app.command(short_help="How much of each indicator rests on official, secondary or synthetic figures.")
def coverage(
    geo: Annotated[str, typer.Option(help="vn34 (default), vn63 or all.")] = "vn34",
    format: Annotated[str, typer.Option(  # noqa: A002 - same option name as nq42 ingest
        "--format", help="table (rich tables, one per sector) or csv (to standard "
        "output).")] = "table",
    processed_dir: Annotated[Path | None, typer.Option(help="Folder of the built tables "
                                                       "(default: data/processed).")] = None,
) -> None:
    """Show, per indicator, the provinces, years and points of each provenance grade.

    Reads observations.parquet and progress.parquet (run nq42 build first) and prints, per
    sector, for each indicator: provinces and years with official, secondary and synthetic
    figures, whether the nation has some, its targets, and how many progress verdicts rest
    on real (official or secondary) figures. Exit 1 when the built tables are missing.
    """
    from analysis.pipeline.coverage import cli_coverage  # lazy: --help stays fast

    _run(lambda: cli_coverage(geo=geo, fmt=format, processed_dir=processed_dir))


@app.command(short_help="Render the national and provincial reports as offline HTML.")
def reports(
    geo: Annotated[str, typer.Option(help="vn34 (the 34 provinces, default) or vn63 (the 63 "
                                     "former provinces, data up to 2024).")] = "vn34",
    lang: Annotated[str, typer.Option(help="Languages, comma-separated: vi, en.")] = "vi,en",
    provinces: Annotated[str, typer.Option(help="'all' or province codes, comma-separated "
                                           "(e.g. 01,79).")] = "all",
    year: Annotated[int | None, typer.Option(help="Reference year (default: latest year "
                                             "with data).")] = None,
    jobs: Annotated[int | None, typer.Option(help="Reports rendered at once (default: "
                                             "number of CPU cores).")] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default: "
                                             "reports/latest).")] = None,
    boundaries: Annotated[Path | None, typer.Option(help="Province boundary file (GeoJSON) for "
                                                    "geographic maps; without it maps use the "
                                                    "tile grid.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Re-render every report even if its "
                                        "inputs are unchanged.")] = False,
    timeout: Annotated[int, typer.Option(help="Seconds allowed per report.")] = 300,
) -> None:
    """Render the national overview and one report per province as offline HTML.

    Writes DIR/index.html, DIR/<lang>/national.html, DIR/<lang>/provinces/<code>-<name>.html,
    the executed notebooks and DIR/run.json. A failing report does not stop the others;
    exit 0 only if every report rendered.
    """
    from analysis.reports.runner import cli_reports  # lazy: --help stays fast

    _run(lambda: cli_reports(geo=geo, lang=lang, provinces=provinces, year=year, jobs=jobs,
                             out=out, boundaries=boundaries, force=force, timeout=timeout))


@fetch_app.command("boundaries", short_help="Download province boundaries (geoBoundaries, public domain).")
def fetch_boundaries(
    url: Annotated[str | None, typer.Option(help="geoBoundaries API address (default: the "
                                            "official one).")] = None,
) -> None:
    """Download the province boundaries (geoBoundaries VNM ADM1, public domain)."""
    from analysis.sources.fetch.boundaries import cli_fetch_boundaries  # lazy: --help stays fast

    _run(lambda: cli_fetch_boundaries(api_url=url))


@fetch_app.command("nso", short_help="Download an NSO PX-Web table (JSON-stat) and register it.")
def fetch_nso(
    table_id: Annotated[str, typer.Argument(help="PX-Web table id, e.g. V02.01 or E02.01.")],
    lang: Annotated[str, typer.Option(help="vi or en labels.")] = "vi",
    url: Annotated[str | None, typer.Option(help="PX-Web API base address (default: "
                                            "pxweb.nso.gov.vn).")] = None,
) -> None:
    """Download an NSO PX-Web table as JSON-stat into data/raw/nso/ and register it."""
    from analysis.sources.fetch.nso import cli_fetch_nso  # lazy: --help stays fast

    _run(lambda: cli_fetch_nso(table_id, lang=lang, base_url=url))


def main() -> None:
    """Entry point of the ``nq42`` console script."""
    app(prog_name="nq42")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
