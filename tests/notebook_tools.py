"""Reading, running and comparing the course notebooks in tests, and grading a copy of the course."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+")
# The line %%skip_when_grading prints after a long cell: its time varies from run to run.
TIMING_LINE = re.compile(r"^\(.* took [0-9.]+ s\)\n?", re.MULTILINE)
# Progress of a long training (``dnn_utils.training.print_progress`` and the line announcing it):
# shown while it runs, not part of an "Expected output" block.
PROGRESS_LINES = re.compile(r"^(training with .*:|Cost after (epoch|iteration) \d+: .*)\n?", re.MULTILINE)


def source_notebook(assignment):
    return nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def grade_cells(nb):
    """{grade_id: cell} of the cells nbgrader tracks."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def solution_namespace(nb):
    """The source notebook's setup, solutions and provided helpers, run in a fresh namespace."""
    from autograder.examples import solution_namespace as run
    return run(nb)


def execute(path, monkeypatch):
    """Run a notebook top to bottom with a real kernel, as a student would (not grading)."""
    from nbclient import NotebookClient

    from dnn_utils.training import NBGRADER_ENV, SKIP_ENV
    monkeypatch.delenv(NBGRADER_ENV, raising=False)
    monkeypatch.delenv(SKIP_ENV, raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def printed(cell):
    """What a code cell printed (its stream outputs)."""
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def expected_blocks(nb):
    """(code cell, text of the "Expected output" block right after it) for every such pair."""
    for cell, following in zip(nb.cells, nb.cells[1:]):
        if cell.cell_type == "code" and following.source.startswith("**Expected output**"):
            yield cell, following.source.split("```")[1]


def same_text(expected, actual):
    """Equal words, and numbers equal to the printed precision (last digit may differ by one)."""
    words = [NUMBER.sub("#", line.strip()) for line in expected.strip().splitlines()]
    assert words == [NUMBER.sub("#", line.strip()) for line in actual.strip().splitlines()], \
        f"expected:\n{expected}\nprinted:\n{actual}"
    for e, a in zip(NUMBER.findall(expected), NUMBER.findall(actual)):
        decimals = len(e.split(".")[1]) if "." in e and "e" not in e else 0
        tolerance = 1.01 * 10.0 ** -decimals if decimals else 0
        assert abs(float(e) - float(a)) <= max(tolerance, 1e-9 * abs(float(e))), (e, a)


def nbgrader_environment():
    """The environment of the nbgrader runs: no salt (the course's nbgrader_config.py must provide it)
    and no DNN_SKIP_TRAINING (nbgrader's own NBGRADER_EXECUTION must be enough to skip long cells)."""
    from autograder import demo
    env = demo.tool_environment()
    env.pop("DNN_GRADING_SALT", None)
    env.pop("DNN_SKIP_TRAINING", None)
    return env


def graded_course(tmp_path_factory, assignment, salt):
    """A fresh copy of the course, graded by the main job for ``assignment``: (its root, what it printed)."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "source", root / "source")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    (root / "grading_salt").write_text(salt + "\n")
    done = subprocess.run([sys.executable, "-m", "autograder.demo", "--course", str(root),
                           "--assignment", assignment],
                          capture_output=True, text=True, env=nbgrader_environment())
    assert done.returncode == 0, done.stdout + done.stderr
    return root, done.stdout


def validate(course_root, path, *flags):
    """What ``nbgrader validate`` prints about a notebook of the course."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path), *flags],
                          cwd=course_root, capture_output=True, text=True, env=nbgrader_environment())
    return done.stdout + done.stderr
