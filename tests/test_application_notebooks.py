"""The application notebooks: their cell contract, and real runs top to bottom with a kernel.

The runs need the cat data and take about a minute each; without the data they are
skipped with the loader's message. The source notebook's training prints must be the
documented, deterministic numbers of ``testcases/data/application.json``, and every
"Expected output" block must match what the cell above it printed.
"""
import json
import os
import re

import nbformat
import pytest

from conftest import requires_cat_data
from dnn_utils.training import CELL_TAG, NBGRADER_ENV, SKIP_ENV
from notebook_tools import ROOT, source_notebook

DOCUMENTED = json.loads((ROOT / "testcases" / "data" / "application.json").read_text())["cat_data"]
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+")
COST_LINE = re.compile(r"^Cost after iteration (\d+): ([0-9.]+)", re.MULTILINE)
TIMING_LINE = re.compile(r"^\(.* took [0-9.]+ s\)\n?", re.MULTILINE)
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

def _execute(path, monkeypatch):
    from nbclient import NotebookClient
    monkeypatch.delenv(NBGRADER_ENV, raising=False)
    monkeypatch.delenv(SKIP_ENV, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _printed(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _same_text(expected, actual):
    """Equal words, and numbers equal to the printed precision (last digit may differ by one)."""
    words = [NUMBER.sub("#", line.strip()) for line in expected.strip().splitlines()]
    assert words == [NUMBER.sub("#", line.strip()) for line in actual.strip().splitlines()], \
        f"expected:\n{expected}\nprinted:\n{actual}"
    for e, a in zip(NUMBER.findall(expected), NUMBER.findall(actual)):
        decimals = len(e.split(".")[1]) if "." in e and "e" not in e else 0
        tolerance = 1.01 * 10.0 ** -decimals if decimals else 0
        assert abs(float(e) - float(a)) <= max(tolerance, 1e-9 * abs(float(e))), (e, a)


@requires_cat_data
@pytest.mark.notebook
def test_source_notebook_runs_and_prints_the_documented_numbers(monkeypatch):
    nb = _execute(ROOT / "source" / "application" / "application.ipynb", monkeypatch)
    cells = {cell.id: cell for cell in nb.cells}
    errors = [c.id for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert errors == []
    for cell_id, model in (("train-two-layer", "two_layer_model"), ("train-L-layer", "L_layer_model")):
        lines = COST_LINE.findall(_printed(cells[cell_id]))
        assert [int(i) for i, _ in lines] == list(range(0, 2500, 100))
        assert [float(c) for _, c in lines] == pytest.approx(DOCUMENTED[model]["costs"], abs=1e-6)
    for cell_id, model in (("accuracy-two-layer", "two_layer_model"), ("accuracy-L-layer", "L_layer_model")):
        found = [float(x) for x in re.findall(r"Accuracy: ([0-9.]+)", _printed(cells[cell_id]))]
        assert found == pytest.approx([DOCUMENTED[model]["train_accuracy"],
                                       DOCUMENTED[model]["test_accuracy"]], abs=1e-4)
    for i, cell in enumerate(nb.cells[:-1]):
        following = nb.cells[i + 1]
        if cell.cell_type == "code" and following.source.startswith("**Expected output**"):
            block = following.source.split("```")[1]
            _same_text(block, TIMING_LINE.sub("", _printed(cell)))
    assert "No file 'my_image.jpg'" in _printed(cells["own-image"]), "a missing picture is explained"


@requires_cat_data
@pytest.mark.notebook
def test_explorations_notebook_runs_end_to_end(monkeypatch):
    nb = _execute(ROOT / "notebooks" / "application_explorations.ipynb", monkeypatch)
    printed = "\n".join(_printed(c) for c in nb.cells if c.cell_type == "code")
    assert not [c for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert printed.count("final cost") == 6
    assert "hidden layer 2: 0 of 7 units active" in printed
