"""What a run of ``nq42 reports`` has to render: entries, worker tasks and the skip logic.

Every planned report gets a ``run.json`` entry with its cache key; a report whose key matches
the previous run's and whose files are present is skipped (unless ``force``), the others
become tasks for the worker pool, each with the texts of its page (:func:`page_info`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.core.config import PROJECT_ROOT
from analysis.core.versioning import sha256_file
from analysis.present.i18n import format_datetime, geo_label, t
from analysis.reports import params as P
from analysis.reports.facts import (
    INDEX_HTML,
    cache_key,
    load_previous,
    relative_folder,
    scrub_pairs,
)
from analysis.reports.kernel import WorkerSettings


@dataclass
class Plan:
    """The work of one run.

    Attributes:
        entries: ``report_id -> run.json entry`` of every planned report (skipped ones
            already complete).
        tasks: the worker tasks of the reports to render, in plan order.
    """

    entries: dict[str, dict]
    tasks: list[dict]


def _parse_time(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def page_info(spec: P.ReportSpec, *, langs: Sequence[str], facts: dict) -> dict:
    """The texts around one report page (see :class:`analysis.reports.export.PageInfo`)."""

    lang = spec.lang
    depth = spec.html_path.count("/")
    up = "../" * depth
    heading = spec.title  # the notebook's own header says what the report is
    others = [other for other in langs if other != lang]
    alt_href = ""
    if others:
        alt_href = up + others[0] + spec.html_path[len(lang):]
    built = _parse_time(facts["build"].get("built_at"))
    unknown = t("reports.chrome.unknown", lang)
    commit = facts.get("git_commit")
    return {
        "lang": lang,
        "title": spec.title,
        "heading": heading,
        "geography": geo_label(spec.geo, lang),
        "data_date": t("reports.chrome.data_date", lang,
                       date=format_datetime(built, lang, with_time=False)) if built else "",
        "synthetic": bool(facts["synthetic"]),
        "synthetic_label": t("reports.chrome.synthetic_badge", lang),
        "index_href": up + INDEX_HTML,
        "index_label": t("reports.chrome.index_link", lang),
        "alt_href": alt_href,
        "alt_label": t("reports.chrome.other_lang", lang) if others else "",
        "alt_lang": others[0] if others else "",
        "alt_title": t("reports.chrome.other_lang_title", lang) if others else "",
        "facts": [
            (t("reports.chrome.generated_at", lang), format_datetime(facts["started"], lang)),
            (t("reports.chrome.code_commit", lang), commit[:12] if commit else unknown),
            (t("reports.chrome.run_id", lang), facts["run_id"]),
            (t("reports.chrome.version", lang), facts["version"]),
            (t("reports.chrome.data_build", lang),
             str(facts["build"].get("build_id") or unknown)),
        ],
        "footer_title": t("reports.chrome.footer_title", lang),
        "sources_note": t("reports.chrome.sources_note", lang),
        "project": t("reports.project", lang),
        "version": facts["version"],
    }


def source_notebook(request: P.ReportRequest, spec: P.ReportSpec, cwd: Path) -> str:
    """The report's notebook source as ``run.json`` shows it."""
    return f"{relative_folder(request.notebooks_dir, cwd)}/{spec.notebook}"


def failed_path(ipynb_path: str) -> str:
    """Where the executed notebook of a failed report is kept."""
    return ipynb_path[: -len(".ipynb")] + ".failed.ipynb"


def _entry(spec: P.ReportSpec, key: str, source: str) -> dict:
    return {"id": spec.report_id, "kind": spec.kind, "lang": spec.lang, "geo": spec.geo,
            "province_code": spec.province_code, "title": spec.title, "html": spec.html_path,
            "notebook": spec.ipynb_path, "source_notebook": source,
            "parameters": spec.parameters, "status": "failed", "duration_s": None,
            "attempts": 0, "error": None, "cache_key": key}


def _task(spec: P.ReportSpec, request: P.ReportRequest, out_dir: Path, facts: dict) -> dict:
    return {
        "report_id": spec.report_id,
        "notebook": str(request.notebooks_dir / spec.notebook),
        "notebook_rel": source_notebook(request, spec, Path.cwd()),
        "parameters": spec.parameters,
        "html_path": str(out_dir / spec.html_path),
        "ipynb_path": str(out_dir / spec.ipynb_path),
        "ipynb_rel": spec.ipynb_path,
        "failed_ipynb_path": str(out_dir / failed_path(spec.ipynb_path)),
        "page": page_info(spec, langs=request.langs, facts=facts),
    }


def _unchanged(before: dict | None, key: str, spec: P.ReportSpec, out_dir: Path) -> bool:
    """The previous run rendered this report from the same inputs and its files are there."""
    return bool(before and before.get("cache_key") == key
                and before.get("status") in ("ok", "skipped")
                and (out_dir / spec.html_path).is_file()
                and (out_dir / spec.ipynb_path).is_file())


def _mark_skipped(entry: dict, before: dict, spec: P.ReportSpec, out_dir: Path) -> None:
    entry.update(status="skipped", duration_s=0.0, attempts=0,
                 html_bytes=(out_dir / spec.html_path).stat().st_size,
                 figures=before.get("figures"), trace_types=before.get("trace_types"),
                 rendered_in_run=before.get("rendered_in_run") or before.get("_run_id"),
                 rendered_at=before.get("rendered_at"))


def plan_work(request: P.ReportRequest, specs: list[P.ReportSpec], facts: dict,
              cwd: Path) -> Plan:
    """Entries for every report; tasks for those whose inputs changed (or all with force)."""
    out_dir = request.out
    notebook_hash = {name: sha256_file(request.notebooks_dir / name)
                     for name in {s.notebook for s in specs}}
    boundaries_hash = sha256_file(request.boundaries) if request.boundaries else None
    previous = {} if request.force else load_previous(out_dir)

    plan = Plan(entries={}, tasks=[])
    for spec in specs:
        key = cache_key(spec, data=facts["data_hash"], code=facts["code_hash"],
                        notebook=notebook_hash[spec.notebook], boundaries=boundaries_hash,
                        versions=facts["versions"])
        entry = _entry(spec, key, source_notebook(request, spec, cwd))
        plan.entries[spec.report_id] = entry
        before = previous.get(spec.report_id)
        if _unchanged(before, key, spec, out_dir):
            _mark_skipped(entry, before, spec, out_dir)
            continue
        plan.tasks.append(_task(spec, request, out_dir, facts))
    return plan


def worker_settings(request: P.ReportRequest, specs: list[P.ReportSpec], cwd: Path, *,
                    start_timeout: float, reports_per_kernel: int) -> WorkerSettings:
    """What every worker of the run needs (kernel folder created here, removed by the run)."""
    notebooks = sorted({request.notebooks_dir / s.notebook for s in specs})
    warm = ["plotly.graph_objects", "plotly.io", "pandas", "IPython.display",
            *P.notebook_imports(notebooks)]
    return WorkerSettings(
        cwd=str(cwd), timeout=request.timeout, start_timeout=start_timeout,
        reports_per_kernel=max(1, int(reports_per_kernel)),
        warm_modules=list(dict.fromkeys(warm)),
        scrub=scrub_pairs(cwd, PROJECT_ROOT, request.out, request.processed_dir,
                          request.notebooks_dir, request.boundaries.parent
                          if request.boundaries else None),
        kernel_dir=tempfile.mkdtemp(prefix="nq42k-"))
