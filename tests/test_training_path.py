"""dnn_utils.fast_path: training without dA0 gives what the graded functions composed give.

The composition below is the loop the reference models ran before the training path (and
what the notebook's solutions run): forward, cost, backward with dA0, a new dict of
parameters at every step. The training path must agree with it to 1e-10 on every drawn
network, and the reference models must still reproduce the published cat-data figures.
"""
import ast
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from autograder.kit import contents
from conftest import requires_cat_data
from dnn_utils import application
from dnn_utils.data import flatten_and_scale
from dnn_utils.evaluation import accuracy, predict
from dnn_utils.fast_path import gradient_descent, pays_to_update_first_layer
from dnn_utils.initialization import initialize_parameters_deep_scaled
from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, initialize_parameters, \
    linear_activation_backward, linear_activation_forward, update_parameters
from dnn_utils.training import progress_line
from notebook_tools import ROOT

TOLERANCE = dict(rtol=1e-10, atol=1e-10)
PUBLISHED = json.loads((ROOT / "testcases" / "data" / "application.json").read_text())["cat_data"]


def composed_L_layer(X, Y, parameters, learning_rate, num_iterations):
    """The graded functions composed, as the L-layer reference trained before the training path."""
    costs = []
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        assert "dA0" in grads   # the graded contract still computes what the path skips
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


def composed_two_layer(X, Y, parameters, learning_rate, num_iterations):
    """The two-layer reference's loop before the training path (it starts from dA2 itself)."""
    costs = []
    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        parameters = update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2},
                                       learning_rate)
        if i % 100 == 0:
            costs.append(float(cost))
    return parameters, costs


def assert_same_training(got, expected):
    (parameters, costs), (expected_parameters, expected_costs) = got, expected
    assert list(parameters) == list(expected_parameters)
    for key, value in expected_parameters.items():
        assert parameters[key].shape == value.shape, key
        np.testing.assert_allclose(parameters[key], value, err_msg=key, **TOLERANCE)
    assert all(type(c) is float for c in costs)
    assert len(costs) == len(expected_costs)
    np.testing.assert_allclose(costs, expected_costs, **TOLERANCE)


@st.composite
def training_problems(draw):
    """A random network, data, starting parameters, learning rate and number of iterations."""
    hidden = draw(st.lists(st.integers(1, 6), min_size=0, max_size=4))
    dims = [draw(st.integers(1, 8)), *hidden, 1]
    m = draw(st.integers(1, 25))
    rng = np.random.RandomState(draw(st.integers(0, 2**31 - 1)))
    X = rng.randn(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(draw(st.sampled_from([float, int])))
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * draw(st.sampled_from([0.01, 0.3, 1.0]))
        parameters[f"b{l}"] = rng.randn(dims[l], 1) * 0.1
    learning_rate = draw(st.sampled_from([0.0075, 0.05, 0.2]))
    num_iterations = draw(st.integers(0, 320))
    return X, Y, parameters, learning_rate, num_iterations


@settings(derandomize=True, max_examples=60, deadline=None)
@given(training_problems(), st.sampled_from([None, True, False]))
def test_path_equals_the_composition_of_the_graded_functions(problem, incremental):
    """Whether ``W1 X`` is recomputed or updated (None: when it pays), the same training."""
    X, Y, parameters, learning_rate, num_iterations = problem
    got = gradient_descent(X, Y, parameters, learning_rate, num_iterations, incremental_first_layer=incremental)
    assert_same_training(got, composed_L_layer(X, Y, parameters, learning_rate, num_iterations))


def test_updating_the_first_layer_product_is_chosen_when_there_are_fewer_examples_than_inputs():
    assert pays_to_update_first_layer(12288, 209) and pays_to_update_first_layer(8, 4)
    assert not pays_to_update_first_layer(8, 5) and not pays_to_update_first_layer(7, 6)


@settings(derandomize=True, max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 3), st.integers(150, 420))
def test_updating_the_first_layer_product_over_many_steps_stays_exact(seed, hidden_layers, num_iterations):
    """Wide inputs and few examples (the cat data's shape, small): the updated product is
    refreshed every 100 iterations, so rounding never builds up past 1e-10."""
    rng = np.random.RandomState(seed)
    dims = [60, *[int(n) for n in rng.randint(2, 9, size=hidden_layers)], 1]
    m = int(rng.randint(5, 20))
    X = rng.rand(dims[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    Y[0, :2] = 0, 1
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
        parameters[f"b{l}"] = np.zeros((dims[l], 1))
    assert pays_to_update_first_layer(dims[0], m)
    assert_same_training(gradient_descent(X, Y, parameters, 0.05, num_iterations),
                         composed_L_layer(X, Y, parameters, 0.05, num_iterations))


@settings(derandomize=True, max_examples=25, deadline=None)
@given(st.integers(1, 8), st.integers(1, 8), st.integers(1, 20), st.integers(0, 2**31 - 1),
       st.integers(0, 260))
def test_two_layer_reference_equals_its_former_loop(n_x, n_h, m, seed, num_iterations):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_x, m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    got = application.two_layer_model(X, Y, (n_x, n_h, 1), 0.1, num_iterations)
    assert_same_training(got, composed_two_layer(X, Y, initialize_parameters(n_x, n_h, 1), 0.1,
                                                 num_iterations))


@pytest.mark.parametrize("layers_dims", [[4, 1], [5, 3, 1], [6, 4, 3, 2, 1]])
def test_L_layer_reference_equals_the_composition_from_its_own_start(layers_dims):
    rng = np.random.RandomState(7)
    X = rng.randn(layers_dims[0], 15)
    Y = (rng.rand(1, 15) > 0.5).astype(int)
    got = application.L_layer_model(X, Y, layers_dims, 0.1, 250)
    assert_same_training(got, composed_L_layer(X, Y, initialize_parameters_deep_scaled(layers_dims), 0.1, 250))


def test_nothing_the_caller_passed_is_modified():
    rng = np.random.RandomState(3)
    X, Y = rng.randn(5, 9), (rng.rand(1, 9) > 0.5).astype(float)
    parameters = {"W1": rng.randn(3, 5), "b1": rng.randn(3, 1), "W2": rng.randn(1, 3), "b2": rng.randn(1, 1)}
    before = {key: value.copy() for key, value in parameters.items()}
    X_before, Y_before = X.copy(), Y.copy()
    trained, _ = gradient_descent(X, Y, parameters, 0.1, 5)
    assert list(parameters) == list(before)
    for key in before:
        np.testing.assert_array_equal(parameters[key], before[key])
        assert not np.shares_memory(trained[key], parameters[key])
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)


def test_no_iteration_gives_copies_of_the_start_and_no_cost():
    parameters = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1)), "W2": np.ones((1, 2)), "b2": np.zeros((1, 1))}
    trained, costs = gradient_descent(np.ones((3, 4)), np.array([[0, 1, 0, 1]]), parameters, 0.1, 0)
    assert costs == []
    for key, value in parameters.items():
        np.testing.assert_array_equal(trained[key], value)
        assert trained[key] is not value


