"""Notebooks: a parameters cell, the project kernel, stored outputs for nbval, thin code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.build.config import load_config, report_notebooks
from helpers.build.kernel import KERNEL_NAME

NOTEBOOKS = report_notebooks()  # the report notebooks; a scratch Untitled.ipynb is not one


@pytest.fixture(params=NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def notebook(request):
    return json.loads(request.param.read_text(encoding="utf-8"))


def test_there_are_notebooks():
    assert NOTEBOOKS


def test_parameters_cell_comes_first_among_code_cells(notebook):
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])


def test_runs_on_the_project_kernel(notebook):
    assert notebook["metadata"]["kernelspec"]["name"] == KERNEL_NAME


def test_outputs_are_stored_for_nbval(notebook):
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert all(c.get("execution_count") for c in code), (
        "every code cell must have been executed (`make notebooks`)"
    )
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), (
        "cells executed out of order"
    )
    assert sum(bool(c["outputs"]) for c in code) >= len(code) // 2, (
        "outputs are missing: re-run `make notebooks`"
    )


def test_no_volatile_metadata(notebook):
    for cell in notebook["cells"]:
        assert "execution" not in cell["metadata"] and "papermill" not in cell["metadata"]


def test_no_cell_errors(notebook):
    for cell in notebook["cells"]:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", "".join(cell["source"])


def test_cells_are_thin(notebook):
    """Computations live in helpers: no cell defines functions or classes, none is long."""
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert "def " not in source and "class " not in source, source
        if "parameters" in cell["metadata"].get("tags", []):
            continue  # one line per parameter, with its comment
        code = [ln for ln in source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert len(code) <= 10, source


def test_reports_yaml_names_every_notebook():
    """The project's runs file lists each notebook explicitly (defaults are for new notebooks)."""
    import yaml

    from helpers.data.paths import REPORTS_CONFIG

    listed = {Path(r["notebook"]).name for r in yaml.safe_load(REPORTS_CONFIG.read_text())["runs"]}
    assert listed == {p.name for p in NOTEBOOKS}
    assert {Path(r.notebook).name for r in load_config()} == listed
