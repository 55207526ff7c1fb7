"""Real nbgrader runs of ``optimization`` on a copy of the course: release, validate, autograde, feedback,
and the batch grader on the same submissions.

The graded runs never train on the data sets: nbgrader sets NBGRADER_EXECUTION, and every cell marked
``%%skip_when_grading`` prints that it was skipped. So this test does not need the cat data.
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
ASSIGNMENT = "optimization"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SALT = "e2e-salt-optimization-a41c"
FULL = {name: e.points for name, e in exercises(ASSIGNMENT).items()}
WRONG = dict(FULL, random_mini_batches=0, update_parameters_with_adam=0)   # the catalogued mistakes pasted in


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh course directory graded by the main job for this assignment."""
    return graded_course(tmp_path_factory, ASSIGNMENT, SALT)


def test_release_hides_solutions_and_hidden_tests(course):
    root, _ = course
    text = (root / "release" / ASSIGNMENT / NOTEBOOK).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "hidden=True" not in text and text.count("raise NotImplementedError()") == len(FULL)


def test_autograde_scores(course):
    root, report = course
    scores = demo.read_scores(root, ASSIGNMENT)
    assert scores["correct"] == FULL
    assert scores["alternative"] == FULL
    assert scores["untouched"] == {name: 0 for name in FULL}
    assert scores["partly_wrong"] == WRONG
    assert "partly_wrong" in report and "80/100" in report


def test_graded_runs_skip_the_long_cells_and_nothing_else(course):
    root, _ = course
    nb = nbformat.read(root / "autograded" / "correct" / ASSIGNMENT / NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if CELL_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 5
    for cell in tagged:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        assert text.startswith("Skipped ") and "NBGRADER_EXECUTION=autograde" in text, cell.source
    errors = [c.source for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == [], "a correct submission runs without errors when graded"


def test_feedback_names_the_mistakes_and_keeps_the_salt_secret(course):
    root, _ = course
    for student in demo.STUDENTS:
        html = (root / "feedback" / student / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")).read_text()
        assert html.startswith("<!DOCTYPE html>") and SALT not in html
    wrong = (root / "feedback" / "partly_wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "each full mini-batch is one example short" in wrong
    assert "there is no bias correction" in wrong

