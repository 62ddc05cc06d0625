"""The facts of one ``nq42 reports`` run and the cache keys of its reports.

The facts (run id, versions, code and data hashes, the build's manifest) are computed once
per run and shown on every page and in ``run.json``; a report's cache key hashes its inputs
so that an unchanged report can be skipped. Folders are shown relative to the working
folder, never as absolute paths.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sys
import tempfile
from datetime import datetime
from importlib import metadata
from pathlib import Path

from analysis.core.config import DATA_REFERENCE_DIR, PROJECT_ROOT, VERSION
from analysis.core.versioning import code_hash, git_commit, sha256_file
from analysis.reports import params as P

RUN_JSON = "run.json"
INDEX_HTML = "index.html"
_LIBRARIES = ("plotly", "pandas", "papermill", "nbconvert", "nbclient", "jupytext", "ipykernel")


def data_hash(processed_dir: Path, reference_dir: Path | None = DATA_REFERENCE_DIR) -> str:
    """SHA-256 over every data file in ``processed_dir`` (names and contents; dotfiles and
    temporaries excluded) and in ``data/reference`` (targets). ``build.json`` is one of them,
    so the build's inputs hash counts too."""
    digest = hashlib.sha256()
    for label, folder in (("processed", processed_dir), ("reference", reference_dir)):
        if folder is None or not Path(folder).is_dir():
            continue
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if any(part.startswith(".") for part in rel.split("/")) or rel.endswith(".tmp"):
                continue
            digest.update(f"{label}/{rel}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose output the pages depend on."""
    versions = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


def cache_key(spec: P.ReportSpec, *, data: str, code: str, notebook: str, boundaries: str | None,
              versions: dict[str, str]) -> str:
    """The inputs of one report, hashed: data, notebook source, parameters, code, libraries.

    The output file names are part of it too (a report moved is a report to write)."""
    payload = {"data": data, "code": code, "notebook": notebook, "boundaries": boundaries,
               "parameters": spec.parameters, "versions": versions, "html": spec.html_path,
               "title": spec.title}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_previous(out_dir: Path) -> dict[str, dict]:
    """The previous run's report entries by id (with that run's id), or nothing."""
    try:
        previous = json.loads((out_dir / RUN_JSON).read_text(encoding="utf-8"))
        return {r["id"]: {**r, "_run_id": previous.get("run_id")}
                for r in previous.get("reports", []) if isinstance(r, dict) and "id" in r}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def relative_folder(path: Path | None, cwd: Path) -> str | None:
    """A folder as ``run.json`` shows it: relative to the working folder (or to the project
    folder), or ``~/…`` in the home directory (never an absolute path or a user name)."""
    if path is None:
        return None
    path = Path(path).absolute()
    for base in (cwd, PROJECT_ROOT):
        with contextlib.suppress(ValueError):
            return path.relative_to(base).as_posix() or "."
    with contextlib.suppress(ValueError, RuntimeError, KeyError):
        return "~/" + path.relative_to(Path.home()).as_posix()
    return P.relative_to_cwd(path, cwd)


def scrub_pairs(cwd: Path, *folders: Path | None) -> list[tuple[str, str]]:
    """(absolute folder, replacement) pairs: longest first; home becomes ``~/``."""
    pairs: dict[str, str] = {}
    for folder in folders:
        if folder is None:
            continue
        folder = Path(folder).absolute()
        rel = os.path.relpath(folder, cwd)
        pairs[str(folder)] = "" if rel == "." else Path(rel).as_posix() + "/"
        with contextlib.suppress(OSError):
            pairs.setdefault(str(folder.resolve()), pairs[str(folder)])
    pairs.setdefault(str(Path(sys.prefix)), "<python>/")
    pairs.setdefault(str(Path(sys.base_prefix)), "<python>/")
    with contextlib.suppress(RuntimeError, KeyError):
        pairs.setdefault(str(Path.home()), "~/")
    pairs.setdefault(tempfile.gettempdir(), "<tmp>/")
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def synthetic_sources(build_info: dict) -> list[str]:
    """Titles of the build's sources whose provenance is synthetic."""
    sources = build_info.get("sources") or {}
    return [str(s.get("title") or key) for key, s in sources.items()
            if isinstance(s, dict) and s.get("provenance") == "synthetic"]


def package_version() -> str:
    """The version of the nq42 package."""
    return str(VERSION)


def run_facts(request: P.ReportRequest, started: datetime) -> dict:
    """What every page and ``run.json`` say about the run: id, versions, hashes, build."""
    return {
        "run_id": f"{started:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}",
        "started": started,
        "version": package_version(),
        "git_commit": git_commit(),
        "code_hash": code_hash(),
        "data_hash": data_hash(request.processed_dir),
        "versions": library_versions(),
        "build": request.build_info,
        "synthetic": bool(synthetic_sources(request.build_info)),
    }
