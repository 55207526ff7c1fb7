"""Real nbgrader runs of ``optimization`` on a copy of the course: release, validate, autograde, feedback,
and the batch grader on the same submissions.

The graded runs never train on the data sets: nbgrader sets NBGRADER_EXECUTION, and every cell marked
``%%skip_when_grading`` prints that it was skipped. So this test does not need the cat data.
"""
import pytest

from autograder import demo
from autograder.assignments import exercises
from nbgrader_common import feedback_pages, skipped_cells, test_batch_grader_agrees_with_nbgrader, \
    test_committed_release_is_what_nbgrader_generates, test_release_fails_every_test_under_invert, \
    test_source_validates  # noqa: F401  (the tests are collected here, for this assignment)
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
    assert len(skipped_cells(root, ASSIGNMENT)) == 5


def test_feedback_names_the_mistakes_and_keeps_the_salt_secret(course):
    root, _ = course
    wrong = feedback_pages(root, ASSIGNMENT, SALT)["partly_wrong"]
    assert "each full mini-batch is one example short" in wrong
    assert "there is no bias correction" in wrong
