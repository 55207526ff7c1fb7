"""Notebooks in git are clean, and the source notebook follows the exercise contract."""
import re
import subprocess

import nbformat
import pytest

from autograder.assignments import ASSIGNMENT_IDS, exercises
from notebook_tools import ROOT, grade_cells, source_notebook

TRACKED = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
ABSOLUTE = re.compile(r"(?<![\w.])(/home/|/work/|/tmp/|/Users/|[A-Z]:\\\\)")


@pytest.mark.parametrize("path", TRACKED)
def test_committed_notebooks_have_no_outputs_counts_or_absolute_paths(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path}: cell {cell.id}"
        assert not ABSOLUTE.search(cell.source), f"{path}: absolute path in cell {cell.id}"


def test_there_are_notebooks_to_check():
    assert "source/step_by_step/step_by_step.ipynb" in TRACKED
    assert "release/step_by_step/step_by_step.ipynb" in TRACKED


@pytest.mark.parametrize("assignment", ASSIGNMENT_IDS)
def test_each_exercise_has_answer_and_test_cells_under_one_grade_id(assignment):
    cells = grade_cells(source_notebook(assignment))
    graded = {grade_id: c for grade_id, c in cells.items() if c.metadata["nbgrader"].get("grade")}
    assert list(graded) == list(exercises(assignment)), "test cells follow the notebook order"
    for name, exercise in exercises(assignment).items():
        test = graded[name]
        assert test.metadata["nbgrader"]["points"] == exercise.points
        assert test.metadata["nbgrader"]["locked"] is True
        lines = test.source.splitlines()
        assert lines[0].startswith("# Checks ") and f"check({name})" in lines
        hidden = test.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        assert f"check({name}, hidden=True)" in hidden
        answer = cells[f"{name}_answer"]
        assert answer.metadata["nbgrader"]["solution"] is True
        before_solution = answer.source.split("### BEGIN SOLUTION")[0]
        assert f"def {name}(" in before_solution and '"""' in before_solution, \
            "signature and docstring stay visible to students"
