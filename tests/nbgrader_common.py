"""The end-to-end tests every assignment shares, run on its graded course.

Each ``test_nbgrader*.py`` / ``test_*_nbgrader.py`` file imports them, so pytest collects them there,
once per assignment, with that module's ``course`` fixture; they read the assignment's id from the
module's ``ASSIGNMENT``.
"""
import nbformat

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
