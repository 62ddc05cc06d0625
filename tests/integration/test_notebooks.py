"""The report notebooks: parameters, no logic, and a run on their defaults (papermill)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import jupytext
import pytest

from tests.fakes import make_fake_processed

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED_PARAMETERS = {
    "province_report": {"province_code": "01", "geo_version": "vn34", "lang": "vi",
                        "year": None, "boundaries": None, "processed_dir": None},
    "national_overview": {"geo_version": "vn34", "lang": "vi", "year": None,
                          "boundaries": None, "processed_dir": None},
    "indicator_explorer": {"indicator": "rural_hh_clean_water_pct", "year": None,
                           "geo_version": "vn34", "lang": "vi", "boundaries": None,
                           "processed_dir": None},
}
PLOTLY = "application/vnd.plotly.v1+json"


def _code_cells(name: str) -> list:
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_first_code_cell_is_the_parameters_cell(name: str) -> None:
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    assert nb.metadata["kernelspec"]["name"] == "python3"
    first = _code_cells(name)[0]
    assert "parameters" in first.metadata.get("tags", [])
    values = {}
    for node in ast.parse(first.source).body:
        assert isinstance(node, ast.Assign), "only assignments in the parameters cell"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == EXPECTED_PARAMETERS[name]
    for line in first.source.splitlines():  # papermill trap: "=" inside a comment
        assert "#" not in line, line


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_notebooks_hold_no_logic(name: str) -> None:
    for cell in _code_cells(name):
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef |
                                  ast.Lambda | ast.For | ast.While), ast.dump(node)[:80]
            if isinstance(node, ast.ImportFrom):
                assert node.module and node.module.startswith("analysis"), node.module
            if isinstance(node, ast.Import):
                assert all(a.name.startswith("analysis") for a in node.names)


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_fake_processed(tmp_path_factory.mktemp("processed"))


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMETERS))
def test_notebook_runs_on_its_defaults(name: str, lang: str, processed: Path) -> None:
    import papermill as pm

    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    done = pm.execute_notebook(nb, None, parameters={"processed_dir": str(processed),
                                                     "lang": lang},
                               kernel_name="python3", cwd=str(ROOT), progress_bar=False)
    outputs = _outputs(done)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    figures = [o for o in outputs if PLOTLY in o.get("data", {})]
    assert len(figures) >= 3
    html = "".join("".join(o["data"]["text/html"]) for o in outputs
                   if "text/html" in o.get("data", {}))
    assert str(processed) not in html and str(processed) not in json.dumps(
        [f["data"][PLOTLY] for f in figures])
    banner = "DỮ LIỆU GIẢ LẬP – chỉ minh họa" if lang == "vi" else \
        "SYNTHETIC DATA – illustrative only"
    assert banner in html
    assert "Tải số liệu của biểu đồ" in html if lang == "vi" else \
        "Download the chart&#x27;s data" in html
    for figure in figures:
        types = {tr.get("type", "scatter") for tr in figure["data"][PLOTLY]["data"]}
        assert types <= {"scatter", "bar", "heatmap", "box", "histogram", "pie"}
        assert "http" not in json.dumps(figure["data"][PLOTLY])
