"""Real nbgrader runs of ``application`` on a copy of the course: release, validate, autograde, feedback.

The graded runs never train on the cat data: nbgrader sets NBGRADER_EXECUTION, and every
cell marked ``%%skip_when_grading`` prints that it was skipped. So this test does not need
the data set, and grading a submission takes seconds.
"""
import pytest

from autograder import demo
from autograder.assignments import exercises
from nbgrader_common import feedback_pages, skipped_cells, test_batch_grader_agrees_with_nbgrader, \
    test_committed_release_is_what_nbgrader_generates, test_release_fails_every_test_under_invert, \
    test_source_validates  # noqa: F401  (the tests are collected here, for this assignment)
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
    texts = skipped_cells(root, ASSIGNMENT)
    assert len(texts) >= 8
    assert not any("Cost after iteration" in text for text in texts)


def test_feedback_names_the_mistake_and_keeps_the_salt_secret(course):
    root, _ = course
    assert "the weights are multiplied by 0.01" in feedback_pages(root, ASSIGNMENT, SALT)["partly_wrong"]
