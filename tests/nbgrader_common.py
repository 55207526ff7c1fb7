"""The end-to-end tests every assignment shares, run on its graded course, and helpers for the others.

Each ``test_nbgrader*.py`` / ``test_*_nbgrader.py`` file imports the tests, so pytest collects them
there, once per assignment, with that module's ``course`` fixture; they read the assignment's id from
the module's ``ASSIGNMENT``.
"""
import nbformat

from autograder import demo
from dnn_utils.training import CELL_TAG

from batch_tools import assert_agrees_with_nbgrader
from notebook_tools import ROOT, nbgrader_environment, validate


def _notebook(request, folder, root=ROOT):
    assignment = request.module.ASSIGNMENT
    return root / folder / assignment / f"{assignment}.ipynb"


def test_committed_release_is_what_nbgrader_generates(course, request):
    root, _ = course
    generated = nbformat.read(_notebook(request, "release", root), as_version=4)
    committed = nbformat.read(_notebook(request, "release"), as_version=4)
    assert nbformat.writes(generated) == nbformat.writes(committed), \
        f"release/ is stale: run `nbgrader generate_assignment {request.module.ASSIGNMENT} --force` and commit it"


def test_source_validates(course, request):
    root, _ = course
    output = validate(root, _notebook(request, "source", root))
    assert "Success! Your notebook passes all the tests." in output, output


def test_release_fails_every_test_under_invert(course, request):
    root, _ = course
    output = validate(root, _notebook(request, "release", root), "--invert")
    assert "Success! The notebook does not pass any tests." in output, output


def test_batch_grader_agrees_with_nbgrader(course, request):
    root, _ = course
    found = assert_agrees_with_nbgrader(root, request.module.ASSIGNMENT, nbgrader_environment())
    assert {r["status"] for r in found.values()} == {"graded"}


def skipped_cells(root, assignment):
    """The long cells of the correct submission as autograded: each must say it was skipped, and the
    notebook must have run without an error. Returns the texts they printed."""
    nb = nbformat.read(root / "autograded" / "correct" / assignment / f"{assignment}.ipynb", as_version=4)
    texts = []
    for cell in nb.cells:
        if CELL_TAG in cell.metadata.get("tags", []):
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert text.startswith("Skipped ") and "NBGRADER_EXECUTION=autograde" in text, cell.source
            texts.append(text)
    errors = [c.source for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == [], "a correct submission runs without errors when graded"
    return texts


def feedback_pages(root, assignment, salt):
    """{student: feedback HTML} of every example student; each is HTML and never shows the salt."""
    pages = {}
    for student in demo.STUDENTS:
        html = (root / "feedback" / student / assignment / f"{assignment}.html").read_text()
        assert html.startswith("<!DOCTYPE html>") and salt not in html
        pages[student] = html
    return pages
