"""check() on every graded function of every assignment: what holds for all of them.

Right answers in any style earn full marks, the library's own reference earns
nothing, every catalogued mistake loses points and is named, and cases and
results are plain data (the batch grader sends them through JSON and
``np.save(allow_pickle=False)``). What is particular to one assignment stays
in its own ``test_*checks.py``.
"""
import importlib
import io
import json

import numpy as np
import pytest

from autograder.assignments import ASSIGNMENT_IDS, exercises
from autograder.examples import ALTERNATIVE_MODULES
from autograder.trusted import cases_for
from conftest import TEST_SALT, as_student, own_copy, run_check

FUNCTIONS = [(a, name) for a in ASSIGNMENT_IDS for name in exercises(a)]
MISTAKES = [(a, name, m) for a, name in FUNCTIONS for m in exercises(a)[name].mistakes]
# Mistakes whose outputs are right: they are caught by another stage than the output.
CAUGHT_BY_INPUT_CHECK = {"update_parameters_in_place", "update_parameters_with_momentum_in_place"}
# Assignments whose every mistake already shows in a documented example, before submitting.
VISIBLE_CATCHES_ALL = ("application", "optimization")
ALTERNATIVES = [importlib.import_module(f"autograder.examples.{m}") for m in ALTERNATIVE_MODULES]


def _exercise(assignment, name):
    return exercises(assignment)[name]


def _reference(assignment, name):
    return importlib.import_module(f"dnn_utils.{assignment}").__dict__[name]


@pytest.mark.parametrize("assignment,name", FUNCTIONS)
def test_the_same_code_as_the_reference_earns_full_marks(assignment, name):
    points, report = run_check(own_copy(_reference(assignment, name)))
    assert points == _exercise(assignment, name).points, report
    assert "hidden cases: 4 of 4 passed" in report


@pytest.mark.parametrize("assignment,name", FUNCTIONS)
def test_alternative_style_earns_full_marks(assignment, name, capsys):
    alternative = next(getattr(m, name) for m in ALTERNATIVES if hasattr(m, name))
    points, report = run_check(alternative)
    assert points == _exercise(assignment, name).points, report
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("assignment,name", FUNCTIONS)
def test_the_reference_itself_earns_nothing(assignment, name):
    points, report = run_check(_reference(assignment, name))
    assert points == 0 and "the library's reference" in report


@pytest.mark.parametrize("assignment,exercise,mistake", MISTAKES, ids=[m.name for _, _, m in MISTAKES])
def test_each_catalogued_mistake_loses_points_and_is_named(assignment, exercise, mistake):
    points, report = run_check(as_student(mistake.variant, exercise))
    assert points < _exercise(assignment, exercise).points, report
    if mistake.name in CAUGHT_BY_INPUT_CHECK:
        assert "[inputs]" in report and "changed by the call" in report
    else:
        assert f"Likely mistake: {mistake.message}" in report, report


VISIBLE = [(a, e, m) for a, e, m in MISTAKES if a in VISIBLE_CATCHES_ALL]


@pytest.mark.parametrize("assignment,exercise,mistake", VISIBLE, ids=[m.name for _, _, m in VISIBLE])
def test_each_mistake_is_caught_by_a_visible_check(assignment, exercise, mistake):
    """A student sees the mistake before submitting: some documented example already fails."""
    points, report = run_check(as_student(mistake.variant, exercise), hidden=False)
    assert points < _exercise(assignment, exercise).points, report


ALLOWED_SCALARS = (bool, int, float, str, type(None), np.integer, np.floating, np.bool_)


def _assert_plain(value, where):
    """Only arrays (not of objects), numbers, strings, bools, None and lists, tuples, dicts of them."""
    if isinstance(value, np.ndarray):
        assert value.dtype != object, where
        np.save(io.BytesIO(), value, allow_pickle=False)
    elif isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), where
            _assert_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _assert_plain(item, f"{where}[{i}]")
    else:
        assert isinstance(value, ALLOWED_SCALARS), f"{where}: {type(value).__name__}"
        if not isinstance(value, (np.integer, np.floating, np.bool_)):
            json.dumps(value)


@pytest.mark.parametrize("assignment,name", FUNCTIONS)
def test_arguments_and_results_are_plain_data(assignment, name):
    """The batch grader sends arguments and results through JSON and np.save(allow_pickle=False)."""
    exercise = _exercise(assignment, name)
    for case in cases_for(assignment, exercise, TEST_SALT):
        _assert_plain(case.args, f"{name} {case.label} args")
        _assert_plain(exercise.reference(*case.args), f"{name} {case.label} result")
