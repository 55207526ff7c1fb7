"""The instructor's side of checking: cases from the salt, expected outputs from the reference.

Everything here needs something a student must never hold: the reference
implementation, the hidden-case generators, the mistake catalogue as code, or
the grading salt. The instructor's ``check`` (source notebooks, ``nbgrader
autograde``), the batch grader and the student-kit builder use it; the kit
itself never contains it.
"""
import copy
import warnings

import numpy as np

from autograder.assignments.labels import hidden_label
from autograder.compare import paired_leaves, same
from autograder.exercise import Case
from autograder.runner import ExerciseResult, diagnose, fixed_global_random_state, judge, observe, \
    score, visible_warnings
from autograder.salt import case_rng


def cases_for(assignment, exercise, salt=None):
    """The visible cases, then ``exercise.n_hidden`` hidden ones drawn from the assignment's salt.

    ``salt`` is this assignment's salt (``autograder.salt.grading_salt(assignment)``, derived
    from the course's secret), so one assignment's cases reveal nothing of another's.
    """
    found = list(exercise.visible())
    if salt is not None:
        for index in range(exercise.n_hidden):
            args = exercise.hidden(case_rng(salt, exercise.name, index), index)
            found.append(Case(hidden_label(exercise, index), args, hidden=True))
    return found


def expected_output(exercise, case):
    """The reference's output on a case (it may draw from NumPy's global generator: kept)."""
    with fixed_global_random_state():
        return exercise.reference(*copy.deepcopy(case.args))


def mistake_output(mistake, case):
    """(ran, output) of a catalogued mistake on a case; a variant that cannot run is not this mistake."""
    try:
        with warnings.catch_warnings(), fixed_global_random_state():
            warnings.simplefilter("ignore")
            return True, mistake.variant(*copy.deepcopy(case.args))
    except Exception:  # a variant that cannot run on these inputs is simply not this mistake
        return False, None


def answers_a_documented_example(exercise, case, output):
    """True when every returned quantity that is wrong on this case equals a documented example's
    value (which differs from this case's beyond the tolerance), and not all of those values are
    whole numbers (0 or 1 can be reached by many wrong answers; a documented example's fractions
    cannot)."""
    expected = expected_output(exercise, case)
    if isinstance(exercise.outputs, str):
        output, expected = (output,), (expected,)
    elif not isinstance(output, (tuple, list)) or len(output) != len(exercise.outputs):
        return False
    for example in exercise.visible():
        documented = expected_output(exercise, example)
        if isinstance(exercise.outputs, str):
            documented = (documented,)
        wrong = [(got, doc) for got, doc, exp in zip(output, documented, expected)
                 if not same(exp, got, exercise.tolerance)]
        if wrong and all(same(doc, got, exercise.tolerance) for got, doc in wrong) \
                and not all(_whole_numbers(doc) for _, doc in wrong):
            return True
    return False


def _whole_numbers(value):
    leaves = [np.asarray(leaf, dtype=float) for _, leaf, _ in paired_leaves(value, value, "value")]
    return all(np.all(leaf == np.round(leaf)) for leaf in leaves)


def run_exercise(func, assignment, exercise, salt=None):
    """Observe and judge ``func`` on every case of ``exercise`` in this process.

    The other graded functions ``func`` may call are the reference's while it runs, and a
    function that is, or only calls, the reference earns nothing. Visible cases are observed
    before the hidden ones are drawn. NumPy's global random state is the same afterwards.
    """
    from autograder.assignments import references
    refs = references(assignment)
    with _kept_random_state():
        visible = cases_for(assignment, exercise)
        hidden = cases_for(assignment, exercise, salt)[len(visible):] if salt is not None else []
        observations = []
        for case in visible + hidden:   # the hidden cases are drawn after the visible ones ran
            observations.append(observe(func, case, refs, exercise.uses, exercise.reference.__code__))
        cases = visible + hidden
        verdicts = [judge(exercise, case, obs, expected_output(exercise, case))
                    for case, obs in zip(cases, observations)]
        results = diagnose(exercise, exercise.mistakes, cases, observations, verdicts,
                           lambda mistake, i: mistake_output(mistake, cases[i]),
                           lambda i, output: answers_a_documented_example(exercise, cases[i], output))
    delegated = any(o.delegated for o in observations)
    return ExerciseResult(exercise.name, score(exercise.points, results, delegated), exercise.points,
                          tuple(results), delegated, visible_warnings(cases, observations))


class _kept_random_state:
    def __enter__(self):
        self.saved = np.random.get_state()

    def __exit__(self, *exc):
        np.random.set_state(self.saved)
