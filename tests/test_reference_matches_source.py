"""The source notebook's solutions and dnn_utils.step_by_step compute the same thing."""
import pytest

from autograder.assignments import exercises
from autograder.compare import Tolerance, compare
from autograder.runner import cases_for
from notebook_tools import solution_namespace, source_notebook

# Same formulas written twice: only floating-point reassociation may differ.
SAME_MATHS = Tolerance(rtol=1e-12, atol=1e-14)
SALTS = [f"agreement-{i}" for i in range(15)]


@pytest.fixture(scope="module")
def solutions():
    return solution_namespace(source_notebook("step_by_step"))


@pytest.mark.parametrize("name", list(exercises("step_by_step")))
def test_solution_equals_reference_on_documented_and_random_cases(solutions, name):
    exercise = exercises("step_by_step")[name]
    student = solutions[name]
    assert student is not exercise.reference and student.__code__ is not exercise.reference.__code__
    checked = 0
    for salt in SALTS:
        for case in cases_for("step_by_step", exercise, salt):
            if not case.hidden and salt != SALTS[0]:
                continue
            result = compare(exercise.reference(*case.args), student(*case.args), name, SAME_MATHS)
            assert result.ok, f"{case.label} ({salt}): {result.mismatches[0].describe()}"
            checked += 1
    assert checked >= 15 * exercise.n_hidden
