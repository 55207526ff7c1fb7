"""check() on ``step_by_step``: reports, delegation, partial credit, hidden cases and salts.

What holds for every graded function of every assignment is in ``test_every_check.py``."""
import re
import sys
import warnings

import numpy as np
import pytest

import dnn_utils.step_by_step as ref
from autograder import check
from autograder.assignments import exercises
from autograder.examples import alternative_style
from autograder.mistakes import CATALOGUE
from autograder.trusted import cases_for
from autograder.salt import ENV, SaltMissing
from conftest import TEST_SALT, as_student, run_check

EXERCISES = exercises("step_by_step")


def test_every_exercise_has_a_mistake_catalogue():
    assert all(len(CATALOGUE[name]) >= 2 for name in EXERCISES)


def test_visible_check_reports_expected_next_to_actual_and_matched_quantities():
    points, report = run_check(as_student(CATALOGUE["linear_backward"][0].variant, "linear_backward"), hidden=False)
    assert points == 0
    assert "dW: value differs" in report and "expected: array of shape (3, 5)" in report
    assert "matched: dA_prev" in report
    assert "Hidden cases with other shapes and seeds run when your work is graded." in report


def test_a_wrapper_around_the_reference_earns_nothing():
    def compute_cost(AL, Y):
        cost = ref.compute_cost(AL, Y)
        return cost
    points, report = run_check(compute_cost)
    assert points == 0 and "the library's reference" in report


def test_calling_the_reference_of_another_exercise_is_allowed():
    def L_model_forward(X, parameters):
        L = len(parameters) // 2
        A, caches = X, []
        for l in range(1, L + 1):
            A, cache = ref.linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                                     "sigmoid" if l == L else "relu")
            caches.append(cache)
        return A, caches
    assert run_check(L_model_forward)[0] == EXERCISES["L_model_forward"].points


def test_hard_coded_output_passes_visible_and_fails_hidden_with_a_name():
    def linear_forward(A, W, b):
        return np.array([[3.26295337, -1.23429987]]), (A, W, b)
    visible, _ = run_check(linear_forward, hidden=False)
    graded, report = run_check(linear_forward)
    assert visible == EXERCISES["linear_forward"].points
    assert graded == pytest.approx(5 * 1 / 5)
    assert "hard-coded" in report


def test_a_forward_pass_written_for_exactly_two_hidden_layers_fails_hidden_cases():
    def L_model_forward(X, parameters):
        caches = []
        A1, c = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        caches.append(c)
        A2, c = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "relu")
        caches.append(c)
        AL, c = linear_activation_forward(A2, parameters["W3"], parameters["b3"], "sigmoid")
        caches.append(c)
        return AL, caches
    globals()["linear_activation_forward"] = ref.linear_activation_forward
    assert run_check(L_model_forward, hidden=False)[0] == 15
    points, report = run_check(L_model_forward)
    assert points < 15 and "hidden cases: 0 of 4 passed" in report


def test_one_mistake_costs_one_exercise():
    """A wrong linear_forward in the student's namespace does not spoil L_model_forward."""
    namespace = {"np": np}
    exec("def linear_forward(A, W, b):\n    return W @ A, (A, W, b)\n", namespace)
    exec("def linear_activation_forward(A_prev, W, b, activation):\n"
         "    Z, lc = linear_forward(A_prev, W, b)\n"
         "    A = 1 / (1 + np.exp(-Z)) if activation == 'sigmoid' else np.maximum(0, Z)\n"
         "    return A, (lc, Z)\n", namespace)
    exec(re.sub(r"^def \w+", "def L_model_forward",
                "def f(X, parameters):\n    L = len(parameters) // 2\n    A, caches = X, []\n"
                "    for l in range(1, L + 1):\n"
                "        A, c = linear_activation_forward(A, parameters[f'W{l}'], parameters[f'b{l}'],"
                " 'sigmoid' if l == L else 'relu')\n        caches.append(c)\n    return A, caches\n"),
         namespace)
    assert run_check(namespace["linear_forward"])[0] == 0
    assert run_check(namespace["linear_activation_forward"])[0] == 10
    assert run_check(namespace["L_model_forward"])[0] == 15
    assert namespace["linear_forward"].__module__ is None or "linear_forward" in namespace
    assert run_check(namespace["linear_forward"])[0] == 0, "the student's own function is restored afterwards"


@pytest.mark.parametrize("kind", ["python float", "numpy float", "0-d array"])
def test_a_scalar_cost_is_accepted_in_any_scalar_type(kind):
    convert = {"python float": float, "numpy float": np.float64, "0-d array": np.array}[kind]

    def compute_cost(AL, Y):
        return convert(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))
    assert run_check(compute_cost)[0] == 10


def test_a_cost_of_shape_1_1_is_not_a_scalar():
    def compute_cost(AL, Y):
        return -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), keepdims=True)
    points, report = run_check(compute_cost, hidden=False)
    assert points == 0 and "array of shape (1, 1)" in report and "np.squeeze" in report


def test_partial_credit_counts_cases_passed():
    def linear_activation_forward(A_prev, W, b, activation):
        Z = W @ A_prev + b
        return np.maximum(0, Z), ((A_prev, W, b), Z)   # right for relu only
    points, report = run_check(linear_activation_forward)
    n_cases = len(cases_for("step_by_step", EXERCISES["linear_activation_forward"], TEST_SALT))
    relu_cases = sum(1 for c in cases_for("step_by_step", EXERCISES["linear_activation_forward"], TEST_SALT)
                     if c.args[-1] == "relu")
    assert points == pytest.approx(10 * relu_cases / n_cases)
    assert 0 < points < 10


def test_warnings_and_stderr_from_a_correct_answer_cost_nothing(capsys):
    def compute_cost(AL, Y):
        warnings.warn("just saying", UserWarning)
        print("debug output", file=sys.stderr)
        return np.squeeze(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))
    points = check(compute_cost, hidden=True)
    captured = capsys.readouterr()
    assert points == 10 and captured.err == ""
    assert "UserWarning: just saying" in captured.out


def test_not_implemented_is_reported_as_such():
    def linear_forward(A, W, b):
        raise NotImplementedError()
    points, report = run_check(linear_forward, hidden=False)
    assert points == 0 and "not implemented yet" in report


def test_hidden_failures_never_show_hidden_values():
    def linear_backward(dZ, cache):
        A_prev, W, b = cache
        return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
    _, report = run_check(linear_backward)
    hidden_part = report.split("hidden cases:")[1]
    for case in cases_for("step_by_step", EXERCISES["linear_backward"], TEST_SALT):
        if case.hidden:
            for value in ref.linear_backward(*case.args):
                for number in np.round(value.ravel(), 8)[:5]:
                    assert f"{abs(number):.8f}"[:9] not in hidden_part


def test_hidden_cases_need_the_salt(monkeypatch):
    monkeypatch.delenv(ENV)
    with pytest.raises(SaltMissing, match="grading salt"):
        check(alternative_style.linear_forward, hidden=True)


def test_hidden_cases_depend_on_the_salt_only():
    exercise = EXERCISES["L_model_forward"]
    first = cases_for("step_by_step", exercise, "salt-a")
    again = cases_for("step_by_step", exercise, "salt-a")
    other = cases_for("step_by_step", exercise, "salt-b")
    assert repr([c.args for c in first]) == repr([c.args for c in again])
    assert repr([c.args for c in first]) != repr([c.args for c in other])
    assert {len(c.args[1]) // 2 for c in first if c.hidden} >= {4}, "hidden networks are deeper"
