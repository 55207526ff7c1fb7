"""The application notebooks: their cell contract, and real runs top to bottom with a kernel.

The runs need the cat data and take about a minute each; without the data they are
skipped with the loader's message. The source notebook's training prints must be the
documented, deterministic numbers of ``testcases/data/application.json``, and every
"Expected output" block must match what the cell above it printed.
"""
import json
import re

import nbformat
import pytest

from conftest import requires_cat_data
from dnn_utils.training import CELL_TAG
from notebook_tools import ROOT, TIMING_LINE, execute, expected_blocks, printed, same_text, source_notebook

DOCUMENTED = json.loads((ROOT / "testcases" / "data" / "application.json").read_text())["cat_data"]
COST_LINE = re.compile(r"^Cost after iteration (\d+): ([0-9.]+)", re.MULTILINE)
NOTEBOOKS = [ROOT / "source" / "application" / "application.ipynb",
             ROOT / "release" / "application" / "application.ipynb",
             ROOT / "notebooks" / "application_explorations.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_notebooks_are_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
        assert "/work/" not in cell.source and "/tmp/" not in cell.source and "/home/" not in cell.source


def test_long_cells_are_tagged_and_start_with_the_magic():
    nb = source_notebook("application")
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tagged = CELL_TAG in cell.metadata.get("tags", [])
        magic = cell.source.startswith("%%skip_when_grading")
        assert tagged == magic, cell.source
        uses_data = any(word in cell.source for word in ("train_x", "test_x", "parameters_L", "costs_2"))
        assert not uses_data or tagged, f"a cell using the cat data must skip when grading:\n{cell.source}"
        if "nbgrader" in cell.metadata:
            assert not tagged, "graded cells always run"
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    assert "%load_ext dnn_utils.training" in setup.source


def test_building_blocks_are_imported_not_pasted():
    nb = source_notebook("application")
    defined = {name for c in nb.cells if c.cell_type == "code"
               for name in re.findall(r"^def (\w+)", c.source, re.MULTILINE)}
    assert defined == {"two_layer_model", "L_layer_model"}
    assert "from dnn_utils.step_by_step import" in nb.cells[1].source


def test_markdown_states_the_documented_numbers():
    text = "\n".join(c.source for c in source_notebook("application").cells if c.cell_type == "markdown")
    for model in ("two_layer_model", "L_layer_model"):
        for k, cost in enumerate(DOCUMENTED[model]["costs"]):
            assert f"Cost after iteration {100 * k}: {cost:.6f}" in text, (model, k)
        assert f"training set: Accuracy: {DOCUMENTED[model]['train_accuracy']:.4f}" in text
        assert f"test set:     Accuracy: {DOCUMENTED[model]['test_accuracy']:.4f}" in text
    assert f"mislabeled test pictures: {DOCUMENTED['L_layer_model']['mislabeled_test_images']}" in text


# -- real runs ---------------------------------------------------------------------------------

@requires_cat_data
@pytest.mark.notebook
def test_source_notebook_runs_and_prints_the_documented_numbers(monkeypatch):
    nb = execute(ROOT / "source" / "application" / "application.ipynb", monkeypatch)
    cells = {cell.id: cell for cell in nb.cells}
    errors = [c.id for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert errors == []
    for cell_id, model in (("train-two-layer", "two_layer_model"), ("train-L-layer", "L_layer_model")):
        lines = COST_LINE.findall(printed(cells[cell_id]))
        assert [int(i) for i, _ in lines] == list(range(0, 2500, 100))
        assert [float(c) for _, c in lines] == pytest.approx(DOCUMENTED[model]["costs"], abs=1e-6)
    for cell_id, model in (("accuracy-two-layer", "two_layer_model"), ("accuracy-L-layer", "L_layer_model")):
        found = [float(x) for x in re.findall(r"Accuracy: ([0-9.]+)", printed(cells[cell_id]))]
        assert found == pytest.approx([DOCUMENTED[model]["train_accuracy"],
                                       DOCUMENTED[model]["test_accuracy"]], abs=1e-4)
    for cell, block in expected_blocks(nb):
        same_text(block, TIMING_LINE.sub("", printed(cell)))
    assert "No file 'my_image.jpg'" in printed(cells["own-image"]), "a missing picture is explained"


@requires_cat_data
@pytest.mark.notebook
def test_explorations_notebook_runs_end_to_end(monkeypatch):
    nb = execute(ROOT / "notebooks" / "application_explorations.ipynb", monkeypatch)
    text = "\n".join(printed(c) for c in nb.cells if c.cell_type == "code")
    assert not [c for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert text.count("final cost") == 6
    assert "hidden layer 2: 0 of 7 units active" in text
