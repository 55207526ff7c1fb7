"""A fresh set of plausible wrong answers, written for issue 11 and kept apart from the catalogue.

None of them is a catalogued mistake (``autograder/mistakes``): they measure whether diagnosis
from outputs alone (``autograder.diagnosis``) names wrong answers the catalogue does not know.
Each entry: the assignment, the graded function, the student's function, and ``names``, a phrase
the report must contain for the answer to count as named correctly ("" when nothing can honestly
be said from the outputs, kept so that the rate counts what is missed too).
"""
import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from dnn_utils.activations import relu_backward, sigmoid_backward  # noqa: F401  (used by the answers)
from dnn_utils.initialization import initialize_parameters_deep_scaled
from dnn_utils.step_by_step import L_model_backward, L_model_forward, compute_cost, initialize_parameters, \
    linear_activation_backward, linear_activation_forward, update_parameters


@dataclass(frozen=True)
class WrongAnswer:
    assignment: str
    function: str
    answer: Callable
    names: str


ANSWERS = []


def wrong(assignment, function, names):
    def register(answer):
        ANSWERS.append(WrongAnswer(assignment, function, answer, names))
        return answer
    return register


# -- step_by_step -------------------------------------------------------------------------------

@wrong("step_by_step", "linear_backward", "dW is m times the expected value")
def linear_backward_dW_without_m(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True) / m


