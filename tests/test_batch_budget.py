"""A submission has one time budget for all its cells and calls: past it, the rest fails with that
reason, the honest neighbour in the same batch keeps its score, and the summary states the budget."""
import os

import nbformat
import pytest

from batch_tools import base_notebooks, grade, points, write

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="full isolation needs root (as on CI)")
ASSIGNMENT = "step_by_step"
BUDGET = 6


def test_cells_just_under_the_cell_limit_use_up_the_budget_and_nothing_more(tmp_path):
    bases = base_notebooks(ASSIGNMENT)
    slow = nbformat.from_dict(bases["correct"])
    for _ in range(30):   # each cell stays under the cell limit; together they would take 45 s
        slow.cells.insert(2, nbformat.v4.new_code_cell("import time\ntime.sleep(1.5)"))
    write(tmp_path / "submitted", "honest", ASSIGNMENT, bases["correct"])
    write(tmp_path / "submitted", "slow_cells", ASSIGNMENT, slow)
    found, done = grade([tmp_path / "submitted"], ASSIGNMENT, tmp_path / "out" / "results.sqlite",
                        "--cell-timeout", "2", "--submission-timeout", str(BUDGET), "--workers", "2")
    assert found["honest"]["score"] == 100
    slow_result = found["slow_cells"]
    assert slow_result["status"] == "graded" and slow_result["score"] == 0
    messages = " ".join(e["message"] for e in slow_result["exercises"])
    assert f"used up the submission's time budget of {BUDGET:g} s" in messages, messages
    assert set(points(slow_result).values()) == {0.0}
    assert f"time budget per submission: {BUDGET:g} s" in done.stderr
