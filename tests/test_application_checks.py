"""check() on the two graded models of ``application``: what is particular to training a model.

What holds for every graded function of every assignment is in ``test_every_check.py``."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import dnn_utils.application as ref
from autograder.assignments import exercises
from autograder.examples import alternative_application
from autograder.runner import UNSEEDED_STATE
from autograder.trusted import cases_for
from conftest import TEST_SALT, as_student, run_check
from testcases import documented, run_examples
from testcases.application import EXAMPLES

EXERCISES = exercises("application")


def test_two_graded_functions_worth_100_points():
    assert list(EXERCISES) == ["two_layer_model", "L_layer_model"]
    assert sum(e.points for e in EXERCISES.values()) == 100
    assert all(len(e.mistakes) >= 4 for e in EXERCISES.values())


def test_a_wrapper_around_the_reference_earns_nothing():
    def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        parameters, costs = ref.L_layer_model(X, Y, layers_dims, learning_rate, num_iterations)
        return parameters, list(costs)
    points, report = run_check(L_layer_model)
    assert points == 0 and "the library's reference" in report


def test_ignoring_num_iterations_passes_only_the_cases_with_250_iterations():
    def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        return alternative_application.two_layer_model(X, Y, layers_dims, learning_rate, 250)
    points, report = run_check(two_layer_model)
    cases = cases_for("application", EXERCISES["two_layer_model"], TEST_SALT)
    right = sum(case.args[4] == 250 for case in cases)
    assert points == pytest.approx(50 * right / len(cases), abs=1e-3) and points < 50, report


def test_costs_as_an_array_are_reported_as_a_type_problem():
    def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        parameters, costs = alternative_application.L_layer_model(X, Y, layers_dims, learning_rate,
                                                                  num_iterations)
        return parameters, np.array(costs)
    points, report = run_check(L_layer_model, hidden=False)
    assert points == 0 and "costs: type differs" in report


def test_printing_progress_costs_nothing():
    def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        parameters, costs = alternative_application.L_layer_model(X, Y, layers_dims, learning_rate,
                                                                  num_iterations)
        print("done training")
        return parameters, costs
    assert run_check(L_layer_model)[0] == 50


def test_an_unseeded_model_is_named_and_the_callers_random_state_is_left_alone():
    unseeded = next(m for m in EXERCISES["L_layer_model"].mistakes if m.name == "L_layer_model_unseeded")
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    points, report = run_check(as_student(unseeded.variant, "L_layer_model"))
    assert np.random.rand() == expected, "check() restores the global random state"
    assert points == 0 and "drawn without seeding" in report
    assert UNSEEDED_STATE not in (1, 3), "an unseeded function must not land on the right draws"


# -- the cases ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(EXERCISES))
def test_hidden_cases_are_sound_for_many_salts(name):
    """Finite costs, both labels present, at least one recorded cost, and varied settings."""
    exercise = EXERCISES[name]
    depths, rates, iterations = set(), set(), set()
    for salt in [f"soundness-{i}" for i in range(10)]:
        for case in cases_for("application", exercise, salt):
            X, Y, layers_dims, learning_rate, num_iterations = case.args
            assert X.shape == (layers_dims[0], Y.shape[1]) and set(np.unique(Y)) == {0, 1}
            if case.hidden:
                parameters, costs = exercise.reference(*case.args)
                assert len(costs) == math.ceil(num_iterations / 100)
                assert all(np.isfinite(c) for c in costs)
                assert all(np.isfinite(v).all() for v in parameters.values())
                depths.add(len(layers_dims))
                rates.add(learning_rate)
                iterations.add(num_iterations % 100 == 0)
    assert len(rates) > 1 and iterations == {True, False}
    assert depths == ({3} if name == "two_layer_model" else {4, 5, 6})


def test_hidden_cases_depend_on_the_salt():
    exercise = EXERCISES["L_layer_model"]
    first, again = cases_for("application", exercise, "a"), cases_for("application", exercise, "a")
    other = cases_for("application", exercise, "b")
    assert repr([c.args for c in first]) == repr([c.args for c in again])
    assert repr([c.args for c in first]) != repr([c.args for c in other])


def test_documented_values_are_reproduced():
    stored = documented("application", "2023")
    computed = {example.id: outputs for example, outputs in run_examples("application", "2023")}
    assert set(stored) == {e.id for e in EXAMPLES}
    for example_id, quantities in stored.items():
        assert set(quantities) == set(computed[example_id])
        for name, value in quantities.items():
            np.testing.assert_allclose(computed[example_id][name], value, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{example_id} {name}")


def test_documented_costs_follow_the_recording_rule():
    for example, outputs in run_examples("application", "2023"):
        if "costs" in outputs:
            num_iterations = example.args("2023")[4]
            assert len(outputs["costs"]) == math.ceil(num_iterations / 100), example.id
            assert all(type(c) is float for c in outputs["costs"])


def test_command_prints_the_examples_as_json():
    done = subprocess.run([sys.executable, "-m", "testcases", "--assignment", "application", "--json"],
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert [row["example"] for row in report["examples"]] == [e.id for e in EXAMPLES]
    assert all(row["documented"] for row in report["examples"])


def test_visible_labels_say_which_example():
    labels = [case.label for case in cases_for("application", EXERCISES["two_layer_model"], TEST_SALT)]
    assert labels[0] == "the example printed above"
    assert labels[1].startswith("another example, not printed: Seed 4: X (3, 20)")
    assert [label.split(":")[0] for label in labels[2:]] == [f"hidden case {i} of 4" for i in range(1, 5)]
