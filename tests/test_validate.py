"""nbgrader's Validate on the student's side (issue 11): what a student who has not started, or
whose answer earns nothing, is told.

A real ``nbgrader validate`` runs, as the Validate button does, in a fresh environment that holds
only the ``step_by_step`` student kit (the project is not importable there), on two copies of the
release notebook: the untouched one, and one with a right answer to ``initialize_parameters`` and
a wrong one (the bias left out) to ``linear_forward``. nbgrader calls a test cell failed when it
earns less than its points; the question is what it says about it.
"""
import re
import shutil
import subprocess

import nbformat
import pytest

from autograder.assignments import exercises
from autograder.check_text import not_started
from autograder.examples import solutions
from kit_tools import environment_without_the_project, install_kit
from notebook_tools import ROOT, source_notebook

ASSIGNMENT = "step_by_step"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
WRONG = "def linear_forward(A, W, b):\n    Z = W @ A\n    cache = (A, W, b)\n    return Z, cache\n"
FAILED = "=" * 90 + "\nThe following cell failed:\n\n"


def _answered(release, answers):
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.removesuffix("_answer") in answers and grade_id.endswith("_answer"):
            cell.source = answers[grade_id.removesuffix("_answer")]
    return nb


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """{notebook: what ``nbgrader validate`` printed} for 'untouched' and 'answered', both run in
    the kit's environment, side by side."""
    from autograder.kit import build
    root = tmp_path_factory.mktemp("validate")
    python, purelib = environment_without_the_project(root / "env")
    install_kit(build.build_wheel(ASSIGNMENT, root / "dist"), purelib)
    release = ROOT / "release" / ASSIGNMENT / NOTEBOOK
    answered = _answered(release, {"initialize_parameters": solutions(source_notebook(ASSIGNMENT))
                                   ["initialize_parameters"], "linear_forward": WRONG})
    environment = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(root), "MPLBACKEND": "Agg",
                   "OPENBLAS_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(root / "jupyter-config"),
                   "JUPYTER_DATA_DIR": str(root / "jupyter-data"), "JUPYTER_RUNTIME_DIR": str(root / "runtime")}
    runs = {}
    for name in ("untouched", "answered"):
        folder = root / name
        folder.mkdir()
        if name == "untouched":
            shutil.copy(release, folder / NOTEBOOK)
        else:
            nbformat.write(answered, folder / NOTEBOOK)
        runs[name] = subprocess.Popen([str(python), "-m", "nbgrader", "validate", NOTEBOOK], cwd=folder,
                                      env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    printed = {}
    for name, run in runs.items():
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        printed[name] = out
    return printed


def _failures(output):
    """{graded function: the error nbgrader printed for its test cell}."""
    found = {}
    for block in output.split(FAILED)[1:]:
        source, _, error = block.partition("The error was:\n\n")
        name = re.search(r"^\s*check\((\w+)\)", source, re.MULTILINE).group(1)
        found[name] = "\n".join(line.strip() for line in error.strip().splitlines())
    return found


def test_an_untouched_release_is_told_nothing_is_implemented_yet(validated):
    output = validated["untouched"]
    graded = exercises(ASSIGNMENT)
    assert f"VALIDATION FAILED ON {len(graded)} CELL(S)!" in output, output
    assert "Partial credit" not in output, output
    failures = _failures(output)
    assert set(failures) == set(graded), output
    for name, exercise in graded.items():
        assert failures[name] == not_started(exercise.number, name, exercise.points, False), failures[name]
        assert "not implemented yet" in failures[name]


def test_a_wrong_answer_is_not_called_partial_credit_and_a_right_one_passes(validated):
    output = validated["answered"]
    graded = exercises(ASSIGNMENT)
    failures = _failures(output)
    assert "Partial credit" not in output, output
    assert f"VALIDATION FAILED ON {len(graded) - 1} CELL(S)!" in output, output
    assert "initialize_parameters" not in failures
    assert failures["linear_forward"].startswith("Exercise 3, linear_forward: no visible check passed"), \
        failures["linear_forward"]
    assert "not implemented" not in failures["linear_forward"]
    untouched = set(graded) - {"initialize_parameters", "linear_forward"}
    assert all("not implemented yet" in failures[name] for name in untouched), failures
