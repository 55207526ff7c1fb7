"""Real nbgrader runs of ``application`` on a copy of the course: release, validate, autograde, feedback.

The graded runs never train on the cat data: nbgrader sets NBGRADER_EXECUTION, and every
cell marked ``%%skip_when_grading`` prints that it was skipped. So this test does not need
the data set, and grading a submission takes seconds.
"""
import nbformat
import pytest

from autograder import demo
from autograder.assignments import exercises
from dnn_utils.training import CELL_TAG
from nbgrader_common import test_batch_grader_agrees_with_nbgrader, \
    test_committed_release_is_what_nbgrader_generates, test_release_fails_every_test_under_invert, \
    test_source_validates  # noqa: F401  (collected here, for this assignment)
from notebook_tools import graded_course

pytestmark = pytest.mark.nbgrader
ASSIGNMENT = "application"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SALT = "e2e-salt-application-5d1e"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh course directory graded by the main job for this assignment."""
    return graded_course(tmp_path_factory, ASSIGNMENT, SALT)


def test_release_hides_solutions_and_hidden_tests(course):
    root, _ = course
    text = (root / "release" / ASSIGNMENT / NOTEBOOK).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "hidden=True" not in text and text.count("raise NotImplementedError()") == 2


def test_autograde_scores(course):
    root, report = course
    scores = demo.read_scores(root, ASSIGNMENT)
    full = {name: e.points for name, e in exercises(ASSIGNMENT).items()}
    assert scores["correct"] == full
    assert scores["alternative"] == full
    assert scores["untouched"] == {name: 0 for name in full}
    assert scores["partly_wrong"] == dict(full, L_layer_model=0)
    assert "partly_wrong" in report and "50/100" in report


def test_graded_runs_skip_the_long_cells_and_nothing_else(course):
    root, _ = course
    nb = nbformat.read(root / "autograded" / "correct" / ASSIGNMENT / NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if CELL_TAG in c.metadata.get("tags", [])]
    assert len(tagged) >= 8
    for cell in tagged:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert text.startswith("Skipped ") and "NBGRADER_EXECUTION=autograde" in text, cell.source
        assert "Cost after iteration" not in text
    errors = [c.source for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == [], "a correct submission runs without errors when graded"


def test_feedback_names_the_mistake_and_keeps_the_salt_secret(course):
    root, _ = course
    for student in demo.STUDENTS:
        html = (root / "feedback" / student / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
        assert html.startswith("<!DOCTYPE html>") and SALT not in html
    wrong = (root / "feedback" / "partly_wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "the weights are multiplied by 0.01" in wrong

