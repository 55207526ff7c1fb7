"""The optimization notebooks: their cell contract, their expected outputs, and real runs with a kernel.

The expected outputs of the exercises' examples are checked in this process with the reference in
place of the answers (no kernel, no data). The real runs need the cat data (about 25 seconds for the
source notebook, a minute for the companion); without it they are skipped with the loader's message.
"""
import contextlib
import io
import json
import re

import numpy as np
import pytest

import dnn_utils.optimization as ref
from autograder.assignments import exercises
from conftest import requires_cat_data
from dnn_utils.training import CELL_TAG
from notebook_tools import PROGRESS_LINES, ROOT, TIMING_LINE, execute, expected_blocks, grade_cells, printed, same_text, \
    source_notebook

LESSON = json.loads((ROOT / "testcases" / "data" / "optimization.json").read_text())["lesson"]
GRADED = list(exercises("optimization"))
SOURCE = ROOT / "source" / "optimization" / "optimization.ipynb"
COMPANION = ROOT / "notebooks" / "optimization_comparisons.ipynb"
DATA_WORDS = ("train_X", "test_X", "train_x", "test_x", "load_cat_data(", "moons(300")


def test_long_cells_are_tagged_and_start_with_the_magic():
    nb = source_notebook("optimization")
    tagged = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        is_tagged = CELL_TAG in cell.metadata.get("tags", [])
        tagged += is_tagged
        assert is_tagged == cell.source.startswith("%%skip_when_grading"), cell.source
        if "nbgrader" in cell.metadata:   # the setup cell imports the loader; graded cells always run
            assert not is_tagged, "graded cells always run"
            continue
        uses_data = any(word in cell.source for word in DATA_WORDS)
        assert not uses_data or is_tagged, f"a cell training on the data sets must skip when grading:\n{cell.source}"
    assert tagged == 5
    assert "%load_ext dnn_utils.training" in grade_cells(nb)["setup"].source


def test_building_blocks_are_imported_not_pasted():
    nb = source_notebook("optimization")
    defined = {name for c in nb.cells if c.cell_type == "code"
               for name in re.findall(r"^def (\w+)", c.source, re.MULTILINE)}
    # gradients_to_vector is a provided cell built on the student's own parameters_to_vector
    assert defined == set(GRADED) | {"L_model_backward_with_a_bug", "gradients_to_vector"}
    assert "from dnn_utils.step_by_step import" in grade_cells(nb)["setup"].source


def _run_cells_with_the_reference(nb):
    """Run the setup cell (without magics) and every untagged, ungraded code cell in order, with the
    reference functions standing for the answers; yield (cell, what it printed)."""
    namespace = {}
    setup = grade_cells(nb)["setup"].source
    exec("\n".join(line for line in setup.splitlines() if not line.startswith("%")), namespace)
    namespace.update({name: getattr(ref, name) for name in GRADED})
    for cell in nb.cells:
        if cell.cell_type != "code" or "nbgrader" in cell.metadata or CELL_TAG in cell.metadata.get("tags", []):
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out), np.printoptions(precision=8, suppress=True):
            exec(cell.source, namespace)
        yield cell, out.getvalue()


def test_every_example_prints_its_expected_output():
    """Each "Expected output" under an example cell is what that cell prints with the reference."""
    nb = source_notebook("optimization")
    ran = {cell.id: text for cell, text in _run_cells_with_the_reference(nb)}
    checked = 0
    for cell, block in expected_blocks(nb):
        if cell.id in ran:
            same_text(block, ran[cell.id])
            checked += 1
    assert checked == len(GRADED) + 2   # an example per exercise, the spread demo, the planted bug
    assert "with a bug: difference" in ran["planted-bug"] and "FAILED" in ran["planted-bug"]


def test_markdown_quotes_the_documented_lesson_numbers():
    blocks = {cell.id: block for cell, block in expected_blocks(source_notebook("optimization"))}
    for method, run in LESSON["initialization"]["runs"].items():
        cost = "nan" if run["final_cost"] is None else f"{run['final_cost']:.4f}"
        assert f"{method:>6}: final cost {cost}, training accuracy {run['train_accuracy']:.3f}" in blocks["init-curves"]
    for name, run in LESSON["optimizers"]["runs"].items():
        assert (f"{name:>8}: final cost {run['final_cost']:.4f}, train {run['train_accuracy']:.3f}, "
                f"test {run['test_accuracy']:.3f}") in blocks["optimizer-curves"]
    for name, run in LESSON["regularization"]["runs"].items():
        assert (f"{name:>8}: train accuracy {run['train_accuracy']:.3f}, "
                f"test accuracy {run['test_accuracy']:.3f}") in blocks["regularization-runs"]


def test_the_reference_model_prints_the_progress_lines_the_lesson_shows():
    """print_cost in the reference prints what the lesson's Adam run shows (epochs counted from 1)."""
    from testcases.optimization import lesson_moons
    block = {cell.id: b for cell, b in expected_blocks(source_notebook("optimization"))}["optimizer-curves"]
    shown = [line for line in block.strip().splitlines() if line.startswith("Cost after epoch")]
    p = LESSON["optimizers"]["protocol"]
    train_X, train_Y, _, _ = lesson_moons()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ref.model(train_X, train_Y, p["layer_dims"], "adam", p["initialization"], p["learning_rate"],
                  p["mini_batch_size"], p["num_epochs"], seed=p["seed"], print_cost=True)
    assert out.getvalue().strip().splitlines() == shown and len(shown) == 11


# -- real runs ---------------------------------------------------------------------------------

@requires_cat_data
@pytest.mark.notebook
def test_source_notebook_runs_and_prints_the_documented_numbers(monkeypatch):
    """Top to bottom with a kernel, as a student with every answer right: no error, full marks in every
    check, and every "Expected output" block (the lesson's runs on the cat data included) reproduced."""
    nb = execute(SOURCE, monkeypatch)
    assert [c.id for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))] == []
    checks = [printed(cell) for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks) == len(GRADED)
    for text, (name, exercise) in zip(checks, exercises("optimization").items()):
        assert f"Score: {exercise.points:g} of {exercise.points:g} points" in text, text
    compared = 0
    for cell, block in expected_blocks(nb):
        shown = TIMING_LINE.sub("", printed(cell))
        if not PROGRESS_LINES.search(block):   # the block quotes results only, not the progress
            shown = PROGRESS_LINES.sub("", shown)
        same_text(block, shown)
        compared += 1
    assert compared == len(GRADED) + 6   # + spread, planted bug, initialisation, optimisers, cat data, regularisation


@requires_cat_data
@pytest.mark.notebook
def test_companion_notebook_runs_and_prints_its_expected_outputs(monkeypatch):
    nb = execute(COMPANION, monkeypatch)
    assert not [c.id for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    compared = 0
    for cell, block in expected_blocks(nb):
        same_text(block.replace("(... s)", ""), re.sub(r"\(\d+\.\d s\)", "", TIMING_LINE.sub("", printed(cell))))
        compared += 1
    assert compared == 5