@pytest.mark.parametrize("num_iterations", [1, 100, 101, 250])
def test_costs_follow_the_recording_rule_and_progress_lines_are_printed(capsys, num_iterations):
    rng = np.random.RandomState(5)
    X, Y = rng.randn(4, 12), (rng.rand(1, 12) > 0.5).astype(float)
    _, costs = application.L_layer_model(X, Y, [4, 3, 1], 0.05, num_iterations, print_cost=True)
    assert len(costs) == math.ceil(num_iterations / 100)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [progress_line(100 * k, num_iterations, cost) for k, cost in enumerate(costs)]
    _, quiet = application.L_layer_model(X, Y, [4, 3, 1], 0.05, num_iterations)
    assert quiet == costs and capsys.readouterr().out == ""


# -- the cat data ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cat(cat_data):
    return (flatten_and_scale(cat_data.train_x), cat_data.train_y,
            flatten_and_scale(cat_data.test_x), cat_data.test_y)


@requires_cat_data
@pytest.mark.parametrize("model", ["two_layer_model", "L_layer_model"])
def test_path_equals_the_composition_on_the_cat_data(cat, model):
    X, Y, _, _ = cat
    layers = PUBLISHED[model]["layers_dims"]
    if model == "two_layer_model":
        expected = composed_two_layer(X, Y, initialize_parameters(*layers), 0.0075, 101)
    else:
        expected = composed_L_layer(X, Y, initialize_parameters_deep_scaled(layers), 0.0075, 101)
    assert_same_training(getattr(application, model)(X, Y, layers, 0.0075, 101), expected)


@requires_cat_data
@pytest.mark.parametrize("model", ["two_layer_model", "L_layer_model"])
def test_reference_reproduces_the_published_cat_figures(cat, model, capsys):
    X, Y, X_test, Y_test = cat
    published = PUBLISHED[model]
    parameters, costs = getattr(application, model)(X, Y, published["layers_dims"], 0.0075, 2500)
    np.testing.assert_allclose(costs, published["costs"], **TOLERANCE)
    assert accuracy(predict(X, Y, parameters), Y) == pytest.approx(published["train_accuracy"], abs=1e-12)
    test_predictions = predict(X_test, Y_test, parameters)
    assert accuracy(test_predictions, Y_test) == pytest.approx(published["test_accuracy"], abs=1e-12)
    mislabeled = np.flatnonzero(test_predictions.ravel() != Y_test.ravel()).tolist()
    assert mislabeled == published["mislabeled_test_images"]


@requires_cat_data
def test_benchmark_runs_and_says_where_the_time_goes():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "training.py"), "--iterations", "3",
                           "--before-iterations", "2", "--repeats", "1", "--profile-iterations", "2",
                           "--model", "two_layer"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for expected in ("two_layer model [12288, 7, 1]", "after / before:", "same costs, before and after",
                     "where the time goes, before", "products: dA0 = W1.T dZ1",
                     "where the time goes, after", "products: forward W A", "products: dW = dZ A_prev.T"):
        assert expected in out, out
    assert "dA0" not in out.split("where the time goes, after")[1]
    assert ("after / PyTorch:" in out) or ("PyTorch: not installed" in out)


# -- the student kits --------------------------------------------------------------------------

def _dnn_utils_imports(module):
    tree = ast.parse((ROOT / "dnn_utils" / f"{module}.py").read_text())
    return {node.module.split(".")[1] for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dnn_utils.")}


def test_the_path_never_ships_before_the_application_assignment_is_over():
    """The path with an initialisation is an answer of ``application``: not in its kit or an earlier one."""
    for assignment in ("step_by_step", "application"):
        assert "fast_path" not in contents.dnn_utils_modules(assignment)
    assert _dnn_utils_imports("fast_path") == set(), "the path needs no other module of the course"


def test_the_kits_holding_the_application_reference_hold_what_it_imports():
    later = contents.ASSIGNMENT_IDS[contents.ASSIGNMENT_IDS.index("application") + 1:]
    assert later, "some kit holds the application reference"
    for assignment in later:
        assert _dnn_utils_imports("application") <= set(contents.dnn_utils_modules(assignment)), assignment
