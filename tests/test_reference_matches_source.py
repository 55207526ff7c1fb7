"""The source notebooks' solutions and the reference (dnn_utils.<assignment>) compute the same thing."""
from functools import lru_cache

import pytest

from autograder.assignments import ASSIGNMENT_IDS, exercises
from autograder.compare import Tolerance, compare
from autograder.trusted import cases_for
from notebook_tools import solution_namespace, source_notebook

# Same formulas written twice: only floating-point reassociation may differ. Training runs
# hundreds of steps, in which such differences can grow a little.
SAME_MATHS = {"step_by_step": Tolerance(rtol=1e-12, atol=1e-14),
              "application": Tolerance(rtol=1e-10, atol=1e-12),
              "optimization": Tolerance(rtol=1e-10, atol=1e-12)}
SALTS = [f"agreement-{i}" for i in range(15)]
GRADED = [(assignment, name) for assignment in ASSIGNMENT_IDS for name in exercises(assignment)]


@lru_cache(maxsize=None)
def solutions(assignment):
    return solution_namespace(source_notebook(assignment))


@pytest.mark.parametrize("assignment,name", GRADED, ids=[f"{a}.{n}" for a, n in GRADED])
def test_solution_equals_reference_on_documented_and_random_cases(assignment, name):
    exercise = exercises(assignment)[name]
    student = solutions(assignment)[name]
    assert student is not exercise.reference and student.__code__ is not exercise.reference.__code__
    checked = 0
    for salt in SALTS:
        for case in cases_for(assignment, exercise, salt):
            if not case.hidden and salt != SALTS[0]:
                continue
            result = compare(exercise.reference(*case.args), student(*case.args), name,
                             SAME_MATHS[assignment])
            assert result.ok, f"{case.label} ({salt}): {result.mismatches[0].describe()}"
            checked += 1
    assert checked >= 15 * exercise.n_hidden
