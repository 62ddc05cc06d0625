"""Report parameters: validated in full before any kernel starts, then planned into reports.

Everything here is cheap (no papermill, nbconvert or jupytext import): the runner validates a
request and lists the reports to render before it spends a second on kernels. A bad request
raises one :class:`~analysis.core.errors.ParameterError` that names every bad value at once.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.catalogue.geography import province_codes, province_name
from analysis.core.config import GEO_VERSIONS, LANGUAGES, NOTEBOOKS_DIR, PROCESSED_DIR, REPORTS_DIR
from analysis.core.errors import DataError, ParameterError
from analysis.core.text import fold
from analysis.pipeline.io import load_build_info, load_observations
from analysis.present.i18n import t

PROVINCE_NOTEBOOK = "province_report.py"
NATIONAL_NOTEBOOK = "national_overview.py"
KIND_NATIONAL = "national"
KIND_PROVINCE = "province"

# parameters each notebook must declare, and those passed only when the notebook declares them
_REQUIRED = {KIND_NATIONAL: ("geo_version", "lang"),
             KIND_PROVINCE: ("province_code", "geo_version", "lang")}
_OPTIONAL = ("year", "boundaries", "processed_dir")

_CELL_MARKER = re.compile(r"^# %%(.*)$")
_SLUG_DROP = ("thanh pho ", "tinh ")


@dataclass(frozen=True)
class ReportSpec:
    """One report to render.

    Attributes:
        report_id: stable id, ``<lang>/national`` or ``<lang>/provinces/<code>-<slug>``.
        kind: ``national`` or ``province``.
        lang: ``vi`` or ``en``.
        geo: geography version.
        province_code: 2-digit code, or ``None`` for the national report.
        title: display name of the report's subject in ``lang`` (e.g. "Hồ Chí Minh").
        notebook: file name of the notebook in the notebooks folder.
        html_path: output HTML, relative to the output folder (POSIX separators).
        ipynb_path: executed notebook kept for audit, relative to the output folder.
        parameters: papermill parameters (JSON values only; paths relative to the run's cwd).
    """

    report_id: str
    kind: str
    lang: str
    geo: str
    province_code: str | None
    title: str
    notebook: str
    html_path: str
    ipynb_path: str
    parameters: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class ReportRequest:
    """A validated ``nq42 reports`` request (every path absolute, every value checked)."""

    geo: str
    langs: tuple[str, ...]
    province_codes: tuple[str, ...]
    all_provinces: bool
    year: int | None
    jobs: int
    out: Path
    boundaries: Path | None
    force: bool
    timeout: float
    processed_dir: Path
    notebooks_dir: Path
    data_years: tuple[int, int] | None
    build_info: dict = field(hash=False, compare=False, default_factory=dict)
    notebook_params: dict = field(hash=False, compare=False, default_factory=dict)


def slugify(name: str) -> str:
    """ASCII file-name slug of a province name: ``"Hồ Chí Minh"`` -> ``"ho-chi-minh"``.

    Diacritics are folded (``đ`` -> ``d``), the text is lower-cased, the administrative
    prefixes "Thành phố" and "Tỉnh" are dropped and words are joined with hyphens.
    """
    text = fold(name)
    text = " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())
    for prefix in _SLUG_DROP:
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix):]
    return text.replace(" ", "-")


def split_list(text: str | Sequence[str] | None) -> list[str]:
    """``"vi, en"`` or ``["vi", "en"]`` -> ``["vi", "en"]`` (blanks dropped, order kept)."""
    if text is None:
        return []
    items = text.split(",") if isinstance(text, str) else [str(t) for t in text]
    return [t.strip() for t in items if t.strip()]


def _parameters_cell(lines: list[str]) -> list[str] | None:
    """The source lines of the first cell tagged ``parameters`` (py:percent), or None."""
    cell: list[str] | None = None
    for line in lines:
        marker = _CELL_MARKER.match(line)
        if marker:
            if cell is not None:
                break
            if re.search(r"""tags\s*=\s*\[[^\]]*["']parameters["']""", marker.group(1)):
                cell = []
            continue
        if cell is not None:
            cell.append(line)
    return cell


def notebook_parameters(path: str | Path) -> dict[str, str]:
    """Names (and default source text) declared in a jupytext notebook's ``parameters`` cell.

    Reads the ``py:percent`` text without importing jupytext: the cell whose marker line has
    ``tags=["parameters"]``, parsed with :mod:`ast`.

    Raises:
        DataError: when the file has no parameters cell or the cell is not valid Python.
    """
    path = Path(path)
    cell = _parameters_cell(path.read_text(encoding="utf-8").splitlines())
    if cell is None:
        raise DataError("the notebook has no cell tagged 'parameters'", file=path,
                        hint='mark the first code cell with `# %% tags=["parameters"]`')
    source = "\n".join(cell)
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise DataError(f"the parameters cell is not valid Python ({err.msg})", file=path,
                        row=err.lineno) from None
    found: dict[str, str] = {}
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                value = getattr(node, "value", None)
                found[target.id] = ast.get_source_segment(source, value) if value else ""
    return found


def notebook_imports(paths: Iterable[str | Path]) -> list[str]:
    """Modules imported by the notebooks (to import them once when a kernel warms up)."""
    modules: list[str] = []
    for path in paths:
        try:
            tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name not in modules:
                    modules.append(name)
    return modules


def _years_of(build_info: dict, geo: str, processed_dir: Path) -> tuple[int, int] | None:
    years = (build_info.get("year_ranges") or {}).get(geo)  # written by analysis.pipeline.build
    if years and len(years) == 2:
        return int(years[0]), int(years[1])

    obs = load_observations(geo, processed_dir=processed_dir)
    if obs.empty:
        return None
    return int(obs["year"].min()), int(obs["year"].max())


def _check_provinces(provinces: str | Sequence[str], geo: str,
                     problems: list[str]) -> tuple[tuple[str, ...], bool]:

    items = split_list(provinces)
    if not items or (len(items) == 1 and items[0].lower() == "all"):
        return tuple(province_codes(geo)) if geo in GEO_VERSIONS else (), True
    if geo not in GEO_VERSIONS:
        return (), False
    known = set(province_codes(geo))
    other = "vn63" if geo == "vn34" else "vn34"
    other_known = set(province_codes(other))
    codes: list[str] = []
    bad: list[str] = []
    for item in items:
        code = item.zfill(2) if item.isdigit() and len(item) == 1 else item
        if code in known:
            if code not in codes:
                codes.append(code)
        else:
            bad.append(repr(item) + (f" (a {other} code)" if code in other_known else ""))
    if any(i.lower() == "all" for i in items) and len(items) > 1:
        problems.append("'all' cannot be combined with province codes")
    if bad:
        problems.append(f"unknown province code(s) for {geo}: {', '.join(bad)} "
                        f"(codes are 2-digit GSO codes, e.g. 01, 79)")
    return tuple(codes), False


def _check_notebooks(notebooks_dir: Path, need_provinces: bool, problems: list[str],
                     optional_given: dict[str, bool]) -> dict:
    wanted = {KIND_NATIONAL: NATIONAL_NOTEBOOK}
    if need_provinces:
        wanted[KIND_PROVINCE] = PROVINCE_NOTEBOOK
    params: dict[str, dict[str, str]] = {}
    for kind, name in wanted.items():
        path = notebooks_dir / name
        if not path.is_file():
            problems.append(f"notebook {name} not found in {_show(notebooks_dir)}")
            continue
        try:
            declared = notebook_parameters(path)
        except DataError as err:
            problems.append(err.message)
            continue
        missing = [p for p in _REQUIRED[kind] if p not in declared]
        if missing:
            problems.append(f"notebook {name} does not declare the parameter(s) "
                            f"{', '.join(missing)} in its parameters cell")
        for opt, given in optional_given.items():
            if given and opt not in declared:
                problems.append(f"notebook {name} has no parameter {opt!r}, so --{opt} "
                                f"would be ignored")
        params[kind] = declared
    return params


def _check_year(year: int | str | None, geo: str, data_years: tuple[int, int] | None,
                built: bool, problems: list[str]) -> int | None:
    if year is None:
        return None
    try:
        year_int = int(str(year).strip())
    except ValueError:
        problems.append(f"year {year!r} is not a year")
        return None
    if data_years and not data_years[0] <= year_int <= data_years[1]:
        problems.append(f"year {year_int} is outside the data for {geo} "
                        f"({data_years[0]}–{data_years[1]})")
    elif data_years is None and built:
        problems.append(f"there are no {geo} data, so no year can be chosen")
    return year_int


def _check_numbers(n_jobs: object, jobs: object, timeout: object, problems: list[str]) -> None:
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 1:
        problems.append(f"--jobs must be a whole number of at least 1, not {jobs!r}")
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        problems.append(f"--timeout must be a positive number of seconds, not {timeout!r}")


def validate_request(*, geo: str = "vn34", langs: str | Sequence[str] = ("vi", "en"),
                     provinces: str | Sequence[str] = "all", year: int | str | None = None,
                     jobs: int | None = None, out: str | Path | None = None,
                     boundaries: str | Path | None = None, force: bool = False,
                     timeout: float = 300, processed_dir: str | Path | None = None,
                     notebooks_dir: str | Path | None = None) -> ReportRequest:
    """Check every parameter of a report run; no kernel, papermill or notebook is touched.

    Raises:
        ParameterError: naming every bad value (unknown geography, languages, province codes,
            years outside the data, a missing boundaries file, bad jobs/timeout).
        DataError: when ``processed_dir`` holds no build (``build.json`` missing).
    """

    problems: list[str] = []
    if geo not in GEO_VERSIONS:
        problems.append(f"unknown geography {geo!r} (use one of: {', '.join(GEO_VERSIONS)})")
    lang_list = split_list(langs)
    bad_langs = [lang for lang in lang_list if lang not in LANGUAGES]
    if bad_langs:
        problems.append(f"unknown language(s): {', '.join(map(repr, bad_langs))} "
                        f"(use {', '.join(LANGUAGES)})")
    if not lang_list:
        problems.append(f"no language given (use {', '.join(LANGUAGES)})")
    lang_tuple = tuple(dict.fromkeys(lang for lang in lang_list if lang in LANGUAGES))
    codes, all_provinces = _check_provinces(provinces, geo, problems)

    processed = Path(processed_dir) if processed_dir is not None else PROCESSED_DIR
    try:
        build_info = load_build_info(processed)
    except DataError:
        if not problems:
            raise  # names the missing file and says how to build it
        problems.append(f"no built data in {_show(processed)} (run `nq42 build` first)")
        build_info = {}
    data_years = (_years_of(build_info, geo, processed)
                  if geo in GEO_VERSIONS and build_info else None)
    year_int = _check_year(year, geo, data_years, bool(build_info), problems)
    boundaries_path = Path(boundaries) if boundaries is not None else None
    if boundaries_path is not None and not boundaries_path.is_file():
        problems.append(f"boundaries file {_show(boundaries_path)} does not exist")
    n_jobs = (os.cpu_count() or 1) if jobs is None else jobs
    _check_numbers(n_jobs, jobs, timeout, problems)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    nb_params = _check_notebooks(
        nb_dir, bool(codes), problems,
        {"year": year is not None, "boundaries": boundaries_path is not None})
    if problems:
        raise ParameterError("cannot render the reports: " + "; ".join(problems))
    return ReportRequest(
        geo=geo, langs=lang_tuple, province_codes=codes, all_provinces=all_provinces,
        year=year_int, jobs=int(n_jobs), out=Path(out).absolute() if out else (REPORTS_DIR / "latest").absolute(),
        boundaries=boundaries_path.absolute() if boundaries_path else None, force=bool(force),
        timeout=float(timeout), processed_dir=processed.absolute(),
        notebooks_dir=nb_dir.absolute(), data_years=data_years, build_info=build_info,
        notebook_params=nb_params)


def relative_to_cwd(path: Path | None, cwd: Path) -> str | None:
    """A path as the notebooks receive it: relative to the kernel's working folder."""
    if path is None:
        return None
    return Path(os.path.relpath(path, cwd)).as_posix()


def plan_reports(request: ReportRequest, *, cwd: Path) -> list[ReportSpec]:
    """Every report of a validated request: the national overview first, then provinces.

    Paths given to the notebooks are relative to ``cwd`` (the kernels' working folder), and
    ``processed_dir`` is passed only when it is not the default, so that no absolute local
    path ends up in an executed notebook.
    """

    common = {"geo_version": request.geo}
    optional = {
        "year": request.year,
        "boundaries": relative_to_cwd(request.boundaries, cwd),
        "processed_dir": (None if request.processed_dir == PROCESSED_DIR.absolute()
                          else relative_to_cwd(request.processed_dir, cwd)),
    }
    specs: list[ReportSpec] = []
    for lang in request.langs:
        declared = request.notebook_params.get(KIND_NATIONAL, {})
        params = {**common, "lang": lang,
                  **{k: v for k, v in optional.items() if k in declared and v is not None}}
        specs.append(ReportSpec(
            report_id=f"{lang}/national", kind=KIND_NATIONAL, lang=lang, geo=request.geo,
            province_code=None, title=t("reports.chrome.national_title", lang),
            notebook=NATIONAL_NOTEBOOK, html_path=f"{lang}/national.html",
            ipynb_path=f"{lang}/notebooks/national.ipynb", parameters=params))
    for lang in request.langs:
        declared = request.notebook_params.get(KIND_PROVINCE, {})
        for code in request.province_codes:
            slug = f"{code}-{slugify(province_name(code, request.geo, 'vi'))}"
            params = {**common, "province_code": code, "lang": lang,
                      **{k: v for k, v in optional.items() if k in declared and v is not None}}
            specs.append(ReportSpec(
                report_id=f"{lang}/provinces/{slug}", kind=KIND_PROVINCE, lang=lang,
                geo=request.geo, province_code=code,
                title=province_name(code, request.geo, lang), notebook=PROVINCE_NOTEBOOK,
                html_path=f"{lang}/provinces/{slug}.html",
                ipynb_path=f"{lang}/notebooks/province-{slug}.ipynb", parameters=params))
    return specs


def _show(path: Path) -> str:
    """A path for a message: relative to the working folder when inside it."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except ValueError:
        return Path(path).name