@wrong("step_by_step", "linear_backward", "dA_prev is the expected value divided by")
def linear_backward_dA_prev_divided(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ / m, dZ @ A_prev.T / m, np.sum(dZ, axis=1, keepdims=True) / m


@wrong("step_by_step", "linear_backward", "summed over the wrong axis")
def linear_backward_db_axis_0(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=0) / m


@wrong("step_by_step", "linear_backward", "dW is the transpose")
def linear_backward_dW_transposed(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, A_prev @ dZ.T / m, np.sum(dZ, axis=1, keepdims=True) / m


@wrong("step_by_step", "linear_backward", "dW has the opposite sign")
def linear_backward_dW_sign(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, -(dZ @ A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


@wrong("step_by_step", "linear_backward", "not summed over the examples")
def linear_backward_db_not_summed(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, dZ / m


@wrong("step_by_step", "linear_forward", "transpose")
def linear_forward_transposed(A, W, b):
    return (A.T @ W.T + b.T).T.T, (A, W, b)


@wrong("step_by_step", "compute_cost", "integer division")
def compute_cost_integer_division(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-(1 // m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


@wrong("step_by_step", "compute_cost", "divided by m (the number of examples) once more")
def compute_cost_divided_twice(AL, Y):
    m = Y.shape[1]
    return np.squeeze(-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)


@wrong("step_by_step", "compute_cost", "twice the expected value")
def compute_cost_counted_twice(AL, Y):
    m = Y.shape[1]
    terms = Y * np.log(AL) + (1 - Y) * np.log(1 - AL)
    return np.squeeze(-(np.sum(terms) + np.sum(terms)) / m)


@wrong("step_by_step", "initialize_parameters_deep", "in another order")
def initialize_parameters_deep_drawn_transposed(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l - 1], layer_dims[l]).T * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@wrong("step_by_step", "initialize_parameters", "constant factor")
def initialize_parameters_scale_0_1(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x) * 0.1, "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) * 0.1, "b2": np.zeros((n_y, 1))}


@wrong("step_by_step", "linear_activation_forward", "holds what A should hold")
def linear_activation_forward_caches_A(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = 1 / (1 + np.exp(-Z)) if activation == "sigmoid" else np.maximum(0, Z)
    return A, ((A_prev, W, b), A)


@wrong("step_by_step", "L_model_forward", "lost a dimension")
def L_model_forward_flat_output(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        caches.append(((A, parameters[f"W{l}"], parameters[f"b{l}"]), Z))
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
    return A.ravel(), caches


@wrong("step_by_step", "update_parameters", "unchanged")
def update_parameters_returns_the_input(params, grads, learning_rate):
    parameters = copy.deepcopy(params)
    for key in params:
        params[key] - learning_rate * grads["d" + key]   # the result is thrown away
    return parameters


@wrong("step_by_step", "update_parameters", "broadcast")
def update_parameters_flat_db(params, grads, learning_rate):
    parameters = {}
    for key in params:
        step = grads["d" + key].ravel() if key.startswith("b") else grads["d" + key]
        parameters[key] = params[key] - learning_rate * step
    return parameters


@wrong("step_by_step", "update_parameters", "whole numbers")
def update_parameters_into_integer_arrays(params, grads, learning_rate):
    parameters = {}
    for key in params:
        parameters[key] = np.zeros(params[key].shape, dtype=int)
        parameters[key][:] = params[key] - learning_rate * grads["d" + key]
    return parameters


@wrong("step_by_step", "L_model_backward", "")
def L_model_backward_dAL_without_minus_on_second_term(AL, Y, caches):
    grads = {}
    L = len(caches)
    dA = -(Y / AL + (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        (A_prev, W, b), Z = caches[l - 1]
        dZ = sigmoid_backward(dA, Z) if l == L else relu_backward(dA, Z)
        m = A_prev.shape[1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = W.T @ dZ
        grads[f"dA{l - 1}"] = dA
    return grads


@wrong("step_by_step", "linear_activation_backward", "dW is m times the expected value")
def linear_activation_backward_dW_without_m(dA, cache, activation):
    (A_prev, W, b), Z = cache
    dZ = sigmoid_backward(dA, Z) if activation == "sigmoid" else relu_backward(dA, Z)
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T, np.sum(dZ, axis=1, keepdims=True) / m


# -- optimization -------------------------------------------------------------------------------

@wrong("optimization", "random_mini_batches", "lost a dimension")
def random_mini_batches_flat_labels(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    order = np.random.permutation(m)
    X, Y = X[:, order], Y[:, order]
    return [(X[:, k:k + mini_batch_size], Y[0, k:k + mini_batch_size]) for k in range(0, m, mini_batch_size)]


@wrong("optimization", "random_mini_batches", "transpose")
def random_mini_batches_examples_as_rows(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    order = np.random.permutation(m)
    X, Y = X[:, order].T, Y[:, order]
    return [(X[k:k + mini_batch_size], Y[:, k:k + mini_batch_size]) for k in range(0, m, mini_batch_size)]


@wrong("optimization", "initialize_velocity", "lost a dimension")
def initialize_velocity_flat_biases(parameters):
    return {"d" + key: np.zeros(value.shape[0]) if key.startswith("b") else np.zeros(value.shape)
            for key, value in parameters.items()}


@wrong("optimization", "initialize_velocity", "")
def initialize_velocity_ones(parameters):
    return {"d" + key: np.ones_like(value) for key, value in parameters.items()}


@wrong("optimization", "parameters_to_vector", "transpose")
def parameters_to_vector_row(parameters):
    L = len(parameters) // 2
    pieces = [parameters[f"{letter}{l}"].reshape(1, -1) for l in range(1, L + 1) for letter in "Wb"]
    return np.concatenate(pieces, axis=1)


@wrong("optimization", "vector_to_parameters", "lost a dimension")
def vector_to_parameters_flat_biases(theta, layer_dims):
    parameters, start = {}, 0
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        parameters[f"W{l}"] = theta[start:start + n * n_prev].reshape(n, n_prev)
        start += n * n_prev
        parameters[f"b{l}"] = theta[start:start + n, 0]
        start += n
    return parameters


@wrong("optimization", "gradient_check", "gradapprox is the transpose")
def gradient_check_row_gradapprox(parameters, grads, X, Y, epsilon=1e-7):
    from dnn_utils.step_by_step import L_model_forward, compute_cost
    theta = parameters_to_vector(parameters)
    L = len(parameters) // 2
    grad = np.concatenate([grads[f"d{letter}{l}"].reshape(-1, 1) for l in range(1, L + 1) for letter in "Wb"])
    layer_dims = [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
    gradapprox = np.zeros((1, theta.shape[0]))
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        j_plus = compute_cost(L_model_forward(X, vector_to_parameters(plus, layer_dims))[0], Y)
        j_minus = compute_cost(L_model_forward(X, vector_to_parameters(minus, layer_dims))[0], Y)
        gradapprox[0, i] = (j_plus - j_minus) / (2 * epsilon)
    difference = np.linalg.norm(grad - gradapprox.T) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))
    return float(difference), gradapprox


# -- application ------------------------------------------------------------------------------------

def _two_layer_training(X, Y, layers_dims, learning_rate, num_iterations, record):
    """The two-layer training loop as a student writes it; ``record(i)`` says when a cost is kept.
    Returns (parameters, costs)."""
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
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
        if record(i):
            costs.append(float(cost))
    return parameters, costs


@wrong("application", "two_layer_model", "gives the expected list")
def two_layer_model_records_every_cost(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                                       print_cost=False):
    return _two_layer_training(X, Y, layers_dims, learning_rate, num_iterations, lambda i: True)


@wrong("application", "two_layer_model", "the expected list without its first entry")
def two_layer_model_skips_iteration_0(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                                      print_cost=False):
    return _two_layer_training(X, Y, layers_dims, learning_rate, num_iterations, lambda i: i > 0 and i % 100 == 0)


def _L_layer_training(X, Y, layers_dims, learning_rate, num_iterations, first_cost=False, record=None):
    parameters = initialize_parameters_deep_scaled(layers_dims)
    costs = []
    if first_cost:   # the starting cost, shown before training (and kept)
        AL, _ = L_model_forward(X, parameters)
        costs.append(float(compute_cost(AL, Y)))
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if (record or (lambda i: i % 100 == 0))(i):
            costs.append(float(cost))
    return parameters, costs


@wrong("application", "L_layer_model", "with one entry more at the start")
def L_layer_model_keeps_the_starting_cost(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                                          print_cost=False):
    return _L_layer_training(X, Y, layers_dims, learning_rate, num_iterations, first_cost=True)


@wrong("application", "L_layer_model", "the expected list without its first entry")
def L_layer_model_skips_iteration_0(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                                    print_cost=False):
    return _L_layer_training(X, Y, layers_dims, learning_rate, num_iterations,
                             record=lambda i: i % 100 == 0 and i != 0)


@wrong("application", "L_layer_model", "gives the expected list")
def L_layer_model_records_every_tenth(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000,
                                      print_cost=False):
    return _L_layer_training(X, Y, layers_dims, learning_rate, num_iterations, record=lambda i: i % 10 == 0)
