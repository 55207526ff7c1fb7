"""Real nbgrader runs on a copy of the course: release, validate, autograde, feedback."""
import pytest

from autograder import demo
from autograder.assignments import exercises
from nbgrader_common import test_batch_grader_agrees_with_nbgrader, \
    test_committed_release_is_what_nbgrader_generates, test_release_fails_every_test_under_invert, \
    test_source_validates  # noqa: F401  (collected here, for this assignment)
from notebook_tools import graded_course

pytestmark = pytest.mark.nbgrader
ASSIGNMENT = "step_by_step"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A fresh course directory graded by the main job, as an instructor would run it."""
    return graded_course(tmp_path_factory, ASSIGNMENT, "e2e-salt-91c2")


def test_release_hides_solutions_and_hidden_tests(course):
    root, _ = course
    text = (root / "release" / ASSIGNMENT / NOTEBOOK).read_text()
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "hidden=True" not in text and "raise NotImplementedError()" in text


def test_autograde_scores(course):
    root, report = course
    scores = demo.read_scores(root, ASSIGNMENT)
    full = {name: e.points for name, e in exercises(ASSIGNMENT).items()}
    assert scores["correct"] == full
    assert scores["alternative"] == full
    assert scores["untouched"] == {name: 0 for name in full}
    wrong = dict(full, linear_backward=0, update_parameters=0)
    assert scores["partly_wrong"] == wrong
    assert "partly_wrong" in report and "80/100" in report


def test_feedback_is_html_and_keeps_the_salt_secret(course):
    root, _ = course
    for student in demo.STUDENTS:
        html = (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert html.startswith("<!DOCTYPE html>") and "e2e-salt-91c2" not in html
    wrong = (root / "feedback" / "partly_wrong" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "dW and db are not divided by m" in wrong

