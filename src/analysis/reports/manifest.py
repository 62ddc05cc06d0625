"""``run.json`` of ``nq42 reports``: the report entries completed with the workers' results,
the counts, and the run's document (facts, parameters, environment, per-report status)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from analysis.reports import params as P
from analysis.reports.export import vendored_plotlyjs_version
from analysis.reports.facts import relative_folder, synthetic_sources
from analysis.reports.plan import failed_path

_RESULT_FIELDS = ("status", "attempts", "duration_s", "error", "html_bytes", "figures",
                  "trace_types", "external_refs_removed")


def record_results(entries: dict[str, dict], results: dict[str, dict], *, run_id: str,
                   finished: datetime, out_dir: Path) -> None:
    """Copy each worker result into its report's entry (what was rendered, or what failed)."""
    for report_id, result in results.items():
        entry = entries[report_id]
        entry.update({k: result.get(k) for k in _RESULT_FIELDS})
        if entry["status"] == "ok":
            entry["rendered_in_run"] = run_id
            entry["rendered_at"] = finished.isoformat(timespec="seconds")
        else:
            failed_nb = failed_path(entry["notebook"])
            entry["failed_notebook"] = failed_nb if (out_dir / failed_nb).is_file() else None
            entry["previous_html_kept"] = (out_dir / entry["html"]).is_file()


def count_statuses(reports: list[dict]) -> dict[str, int]:
    """``ok``, ``skipped``, ``failed`` and ``total``."""
    counts = {status: sum(r["status"] == status for r in reports)
              for status in ("ok", "skipped", "failed")}
    counts["total"] = len(reports)
    return counts


def _bundle_version() -> str:
    return f"{vendored_plotlyjs_version()} (cartesian)"


def run_document(request: P.ReportRequest, facts: dict, reports: list[dict], *,
                 finished: datetime, seconds: float, cwd: Path) -> dict:
    """The content of ``run.json`` (folders relative to ``cwd``)."""
    build = request.build_info
    counts = count_statuses(reports)
    return {
        "run_id": facts["run_id"],
        "started_at": facts["started"].isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round(seconds, 2),
        "nq42_version": facts["version"],
        "git_commit": facts["git_commit"],
        "code_hash": facts["code_hash"],
        "data": {
            "processed_dir": relative_folder(request.processed_dir, cwd),
            "hash": facts["data_hash"],
            "build_id": build.get("build_id"),
            "built_at": build.get("built_at"),
            "inputs_sha256": build.get("inputs_sha256"),
            "years": list(request.data_years) if request.data_years else None,
            "synthetic": facts["synthetic"],
            "synthetic_sources": synthetic_sources(build),
        },
        "parameters": {
            "geo": request.geo,
            "langs": list(request.langs),
            "provinces": "all" if request.all_provinces else list(request.province_codes),
            "year": request.year,
            "jobs": request.jobs,
            "out": relative_folder(request.out, cwd),
            "boundaries": relative_folder(request.boundaries, cwd),
            "force": request.force,
            "timeout": request.timeout,
            "notebooks_dir": relative_folder(request.notebooks_dir, cwd),
        },
        "environment": {**facts["versions"], "plotly.js": _bundle_version()},
        "counts": counts,
        "reports": reports,
    }
